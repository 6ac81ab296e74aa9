/**
 * The review API (mephisto-ts/review-api) behind a fake `fetch`, on in-memory fixtures. It checks the
 * bearer token (401 otherwise), filters and pages units with a keyset cursor, applies review actions,
 * and remembers idempotency keys (a repeated key returns the first answer, `applied: false`), as the real
 * server must. The monitor event stream is a streamed response the test writes to (`streams`, see
 * FakeEventStream); it needs the bearer header like every route, and a `?token=` is refused.
 * Every request is recorded; a test can script the next answers (`replyOnce`) or hold a request in
 * flight (`hold`).
 */
import { expect, vi } from 'vitest';
import {
  REVIEW_ROUTES,
  type BulkReviewRequest,
  type BulkReviewResult,
  type QualificationCreateRequest,
  type QualificationGrantRequest,
  type ReviewActionRequest,
  type ReviewActionResult,
  type UnitDetail,
  type UnitRow,
  type WorkerBlockRequest,
} from 'mephisto-ts/review-api';
import { FakeEventStream } from './fake-event-stream.js';
import { reviewFixtures, type ReviewFixtures } from './review-fixtures.js';

export const TOKEN = 'test-token-0123';

/** Matches the idempotency key of a request body: a UUID from crypto.randomUUID(). */
export const A_UUID: unknown = expect.stringMatching(
  /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
);

export interface RecordedRequest {
  method: string;
  url: URL;
  headers: Headers;
  /** Parsed JSON body, or undefined. */
  body: unknown;
  signal: AbortSignal | null;
}

/** A scripted answer: a response, or `network` for a fetch that rejects (no answer). */
export type ScriptedReply = Response | 'network';

type RouteName = keyof typeof REVIEW_ROUTES;
type Params = Record<string, string>;

export function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), { status, headers: { 'Content-Type': 'application/json' } });
}

export function errorReply(status: number, code: string, message: string): Response {
  return json({ error: { code, message } }, status);
}

const ROUTE_PATTERNS = (Object.entries(REVIEW_ROUTES) as [RouteName, string][]).map(([name, path]) => ({
  name,
  names: [...path.matchAll(/:([A-Za-z]+)/g)].map((match) => match[1] ?? ''),
  regex: new RegExp(`^${path.replace(/:[A-Za-z]+/g, '([^/]+)')}$`),
}));

function matchRoute(pathname: string): { name: RouteName; params: Params } | null {
  // bulk-actions must not be read as a unit id.
  const ordered = [...ROUTE_PATTERNS].sort((a, b) => a.names.length - b.names.length);
  for (const route of ordered) {
    const match = route.regex.exec(pathname);
    if (!match) continue;
    const params: Params = {};
    route.names.forEach((name, index) => {
      params[name] = decodeURIComponent(match[index + 1] ?? '');
    });
    return { name: route.name, params };
  }
  return null;
}

function row(unit: UnitDetail): UnitRow {
  const { inputData: _input, submission: _submission, files: _files, history: _history, ...rest } = unit;
  return structuredClone(rest);
}

export class FakeReviewServer {
  readonly requests: RecordedRequest[] = [];
  readonly data: ReviewFixtures = reviewFixtures();
  /** The monitor event streams served, newest last. */
  readonly streams: FakeEventStream[] = [];
  private readonly scripted: { method: string; pathname: string; replies: ScriptedReply[] }[] = [];
  private readonly held: { method: string; pathname: string; gate: Promise<void> }[] = [];
  private readonly seenKeys = new Map<string, object>();

  /** Requests for `method pathname` (query ignored). */
  to(method: string, pathname: string): RecordedRequest[] {
    return this.requests.filter((request) => request.method === method && request.url.pathname === pathname);
  }

  /** The next requests to `method pathname` get these answers, in order, instead of the normal one. */
  replyOnce(method: string, pathname: string, ...replies: ScriptedReply[]): this {
    this.scripted.push({ method, pathname, replies });
    return this;
  }

  /** Requests to `method pathname` wait until the returned function is called. */
  hold(method: string, pathname: string): () => void {
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.held.push({ method, pathname, gate });
    return release;
  }

  /** The newest monitor event stream served. */
  latestStream(): FakeEventStream {
    const stream = this.streams[this.streams.length - 1];
    if (!stream) throw new Error('no monitor event stream was opened');
    return stream;
  }

  unit(unitId: string): UnitDetail {
    const unit = this.data.units.find((candidate) => candidate.unitId === unitId);
    if (!unit) throw new Error(`fixture has no unit ${unitId}`);
    return unit;
  }

  readonly fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input), 'http://localhost:3000');
    const method = init.method ?? 'GET';
    const body = typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    const request: RecordedRequest = {
      method,
      url,
      headers: new Headers(init.headers),
      body,
      signal: init.signal ?? null,
    };
    this.requests.push(request);

    const hold = this.held.find((entry) => entry.method === method && entry.pathname === url.pathname);
    if (hold) await hold.gate;
    const script = this.scripted.find(
      (entry) => entry.method === method && entry.pathname === url.pathname && entry.replies.length > 0,
    );
    const scripted = script?.replies.shift();
    if (scripted === 'network') throw new TypeError('Failed to fetch');
    if (scripted) return scripted;

    if (request.headers.get('Authorization') !== `Bearer ${TOKEN}` || url.searchParams.has('token')) {
      return errorReply(401, 'MEPHISTO_ERR_REVIEW_TOKEN', 'Missing or wrong review session token.');
    }
    const route = matchRoute(url.pathname);
    if (!route) return errorReply(404, 'MEPHISTO_ERR_ROUTE_NOT_FOUND', `No route ${url.pathname}`);
    return this.answer(route.name, method, route.params, request);
  };

  /** Makes this server the page's `fetch` until `vi.unstubAllGlobals()`. */
  install(): this {
    vi.stubGlobal('fetch', this.fetch);
    return this;
  }

  private answer(name: RouteName, method: string, params: Params, request: RecordedRequest): Response {
    const key = `${name}:${method}`;
    switch (key) {
      case 'tasks:GET':
        return json(this.data.tasks);
      case 'runUnits:GET':
        return json(this.listUnits(params.runId ?? '', request.url.searchParams));
      case 'unit:GET': {
        const unit = this.data.units.find((candidate) => candidate.unitId === params.unitId);
        return unit ? json(unit) : errorReply(404, 'MEPHISTO_ERR_UNIT_NOT_FOUND', `No unit ${params.unitId}`);
      }
      case 'unitAction:POST':
        return this.idempotent(request, () => {
          const body = request.body as ReviewActionRequest;
          const unit = this.unit(params.unitId ?? '');
          const refusal = this.apply(unit, body);
          if (refusal) return errorReply(409, refusal.code, refusal.message);
          const result: ReviewActionResult = { unit: row(unit), applied: true };
          return result;
        });
      case 'bulkAction:POST':
        return this.idempotent(request, () => {
          const body = request.body as BulkReviewRequest;
          const result: BulkReviewResult = { applied: 0, skipped: 0, failed: [] };
          for (const unitId of body.unit_ids) {
            const refusal = this.apply(this.unit(unitId), body);
            if (refusal) result.failed.push({ unitId, ...refusal });
            else result.applied += 1;
          }
          return result;
        });
      case 'worker:GET': {
        const worker = this.data.workers.find((candidate) => candidate.id === params.workerId);
        return worker ? json(worker) : errorReply(404, 'MEPHISTO_ERR_WORKER_NOT_FOUND', 'No such worker');
      }
      case 'workerBlock:POST':
      case 'workerUnblock:POST':
        return this.idempotent(request, () => {
          const worker = this.data.workers.find((candidate) => candidate.id === params.workerId);
          if (!worker) return errorReply(404, 'MEPHISTO_ERR_WORKER_NOT_FOUND', 'No such worker');
          worker.blocked = name === 'workerBlock';
          worker.blockReason = name === 'workerBlock' ? (request.body as WorkerBlockRequest).reason : null;
          return structuredClone(worker);
        });
      case 'qualifications:GET':
        return json(this.data.qualifications);
      case 'qualifications:POST': {
        const body = request.body as QualificationCreateRequest;
        if (this.data.qualifications.some((q) => q.name === body.name)) {
          return errorReply(409, 'MEPHISTO_ERR_QUALIFICATION_EXISTS', `Qualification ${body.name} exists`);
        }
        const created = { name: body.name, description: body.description ?? null, granted: 0 };
        this.data.qualifications.push(created);
        return json(created);
      }
      case 'qualificationGrant:POST':
      case 'qualificationRevoke:POST':
        return this.idempotent(request, () => {
          const qualification = this.data.qualifications.find((q) => q.name === params.name);
          if (!qualification)
            return errorReply(404, 'MEPHISTO_ERR_QUALIFICATION_NOT_FOUND', 'No such qualification');
          const body = request.body as QualificationGrantRequest;
          const worker = this.data.workers.find((candidate) => candidate.id === body.worker_id);
          if (!worker) return errorReply(404, 'MEPHISTO_ERR_WORKER_NOT_FOUND', `No worker ${body.worker_id}`);
          const held = worker.qualifications.filter((q) => q.name !== qualification.name);
          if (name === 'qualificationGrant') held.push({ name: qualification.name, value: body.value ?? 1 });
          worker.qualifications = held;
          qualification.granted = this.data.workers.filter((w) =>
            w.qualifications.some((q) => q.name === qualification.name),
          ).length;
          return structuredClone(qualification);
        });
      case 'monitor:GET': {
        const snapshot = this.data.monitors.find((candidate) => candidate.runId === params.runId);
        return snapshot ? json(snapshot) : errorReply(404, 'MEPHISTO_ERR_RUN_NOT_FOUND', 'No such run');
      }
      case 'monitorEvents:GET': {
        if (!this.data.monitors.some((candidate) => candidate.runId === params.runId)) {
          return errorReply(404, 'MEPHISTO_ERR_RUN_NOT_FOUND', 'No such run');
        }
        const stream = new FakeEventStream(request);
        this.streams.push(stream);
        return new Response(stream.body, {
          status: 200,
          headers: { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store' },
        });
      }
      case 'file:GET':
        return new Response(new Blob(['file-bytes']), {
          status: 200,
          headers: { 'Content-Type': 'image/png' },
        });
      default:
        return errorReply(405, 'MEPHISTO_ERR_METHOD', `${method} not allowed`);
    }
  }

  /** Keyset paging on unit id, after filtering by status and a worker-name / unit-id search. */
  private listUnits(runId: string, query: URLSearchParams): unknown {
    const status = query.get('status');
    const q = query.get('q')?.toLowerCase() ?? '';
    const limit = Number(query.get('limit') ?? '50');
    const cursor = query.get('cursor');
    const matching = this.data.units.filter(
      (unit) =>
        unit.runId === runId &&
        (status === null || unit.status === status) &&
        (q === '' || unit.unitId === q || (unit.workerName ?? '').toLowerCase().includes(q)),
    );
    const after = matching.filter((unit) => cursor === null || Number(unit.unitId) > Number(cursor));
    const page = after.slice(0, limit);
    const last = page[page.length - 1];
    return {
      units: page.map(row),
      nextCursor: after.length > limit && last ? last.unitId : null,
      total: matching.length,
    };
  }

  /** Replays the first answer for a repeated idempotency key, marking it `applied: false`. */
  private idempotent(request: RecordedRequest, act: () => Response | object): Response {
    const key = (request.body as { idempotency_key?: unknown }).idempotency_key;
    if (typeof key !== 'string' || key === '') {
      return errorReply(400, 'MEPHISTO_ERR_IDEMPOTENCY_KEY', 'idempotency_key is required');
    }
    const earlier = this.seenKeys.get(key);
    if (earlier !== undefined)
      return json('applied' in earlier && 'unit' in earlier ? { ...earlier, applied: false } : earlier);
    const outcome = act();
    if (outcome instanceof Response) return outcome;
    this.seenKeys.set(key, outcome);
    return json(outcome);
  }

  /** Applies one review action to a unit, or says why not. */
  private apply(
    unit: UnitDetail,
    body: ReviewActionRequest | BulkReviewRequest,
  ): { code: string; message: string } | null {
    const at = '2025-05-03T12:00:00.000Z';
    if (body.action === 'bonus') {
      unit.review.bonus += body.amount;
      unit.history.push({ action: 'bonus', at, feedback: body.reason, amount: body.amount });
      return null;
    }
    if (unit.status !== 'completed' && unit.status !== 'soft_rejected') {
      return {
        code: 'MEPHISTO_ERR_UNIT_NOT_REVIEWABLE',
        message: `Unit ${unit.unitId} is ${unit.status}, not completed`,
      };
    }
    const status =
      body.action === 'approve' ? 'accepted' : body.action === 'reject' ? 'rejected' : 'soft_rejected';
    unit.status = status;
    unit.review = { ...unit.review, status, feedback: body.feedback ?? null, reviewedAt: at };
    unit.history.push({ action: body.action, at, feedback: body.feedback ?? null, amount: null });
    return null;
  }
}
