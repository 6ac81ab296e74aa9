/**
 * A fake of Amazon Mechanical Turk's requester API for tests: a real HTTP server (127.0.0.1, a free
 * port) speaking the AWS JSON 1.1 protocol exactly as `@aws-sdk/client-mturk` sends it (`POST /`,
 * `X-Amz-Target: MTurkRequesterServiceV20170117.<Operation>`, `Content-Type:
 * application/x-amz-json-1.1`, a SigV4 `Authorization` header), with MTurk's state machines, error shapes
 * and commission. Point a client (or mephisto-ts's `mturk`/`mturk_sandbox` provider, through
 * `mephisto.provider.endpoint`) at {@link MturkFake.endpoint}.
 *
 * It also plays the workers' side of MTurk: {@link MturkFake.acceptHit} gives the URL a worker's browser
 * opens after accepting a HIT, {@link MturkFake.previewUrl} the preview's, and the page's form posts to
 * `<turkSubmitTo>/mturk/externalSubmit` on this server, which submits the assignment.
 *
 * ```ts
 * const mturk = await MturkFake.start();
 * // … launch a run with mephisto.provider.endpoint = mturk.endpoint …
 * const [hit] = mturk.hits();
 * const { url } = mturk.acceptHit(hit.id, 'A1WORKER');
 * // open `url` in a browser, or submit with mturk.submitAssignment(…)
 * await mturk.close();
 * ```
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { coralError, MturkApiError, serviceFault, throttlingError } from './mturk-api-error.js';
import { FaultPlan, type MturkFaultKind, type MturkFaultOptions } from './fault-injection.js';
import type {
  FakeAssignment,
  FakeBonus,
  FakeHit,
  FakeHitType,
  FakeLedgerEntry,
  FakeQualificationScore,
  FakeQualificationType,
  FakeWorkerBlock,
  HitStatus,
} from './mturk-fake-model.js';
import { MturkFakeState, MturkWorkerActionError, type MturkClock } from './mturk-fake-state.js';
import { SequentialMturkIds, type MturkIdSource } from './mturk-ids.js';
import { isJsonObject } from './mturk-input.js';
import { formatCurrency } from './mturk-money.js';
import { isMturkOperation, runOperation, type MturkOperation } from './mturk-operations.js';
import { verifySigV4 } from './sigv4.js';
import { escapeXml } from './mturk-xml.js';
import type { WorkerLocale } from './qualification-check.js';

/** The X-Amz-Target prefix of MTurk's requester API (version 2017-01-17). */
export const MTURK_TARGET_PREFIX = 'MTurkRequesterServiceV20170117.';
export const AMZ_JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
/** The assignment id MTurk puts in a preview's URL. */
export const ASSIGNMENT_ID_NOT_AVAILABLE = 'ASSIGNMENT_ID_NOT_AVAILABLE';
/** Where the worker's form posts, under turkSubmitTo. */
export const EXTERNAL_SUBMIT_PATH = '/mturk/externalSubmit';

const MAX_BODY_BYTES = 1024 * 1024;

export interface MturkFakeCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface MturkFakeOptions {
  /** Where time comes from (auto-approval, abandonment, expiry, token lifetime). @default the system clock */
  readonly clock?: MturkClock;
  /** @default {@link SequentialMturkIds} (30-character ids from counters) */
  readonly ids?: MturkIdSource;
  /** The account's starting balance in dollars. @default 10000 (what the MTurk sandbox reports) */
  readonly balance?: number;
  /**
   * Keys whose signatures are verified; others are refused as MTurk refuses unknown keys. When left out,
   * any well-formed SigV4 header is accepted.
   */
  readonly credentials?: readonly MturkFakeCredentials[];
  /** Allow plain-http ExternalURLs on hosts other than loopback (MTurk frames https only). @default false */
  readonly allowInsecureExternalUrls?: boolean;
  /** @default 127.0.0.1 */
  readonly host?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
}

/** One API call as the fake saw it. */
export interface MturkFakeCall {
  readonly operation: string;
  readonly at: number;
  readonly input: Readonly<Record<string, unknown>>;
  /** HTTP status of the reply (0 when the reply was held back and never sent). */
  readonly status: number;
  /** The error's name (`RequestError`, `ThrottlingException`, …) when the call failed. */
  readonly errorName?: string;
}

/** A HIT as a test inspects it: the stored HIT plus what MTurk would report now. */
export interface MturkFakeHitView extends Readonly<FakeHit> {
  readonly status: HitStatus;
  readonly hitType: FakeHitType;
  readonly pending: number;
  readonly available: number;
  readonly completed: number;
}

export interface AcceptedHit {
  readonly hitId: string;
  readonly assignmentId: string;
  readonly workerId: string;
  /** The page the worker's browser opens: ExternalURL + `assignmentId`, `hitId`, `workerId`, `turkSubmitTo`. */
  readonly url: string;
}

export interface AcceptHitOptions {
  /** The worker's locale, for locale requirements. @default US */
  readonly locale?: WorkerLocale;
}

export class MturkFake {
  readonly #server: Server;
  readonly #state: MturkFakeState;
  readonly #faults = new FaultPlan();
  readonly #secrets: ReadonlyMap<string, string> | null;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #calls: MturkFakeCall[] = [];
  #endpoint = '';

  private constructor(options: MturkFakeOptions) {
    this.#state = new MturkFakeState({
      clock: options.clock ?? { now: () => Date.now() },
      ids: options.ids ?? new SequentialMturkIds(),
      balanceCents: Math.round((options.balance ?? 10_000) * 100),
      allowInsecureExternalUrls: options.allowInsecureExternalUrls ?? false,
    });
    this.#secrets =
      options.credentials === undefined
        ? null
        : new Map(options.credentials.map((c) => [c.accessKeyId, c.secretAccessKey]));
    this.#server = createServer((request, response) => {
      this.#handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(String(error));
      });
    });
  }

  /** Starts a fake on a free port of 127.0.0.1 (or the options' host and port). */
  static async start(options: MturkFakeOptions = {}): Promise<MturkFake> {
    const fake = new MturkFake(options);
    await new Promise<void>((resolve, reject) => {
      fake.#server.once('error', reject);
      fake.#server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        fake.#server.off('error', reject);
        resolve();
      });
    });
    const address = fake.#server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    fake.#endpoint = `http://${host}:${address.port}`;
    return fake;
  }

  /** The API's address: the SDK's `endpoint`, and mephisto-ts's `mephisto.provider.endpoint`. */
  get endpoint(): string {
    return this.#endpoint;
  }

  /** What MTurk passes as `turkSubmitTo`: here, this server (so submits land on the fake). */
  get turkSubmitTo(): string {
    return this.#endpoint;
  }

  /** Stops the server; replies held back by a `slow` fault are dropped. */
  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
    });
  }

  // --- fault injection ---------------------------------------------------------------------------

  /**
   * Makes the next call(s) of `operation` (`*`: of any operation) fail: `throttling` (AWS's
   * ThrottlingException, HTTP 400), `serviceFault` (MTurk's ServiceFault, HTTP 500) or `slow` (the reply
   * is held back `delayMs`, so a client with a shorter timeout gives up). See {@link MturkFaultOptions}
   * for failing after the operation took effect.
   */
  failNext(operation: MturkOperation | '*', kind: MturkFaultKind, options: MturkFaultOptions = {}): void {
    this.#faults.add(operation, kind, options);
  }

  /** Drops every planned failure. */
  clearFaults(): void {
    this.#faults.clear();
  }

  // --- the workers' side --------------------------------------------------------------------------

  /**
   * A worker accepts the HIT, as on MTurk's site; returns the assignment and the URL the worker's
   * browser opens. Throws {@link MturkWorkerActionError} when MTurk would not let the worker accept (the
   * HIT is not Assignable, the worker is blocked, already holds an assignment of it, or lacks a required
   * qualification).
   */
  acceptHit(hitId: string, workerId: string, options: AcceptHitOptions = {}): AcceptedHit {
    const assignment = this.#state.accept(hitId, workerId, options.locale ?? { Country: 'US' });
    const hit = this.#state.hit(hitId);
    return {
      hitId,
      assignmentId: assignment.id,
      workerId,
      url: this.#pageUrl(hit, {
        assignmentId: assignment.id,
        hitId,
        workerId,
        turkSubmitTo: this.turkSubmitTo,
      }),
    };
  }

  /**
   * The URL MTurk frames while a worker previews the HIT: `assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE`, no
   * worker id. Throws when the HIT has no external page, or a requirement guarding preview is unmet.
   */
  previewUrl(hitId: string, workerId: string | null = null, options: AcceptHitOptions = {}): string {
    this.#state.advance();
    const hit = this.#state.hit(hitId);
    if (!this.#state.mayPreview(hit, workerId, options.locale ?? { Country: 'US' }))
      throw new MturkWorkerActionError(
        `HIT ${hitId} may not be previewed by ${workerId ?? 'an anonymous worker'}`,
      );
    return this.#pageUrl(hit, {
      assignmentId: ASSIGNMENT_ID_NOT_AVAILABLE,
      hitId,
      turkSubmitTo: this.turkSubmitTo,
    });
  }

  /** Submits the assignment with these answers, as the worker's form posting to externalSubmit does. */
  submitAssignment(assignmentId: string, answers: Readonly<Record<string, string>> = {}): void {
    this.#state.submit(assignmentId, Object.entries(answers));
  }

  /** The worker returns the assignment unfinished; the HIT offers it to others again. */
  returnAssignment(assignmentId: string): void {
    this.#state.returnAssignment(assignmentId);
  }

  // --- inspection -------------------------------------------------------------------------------

  /** Every HIT, disposed ones included, in creation order, with its current status. */
  hits(): MturkFakeHitView[] {
    this.#state.advance();
    return [...this.#state.hits.values()].map((hit) => this.#view(hit));
  }

  hit(hitId: string): MturkFakeHitView {
    this.#state.advance();
    const hit = this.#state.hits.get(hitId);
    if (hit === undefined) throw new Error(`the MTurk fake has no HIT ${hitId}`);
    return this.#view(hit);
  }

  /** Assignments (of one HIT, or all), every state included. */
  assignments(hitId?: string): FakeAssignment[] {
    this.#state.advance();
    return [...this.#state.assignments.values()]
      .filter((a) => hitId === undefined || a.hitId === hitId)
      .map((a) => ({ ...a, answers: [...a.answers] }));
  }

  assignment(assignmentId: string): FakeAssignment {
    const found = this.assignments().find((a) => a.id === assignmentId);
    if (found === undefined) throw new Error(`the MTurk fake has no assignment ${assignmentId}`);
    return found;
  }

  /** Bonuses paid, in order (a retried SendBonus with a remembered token adds none). */
  bonuses(): FakeBonus[] {
    return [...this.#state.bonuses];
  }

  blocks(): FakeWorkerBlock[] {
    return [...this.#state.blocks.values()].map((b) => ({ ...b }));
  }

  qualificationTypes(): FakeQualificationType[] {
    return [...this.#state.qualificationTypes.values()];
  }

  /** Qualification scores granted and not revoked (of one worker, or all). */
  qualificationScores(workerId?: string): FakeQualificationScore[] {
    return [...this.#state.qualificationScores.values()]
      .filter((s) => workerId === undefined || s.workerId === workerId)
      .map((s) => ({ ...s }));
  }

  hitTypes(): FakeHitType[] {
    return [...this.#state.hitTypes.values()];
  }

  /** The account's available balance in dollars. */
  get balance(): number {
    this.#state.advance();
    return this.#state.balanceCents / 100;
  }

  /** Money paid out: rewards, bonuses and MTurk's commission on each. */
  ledger(): FakeLedgerEntry[] {
    this.#state.advance();
    return [...this.#state.ledger];
  }

  /** Every API call received, in order. */
  calls(operation?: string): MturkFakeCall[] {
    return this.#calls.filter((c) => operation === undefined || c.operation === operation);
  }

  // --- HTTP ------------------------------------------------------------------------------------

  #view(hit: FakeHit): MturkFakeHitView {
    const counts = this.#state.hitCounts(hit);
    return {
      ...hit,
      status: this.#state.hitStatus(hit),
      hitType: this.#state.hitType(hit.hitTypeId),
      pending: counts.pending,
      available: counts.available,
      completed: counts.completed,
    };
  }

  #pageUrl(hit: FakeHit, params: Readonly<Record<string, string>>): string {
    if (hit.externalUrl === null) throw new MturkWorkerActionError(`HIT ${hit.id} has no ExternalQuestion`);
    const url = new URL(hit.externalUrl);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return url.toString();
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const path = new URL(request.url ?? '/', 'http://fake.invalid').pathname.replace(/\/{2,}/g, '/');
    if (path === EXTERNAL_SUBMIT_PATH) {
      this.#externalSubmit(request, body, response);
      return;
    }
    if (path !== '/' || request.method !== 'POST') {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('Not Found');
      return;
    }
    await this.#api(request, body, response);
  }

  async #api(request: IncomingMessage, body: Buffer, response: ServerResponse): Promise<void> {
    const target = headerText(request, 'x-amz-target') ?? '';
    const operation = target.startsWith(MTURK_TARGET_PREFIX) ? target.slice(MTURK_TARGET_PREFIX.length) : '';
    const call = (status: number, input: Readonly<Record<string, unknown>>, errorName?: string): void => {
      this.#calls.push({
        operation: operation === '' ? target : operation,
        at: this.#state.now(),
        input,
        status,
        ...(errorName === undefined ? {} : { errorName }),
      });
    };
    const auth = verifySigV4(
      { method: request.method ?? 'POST', url: request.url ?? '/', headers: request.headers, body },
      this.#secrets,
    );
    if (auth instanceof MturkApiError) {
      call(auth.httpStatus, {}, auth.errorName);
      sendError(response, auth);
      return;
    }
    if (!isMturkOperation(operation)) {
      const error = coralError('UnknownOperationException', `Unknown operation ${target}`);
      call(error.httpStatus, {}, error.errorName);
      sendError(response, error);
      return;
    }
    const contentType = headerText(request, 'content-type') ?? '';
    let input: Readonly<Record<string, unknown>>;
    try {
      if (!contentType.startsWith(AMZ_JSON_CONTENT_TYPE)) throw new Error('content type');
      const parsed: unknown = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
      if (!isJsonObject(parsed)) throw new Error('not an object');
      input = parsed;
    } catch {
      const error = coralError(
        'SerializationException',
        'Start of structure or map found where not expected.',
      );
      call(error.httpStatus, {}, error.errorName);
      sendError(response, error);
      return;
    }

    const fault = this.#faults.take(operation);
    if (fault?.kind === 'throttling') {
      const error = throttlingError();
      call(error.httpStatus, input, error.errorName);
      sendError(response, error);
      return;
    }
    // The operation runs unless the fault says it never took effect; a service fault (or a held-back
    // reply that never took effect) then answers ServiceFault whatever the operation did.
    let outcome: { status: number; body: Readonly<Record<string, unknown>>; errorName?: string } =
      fault === undefined || fault.afterEffect ? this.#run(operation, input) : { status: 0, body: {} };
    if (fault?.kind === 'serviceFault' || (fault?.kind === 'slow' && !fault.afterEffect)) {
      const error = serviceFault(this.#state.now());
      outcome = { status: error.httpStatus, body: error.body(), errorName: error.errorName };
    }
    if (fault?.kind === 'slow') {
      call(0, input, 'held back');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.#timers.delete(timer);
          resolve();
        }, fault.delayMs);
        this.#timers.add(timer);
        response.once('close', () => {
          clearTimeout(timer);
          this.#timers.delete(timer);
          resolve();
        });
      });
      if (response.destroyed || response.writableEnded) return;
    } else {
      call(outcome.status, input, outcome.errorName);
    }
    sendJson(response, outcome.status, outcome.body);
  }

  #run(
    operation: MturkOperation,
    input: Readonly<Record<string, unknown>>,
  ): { status: number; body: Readonly<Record<string, unknown>>; errorName?: string } {
    try {
      return { status: 200, body: runOperation(this.#state, operation, input) };
    } catch (error) {
      if (error instanceof MturkApiError)
        return { status: error.httpStatus, body: error.body(), errorName: error.errorName };
      const fault = serviceFault(this.#state.now());
      return { status: fault.httpStatus, body: fault.body(), errorName: fault.errorName };
    }
  }

  /** The worker's form: `assignmentId` plus the task's fields, urlencoded (POST) or in the query (GET). */
  #externalSubmit(request: IncomingMessage, body: Buffer, response: ServerResponse): void {
    const fields = new URLSearchParams(new URL(request.url ?? '/', 'http://fake.invalid').search);
    if (request.method === 'POST') {
      const type = headerText(request, 'content-type') ?? '';
      if (type.startsWith('application/x-www-form-urlencoded'))
        for (const [k, v] of new URLSearchParams(body.toString('utf8'))) fields.append(k, v);
    }
    const assignmentId = fields.get('assignmentId');
    const answers = [...fields.entries()].filter(([key]) => key !== 'assignmentId');
    try {
      if (assignmentId === null || assignmentId === '' || assignmentId === ASSIGNMENT_ID_NOT_AVAILABLE)
        throw new MturkWorkerActionError('the form has no assignmentId (a preview cannot be submitted)');
      this.#state.submit(assignmentId, answers);
      sendHtml(
        response,
        200,
        'HIT submitted',
        `<p id="mturk-submitted">Your work for assignment ${escapeXml(assignmentId)} has been submitted. ` +
          'Thank you!</p>',
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      sendHtml(response, 400, 'Submission refused', `<p id="mturk-submit-error">${escapeXml(message)}</p>`);
    }
  }
}

function headerText(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

let requestCounter = 0;

function sendJson(response: ServerResponse, status: number, body: Readonly<Record<string, unknown>>): void {
  requestCounter++;
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': AMZ_JSON_CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': `fake-mturk-${String(requestCounter).padStart(8, '0')}`,
  });
  response.end(text);
}

function sendError(response: ServerResponse, error: MturkApiError): void {
  sendJson(response, error.httpStatus, error.body());
}

function sendHtml(response: ServerResponse, status: number, title: string, content: string): void {
  const html =
    `<!doctype html><html><head><meta charset="utf-8"><title>${escapeXml(title)}</title></head>` +
    `<body><h1>${escapeXml(title)}</h1>${content}</body></html>`;
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  response.end(html);
}

/** Dollars as MTurk prints them (`"0.30"`), for tests comparing with BonusAmount and Reward. */
export function mturkDollars(amount: number): string {
  return formatCurrency(Math.round(amount * 100));
}
