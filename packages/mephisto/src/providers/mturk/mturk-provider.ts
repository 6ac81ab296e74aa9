/**
 * `mturk` and `mturk_sandbox`: Amazon Mechanical Turk as a crowd provider (Mephisto's MTurkProvider),
 * on `@aws-sdk/client-mturk`. One HIT type per run; one HIT (MaxAssignments 1) per unit, framing the
 * run's server (ExternalQuestion); workers are MTurk's, known by their worker id (`<id>_sandbox` in the
 * sandbox). Which unit a worker gets is still decided by the engine when the page registers, so the HIT
 * a worker accepted is remapped to the unit they were given ({@link MturkProvider.registerAgent}).
 *
 * Everything the provider must remember (the HIT type, HITs, assignments, bonus keys, blocks,
 * qualification types) is kept as provider records in the run's database (mturk-records.ts), written
 * before any call that could not safely be repeated, so a crash at any point is repaired by
 * {@link MturkProvider.reconcileRun} on the next start and nothing is created or paid twice.
 *
 * Going live, credentials, fees and what could not be checked without the real service:
 * docs/providers/mturk.md.
 */
import { GetAccountBalanceCommand, type MTurkClient } from '@aws-sdk/client-mturk';
import pino, { type Logger } from 'pino';
import type { MturkProviderArgs, MturkSandboxProviderArgs } from '../../core/config/provider-args.js';
import type { Clock } from '../../core/clock.js';
import type { Unit, Worker } from '../../core/index.js';
import type {
  CrowdProvider,
  ProviderAgentRegistration,
  ProviderBlockRequest,
  ProviderBonusRequest,
  ProviderChargeKind,
  ProviderDutyResult,
  ProviderQualificationRequest,
  ProviderReconcileContext,
  ProviderReconcileReport,
  ProviderRunContext,
  ProviderUnblockRequest,
  ProviderWorkReview,
} from '../crowd-provider.js';
import { mapLimit } from './map-limit.js';
import { MturkApi, type MturkRetryPolicy } from './mturk-api.js';
import { resolveMturkCredentials } from './mturk-credentials.js';
import { apiEndpoint, isAwsEndpoint, mturkFee } from './mturk-endpoints.js';
import { externalQuestion, hitLifetimeSeconds } from './mturk-hit-settings.js';
import { checkServerUrl, ensureHitType, expireHit, launchUnit, type LaunchPlan } from './mturk-hits.js';
import { platformLedgerOf, type PlatformLedger } from '../../payments/platform-payments.js';
import type { Store } from '../../store/store.js';
import type { MturkApprovalStore } from './mturk-approvals.js';
import { reconcileHits } from './mturk-reconcile.js';
import { MturkRecords, type ProviderRecordStore, type RunRecord } from './mturk-records.js';
import { registerMturkAgent } from './mturk-registration.js';
import * as reviews from './mturk-reviews.js';
import { mturkWorkerId, type MturkProviderType, type MturkSession } from './mturk-session.js';
import { mturkWrapCrowdSource } from './wrap-crowd-source.js';

export const MTURK_PROVIDER_TYPE = 'mturk';
export const MTURK_SANDBOX_PROVIDER_TYPE = 'mturk_sandbox';

/** Unit statuses whose single assignment is submitted: their HIT offers nothing, so expiry skips them. */
const DONE_STATUSES: ReadonlySet<string> = new Set(['completed', 'accepted', 'rejected', 'soft_rejected']);

/** What the provider is built with besides its args (structurally the registry's ProviderContext). */
export interface MturkProviderContext {
  /**
   * Where the provider keeps its records: the run's store. With its payments ledger and agents (a
   * full Store has them), reconcileRun also records work MTurk approved outside a review.
   */
  readonly store: ProviderRecordStore & Partial<PlatformLedger & Pick<Store, 'getAgent'>>;
  /** Where AWS credentials are read from (see mturk-credentials.ts). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface MturkProviderOptions {
  /** @default the system clock */
  readonly clock?: Clock;
  /** Retries of throttled, failed (5xx) and timed-out calls. @default 5 attempts, 250 ms doubling to 8 s */
  readonly retry?: Partial<MturkRetryPolicy>;
  /** How long one MTurk request may take. @default 20000 */
  readonly requestTimeoutMs?: number;
  /** Waits between retries (tests pass an instant one). @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Jitter and request-token suffixes. @default Math.random */
  readonly random?: () => number;
  /** MTurk calls a bulk launch or expiry keeps in flight. @default 4 */
  readonly concurrency?: number;
  /** @default silent */
  readonly logger?: Logger;
  /** A client to use instead of building one (tests, custom middleware). */
  readonly client?: MTurkClient;
}

export class MturkProvider implements CrowdProvider {
  readonly type: MturkProviderType;
  readonly sandbox: boolean;
  /** The requester API in use (endpoint, retries); tests and the cleanup command use it directly. */
  readonly api: MturkApi;
  readonly records: MturkRecords;
  readonly #session: MturkSession;
  readonly #args: MturkProviderArgs | MturkSandboxProviderArgs;
  readonly #store: MturkProviderContext['store'];

  constructor(
    args: MturkProviderArgs | MturkSandboxProviderArgs,
    context: MturkProviderContext,
    options: MturkProviderOptions = {},
  ) {
    this.#args = args;
    this.type = args._provider_type;
    this.sandbox = this.type === MTURK_SANDBOX_PROVIDER_TYPE;
    const clock = options.clock ?? { now: () => Date.now() };
    const random = options.random ?? Math.random;
    const logger = (options.logger ?? pino({ level: 'silent' })).child({ provider: this.type });
    this.api = new MturkApi(
      {
        endpoint: apiEndpoint(args.endpoint, this.sandbox),
        region: args.region,
        credentials: resolveMturkCredentials(context.env ?? process.env, args.requester_name),
        ...(options.retry === undefined ? {} : { retry: options.retry }),
        ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
        ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
        random,
        onRetry: ({ operation, attempt, delayMs, failure }) => {
          logger.warn(
            { operation, attempt, delayMs, error: `${failure.name}: ${failure.message}` },
            'retrying an MTurk call',
          );
        },
      },
      options.client,
    );
    this.records = new MturkRecords(context.store, this.type);
    this.#store = context.store;
    this.#session = {
      type: this.type,
      sandbox: this.sandbox,
      api: this.api,
      records: this.records,
      now: () => clock.now(),
      random,
      concurrency: Math.max(1, options.concurrency ?? 4),
      log: logger,
    };
  }

  /** MTurk worker ids as the store names workers: unchanged live, `<id>_sandbox` in the sandbox. */
  workerName(providerWorkerId: string): string {
    return this.sandbox ? `${providerWorkerId}_sandbox` : providerWorkerId;
  }

  /** The worker's MTurk id (the store's name without `_sandbox`). */
  mturkWorkerId(worker: Worker): string {
    return mturkWorkerId(this.#session, worker.name);
  }

  /**
   * Registers the run's HIT type (title, description, keywords, reward, durations, auto-approval delay,
   * qualification requirements including the block qualification), creating MTurk qualification types
   * on first use. Idempotent: the recorded type is reused while the settings are unchanged.
   */
  async setupRun(context: ProviderRunContext): Promise<void> {
    checkServerUrl(context.serverUrl, isAwsEndpoint(this.api.endpoint));
    await ensureHitType(this.#session, context, this.#args.auto_approve_delay_in_seconds);
  }

  /**
   * One HIT per unit; returns the HIT group's worker link for each. A unit already on offer gets its
   * link again without a call; see mturk-hits.ts for how a retried launch finds its HIT.
   */
  async launchUnits(
    context: ProviderRunContext,
    units: readonly Unit[],
  ): Promise<ReadonlyMap<string, string>> {
    if (units.length === 0) return new Map();
    const plan = await this.#launchPlan(context);
    const links = await mapLimit(units, this.#session.concurrency, (unit) =>
      launchUnit(this.#session, context, unit.id, plan),
    );
    return new Map(units.map((unit, index) => [unit.id, links[index] ?? '']));
  }

  /**
   * Withdraws the units' HITs (expiry moved to the past). HITs already withdrawn, units never launched
   * and units whose work is submitted cost no call (so expiring a mostly finished run is quick).
   */
  async expireUnits(context: ProviderRunContext, units: readonly Unit[]): Promise<void> {
    await mapLimit(units, this.#session.concurrency, async (unit) => {
      if (DONE_STATUSES.has(unit.status)) return;
      const record = await this.records.getUnit(unit.id);
      const hitId = record?.data.hitId ?? null;
      if (hitId === null) return;
      const hit = await this.records.getHit(hitId);
      if (hit === null || hit.data.expired) return;
      await expireHit(this.#session, context.taskRun.id, hit.unitId ?? unit.id, hit.data);
    });
  }

  /** Reads the provider's records only: called on every worker request, so never a call to MTurk. */
  async isWorkerBlocked(worker: Worker): Promise<boolean> {
    const record = await this.records.getBlock(this.mturkWorkerId(worker));
    return record?.data.blocked ?? false;
  }

  /** Withdraws every HIT of the run still on offer (HITs already done or withdrawn cost nothing). */
  async teardownRun(context: ProviderRunContext): Promise<void> {
    await reconcileHits(this.#session, { ...context, liveUnitIds: new Set(), runOver: true });
  }

  /**
   * Records the MTurk assignment and HIT the worker came through (`provider_data.assignment_id`,
   * `hit_id`) and maps that HIT to the unit the engine gave; refuses a preview, a page without an
   * assignment, and a HIT of another run. See mturk-registration.ts.
   */
  registerAgent(context: ProviderRunContext, registration: ProviderAgentRegistration): Promise<void> {
    return registerMturkAgent(this.#session, context, registration);
  }

  /**
   * See mturk-reconcile.ts: orphans withdrawn, lost HITs relaunched, paid bonuses recorded, and work
   * MTurk approved outside a review (auto-approval, its UI) recorded in the payments ledger.
   */
  async reconcileRun(context: ProviderReconcileContext): Promise<ProviderReconcileReport> {
    let plan: LaunchPlan | undefined;
    return reconcileHits(this.#session, context, {
      relaunch: async (unitId) => {
        plan ??= await this.#launchPlan(context);
        await launchUnit(this.#session, context, unitId, plan);
      },
      ...this.#approvals(),
    });
  }

  /** Where reconcile records approvals made on MTurk: none when the store has no ledger. */
  #approvals(): { approvals?: MturkApprovalStore } {
    const ledger = platformLedgerOf(this.#store);
    if (ledger === null) return {};
    const getAgent = this.#store.getAgent?.bind(this.#store);
    return { approvals: { ledger, ...(getAgent === undefined ? {} : { getAgent }) } };
  }

  approveWork(request: ProviderWorkReview): Promise<ProviderDutyResult> {
    return reviews.approveWork(this.#session, request);
  }

  rejectWork(request: ProviderWorkReview): Promise<ProviderDutyResult> {
    return reviews.rejectWork(this.#session, request);
  }

  payBonus(request: ProviderBonusRequest): Promise<ProviderDutyResult> {
    return reviews.payBonus(this.#session, request);
  }

  blockWorker(request: ProviderBlockRequest): Promise<ProviderDutyResult> {
    return reviews.blockWorker(this.#session, request);
  }

  unblockWorker(request: ProviderUnblockRequest): Promise<ProviderDutyResult> {
    return reviews.unblockWorker(this.#session, request);
  }

  grantQualification(request: ProviderQualificationRequest): Promise<ProviderDutyResult> {
    return reviews.grantQualification(this.#session, request);
  }

  revokeQualification(request: ProviderQualificationRequest): Promise<ProviderDutyResult> {
    return reviews.revokeQualification(this.#session, request);
  }

  /** MTurk's commission: 20% of rewards and bonuses, at least $0.01 (mephisto-ts HITs have one assignment). */
  feeFor(amount: number, _kind: ProviderChargeKind): number {
    return mturkFee(amount);
  }

  /** The account's available balance (GetAccountBalance; $10,000 in the sandbox). */
  async availableBudget(): Promise<number | null> {
    const balance = await this.api.call('GetAccountBalance', (client) =>
      client.send(new GetAccountBalanceCommand({})),
    );
    const amount = Number(balance.AvailableBalance);
    return Number.isFinite(amount) ? amount : null;
  }

  wrapCrowdSourceScript(): string {
    return mturkWrapCrowdSource(this.type);
  }

  /** Releases the API client's sockets. */
  close(): void {
    this.api.destroy();
  }

  async #launchPlan(context: ProviderRunContext): Promise<LaunchPlan> {
    checkServerUrl(context.serverUrl, isAwsEndpoint(this.api.endpoint));
    const run: RunRecord =
      (await this.records.getRun(context.taskRun.id))?.data ??
      (await ensureHitType(this.#session, context, this.#args.auto_approve_delay_in_seconds));
    return {
      run,
      question: externalQuestion(context.serverUrl, this.#args.frame_height),
      lifetimeInSeconds: hitLifetimeSeconds(context.taskArgs),
    };
  }
}
