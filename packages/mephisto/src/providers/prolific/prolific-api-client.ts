/**
 * A small client for Prolific's REST API (`<base>/api/v1/…`, `Authorization: Token <token>`) on global
 * fetch, covering what the provider uses. Every reply is checked with zod; a failure becomes a
 * {@link ProlificApiError} that quotes Prolific's message and per-field details (401 becomes a
 * {@link ProlificCredentialsError}).
 *
 * Retries, with exponential backoff and jitter:
 * - 429 is retried for every call, waiting at least its `Retry-After`: a throttled request was not
 *   carried out, so sending it again cannot do anything twice.
 * - 5xx, timeouts (each attempt is bounded by `AbortSignal.timeout`) and network errors are retried only
 *   for calls that are safe or idempotent: reads, setting absolute values (`PATCH` of places), submission
 *   transitions (documented as idempotent) and group membership changes. A create, a study transition or
 *   a bonus payment may have happened although no reply came, so those fail at once with
 *   {@link ProlificApiError.outcomeUnknown} and the provider decides (it re-reads, or keeps a record).
 */
import { z } from 'zod';
import type { ProlificProviderArgs } from '../../core/config/provider-args.js';
import {
  BulkBonusSchema,
  ErrorBodySchema,
  GroupMemberSchema,
  listSchema,
  ParticipantGroupSchema,
  ProjectSchema,
  StudySchema,
  SubmissionListItemSchema,
  SubmissionSchema,
  UserSchema,
  WorkspaceBalanceSchema,
  WorkspaceSchema,
  type ProlificBulkBonus,
  type ProlificParticipantGroup,
  type ProlificProject,
  type ProlificStudy,
  type ProlificSubmission,
  type ProlificSubmissionListItem,
  type ProlificUser,
  type ProlificWorkspace,
  type ProlificWorkspaceBalance,
} from './prolific-api-schemas.js';
import { ProlificApiError, ProlificCredentialsError } from './prolific-errors.js';

/** Prolific's API address. */
export const PROLIFIC_DEFAULT_API_BASE_URL = 'https://api.prolific.com';
/** The environment variable holding the API token. */
export const PROLIFIC_TOKEN_ENV = 'PROLIFIC_API_TOKEN';

export interface ProlificApiClientOptions {
  readonly token: string;
  /** Address of the API, without `/api/v1`. @default https://api.prolific.com */
  readonly baseUrl?: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Longest wait for one attempt, in milliseconds. @default 30000 */
  readonly timeoutMs?: number;
  /** Attempts after the first, for failures that may be retried. @default 4 */
  readonly maxRetries?: number;
  /** Backoff before the first retry (doubled each time, with jitter). @default 500 */
  readonly baseDelayMs?: number;
  /** Longest backoff between attempts, and the most of a `Retry-After` honoured. @default 30000 */
  readonly maxDelayMs?: number;
  /** Jitter source in [0, 1). @default Math.random */
  readonly random?: () => number;
  /** How the client waits between attempts (tests pass an instant one). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Told before each retry (the provider logs it). */
  readonly onRetry?: (retry: ProlificRetry) => void;
}

/** A call about to be sent again: which, the attempt that failed (0 is the first), the wait, and why. */
export interface ProlificRetry {
  readonly call: string;
  readonly attempt: number;
  readonly delayMs: number;
  readonly reason: string;
}

/** Whether a call may be sent again after a 5xx, a timeout or a network error. */
type RetryPolicy = 'idempotent' | 'once';

interface RequestSpec<S extends z.ZodType> {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly schema: S;
  readonly body?: unknown;
  readonly retry: RetryPolicy;
}

/** Reads the API token; none → {@link ProlificCredentialsError}. */
export function prolificTokenFrom(env: Readonly<Record<string, string | undefined>>): string {
  const token = env[PROLIFIC_TOKEN_ENV]?.trim() ?? '';
  if (token === '')
    throw new ProlificCredentialsError(
      `no Prolific API token: set ${PROLIFIC_TOKEN_ENV} (create a token in Prolific's app under API tokens)`,
    );
  return token;
}

/** The API base URL a provider's args select (`api_base_url`, or Prolific's). */
export function prolificApiBaseUrl(args: Pick<ProlificProviderArgs, 'api_base_url'>): string {
  const configured = args.api_base_url.trim();
  return (configured === '' ? PROLIFIC_DEFAULT_API_BASE_URL : configured).replace(/\/+$/, '');
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `Retry-After` as milliseconds (seconds or an HTTP date), or undefined. */
function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Prolific's `detail` in one line: the message, or `field: message; …`. */
function describeDetail(detail: unknown): string {
  if (typeof detail === 'string') return detail;
  if (typeof detail === 'object' && detail !== null && !Array.isArray(detail)) {
    return Object.entries(detail)
      .map(
        ([field, messages]) =>
          `${field}: ${Array.isArray(messages) ? messages.map(String).join(' ') : JSON.stringify(messages)}`,
      )
      .join('; ');
  }
  return detail === undefined || detail === null ? '' : JSON.stringify(detail);
}

export class ProlificApiClient {
  readonly baseUrl: string;
  readonly #token: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #random: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #onRetry: ((retry: ProlificRetry) => void) | undefined;

  constructor(options: ProlificApiClientOptions) {
    this.baseUrl = (options.baseUrl ?? PROLIFIC_DEFAULT_API_BASE_URL).replace(/\/+$/, '');
    this.#token = options.token;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#maxRetries = options.maxRetries ?? 4;
    this.#baseDelayMs = options.baseDelayMs ?? 500;
    this.#maxDelayMs = options.maxDelayMs ?? 30_000;
    this.#random = options.random ?? Math.random;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#onRetry = options.onRetry;
  }

  // --- account --------------------------------------------------------------------------------------

  me(): Promise<ProlificUser> {
    return this.#request({ method: 'GET', path: '/users/me/', schema: UserSchema, retry: 'idempotent' });
  }

  listWorkspaces(): Promise<ProlificWorkspace[]> {
    return this.#list('/workspaces/', WorkspaceSchema);
  }

  createWorkspace(title: string): Promise<ProlificWorkspace> {
    return this.#request({
      method: 'POST',
      path: '/workspaces/',
      body: { title },
      schema: WorkspaceSchema,
      retry: 'once',
    });
  }

  workspaceBalance(workspaceId: string): Promise<ProlificWorkspaceBalance> {
    return this.#request({
      method: 'GET',
      path: `/workspaces/${encodeURIComponent(workspaceId)}/balance/`,
      schema: WorkspaceBalanceSchema,
      retry: 'idempotent',
    });
  }

  listProjects(workspaceId: string): Promise<ProlificProject[]> {
    return this.#list(`/workspaces/${encodeURIComponent(workspaceId)}/projects/`, ProjectSchema);
  }

  createProject(workspaceId: string, title: string): Promise<ProlificProject> {
    return this.#request({
      method: 'POST',
      path: `/workspaces/${encodeURIComponent(workspaceId)}/projects/`,
      body: { title },
      schema: ProjectSchema,
      retry: 'once',
    });
  }

  // --- studies --------------------------------------------------------------------------------------

  listProjectStudies(projectId: string): Promise<ProlificStudy[]> {
    return this.#list(`/projects/${encodeURIComponent(projectId)}/studies/`, StudySchema);
  }

  /** Creates a draft study. Not retried on 5xx/timeouts: it may exist although no reply came. */
  createStudy(study: Readonly<Record<string, unknown>>): Promise<ProlificStudy> {
    return this.#request({
      method: 'POST',
      path: '/studies/',
      body: study,
      schema: StudySchema,
      retry: 'once',
    });
  }

  getStudy(studyId: string): Promise<ProlificStudy> {
    return this.#request({
      method: 'GET',
      path: `/studies/${encodeURIComponent(studyId)}/`,
      schema: StudySchema,
      retry: 'idempotent',
    });
  }

  /** Sets fields to absolute values (after publishing only `internal_name` and more places), so retried. */
  updateStudy(studyId: string, change: Readonly<Record<string, unknown>>): Promise<ProlificStudy> {
    return this.#request({
      method: 'PATCH',
      path: `/studies/${encodeURIComponent(studyId)}/`,
      body: change,
      schema: StudySchema,
      retry: 'idempotent',
    });
  }

  /** `PUBLISH`, `STOP`, `PAUSE`, `START`. Not retried on 5xx: a second one is refused, re-read instead. */
  transitionStudy(studyId: string, action: 'PUBLISH' | 'STOP' | 'PAUSE' | 'START'): Promise<ProlificStudy> {
    return this.#request({
      method: 'POST',
      path: `/studies/${encodeURIComponent(studyId)}/transition/`,
      body: { action },
      schema: StudySchema,
      retry: 'once',
    });
  }

  // --- submissions ----------------------------------------------------------------------------------

  listSubmissions(studyId: string): Promise<ProlificSubmissionListItem[]> {
    return this.#list(`/submissions/?study=${encodeURIComponent(studyId)}`, SubmissionListItemSchema);
  }

  getSubmission(submissionId: string): Promise<ProlificSubmission> {
    return this.#request({
      method: 'GET',
      path: `/submissions/${encodeURIComponent(submissionId)}/`,
      schema: SubmissionSchema,
      retry: 'idempotent',
    });
  }

  /** Approves or rejects; Prolific documents the transition as idempotent, so it is retried. */
  transitionSubmission(
    submissionId: string,
    transition:
      | { readonly action: 'APPROVE' }
      | { readonly action: 'REJECT'; readonly rejection_category: string; readonly message: string },
  ): Promise<ProlificSubmission> {
    return this.#request({
      method: 'POST',
      path: `/submissions/${encodeURIComponent(submissionId)}/transition/`,
      body: transition,
      schema: SubmissionSchema,
      retry: 'idempotent',
    });
  }

  // --- bonuses --------------------------------------------------------------------------------------

  /** Sets up (does not pay) a bulk bonus: `csv` lines of `<participant id>,<amount in currency>`. */
  createBulkBonus(studyId: string, csv: string): Promise<ProlificBulkBonus> {
    return this.#request({
      method: 'POST',
      path: '/submissions/bonus-payments/',
      body: { study_id: studyId, csv_bonuses: csv },
      schema: BulkBonusSchema,
      retry: 'once',
    });
  }

  /**
   * Pays a bulk bonus. NOT idempotent on Prolific: every call pays again. So it is never retried here,
   * whatever the failure (not even a 429); the caller keeps a record around it.
   */
  async payBulkBonus(bulkBonusId: string): Promise<void> {
    await this.#send(
      {
        method: 'POST',
        path: `/bulk-bonus-payments/${encodeURIComponent(bulkBonusId)}/pay/`,
        // Prolific answers with a message string; nothing in it is used.
        schema: z.unknown(),
        retry: 'once',
      },
      0,
    );
  }

  // --- participant groups ---------------------------------------------------------------------------

  listGroups(workspaceId: string): Promise<ProlificParticipantGroup[]> {
    return this.#list(
      `/participant-groups/?workspace_id=${encodeURIComponent(workspaceId)}`,
      ParticipantGroupSchema,
    );
  }

  createGroup(workspaceId: string, name: string, description = ''): Promise<ProlificParticipantGroup> {
    return this.#request({
      method: 'POST',
      path: '/participant-groups/',
      body: { workspace_id: workspaceId, name, description },
      schema: ParticipantGroupSchema,
      retry: 'once',
    });
  }

  async listGroupMembers(groupId: string): Promise<string[]> {
    const members = await this.#list(
      `/participant-groups/${encodeURIComponent(groupId)}/participants/`,
      GroupMemberSchema,
    );
    return members.map((m) => m.participant_id);
  }

  /** Adds members (members already in are ignored by Prolific, so this is retried). */
  async addGroupMembers(groupId: string, participantIds: readonly string[]): Promise<void> {
    await this.#request({
      method: 'POST',
      path: `/participant-groups/${encodeURIComponent(groupId)}/participants/`,
      body: { participant_ids: participantIds },
      schema: listSchema(GroupMemberSchema),
      retry: 'idempotent',
    });
  }

  async removeGroupMembers(groupId: string, participantIds: readonly string[]): Promise<void> {
    await this.#request({
      method: 'DELETE',
      path: `/participant-groups/${encodeURIComponent(groupId)}/participants/`,
      body: { participant_ids: participantIds },
      schema: listSchema(GroupMemberSchema),
      retry: 'idempotent',
    });
  }

  // --- transport ------------------------------------------------------------------------------------

  /** Every page of a list (following `_links.next.href` on the same host). */
  async #list<S extends z.ZodType>(path: string, item: S): Promise<z.output<S>[]> {
    const results: z.output<S>[] = [];
    let next: string | null = path;
    for (let page = 0; next !== null && page < 100; page++) {
      const reply: { results: z.output<S>[]; _links?: { next?: { href?: string | null } | null } | null } =
        await this.#request({ method: 'GET', path: next, schema: listSchema(item), retry: 'idempotent' });
      results.push(...reply.results);
      next = this.#nextPath(reply._links?.next?.href ?? null);
    }
    return results;
  }

  /** A next-page link as a path under `/api/v1`, or null; links to another host are not followed. */
  #nextPath(href: string | null): string | null {
    if (href === null || href === '') return null;
    const url = new URL(href, `${this.baseUrl}/api/v1/`);
    if (url.origin !== new URL(this.baseUrl).origin || !url.pathname.startsWith('/api/v1/')) return null;
    return url.pathname.slice('/api/v1'.length) + url.search;
  }

  #request<S extends z.ZodType>(spec: RequestSpec<S>): Promise<z.output<S>> {
    return this.#send(spec, this.#maxRetries);
  }

  async #send<S extends z.ZodType>(spec: RequestSpec<S>, maxRetries: number): Promise<z.output<S>> {
    const what = `Prolific ${spec.method} ${spec.path}`;
    for (let attempt = 0; ; attempt++) {
      const canRetry = attempt < maxRetries;
      let response: Response;
      try {
        response = await this.#fetch(`${this.baseUrl}/api/v1${spec.path}`, {
          method: spec.method,
          headers: {
            authorization: `Token ${this.#token}`,
            accept: 'application/json',
            ...(spec.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(spec.body === undefined ? {} : { body: JSON.stringify(spec.body) }),
          signal: AbortSignal.timeout(this.#timeoutMs),
        });
      } catch (error) {
        const timedOut =
          error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
        const reason = timedOut
          ? `no reply within ${String(this.#timeoutMs)} ms`
          : `network error (${String(error)})`;
        if (canRetry && spec.retry === 'idempotent') {
          await this.#wait(what, attempt, this.#backoff(attempt, undefined), reason);
          continue;
        }
        throw new ProlificApiError(`${what} failed: ${reason}`, null, null, { cause: error });
      }
      if (response.ok) return this.#parse(spec, what, response);
      const failure = await this.#failure(what, response);
      const throttled = response.status === 429;
      const serverError = response.status >= 500;
      if (canRetry && (throttled || (serverError && spec.retry === 'idempotent'))) {
        const delayMs = this.#backoff(attempt, retryAfterMs(response.headers.get('retry-after'), Date.now()));
        await this.#wait(what, attempt, delayMs, failure.message);
        continue;
      }
      throw failure;
    }
  }

  async #wait(call: string, attempt: number, delayMs: number, reason: string): Promise<void> {
    this.#onRetry?.({ call, attempt, delayMs, reason });
    await this.#sleep(delayMs);
  }

  /** Exponential backoff with jitter (half fixed, half random), at least `retryAfter`, at most the cap. */
  #backoff(attempt: number, retryAfter: number | undefined): number {
    const exponential = Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** attempt);
    const jittered = exponential / 2 + (exponential / 2) * this.#random();
    return Math.min(this.#maxDelayMs, Math.max(jittered, retryAfter ?? 0));
  }

  async #parse<S extends z.ZodType>(
    spec: RequestSpec<S>,
    what: string,
    response: Response,
  ): Promise<z.output<S>> {
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? null : JSON.parse(text);
    } catch (error) {
      throw new ProlificApiError(
        `${what}: the reply is not JSON: ${text.slice(0, 200)}`,
        response.status,
        null,
        {
          cause: error,
        },
      );
    }
    const parsed = spec.schema.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ');
      throw new ProlificApiError(`${what}: unexpected reply (${issues})`, response.status, json);
    }
    return parsed.data;
  }

  async #failure(what: string, response: Response): Promise<Error> {
    const text = await response.text().catch(() => '');
    let detail: unknown = text.slice(0, 500);
    let title = response.statusText;
    try {
      const body = ErrorBodySchema.safeParse(JSON.parse(text));
      if (body.success) {
        detail = body.data.error.detail;
        title = body.data.error.title ?? title;
      }
    } catch {
      // Not JSON (a proxy's error page): the raw text is the detail.
    }
    const described = describeDetail(detail);
    const message = `${what} failed: ${String(response.status)} ${title}${described === '' ? '' : `: ${described}`}`;
    if (response.status === 401)
      return new ProlificCredentialsError(
        `Prolific refused the API token (${PROLIFIC_TOKEN_ENV}): ${message}`,
      );
    return new ProlificApiError(message, response.status, detail);
  }
}
