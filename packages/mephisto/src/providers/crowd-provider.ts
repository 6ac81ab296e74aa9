/**
 * The CrowdProvider port: where workers come from and where units are put on offer (Mephisto's crowd
 * provider: mock, inhouse, mturk, mturk_sandbox, prolific). Implementations live beside this file and are
 * looked up by type string (`mephisto.provider._provider_type`) in the provider registry.
 *
 * Order of effects, so a crash at any point is recoverable from the store: the engine moves a unit to
 * `launched` in the store first, then calls {@link CrowdProvider.launchUnits}; if that throws, the units go
 * back to `created`. Expiry is the reverse: provider first, then the store. Every method must be
 * idempotent (a resumed run calls them again for the same units).
 */
import type { TaskRun, Unit, Worker } from '../core/index.js';

export interface ProviderRunContext {
  readonly taskRun: TaskRun;
  /** The run's resolved `mephisto.provider` section. */
  readonly providerArgs: Readonly<Record<string, unknown>>;
  /** The run's resolved `mephisto.task` section (title, reward, durations, …). */
  readonly taskArgs: Readonly<Record<string, unknown>>;
  /** Base URL workers open (from the architect). */
  readonly serverUrl: string;
}

export interface CrowdProvider {
  /** `mock`, `inhouse`, `mturk`, … */
  readonly type: string;
  /** Sandbox providers suffix worker names with `_sandbox`, as Mephisto does. */
  readonly sandbox: boolean;
  /** The store's worker name for a worker id the provider reports. */
  workerName(providerWorkerId: string): string;
  /** Creates what the provider needs for a run (HIT type, study, …). Idempotent. */
  setupRun(context: ProviderRunContext): Promise<void>;
  /** Puts units (already `launched` in the store) on offer. Returns the link for each unit, if any. */
  launchUnits(context: ProviderRunContext, units: readonly Unit[]): Promise<ReadonlyMap<string, string>>;
  /** Withdraws units from offer. Idempotent; units already gone are fine. */
  expireUnits(context: ProviderRunContext, units: readonly Unit[]): Promise<void>;
  /** Whether the provider blocks this worker (on top of blocks recorded in the store). */
  isWorkerBlocked(worker: Worker): Promise<boolean>;
  /** Releases the run's provider resources at the end of a run. Idempotent. */
  teardownRun(context: ProviderRunContext): Promise<void>;
  /**
   * The provider's `wrap_crowd_source.js`: plain browser JavaScript (ES2019, no build step) served as
   * `/wrap_crowd_source.js`, defining the globals task pages call (`getWorkerName`, `getAssignmentId`,
   * `getAgentRegistration`, `handleSubmitToProvider`, `getProviderURLParams`, `window._MEPHISTO_CONFIG_`;
   * contract in wrap-crowd-source.ts). Optional because a provider whose workers never open a page of
   * this server (a test double) needs none; building the pages for a provider without it fails with
   * `MEPHISTO_ERR_SITE_BUILD`.
   */
  wrapCrowdSourceScript?(): string;
}
