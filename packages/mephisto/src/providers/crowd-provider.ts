/**
 * The CrowdProvider port: where workers come from and where units are put on offer (Mephisto's crowd
 * provider: mock, inhouse, mturk, mturk_sandbox, prolific). Implementations live beside this file and are
 * looked up by type string (`mephisto.provider._provider_type`) in the provider registry.
 *
 * Order of effects, so a crash at any point is recoverable from the store: the engine moves a unit to
 * `launched` in the store first, then calls {@link CrowdProvider.launchUnits}; if that throws, the units go
 * back to `created`. Expiry is the reverse: provider first, then the store. Every method must be
 * idempotent (a resumed run calls them again for the same units).
 *
 * Review duties (Mephisto's `approve_work`, `reject_work`, `bonus_worker`, `block_worker`,
 * `unblock_worker`) come after the store: the review service records the decision and its
 * idempotency key in one transaction, then calls the provider with that key, then records the
 * provider's answer. A crash in between leaves the action `pending`, and the provider is called again
 * with the same key (one per action and target, so each unit of a bulk action has its own; at most 64
 * characters). So each review duty must act at most once per `idempotencyKey`: pass it where the
 * platform takes one (MTurk's `UniqueRequestToken` on SendBonus), or keep a record of the keys done
 * and check it first (Prolific's bulk bonus "pay" is not idempotent). A duty that fails throws; the
 * decision stays recorded and the failure is shown to the reviewer, who may retry with the same key.
 * A duty that fails without knowing whether the platform acted (a 5xx, a timeout, a lost connection)
 * throws an error whose `outcomeUnknown` is true ({@link isOutcomeUnknown}): its payment then stays
 * `pending` in the ledger, still counted against the budget, until a retry under the same key settles it.
 */
import type { Agent, TaskRun, Unit, Worker } from '../core/index.js';

export interface ProviderRunContext {
  readonly taskRun: TaskRun;
  /** The run's resolved `mephisto.provider` section. */
  readonly providerArgs: Readonly<Record<string, unknown>>;
  /** The run's resolved `mephisto.task` section (title, reward, durations, …). */
  readonly taskArgs: Readonly<Record<string, unknown>>;
  /** Base URL workers open (from the architect). */
  readonly serverUrl: string;
  /**
   * The run's qualification requirements (the run script's `qualifications`), for providers that
   * enforce them on the platform too (MTurk: the HIT type's QualificationRequirements, so unqualified
   * workers never see the HITs). @default none
   */
  readonly qualifications?: readonly ProviderQualificationRequirement[];
  /**
   * The blueprint's `block_qualification`: workers granted it are kept out (MTurk: a `DoesNotExist`
   * requirement). @default read from the run's stored config (`taskRun.initParams`)
   */
  readonly blockQualification?: string | null;
}

/** A qualification requirement as providers see it (Mephisto's qualification dict, spec §4.9). */
export interface ProviderQualificationRequirement {
  readonly qualification_name: string;
  /** `Exists`, `DoesNotExist`, `EqualTo`, `GreaterThan`, … (MTurk's comparator names). */
  readonly comparator: string;
  /** A number, a list for `In`/`NotIn`, null for `Exists`/`DoesNotExist`. */
  readonly value?: number | readonly number[] | null;
  /** Providers that push the requirement to their platform; null or absent means all. */
  readonly applicable_providers?: readonly string[] | null;
}

/** A unit's submitted work as a review names it to the provider. */
export interface ReviewedWork {
  readonly unit: Unit;
  /** The agent that submitted it (MTurk: the assignment; Prolific: the submission). */
  readonly agent: Agent;
  readonly worker: Worker;
}

/** An approval or rejection of submitted work. */
export interface ProviderWorkReview {
  readonly work: ReviewedWork;
  /** The reviewer's note for the worker (MTurk's RequesterFeedback); null when none was given. */
  readonly feedback: string | null;
  /** The review action's key: act at most once per key (see the contract above). */
  readonly idempotencyKey: string;
}

export interface ProviderBonusRequest {
  readonly worker: Worker;
  /** The unit the bonus is for (MTurk pays a bonus against an assignment of the worker's). */
  readonly unit: Unit;
  /** The unit's agent, when it has one. */
  readonly agent: Agent | null;
  /** Dollars, positive, whole cents. */
  readonly amount: number;
  /** Shown to the worker (MTurk's Reason). */
  readonly reason: string;
  /** MTurk: the `UniqueRequestToken`. Paying twice under one key is the bug this prevents. */
  readonly idempotencyKey: string;
}

export interface ProviderBlockRequest {
  readonly worker: Worker;
  readonly reason: string;
  readonly idempotencyKey: string;
}

export interface ProviderUnblockRequest {
  readonly worker: Worker;
  readonly idempotencyKey: string;
}

/** A qualification grant or revocation pushed to the platform (MTurk qualification, Prolific group). */
export interface ProviderQualificationRequest {
  readonly worker: Worker;
  /** The store's qualification name (the platform's own name may carry a suffix, e.g. `_sandbox`). */
  readonly qualificationName: string;
  /** The granted value (MTurk's IntegerValue); null for a revocation. */
  readonly value: number | null;
  readonly idempotencyKey: string;
}

/**
 * What a worker's page registered with, as the provider sees it once the engine has given the worker
 * a unit (see {@link CrowdProvider.registerAgent}).
 */
export interface ProviderAgentRegistration {
  readonly unit: Unit;
  readonly agent: Agent;
  readonly worker: Worker;
  /**
   * The whole `provider_data` the page posted to `/request_agent` (`getAgentRegistration()`): MTurk's
   * wrapper adds `hit_id` and `assignment_id`, Prolific's `study_id` and `session_id`. Untrusted: check
   * every field before using it.
   */
  readonly providerData: Readonly<Record<string, unknown>>;
}

/** What {@link CrowdProvider.reconcileRun} is told about the store's side of a run. */
export interface ProviderReconcileContext extends ProviderRunContext {
  /**
   * Units the store has on offer (`launched`) or being worked on (`assigned`): the platform must offer
   * exactly these. Anything else the platform still offers for this run is an orphan to withdraw.
   */
  readonly liveUnitIds: ReadonlySet<string>;
  /** Whether the run is over (every unit done, or shut down): then nothing should stay on offer. */
  readonly runOver: boolean;
}

/** What reconciling a run with the platform found and did, for the operator's log and the tests. */
export interface ProviderReconcileReport {
  /** Platform resources withdrawn because the store has no live unit for them (orphan HITs, a study). */
  readonly withdrawn: number;
  /** Units the store has live that the platform had lost, put on offer again. */
  readonly relaunched: number;
  /** Payments or review duties found done on the platform and recorded in the store. */
  readonly recorded: number;
  /** One line per finding, in plain words. */
  readonly notes: readonly string[];
}

/** A payment of one kind as the provider charges it. */
export type ProviderChargeKind = 'reward' | 'bonus';

/** How a provider carried out a review duty. */
export interface ProviderDutyResult {
  /**
   * `done`: the provider did it. `manual`: the provider has no way to do it (in-house bonuses); the
   * requester does it by hand and the review shows it as owed.
   */
  readonly status: 'done' | 'manual';
  /** The provider's reference (a payment id), kept with the action. */
  readonly reference?: string;
}

export interface CrowdProvider {
  /** `mock`, `inhouse`, `mturk`, … */
  readonly type: string;
  /** Sandbox providers suffix worker names with `_sandbox`, as Mephisto does. */
  readonly sandbox: boolean;
  /**
   * Whether money moves through the platform. False for in-house workers: the ledger records their
   * rewards and bonuses as owed (`manual`), to be paid by hand. @default true
   */
  readonly paysWorkers?: boolean;
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

  // --- review duties (see the contract above: at most once per idempotency key) ---------------------
  /**
   * Accepts and pays for submitted work. Also called for a soft rejection, which pays the worker and
   * only marks the work unusable in mephisto-ts (as Mephisto's `soft_reject_work` does).
   */
  approveWork(request: ProviderWorkReview): Promise<ProviderDutyResult>;
  /** Rejects submitted work: the worker is not paid. */
  rejectWork(request: ProviderWorkReview): Promise<ProviderDutyResult>;
  /** Pays `amount` to the worker for `unit`, on top of the reward. */
  payBonus(request: ProviderBonusRequest): Promise<ProviderDutyResult>;
  /** Keeps the worker from this requester's future work on the platform (blocks in the store apply anyway). */
  blockWorker(request: ProviderBlockRequest): Promise<ProviderDutyResult>;
  unblockWorker(request: ProviderUnblockRequest): Promise<ProviderDutyResult>;

  // --- optional duties (providers backed by a real platform) ----------------------------------------
  /**
   * Called after the engine has given a worker a unit and before the worker is told which: records
   * the platform's ids for the agent (MTurk: the HIT and assignment the worker accepted, remapping HITs
   * to units since any launched unit may be given; Prolific: the participant's submission). Idempotent
   * for one agent. Throwing refuses the worker (the unit is offered again), so throw only for data the
   * platform would not accept (a HIT of another run, a preview's missing assignment id).
   */
  registerAgent?(context: ProviderRunContext, registration: ProviderAgentRegistration): Promise<void>;
  /**
   * Reads the platform's state for the run and makes it agree with the store, on every start and
   * resume (before units are launched) and at shutdown: withdraws what the platform offers that the
   * store does not (orphans from a crash), and records payments and duties found done on the platform
   * but missing from the store (a crash between "sent" and "recorded"). Idempotent.
   */
  reconcileRun?(context: ProviderReconcileContext): Promise<ProviderReconcileReport>;
  /** Grants a qualification on the platform (at most once per idempotency key). */
  grantQualification?(request: ProviderQualificationRequest): Promise<ProviderDutyResult>;
  /** Revokes a qualification on the platform (at most once per idempotency key). */
  revokeQualification?(request: ProviderQualificationRequest): Promise<ProviderDutyResult>;
  /**
   * The platform's fee on a payment of `amount` dollars, in dollars rounded to whole cents (MTurk: 20%,
   * 40% for HITs of 10 or more assignments; Prolific: its service fee). Absent means no fee.
   */
  feeFor?(amount: number, kind: ProviderChargeKind): number;
  /** The requester's balance on the platform in dollars, when it reports one (MTurk's GetAccountBalance). */
  availableBudget?(): Promise<number | null>;

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

/**
 * Whether a requirement is for a provider of one of `providerTypes` (its `applicable_providers` names
 * one, or is null or absent: every provider).
 */
export function requirementAppliesTo(
  requirement: ProviderQualificationRequirement,
  providerTypes: readonly string[],
): boolean {
  const providers = requirement.applicable_providers;
  return providers === undefined || providers === null || providerTypes.some((t) => providers.includes(t));
}

/**
 * The run's block qualification: the context's, else the one in the run's stored config
 * (`mephisto.blueprint.block_qualification`); null when it has none.
 */
export function blockQualificationOf(context: ProviderRunContext): string | null {
  if (context.blockQualification !== undefined) return context.blockQualification;
  try {
    const config = JSON.parse(context.taskRun.initParams) as {
      mephisto?: { blueprint?: { block_qualification?: unknown } };
    };
    const name = config.mephisto?.blueprint?.block_qualification;
    return typeof name === 'string' && name !== '' ? name : null;
  } catch {
    return null;
  }
}

/**
 * Whether a duty's error says the platform may have acted anyway (see the contract at the top): an
 * error object with `outcomeUnknown === true`.
 */
export function isOutcomeUnknown(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { outcomeUnknown?: unknown }).outcomeUnknown === true
  );
}
