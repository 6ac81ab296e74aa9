/**
 * `mock`: a crowd provider for tests and local trials (Mephisto's MockProvider). Nothing leaves the
 * process: units are "on offer" once launched, workers are whoever opens a link, and every call is
 * recorded so tests can check what the engine asked for.
 */
import type { MockProviderArgs } from '../../core/config/provider-args.js';
import type { Unit, Worker } from '../../core/index.js';
import type {
  CrowdProvider,
  ProviderBlockRequest,
  ProviderBonusRequest,
  ProviderDutyResult,
  ProviderQualificationRequest,
  ProviderRunContext,
  ProviderUnblockRequest,
  ProviderWorkReview,
} from '../crowd-provider.js';
import { linkWithQuery } from '../provider-links.js';
import { MOCK_WRAP_CROWD_SOURCE } from './wrap-crowd-source.js';

export const MOCK_PROVIDER_TYPE = 'mock';
/** The worker id in launch links when no `linkWorkerId` is given: Mephisto's mock logs `worker_id=x`. */
export const MOCK_LINK_WORKER_ID = 'x';

/** The provider calls {@link MockProvider.failNext} can make fail. */
export type MockProviderMethod =
  | 'setupRun'
  | 'launchUnits'
  | 'expireUnits'
  | 'teardownRun'
  | 'approveWork'
  | 'rejectWork'
  | 'payBonus'
  | 'blockWorker'
  | 'unblockWorker'
  | 'grantQualification'
  | 'revokeQualification';

/** One review duty the mock carried out (a repeated idempotency key records nothing new). */
export type MockReviewCall =
  | { readonly duty: 'approveWork' | 'rejectWork'; readonly request: ProviderWorkReview }
  | { readonly duty: 'payBonus'; readonly request: ProviderBonusRequest }
  | { readonly duty: 'blockWorker'; readonly request: ProviderBlockRequest }
  | { readonly duty: 'unblockWorker'; readonly request: ProviderUnblockRequest }
  | {
      readonly duty: 'grantQualification' | 'revokeQualification';
      readonly request: ProviderQualificationRequest;
    };

export interface MockProviderOptions {
  /**
   * The `worker_id` put in a unit's launch link. Tests that open every link as a different worker can
   * derive one from the unit. @default `x` for every unit
   */
  readonly linkWorkerId?: (unit: Unit) => string;
}

export class MockProvider implements CrowdProvider {
  readonly type = MOCK_PROVIDER_TYPE;
  /** The mock is a sandbox, as in Mephisto: its worker names end in `_sandbox`. */
  readonly sandbox = true;

  /** Every setupRun call's context, in order (tests check the task's title, reward, … reach it). */
  readonly setupCalls: ProviderRunContext[] = [];
  /** Every teardownRun call's context, in order. */
  readonly teardownCalls: ProviderRunContext[] = [];
  /** The ids of task runs set up and not yet torn down. */
  readonly activeRunIds = new Set<string>();
  /** Units ever launched, by id (a relaunch does not add a second entry). */
  readonly launchedUnitIds = new Set<string>();
  /** Units expired, by id. A unit launched again after expiring leaves this set. */
  readonly expiredUnitIds = new Set<string>();
  /**
   * Review duties carried out, in order: one entry per idempotency key, as a platform that honours
   * keys would act (so "paid once" is `reviewCalls.filter(c => c.duty === 'payBonus').length`).
   */
  readonly reviewCalls: MockReviewCall[] = [];
  /** Every review duty call, repeats included (a retry with the same key shows up here only). */
  reviewCallCount = 0;

  readonly #linkWorkerId: (unit: Unit) => string;
  readonly #blockedWorkerNames = new Set<string>();
  readonly #failures = new Map<MockProviderMethod, Error>();
  readonly #doneKeys = new Map<string, ProviderDutyResult>();

  constructor(
    readonly args: MockProviderArgs = { _provider_type: 'mock' },
    options: MockProviderOptions = {},
  ) {
    this.#linkWorkerId = options.linkWorkerId ?? (() => MOCK_LINK_WORKER_ID);
  }

  workerName(providerWorkerId: string): string {
    return `${providerWorkerId}_sandbox`;
  }

  setupRun(context: ProviderRunContext): Promise<void> {
    const failure = this.#takeFailure('setupRun');
    if (failure !== undefined) return Promise.reject(failure);
    this.setupCalls.push(context);
    this.activeRunIds.add(context.taskRun.id);
    return Promise.resolve();
  }

  /**
   * Puts the units on offer and returns `<serverUrl>/?worker_id=<worker>&assignment_id=<unit id>` for
   * each (the mock wrapper's URL parameters; `assignment_id` carries the unit id, as in Mephisto).
   */
  launchUnits(context: ProviderRunContext, units: readonly Unit[]): Promise<ReadonlyMap<string, string>> {
    const failure = this.#takeFailure('launchUnits');
    if (failure !== undefined) return Promise.reject(failure);
    const base = context.serverUrl.endsWith('/') ? context.serverUrl : `${context.serverUrl}/`;
    const links = new Map<string, string>();
    for (const unit of units) {
      this.launchedUnitIds.add(unit.id);
      this.expiredUnitIds.delete(unit.id);
      links.set(
        unit.id,
        linkWithQuery(base, { worker_id: this.#linkWorkerId(unit), assignment_id: unit.id }),
      );
    }
    return Promise.resolve(links);
  }

  /** Expiry is immediate, as in Mephisto; units never launched or already expired are fine. */
  expireUnits(_context: ProviderRunContext, units: readonly Unit[]): Promise<void> {
    const failure = this.#takeFailure('expireUnits');
    if (failure !== undefined) return Promise.reject(failure);
    for (const unit of units) this.expiredUnitIds.add(unit.id);
    return Promise.resolve();
  }

  isWorkerBlocked(worker: Worker): Promise<boolean> {
    return Promise.resolve(this.#blockedWorkerNames.has(worker.name));
  }

  teardownRun(context: ProviderRunContext): Promise<void> {
    const failure = this.#takeFailure('teardownRun');
    if (failure !== undefined) return Promise.reject(failure);
    this.teardownCalls.push(context);
    this.activeRunIds.delete(context.taskRun.id);
    return Promise.resolve();
  }

  approveWork(request: ProviderWorkReview): Promise<ProviderDutyResult> {
    return this.#duty({ duty: 'approveWork', request });
  }

  rejectWork(request: ProviderWorkReview): Promise<ProviderDutyResult> {
    return this.#duty({ duty: 'rejectWork', request });
  }

  payBonus(request: ProviderBonusRequest): Promise<ProviderDutyResult> {
    return this.#duty({ duty: 'payBonus', request });
  }

  /** Records the grant (once per key); the store's grant is what the engine checks. */
  grantQualification(request: ProviderQualificationRequest): Promise<ProviderDutyResult> {
    return this.#duty({ duty: 'grantQualification', request });
  }

  revokeQualification(request: ProviderQualificationRequest): Promise<ProviderDutyResult> {
    return this.#duty({ duty: 'revokeQualification', request });
  }

  /** A review's unblock; `unblockWorker(name)` (no promise) is the test helper of the same name. */
  unblockWorker(request: ProviderUnblockRequest): Promise<ProviderDutyResult>;
  unblockWorker(workerName: string): void;
  unblockWorker(request: ProviderUnblockRequest | string): Promise<ProviderDutyResult> | void {
    if (typeof request === 'string') {
      this.#blockedWorkerNames.delete(request);
      return;
    }
    return this.#duty({ duty: 'unblockWorker', request }, () => {
      this.#blockedWorkerNames.delete(request.worker.name);
    });
  }

  /**
   * Carries out a review duty once per idempotency key, as a platform honouring keys does: a repeated
   * key returns the first result and records nothing. `failNext(duty)` makes it throw (and, like a
   * platform that failed, leaves the key undone).
   */
  #duty(call: MockReviewCall, effect?: () => void): Promise<ProviderDutyResult> {
    this.reviewCallCount++;
    const failure = this.#takeFailure(call.duty);
    if (failure !== undefined) return Promise.reject(failure);
    const key = `${call.duty}:${call.request.idempotencyKey}`;
    const done = this.#doneKeys.get(key);
    if (done !== undefined) return Promise.resolve(done);
    effect?.();
    this.reviewCalls.push(call);
    const result: ProviderDutyResult = { status: 'done', reference: `mock-${this.reviewCalls.length}` };
    this.#doneKeys.set(key, result);
    return Promise.resolve(result);
  }

  /** `worker_id` and `assignment_id` from the link; a submit shows an in-page confirmation. */
  wrapCrowdSourceScript(): string {
    return MOCK_WRAP_CROWD_SOURCE;
  }

  /** Units launched and not expired since: what a worker could currently be offered. */
  get offeredUnitIds(): ReadonlySet<string> {
    return new Set([...this.launchedUnitIds].filter((id) => !this.expiredUnitIds.has(id)));
  }

  /**
   * A review's block of a worker (recorded once per key); or, given a worker name (the store's, with
   * `_sandbox`), the test helper that blocks a worker on the provider's side before it first arrives.
   */
  blockWorker(request: ProviderBlockRequest): Promise<ProviderDutyResult>;
  blockWorker(workerName: string): void;
  blockWorker(request: ProviderBlockRequest | string): Promise<ProviderDutyResult> | void {
    if (typeof request === 'string') {
      this.#blockedWorkerNames.add(request);
      return;
    }
    return this.#duty({ duty: 'blockWorker', request }, () => {
      this.#blockedWorkerNames.add(request.worker.name);
    });
  }

  /**
   * Makes the next call of `method` throw `error` (once), to test how the engine recovers, e.g. that a
   * failed launch puts units back to `created`.
   */
  failNext(method: MockProviderMethod, error: Error = new Error(`mock provider: ${method} failed`)): void {
    this.#failures.set(method, error);
  }

  #takeFailure(method: MockProviderMethod): Error | undefined {
    const error = this.#failures.get(method);
    this.#failures.delete(method);
    return error;
  }
}
