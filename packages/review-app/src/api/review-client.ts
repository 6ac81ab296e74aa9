import {
  REVIEW_API_PREFIX,
  REVIEW_ROUTES,
  type BulkReviewRequest,
  type BulkReviewResult,
  type IdempotentRequest,
  type MonitorSnapshot,
  type QualificationCreateRequest,
  type QualificationGrantRequest,
  type QualificationRevokeRequest,
  type QualificationSummary,
  type ReviewActionRequest,
  type ReviewActionResult,
  type TaskSummary,
  type UnitDetail,
  type UnitPage,
  type UnitStatusName,
  type WorkerBlockRequest,
  type WorkerDetail,
} from 'mephisto-ts/review-api';
import { ApiError, NetworkError, apiErrorFrom, isOutcomeUnknown } from './api-error.js';
import { routePath, withQuery } from './route-path.js';

export interface ReviewClientOptions {
  /** The session token from the review link; sent as `Authorization: Bearer` on every request. */
  token: string;
  /** Called on every 401 answer, before the call rejects: the app swaps to its "link expired" screen. */
  onUnauthorized?: () => void;
  /**
   * Pauses before re-sending an idempotent POST whose outcome is unknown (no answer, 5xx, 408, 429),
   * with the same body and so the same idempotency key; one re-send per entry.
   * @default [400, 1500]
   */
  retryDelaysMs?: readonly number[];
}

export interface UnitQuery {
  /** One status, or null for every status. */
  status?: UnitStatusName | null;
  /** Matches a worker name or a unit id. */
  q?: string;
  workerId?: string;
  /** The `nextCursor` of the previous page; absent for the first page. */
  cursor?: string | null;
  limit?: number;
}

const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [400, 1500];

/**
 * The review server's HTTP API (mephisto-ts/review-api), typed. Every request carries the bearer token;
 * `fetch` is looked up on each call so tests can replace it. Bodies are trusted to match the contract's
 * types (the server imports the same file); everything they contain is still rendered as text.
 */
export class ReviewClient {
  constructor(private readonly options: ReviewClientOptions) {}

  listTasks(signal?: AbortSignal): Promise<TaskSummary[]> {
    return this.get(REVIEW_ROUTES.tasks, signal);
  }

  listRunUnits(runId: string, query: UnitQuery, signal?: AbortSignal): Promise<UnitPage> {
    const path = withQuery(routePath(REVIEW_ROUTES.runUnits, { runId }), {
      status: query.status,
      q: query.q,
      worker_id: query.workerId,
      cursor: query.cursor,
      limit: query.limit,
    });
    return this.get(path, signal);
  }

  getUnit(unitId: string, signal?: AbortSignal): Promise<UnitDetail> {
    return this.get(routePath(REVIEW_ROUTES.unit, { unitId }), signal);
  }

  reviewUnit(unitId: string, request: ReviewActionRequest): Promise<ReviewActionResult> {
    return this.postIdempotent(routePath(REVIEW_ROUTES.unitAction, { unitId }), request);
  }

  reviewUnits(request: BulkReviewRequest): Promise<BulkReviewResult> {
    return this.postIdempotent(REVIEW_ROUTES.bulkAction, request);
  }

  getWorker(workerId: string, signal?: AbortSignal): Promise<WorkerDetail> {
    return this.get(routePath(REVIEW_ROUTES.worker, { workerId }), signal);
  }

  blockWorker(workerId: string, request: WorkerBlockRequest): Promise<WorkerDetail> {
    return this.postIdempotent(routePath(REVIEW_ROUTES.workerBlock, { workerId }), request);
  }

  unblockWorker(workerId: string, request: IdempotentRequest): Promise<WorkerDetail> {
    return this.postIdempotent(routePath(REVIEW_ROUTES.workerUnblock, { workerId }), request);
  }

  listQualifications(signal?: AbortSignal): Promise<QualificationSummary[]> {
    return this.get(REVIEW_ROUTES.qualifications, signal);
  }

  /** Not idempotent (the contract has no key for it), so never re-sent automatically. */
  async createQualification(request: QualificationCreateRequest): Promise<QualificationSummary> {
    return (await this.send('POST', REVIEW_ROUTES.qualifications, request)) as QualificationSummary;
  }

  grantQualification(name: string, request: QualificationGrantRequest): Promise<QualificationSummary> {
    return this.postIdempotent(routePath(REVIEW_ROUTES.qualificationGrant, { name }), request);
  }

  revokeQualification(name: string, request: QualificationRevokeRequest): Promise<QualificationSummary> {
    return this.postIdempotent(routePath(REVIEW_ROUTES.qualificationRevoke, { name }), request);
  }

  getMonitor(runId: string, signal?: AbortSignal): Promise<MonitorSnapshot> {
    return this.get(routePath(REVIEW_ROUTES.monitor, { runId }), signal);
  }

  /**
   * Opens a run's monitor event stream (text/event-stream, read with SseParser). Sent with the bearer
   * header like every request, never with the token in the URL; `lastEventId` goes back as
   * `Last-Event-ID` when re-opening, as EventSource does. Resolves once the server has answered 2xx with
   * an event stream (the body then streams until the server ends it or `signal` aborts); rejects like
   * any request otherwise (a 401 first calls onUnauthorized), or with an ApiError for an answer that is
   * not an event stream.
   */
  async openMonitorEvents(
    runId: string,
    signal: AbortSignal,
    lastEventId = '',
  ): Promise<ReadableStream<Uint8Array<ArrayBuffer>>> {
    const path = routePath(REVIEW_ROUTES.monitorEvents, { runId });
    const headers: Record<string, string> = { Accept: 'text/event-stream' };
    if (lastEventId !== '') headers['Last-Event-ID'] = lastEventId;
    const response = await this.fetchWithAuth('GET', path, { headers, signal });
    const type = (response.headers.get('Content-Type') ?? '').split(';')[0]?.trim().toLowerCase();
    if (type === 'text/event-stream' && response.body !== null) return response.body;
    void response.body?.cancel().catch(() => undefined);
    throw new ApiError(
      response.status,
      'REVIEW_APP_BAD_RESPONSE',
      `The review server's answer to GET ${path} was not an event stream.`,
    );
  }

  /**
   * Downloads an uploaded file (an `UploadedFileRef.url`) with the bearer token. Refuses any URL
   * outside this origin's API, so the token is never sent elsewhere whatever the server's data says.
   */
  async downloadFile(url: string): Promise<Blob> {
    const target = new URL(url, window.location.href);
    if (target.origin !== window.location.origin || !target.pathname.startsWith(`${REVIEW_API_PREFIX}/`)) {
      throw new ApiError(
        0,
        'REVIEW_APP_BAD_FILE_URL',
        `Refusing to download from ${url}: not a review API URL.`,
      );
    }
    const response = await this.fetchWithAuth('GET', target.pathname + target.search);
    return response.blob();
  }

  private async get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return (await this.send('GET', path, undefined, signal)) as T;
  }

  /** POSTs an action carrying an idempotency key, re-sending it unchanged while its outcome is unknown. */
  private async postIdempotent<T>(path: string, body: IdempotentRequest): Promise<T> {
    const delays = this.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.send('POST', path, body)) as T;
      } catch (error) {
        const delay = delays[attempt];
        if (delay === undefined || !isOutcomeUnknown(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async send(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<unknown> {
    const response = await this.fetchWithAuth(method, path, { body, signal });
    if (response.status === 204) return undefined;
    try {
      return (await response.json()) as unknown;
    } catch {
      throw new ApiError(
        response.status,
        'REVIEW_APP_BAD_RESPONSE',
        `The review server's answer to ${method} ${path} was not JSON.`,
      );
    }
  }

  /** One request with the token; rejects with ApiError for a non-2xx answer, NetworkError for none. */
  private async fetchWithAuth(
    method: string,
    path: string,
    options: { body?: unknown; signal?: AbortSignal | undefined; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const { body, signal } = options;
    const headers: Record<string, string> = {
      Accept: 'application/json',
      ...options.headers,
      Authorization: `Bearer ${this.options.token}`,
    };
    const init: RequestInit = { method, headers, cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    if (signal) init.signal = signal;
    let response: Response;
    try {
      response = await fetch(path, init);
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new NetworkError(error instanceof Error ? error.message : String(error));
    }
    if (response.ok) return response;
    if (response.status === 401) this.options.onUnauthorized?.();
    throw await apiErrorFrom(response);
  }
}
