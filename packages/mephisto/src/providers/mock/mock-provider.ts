/**
 * `mock`: a crowd provider for tests and local trials (Mephisto's MockProvider). Nothing leaves the
 * process: units are "on offer" once launched, workers are whoever opens a link, and every call is
 * recorded so tests can check what the engine asked for.
 */
import type { MockProviderArgs } from '../../core/config/provider-args.js';
import type { Unit, Worker } from '../../core/index.js';
import type { CrowdProvider, ProviderRunContext } from '../crowd-provider.js';
import { linkWithQuery } from '../provider-links.js';
import { MOCK_WRAP_CROWD_SOURCE } from './wrap-crowd-source.js';

export const MOCK_PROVIDER_TYPE = 'mock';
/** The worker id in launch links when no `linkWorkerId` is given: Mephisto's mock logs `worker_id=x`. */
export const MOCK_LINK_WORKER_ID = 'x';

/** The provider calls {@link MockProvider.failNext} can make fail. */
export type MockProviderMethod = 'setupRun' | 'launchUnits' | 'expireUnits' | 'teardownRun';

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

  readonly #linkWorkerId: (unit: Unit) => string;
  readonly #blockedWorkerNames = new Set<string>();
  readonly #failures = new Map<MockProviderMethod, Error>();

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

  /** `worker_id` and `assignment_id` from the link; a submit shows an in-page confirmation. */
  wrapCrowdSourceScript(): string {
    return MOCK_WRAP_CROWD_SOURCE;
  }

  /** Units launched and not expired since: what a worker could currently be offered. */
  get offeredUnitIds(): ReadonlySet<string> {
    return new Set([...this.launchedUnitIds].filter((id) => !this.expiredUnitIds.has(id)));
  }

  /**
   * Blocks a worker on the provider's side, by the store's worker name (with `_sandbox`), so a test
   * can block a worker before it first arrives.
   */
  blockWorker(workerName: string): void {
    this.#blockedWorkerNames.add(workerName);
  }

  unblockWorker(workerName: string): void {
    this.#blockedWorkerNames.delete(workerName);
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
