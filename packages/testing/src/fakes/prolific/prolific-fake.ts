/**
 * A fake Prolific: a real HTTP server (node:http, 127.0.0.1, a free port) answering Prolific's API
 * under `/api/v1/` with its paths, shapes and rules (see fake-prolific-state.ts), plus the two pages a
 * participant's browser sees: the completion page `/submissions/complete?cc=CODE` (served on the same
 * host, so point the provider's completion host at {@link ProlificFake.url}) and a start page that stands
 * in for "open the study from Prolific's app".
 *
 * Every API request needs `Authorization: Token <token>` (401 otherwise). Tests steer it with
 * {@link ProlificFake.failNext} (5xx, 429 with Retry-After, 400, 404, slow replies, replies lost after
 * the effect), play participants with {@link ProlificFake.startSubmission} and friends, and inspect
 * studies, submissions, bonuses, groups and balances. Time and ids are injectable.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorBody, FakeApiError, ProlificFakeHookError } from './fake-prolific-errors.js';
import { matchRoute, type RouteReply } from './fake-prolific-routes.js';
import { ProlificFakeState } from './fake-prolific-state.js';
import type {
  FakeBulkBonus,
  FakeCompletion,
  FakeFailureKind,
  FakeFailureOptions,
  FakeRequestLogEntry,
  FakeStartedSubmission,
  ProlificFakeRoute,
} from './fake-prolific-types.js';

export interface ProlificFakeOptions {
  /** The API token requests must carry. @default `fake-prolific-token` */
  readonly token?: string;
  /** Time for timestamps and scheduled studies. @default the system clock */
  readonly clock?: { now(): number };
  /** Ids for everything the fake creates. @default 24 hex digits counting up (Prolific ids are 24 hex) */
  readonly ids?: () => string;
  /** The workspaces' currency. @default `USD` */
  readonly currency?: string;
  /** Each workspace's starting balance, in cents. @default 1,000,000 (10,000.00) */
  readonly balanceCents?: number;
  /** Start with "My Workspace" and its "Project", as a new account has. @default true */
  readonly seedWorkspace?: boolean;
  /** API reads that show the undocumented `PROCESSING` after each transition. @default 0 */
  readonly processingReadsAfterTransition?: number;
}

/** The cookie the start page sets, standing in for the participant's Prolific login. */
export const PROLIFIC_FAKE_SESSION_COOKIE = 'prolific_fake_session';
export const PROLIFIC_FAKE_COMPLETION_PATH = '/submissions/complete';
export const PROLIFIC_FAKE_START_PATH = '/fake/participant/start';
export const PROLIFIC_FAKE_DEFAULT_TOKEN = 'fake-prolific-token';

interface PendingFailure {
  readonly route: ProlificFakeRoute;
  readonly kind: FakeFailureKind;
  readonly options: FakeFailureOptions;
  remaining: number;
}

function counterIds(): () => string {
  let next = 1;
  return () => (next++).toString(16).padStart(24, '0');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${String(c.charCodeAt(0))};`);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    request.on('error', reject);
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class ProlificFake {
  readonly token: string;
  /** Every API request, in arrival order. */
  readonly requests: FakeRequestLogEntry[] = [];
  readonly #state: ProlificFakeState;
  readonly #clock: { now(): number };
  readonly #server: Server;
  readonly #failures: PendingFailure[] = [];
  readonly #startUrls = new Map<string, string>();
  #origin = '';
  #closed: Promise<void> | undefined;

  private constructor(options: ProlificFakeOptions) {
    this.token = options.token ?? PROLIFIC_FAKE_DEFAULT_TOKEN;
    this.#clock = options.clock ?? { now: () => Date.now() };
    this.#state = new ProlificFakeState({
      now: () => this.#clock.now(),
      newId: options.ids ?? counterIds(),
      currency: options.currency ?? 'USD',
      initialBalanceCents: options.balanceCents ?? 1_000_000,
      seedWorkspace: options.seedWorkspace ?? true,
      processingReadsAfterTransition: options.processingReadsAfterTransition ?? 0,
    });
    this.#server = createServer((request, response) => {
      this.#serve(request, response).catch((error: unknown) => {
        if (!response.headersSent)
          this.#json(response, 500, errorBody(new FakeApiError(500, 'Server Error', String(error))));
      });
    });
  }

  /** Starts a fake on 127.0.0.1 and a free port. */
  static async start(options: ProlificFakeOptions = {}): Promise<ProlificFake> {
    const fake = new ProlificFake(options);
    await new Promise<void>((resolve, reject) => {
      fake.#server.once('error', reject);
      fake.#server.listen(0, '127.0.0.1', () => {
        resolve();
      });
    });
    const { port } = fake.#server.address() as AddressInfo;
    fake.#origin = `http://127.0.0.1:${String(port)}`;
    return fake;
  }

  /** The fake's origin (`http://127.0.0.1:<port>`): the provider's `api_base_url`, and the completion host. */
  get url(): string {
    return this.#origin;
  }

  /** The page a participant is sent to with the study's completion code. */
  completionUrl(code: string): string {
    return `${this.#origin}${PROLIFIC_FAKE_COMPLETION_PATH}?cc=${encodeURIComponent(code)}`;
  }

  /**
   * Makes the next request(s) to `route` (or to any route, `any`) fail as `kind` says; failures queue
   * in the order they were set.
   */
  failNext(route: ProlificFakeRoute, kind: FakeFailureKind, options: FakeFailureOptions = {}): void {
    this.#failures.push({ route, kind, options, remaining: options.times ?? 1 });
  }

  /** Drops failures set and not yet used. */
  clearFailures(): void {
    this.#failures.length = 0;
  }

  // --- participants ---------------------------------------------------------------------------------

  /**
   * A participant opens the study from Prolific: the study must be ACTIVE and let them in (group
   * filters, custom allow/block lists, submissions per participant). Returns the submission and the URL
   * their browser opens.
   * @throws ProlificFakeHookError when Prolific would not let them start
   */
  startSubmission(studyId: string, participantId: string): FakeStartedSubmission {
    const { submissionId, url } = this.#state.startSubmission(studyId, participantId);
    this.#startUrls.set(submissionId, url);
    return {
      submissionId,
      participantId,
      studyId,
      url,
      startUrl: `${this.#origin}${PROLIFIC_FAKE_START_PATH}?session=${encodeURIComponent(submissionId)}`,
    };
  }

  /** The participant's browser arrives at the completion page with `code` (what the redirect does). */
  completeSubmission(submissionId: string, code: string): FakeCompletion {
    return this.#state.complete(code, submissionId);
  }

  /** The participant returns the submission; its place is free again. */
  returnSubmission(submissionId: string): void {
    this.#state.endSubmission(submissionId, 'RETURNED');
  }

  /** The submission runs out of time. */
  timeOutSubmission(submissionId: string): void {
    this.#state.endSubmission(submissionId, 'TIMED-OUT');
  }

  /** The researcher approves or rejects in Prolific's web app, bypassing mephisto-ts. */
  reviewOnPlatform(submissionId: string, action: 'APPROVE' | 'REJECT'): void {
    this.#state.reviewOnPlatform(submissionId, action);
  }

  /** The researcher stops the study in Prolific's web app. */
  stopStudyOnPlatform(studyId: string): void {
    this.#state.stopOnPlatform(studyId);
  }

  /** The next `reads` API reads of the study or submission show the undocumented `PROCESSING`. */
  setProcessing(id: string, reads = 1): void {
    this.#state.setProcessing(id, reads);
  }

  /** Sets a workspace's balance in cents (the first workspace when none is named). */
  setBalance(cents: number, workspaceId?: string): void {
    this.#state.setBalance(cents, workspaceId);
  }

  // --- inspection -----------------------------------------------------------------------------------

  study(id: string): Readonly<Record<string, unknown>> | undefined {
    return this.#state.studyView(id);
  }

  studies(): Readonly<Record<string, unknown>>[] {
    return this.#state.studyViews();
  }

  /** Submissions (the list shape: `participant_id`, `bonus_payments`, …), of one study or all. */
  submissions(studyId?: string): Readonly<Record<string, unknown>>[] {
    return this.#state.submissionViews(studyId);
  }

  bulkBonuses(): FakeBulkBonus[] {
    return this.#state.bulkBonusViews();
  }

  /** Cents of bonus paid to the participant over every study (each `pay` call counted). */
  bonusPaidTo(participantId: string): number {
    let cents = 0;
    for (const bonus of this.#state.bulkBonusViews())
      for (const line of bonus.lines)
        if (line.participantId === participantId) cents += line.cents * bonus.payCount;
    return cents;
  }

  groups(): Readonly<Record<string, unknown>>[] {
    return this.#state.groupViews();
  }

  groupMembers(groupId: string): string[] {
    return this.#state.groupMembers(groupId);
  }

  /** A workspace's balance in cents (the first workspace when none is named). */
  balance(workspaceId?: string): { total: number; available: number; currency: string } {
    return this.#state.balanceView(workspaceId);
  }

  workspaces(): Readonly<Record<string, unknown>>[] {
    return this.#state.workspaceViews();
  }

  projects(): Readonly<Record<string, unknown>>[] {
    return this.#state.projectViews();
  }

  /** Arrivals on the completion page, in order. */
  get completions(): readonly FakeCompletion[] {
    return this.#state.completions;
  }

  /** API requests to one route (for counting retries). */
  requestsTo(route: ProlificFakeRoute): FakeRequestLogEntry[] {
    return this.requests.filter((r) => route === 'any' || r.route === route);
  }

  /** Stops the server and drops open connections. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
      this.#server.closeAllConnections();
    });
    return this.#closed;
  }

  // --- serving --------------------------------------------------------------------------------------

  async #serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.#origin);
    const method = request.method ?? 'GET';
    if (url.pathname === PROLIFIC_FAKE_COMPLETION_PATH) {
      this.#completionPage(request, response, url);
      return;
    }
    if (url.pathname === PROLIFIC_FAKE_START_PATH) {
      this.#startPage(response, url);
      return;
    }
    if (url.pathname === '/favicon.ico') {
      // Browsers ask for one on every page; a 404 would show up as a console error.
      response.writeHead(204);
      response.end();
      return;
    }
    const at = this.#clock.now();
    const log = (route: ProlificFakeRoute | null, status: number): void => {
      this.requests.push({ method, path: url.pathname, route, status, at });
    };
    const rawBody = await readBody(request);
    if (!url.pathname.startsWith('/api/v1/')) {
      log(null, 404);
      this.#json(response, 404, errorBody(new FakeApiError(404, 'Not Found', 'Not found.')));
      return;
    }
    if (request.headers.authorization !== `Token ${this.token}`) {
      log(null, 401);
      this.#json(
        response,
        401,
        errorBody(
          new FakeApiError(
            401,
            'Unauthorized',
            'Authentication credentials were not provided or are invalid.',
          ),
        ),
      );
      return;
    }
    const matched = matchRoute(method, url.pathname);
    if (matched.route === null) {
      const status = matched.pathKnown ? 405 : 404;
      log(null, status);
      const title = status === 405 ? 'Method Not Allowed' : 'Not Found';
      this.#json(response, status, errorBody(new FakeApiError(status, title, `${method} ${url.pathname}`)));
      return;
    }
    const { route, params } = matched;
    const failure = this.#takeFailure(route.name);
    if (failure !== undefined) {
      const early = this.#earlyFailure(failure);
      if (early !== undefined) {
        log(route.name, early.status);
        this.#json(response, early.status, errorBody(early), early.headers);
        return;
      }
      if (failure.kind === 'timeout') await delay(failure.options.delayMs ?? 10_000);
    }
    let reply: RouteReply;
    try {
      const body = rawBody.trim() === '' ? undefined : (JSON.parse(rawBody) as unknown);
      reply = route.handle(this.#state, { params, body, query: url.searchParams, href: url.href });
    } catch (error) {
      const apiError =
        error instanceof FakeApiError
          ? error
          : error instanceof SyntaxError
            ? new FakeApiError(400, 'Bad Request', `JSON parse error - ${error.message}`)
            : new FakeApiError(500, 'Server Error', String(error));
      log(route.name, apiError.status);
      this.#json(response, apiError.status, errorBody(apiError), apiError.headers);
      return;
    }
    if (failure?.kind === 'lost_reply') {
      // The effect happened; the reply never arrives.
      log(route.name, 0);
      request.socket.destroy();
      return;
    }
    log(route.name, reply.status);
    if (reply.body === undefined) {
      response.writeHead(reply.status);
      response.end();
      return;
    }
    this.#json(response, reply.status, reply.body);
  }

  #takeFailure(route: ProlificFakeRoute): PendingFailure | undefined {
    const failure = this.#failures.find((f) => f.route === route || f.route === 'any');
    if (failure === undefined) return undefined;
    failure.remaining -= 1;
    if (failure.remaining <= 0) this.#failures.splice(this.#failures.indexOf(failure), 1);
    return failure;
  }

  /** The error reply of a failure that answers before any effect, or undefined for the others. */
  #earlyFailure(failure: PendingFailure): FakeApiError | undefined {
    switch (failure.kind) {
      case 'server_error':
        return new FakeApiError(500, 'Server Error', 'A server error occurred.');
      case 'bad_gateway':
        return new FakeApiError(502, 'Bad Gateway', 'Bad gateway.');
      case 'unavailable':
        return new FakeApiError(503, 'Service Unavailable', 'Service temporarily unavailable.');
      case 'rate_limit': {
        const seconds = failure.options.retryAfterSeconds ?? 1;
        return new FakeApiError(
          429,
          'Too Many Requests',
          `Request was throttled. Expected available in ${String(seconds)} seconds.`,
          {
            'retry-after': String(seconds),
          },
        );
      }
      case 'validation':
        return new FakeApiError(400, 'Bad Request', { non_field_errors: ['Injected validation failure.'] });
      case 'not_found':
        return new FakeApiError(404, 'Not Found', 'Not found.');
      case 'timeout':
      case 'lost_reply':
        return undefined;
    }
  }

  #json(
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Readonly<Record<string, string>> = {},
  ): void {
    const text = JSON.stringify(body);
    response.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    response.end(text);
  }

  /** Remembers the participant in a cookie, then sends them on to the study (Prolific's "Open study"). */
  #startPage(response: ServerResponse, url: URL): void {
    const session = url.searchParams.get('session') ?? '';
    const target = this.#startUrls.get(session);
    if (target === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('unknown session');
      return;
    }
    response.writeHead(302, {
      location: target,
      'set-cookie': `${PROLIFIC_FAKE_SESSION_COOKIE}=${encodeURIComponent(session)}; Path=/; SameSite=Lax`,
    });
    response.end();
  }

  /** Where the study sends the participant back: the code moves their submission on (or not). */
  #completionPage(request: IncomingMessage, response: ServerResponse, url: URL): void {
    const code = url.searchParams.get('cc') ?? '';
    const cookie = (request.headers.cookie ?? '')
      .split(';')
      .map((part) => part.trim())
      .find((part) => part.startsWith(`${PROLIFIC_FAKE_SESSION_COOKIE}=`));
    const session =
      cookie === undefined ? null : decodeURIComponent(cookie.slice(PROLIFIC_FAKE_SESSION_COOKIE.length + 1));
    let completion: FakeCompletion;
    try {
      completion = this.#state.complete(code, session);
    } catch (error) {
      if (!(error instanceof ProlificFakeHookError || error instanceof FakeApiError)) throw error;
      completion = { code, submissionId: session, accepted: false, at: this.#clock.now() };
    }
    const heading = completion.accepted ? 'Submission complete' : 'Completion code not recognised';
    const html =
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Prolific (fake)</title></head><body>' +
      `<h1 id="prolific-complete">${heading}</h1>` +
      `<p>Code: <span id="prolific-code">${escapeHtml(code)}</span></p>` +
      `<p>Status: <span id="prolific-status">${completion.accepted ? 'accepted' : 'refused'}</span></p>` +
      '</body></html>';
    response.writeHead(completion.accepted ? 200 : 400, { 'content-type': 'text/html; charset=utf-8' });
    response.end(html);
  }
}
