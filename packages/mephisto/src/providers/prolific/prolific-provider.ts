/**
 * `prolific`: participants recruited on Prolific (Mephisto's ProlificProvider), through Prolific's API.
 * Worker names are Prolific participant ids, unchanged (Prolific has no sandbox).
 *
 * One study per run, kept in the store's provider records (prolific-records.ts) so a resumed run, or a
 * review service's fresh provider, finds it again:
 * - `setupRun` finds or creates the workspace and project by name and the block-list participant group,
 *   draws the run's completion code, and creates the draft study (found again by its `internal_name`
 *   when a create's reply was lost), filtered on the participant groups of the run's qualification
 *   requirements and block qualification (prolific-study-filters.ts).
 * - `launchUnits` keeps `total_available_places` in step with the units placed: it publishes on the
 *   first launch, and afterwards only ever raises places (Prolific forbids lowering them). Expired units
 *   leave their place listed ("listed" ≥ "placed", as Mephisto records them), and later launches reuse
 *   such places before adding more. A study Prolific flipped to `AWAITING REVIEW` because its places were
 *   all taken gets as many new places as units launched, which reactivates it. Every unit's link is the
 *   study's page on Prolific.
 * - `expireUnits` withdraws nothing per unit (Prolific cannot); when no unit of the study is left
 *   placed, the study is stopped, and a later launch gets a new study.
 * - `teardownRun` stops the run's studies.
 *
 * Calls for one run are serialised in this process (its records are read, changed and written back).
 * Review duties are idempotent per key (see the port): submissions' transitions are idempotent on
 * Prolific and recorded; bonuses follow prolific-bonus-payer.ts. `isWorkerBlocked` reads the store only.
 */
import pino, { type Logger } from 'pino';
import type { ProlificProviderArgs } from '../../core/config/provider-args.js';
import type { Unit, Worker } from '../../core/index.js';
import { platformLedgerOf, type PlatformLedger } from '../../payments/platform-payments.js';
import type { Store } from '../../store/store.js';
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
  ReviewedWork,
} from '../crowd-provider.js';
import {
  PROLIFIC_DEFAULT_API_BASE_URL,
  ProlificApiClient,
  prolificApiBaseUrl,
  prolificTokenFrom,
  type ProlificApiClientOptions,
} from './prolific-api-client.js';
import type { ProlificStudy } from './prolific-api-schemas.js';
import { ProlificBonusPayer, type BonusTarget } from './prolific-bonus-payer.js';
import { ProlificApiError, ProlificRegistrationError } from './prolific-errors.js';
import { reconcileProlificRun } from './prolific-reconcile.js';
import {
  AgentRecordSchema,
  BlockedRecordSchema,
  DutyRecordSchema,
  FiltersRecordSchema,
  GroupRecordSchema,
  PROLIFIC_PROVIDER_TYPE,
  ProlificRecords,
  RunRecordSchema,
  type ProlificRecordStore,
  StudyRecordSchema,
  SubmissionRecordSchema,
  UnitRecordSchema,
  type AgentRecord,
  type FiltersRecord,
  type RunRecord,
  type StudyRecord,
} from './prolific-records.js';
import { prolificFee, rejectionTerms } from './prolific-review-terms.js';
import { planStudyFilters, type StudyFilterGroups } from './prolific-study-filters.js';
import { newCompletionCode, studyCreateBody } from './prolific-study-spec.js';
import { prolificWrapCrowdSource } from './wrap-crowd-source.js';

export { PROLIFIC_PROVIDER_TYPE } from './prolific-records.js';
/** Where participants open studies and land when they complete one. */
export const PROLIFIC_DEFAULT_APP_URL = 'https://app.prolific.com';

/** The store calls the provider uses besides its records, when the store has them (a full Store does). */
type ProlificStoreReads = Pick<
  Store,
  'getAgent' | 'findQualifications' | 'findGrantedQualifications' | 'findWorkers'
>;

export interface ProlificProviderOptions {
  /**
   * The store whose provider records hold the provider's state. A full Store also lets reconcileRun
   * compare Prolific's reviews with the store's agents and record approvals made on Prolific in the
   * payments ledger, and lets setupRun seed qualification groups with the store's grants.
   */
  readonly store: ProlificRecordStore & Partial<ProlificStoreReads & PlatformLedger>;
  /** Where the provider logs retries, reconcile findings and warnings. @default silent */
  readonly logger?: Logger;
  /** Where the API token is read (`PROLIFIC_API_TOKEN`). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A ready client, instead of one built from the args and the token (tests wrap one to inject crashes). */
  readonly client?: ProlificApiClient;
  /** Options for the client built from the args (timeouts, retries, how to wait). */
  readonly clientOptions?: Omit<ProlificApiClientOptions, 'token' | 'baseUrl'>;
  /**
   * Prolific's participant-facing site: study links and the completion page. @default
   * https://app.prolific.com, or the origin of `api_base_url` when that is set (the Prolific fake serves
   * both on one host)
   */
  readonly appBaseUrl?: string;
  /** Draws a run's completion code. @default 10 random upper-case letters and digits */
  readonly newCompletionCode?: () => string;
  /** How to wait while Prolific shows `PROCESSING`. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Study statuses in which participants may still start the study (or it would restart on more places). */
const RECRUITING: ReadonlySet<string> = new Set(['ACTIVE', 'PAUSED', 'SCHEDULED']);
/** How often a `PROCESSING` status is read again before giving up. */
const PROCESSING_POLLS = 5;
const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class ProlificProvider implements CrowdProvider {
  readonly type = PROLIFIC_PROVIDER_TYPE;
  readonly sandbox = false;

  readonly #args: ProlificProviderArgs;
  readonly #options: ProlificProviderOptions;
  readonly #records: ProlificRecords;
  readonly #log: Logger;
  readonly #appBaseUrl: string;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #bonuses: ProlificBonusPayer;
  #client: ProlificApiClient | undefined;
  #account: Promise<{ workspaceId: string; projectId: string }> | undefined;
  readonly #groups = new Map<string, Promise<string>>();
  readonly #locks = new Map<string, Promise<unknown>>();
  /** Completion codes of the runs and studies this instance has seen, for the wrapper. */
  readonly #codesByStudy = new Map<string, string>();
  readonly #codesByRun = new Map<string, string>();

  constructor(args: ProlificProviderArgs, options: ProlificProviderOptions) {
    this.#args = args;
    this.#options = options;
    this.#records = new ProlificRecords(options.store);
    this.#log = (options.logger ?? pino({ level: 'silent' })).child({ provider: PROLIFIC_PROVIDER_TYPE });
    this.#client = options.client;
    this.#sleep = options.sleep ?? defaultSleep;
    const apiBase = prolificApiBaseUrl(args);
    this.#appBaseUrl = (
      options.appBaseUrl ??
      (apiBase === PROLIFIC_DEFAULT_API_BASE_URL ? PROLIFIC_DEFAULT_APP_URL : new URL(apiBase).origin)
    ).replace(/\/+$/, '');
    this.#bonuses = new ProlificBonusPayer({
      records: this.#records,
      client: () => this.client,
      target: (request) => this.#bonusTarget(request),
    });
  }

  /** The API client (built on first use: a missing token fails here, with MEPHISTO_ERR_PROVIDER_CREDENTIALS). */
  get client(): ProlificApiClient {
    const onRetry = this.#options.clientOptions?.onRetry;
    this.#client ??= new ProlificApiClient({
      ...this.#options.clientOptions,
      token: prolificTokenFrom(this.#options.env ?? process.env),
      baseUrl: prolificApiBaseUrl(this.#args),
      onRetry: (retry) => {
        this.#log.warn(retry, 'retrying a Prolific call');
        onRetry?.(retry);
      },
    });
    return this.#client;
  }

  /** Participant ids are worker names as they are. */
  workerName(providerWorkerId: string): string {
    return providerWorkerId;
  }

  /** The page a study's participants open on Prolific (each unit's link). */
  studyLink(studyId: string): string {
    return `${this.#appBaseUrl}/studies/${encodeURIComponent(studyId)}`;
  }

  /** The completion page the wrapper redirects to, without the code. */
  get completionUrlPrefix(): string {
    return `${this.#appBaseUrl}/submissions/complete?cc=`;
  }

  // --- run lifecycle --------------------------------------------------------------------------------

  setupRun(context: ProviderRunContext): Promise<void> {
    return this.#withRunLock(context.taskRun.id, async () => {
      await this.#ensureStudy(context);
    });
  }

  launchUnits(context: ProviderRunContext, units: readonly Unit[]): Promise<ReadonlyMap<string, string>> {
    if (units.length === 0) return Promise.resolve(new Map());
    return this.#withRunLock(context.taskRun.id, async () => {
      const { run, studyId } = await this.#ensureStudy(context);
      const study = await this.#studyRecord(studyId);
      const fresh: Unit[] = [];
      for (const unit of units) {
        const placed = await this.#records.get('unit', unit.id, UnitRecordSchema);
        if (placed?.state !== 'placed' || placed.studyId !== studyId) fresh.push(unit);
      }
      const placedUnits = study.placedUnits + fresh.length;
      const remote = await this.#settledStudy(studyId);
      let target = Math.max(study.listedPlaces, placedUnits, remote.total_available_places);
      const flipped = remote.status === 'AWAITING REVIEW' || remote.status === 'COMPLETED';
      // Full on Prolific (places all taken): the new units need places of their own.
      if (fresh.length > 0 && flipped) target = Math.max(target, (remote.places_taken ?? 0) + fresh.length);
      if (remote.status === 'UNPUBLISHED') {
        if (target !== remote.total_available_places)
          await this.client.updateStudy(studyId, { total_available_places: target });
        await this.#publish(studyId);
      } else if (target > remote.total_available_places) {
        await this.client.updateStudy(studyId, { total_available_places: target });
      }
      const published = true;
      // Counts first, then units: a crash in between over-counts (a spare place), never under-counts.
      await this.#records.put(
        'study',
        studyId,
        { ...study, listedPlaces: target, placedUnits, published },
        { taskRunId: run.taskRunId },
      );
      for (const unit of fresh)
        await this.#records.put(
          'unit',
          unit.id,
          { studyId, state: 'placed' },
          { taskRunId: context.taskRun.id, unitId: unit.id },
        );
      const link = this.studyLink(studyId);
      return new Map(units.map((unit) => [unit.id, link]));
    });
  }

  expireUnits(context: ProviderRunContext, units: readonly Unit[]): Promise<void> {
    if (units.length === 0) return Promise.resolve();
    return this.#withRunLock(context.taskRun.id, async () => {
      const expired = new Map<string, number>();
      for (const unit of units) {
        const placed = await this.#records.get('unit', unit.id, UnitRecordSchema);
        if (placed?.state !== 'placed') continue;
        await this.#records.put(
          'unit',
          unit.id,
          { ...placed, state: 'expired' },
          { taskRunId: context.taskRun.id, unitId: unit.id },
        );
        expired.set(placed.studyId, (expired.get(placed.studyId) ?? 0) + 1);
      }
      for (const [studyId, count] of expired) {
        const study = await this.#studyRecord(studyId);
        const placedUnits = Math.max(0, study.placedUnits - count);
        await this.#records.put('study', studyId, { ...study, placedUnits }, { taskRunId: study.taskRunId });
        // Nothing of the run is on offer in it any more: stop recruiting (Mephisto's "expire the study").
        if (placedUnits === 0 && study.published && !study.stopped) await this.#stopStudy(studyId);
      }
    });
  }

  teardownRun(context: ProviderRunContext): Promise<void> {
    return this.#withRunLock(context.taskRun.id, async () => {
      const run = await this.#runRecord(context.taskRun.id);
      if (run === null) return;
      for (const studyId of run.studyIds) {
        const study = await this.#records.get('study', studyId, StudyRecordSchema);
        // Published or not by the records (a crash may have hidden a publish): Prolific's status decides.
        if (study !== null && !study.stopped) await this.#stopStudy(studyId);
      }
    });
  }

  /** Only the store is read: this is called on every worker request. */
  async isWorkerBlocked(worker: Worker): Promise<boolean> {
    return (await this.#records.get('blocked', worker.name, BlockedRecordSchema)) !== null;
  }

  // --- optional duties ------------------------------------------------------------------------------

  /**
   * Records which submission (Prolific's session) an agent works under. Refuses a page without a
   * session id or study id, and a study that is not one of this run's.
   */
  registerAgent(context: ProviderRunContext, registration: ProviderAgentRegistration): Promise<void> {
    const data = registration.providerData;
    const sessionId = typeof data.session_id === 'string' ? data.session_id.trim() : '';
    const studyId = typeof data.study_id === 'string' ? data.study_id.trim() : '';
    if (!SESSION_ID.test(sessionId))
      return Promise.reject(
        new ProlificRegistrationError(
          'the page has no Prolific session id (SESSION_ID): open the task from the study on Prolific',
        ),
      );
    if (studyId === '')
      return Promise.reject(new ProlificRegistrationError('the page has no Prolific study id (STUDY_ID)'));
    return this.#withRunLock(context.taskRun.id, async () => {
      const run = await this.#runRecord(context.taskRun.id);
      if (run === null || !run.studyIds.includes(studyId))
        throw new ProlificRegistrationError(
          `study ${studyId} is not a study of task run ${context.taskRun.id}: open the task from this run's study`,
        );
      const participantId = registration.worker.name;
      const existing = await this.#records.get('submission', sessionId, SubmissionRecordSchema);
      if (existing !== null && existing.participantId !== participantId)
        throw new ProlificRegistrationError(`session ${sessionId} belongs to another participant`);
      const links = { taskRunId: context.taskRun.id, unitId: registration.unit.id };
      await this.#records.put(
        'submission',
        sessionId,
        { studyId, unitId: registration.unit.id, agentId: registration.agent.id, participantId },
        links,
      );
      await this.#records.put(
        'agent',
        registration.agent.id,
        { submissionId: sessionId, studyId, participantId },
        links,
      );
    });
  }

  reconcileRun(context: ProviderReconcileContext): Promise<ProviderReconcileReport> {
    return this.#withRunLock(context.taskRun.id, async () => {
      const run = await this.#runRecord(context.taskRun.id);
      if (run === null) return { withdrawn: 0, relaunched: 0, recorded: 0, notes: [] };
      const report = await reconcileProlificRun({
        context,
        run,
        client: this.client,
        records: this.#records,
        store: this.#options.store,
        ledger: platformLedgerOf(this.#options.store),
        feeFor: prolificFee,
        log: this.#log,
        bonuses: this.#bonuses,
        settledStudy: (id) => this.#settledStudy(id),
        stopStudy: (id) => this.#stopStudy(id),
      });
      if (report.notes.length > 0)
        this.#log.info(
          { taskRunId: context.taskRun.id, ...report },
          'reconciled the run with Prolific: findings',
        );
      return report;
    });
  }

  // --- review duties --------------------------------------------------------------------------------

  approveWork(request: ProviderWorkReview): Promise<ProviderDutyResult> {
    return this.#duty('approve', request.idempotencyKey, async () => {
      const submission = await this.#submissionFor(request.work);
      const current = await this.#settledSubmission(submission.submissionId);
      if (current === 'APPROVED') return submission.submissionId;
      this.#requireReviewable(submission.submissionId, current, 'approve');
      await this.client.transitionSubmission(submission.submissionId, { action: 'APPROVE' });
      return submission.submissionId;
    });
  }

  rejectWork(request: ProviderWorkReview): Promise<ProviderDutyResult> {
    return this.#duty('reject', request.idempotencyKey, async () => {
      const submission = await this.#submissionFor(request.work);
      const current = await this.#settledSubmission(submission.submissionId);
      if (current === 'REJECTED') return submission.submissionId;
      this.#requireReviewable(submission.submissionId, current, 'reject');
      const terms = rejectionTerms(request.feedback);
      await this.client.transitionSubmission(submission.submissionId, {
        action: 'REJECT',
        rejection_category: terms.category,
        message: terms.message,
      });
      return submission.submissionId;
    });
  }

  payBonus(request: ProviderBonusRequest): Promise<ProviderDutyResult> {
    return this.#bonuses.pay(request);
  }

  /** Adds the participant to the block-list group, which every study of the provider filters out. */
  blockWorker(request: ProviderBlockRequest): Promise<ProviderDutyResult> {
    return this.#duty('block', request.idempotencyKey, async () => {
      const groupId = await this.#group('block', this.#args.prolific_block_list_group_name);
      await this.client.addGroupMembers(groupId, [request.worker.name]);
      await this.#records.put('blocked', request.worker.name, { groupId });
      return groupId;
    });
  }

  unblockWorker(request: ProviderUnblockRequest): Promise<ProviderDutyResult> {
    return this.#duty('unblock', request.idempotencyKey, async () => {
      const groupId = await this.#group('block', this.#args.prolific_block_list_group_name);
      await this.client.removeGroupMembers(groupId, [request.worker.name]);
      await this.#records.delete('blocked', request.worker.name);
      return groupId;
    });
  }

  /** One participant group per qualification (named as the qualification); a grant adds the participant. */
  grantQualification(request: ProviderQualificationRequest): Promise<ProviderDutyResult> {
    return this.#duty('grant', request.idempotencyKey, async () => {
      const groupId = await this.#group('qualification', request.qualificationName);
      await this.client.addGroupMembers(groupId, [request.worker.name]);
      return groupId;
    });
  }

  revokeQualification(request: ProviderQualificationRequest): Promise<ProviderDutyResult> {
    return this.#duty('revoke', request.idempotencyKey, async () => {
      const groupId = await this.#group('qualification', request.qualificationName);
      await this.client.removeGroupMembers(groupId, [request.worker.name]);
      return groupId;
    });
  }

  /** Prolific's service fee (a third; see PROLIFIC_SERVICE_FEE_RATE), the same on rewards and bonuses. */
  feeFor(amount: number, _kind: ProviderChargeKind): number {
    return prolificFee(amount);
  }

  /** The workspace's available balance (in its currency's main unit), or null when Prolific reports none. */
  async availableBudget(): Promise<number | null> {
    const { workspaceId } = await this.#ensureAccount();
    try {
      const balance = await this.client.workspaceBalance(workspaceId);
      return balance.available_balance / 100;
    } catch (error) {
      if (error instanceof ProlificApiError && error.status === 404) return null;
      throw error;
    }
  }

  /**
   * The wrapper, with the completion codes of the runs this provider has set up (the task server builds
   * the site after the run's setup, from the provider that set it up). See wrap-crowd-source.ts for
   * what exposing the code to the page means.
   */
  wrapCrowdSourceScript(): string {
    const runCodes = [...new Set(this.#codesByRun.values())];
    return prolificWrapCrowdSource({
      completionUrlPrefix: this.completionUrlPrefix,
      codesByStudy: Object.fromEntries(this.#codesByStudy),
      defaultCode: runCodes.length === 1 ? (runCodes[0] ?? null) : null,
    });
  }

  /** The completion code of a run set up through the store's records (for tests and tools). */
  async completionCode(taskRunId: string): Promise<string | null> {
    return (await this.#runRecord(taskRunId))?.completionCode ?? null;
  }

  /** The run's current study id, if it has one. */
  async currentStudyId(taskRunId: string): Promise<string | null> {
    return (await this.#runRecord(taskRunId))?.currentStudyId ?? null;
  }

  /** The provider's record of a study (places listed vs units placed). */
  studyState(studyId: string): Promise<StudyRecord | null> {
    return this.#records.get('study', studyId, StudyRecordSchema);
  }

  /** The participant groups the run's latest study filters on, and the requirements Prolific could not express. */
  studyFilters(taskRunId: string): Promise<FiltersRecord | null> {
    return this.#records.get('filters', taskRunId, FiltersRecordSchema);
  }

  // --- internals: studies ---------------------------------------------------------------------------

  /** The run's record and a usable study (the recorded one, unless stopped or gone; else a new one). */
  async #ensureStudy(
    context: ProviderRunContext,
  ): Promise<{ run: RunRecord & { taskRunId: string }; studyId: string }> {
    const taskRunId = context.taskRun.id;
    let run = await this.#runRecord(taskRunId);
    if (run !== null && run.currentStudyId !== null) {
      const study = await this.#records.get('study', run.currentStudyId, StudyRecordSchema);
      if (study !== null && !study.stopped) {
        this.#rememberCodes(taskRunId, run);
        return { run: { ...run, taskRunId }, studyId: run.currentStudyId };
      }
    }
    if (run === null) {
      const account = await this.#ensureAccount();
      const blockGroupId = await this.#group('block', this.#args.prolific_block_list_group_name);
      run = {
        ...account,
        blockGroupId,
        completionCode: (this.#options.newCompletionCode ?? newCompletionCode)(),
        currentStudyId: null,
        studyIds: [],
      };
      await this.#records.put('run', taskRunId, run, { taskRunId });
    }
    const internalName = `mephisto-ts run ${taskRunId} study ${String(run.studyIds.length + 1)}`;
    const study = await this.#createStudy(context, run, internalName);
    run = { ...run, currentStudyId: study.id, studyIds: [...run.studyIds, study.id] };
    await this.#records.put(
      'study',
      study.id,
      {
        taskRunId,
        internalName,
        listedPlaces: study.total_available_places,
        placedUnits: 0,
        published: false,
        stopped: false,
      },
      { taskRunId },
    );
    await this.#records.put('run', taskRunId, run, { taskRunId });
    this.#rememberCodes(taskRunId, run);
    return { run: { ...run, taskRunId }, studyId: study.id };
  }

  /** Creates the draft, or adopts the one a lost reply left behind (same project, same internal name). */
  async #createStudy(
    context: ProviderRunContext,
    run: RunRecord,
    internalName: string,
  ): Promise<ProlificStudy> {
    const existing = (await this.client.listProjectStudies(run.projectId)).find(
      (s) => s.internal_name === internalName,
    );
    if (existing !== undefined) return existing;
    const body = studyCreateBody({
      context,
      args: this.#args,
      projectId: run.projectId,
      groups: await this.#filterGroups(context, run.blockGroupId),
      completionCode: run.completionCode,
      internalName,
    });
    try {
      return await this.client.createStudy(body);
    } catch (error) {
      if (!(error instanceof ProlificApiError && error.outcomeUnknown)) throw error;
      const created = (await this.client.listProjectStudies(run.projectId)).find(
        (s) => s.internal_name === internalName,
      );
      if (created === undefined) throw error;
      return created;
    }
  }

  /**
   * The participant groups a new study of the run filters on (prolific-study-filters.ts): each found or
   * made, and seeded with the store's grants of its qualification; recorded with the warnings, which
   * are logged.
   */
  async #filterGroups(context: ProviderRunContext, blockGroupId: string): Promise<StudyFilterGroups> {
    const taskRunId = context.taskRun.id;
    const plan = planStudyFilters(context);
    for (const warning of plan.warnings) this.#log.warn({ taskRunId }, warning);
    const groupsOf = async (names: readonly string[]) => {
      const out: { qualification: string; groupId: string }[] = [];
      for (const qualification of names) {
        const groupId = await this.#group('qualification', qualification);
        await this.#seedGroup(groupId, qualification);
        out.push({ qualification, groupId });
      }
      return out;
    };
    const allow = await groupsOf(plan.allow);
    const exclude = await groupsOf(plan.exclude);
    await this.#records.put('filters', taskRunId, { allow, exclude, warnings: plan.warnings }, { taskRunId });
    return {
      blockGroupId,
      allowGroupIds: allow.map((g) => g.groupId),
      excludeGroupIds: exclude.map((g) => g.groupId),
    };
  }

  /**
   * Adds the store's Prolific grantees of a qualification to its group: grants made without a review
   * (an onboarding, a screening's block qualification) reach Prolific only this way. Skipped when the
   * store cannot be read for grants.
   */
  async #seedGroup(groupId: string, qualificationName: string): Promise<void> {
    const { findQualifications, findGrantedQualifications, findWorkers } = this.#options.store;
    if (
      findQualifications === undefined ||
      findGrantedQualifications === undefined ||
      findWorkers === undefined
    )
      return;
    const store = this.#options.store;
    const [qualification] = await findQualifications.call(store, { name: qualificationName });
    if (qualification === undefined) return;
    const grants = await findGrantedQualifications.call(store, { qualificationId: qualification.id });
    if (grants.length === 0) return;
    const names = new Map(
      (await findWorkers.call(store, { providerType: PROLIFIC_PROVIDER_TYPE })).map((w) => [w.id, w.name]),
    );
    const participants = grants.flatMap((grant) => names.get(grant.workerId) ?? []);
    if (participants.length > 0) await this.client.addGroupMembers(groupId, participants);
  }

  /** Publishes a draft; a failure without a clear answer is settled by reading the study again. */
  async #publish(studyId: string): Promise<void> {
    try {
      await this.client.transitionStudy(studyId, 'PUBLISH');
    } catch (error) {
      if (!(error instanceof ProlificApiError) || error.status === 401) throw error;
      const study = await this.#settledStudy(studyId);
      if (study.status === 'UNPUBLISHED') throw error;
    }
  }

  /**
   * Stops recruiting; a refused STOP is fine when the study is no longer recruiting anyway. A draft is
   * left as it is (it recruits nobody, and a set-up run uses it again).
   */
  async #stopStudy(studyId: string): Promise<void> {
    const study = await this.#studyRecord(studyId);
    const remote = await this.#settledStudy(studyId);
    if (remote.status === 'UNPUBLISHED') return;
    if (RECRUITING.has(remote.status) || remote.status === 'AWAITING REVIEW') {
      try {
        await this.client.transitionStudy(studyId, 'STOP');
      } catch (error) {
        if (!(error instanceof ProlificApiError) || error.status === 401) throw error;
        const again = await this.#settledStudy(studyId);
        if (RECRUITING.has(again.status)) throw error;
      }
    }
    await this.#records.put(
      'study',
      studyId,
      { ...study, published: true, stopped: true },
      { taskRunId: study.taskRunId },
    );
  }

  async #settledStudy(studyId: string): Promise<ProlificStudy> {
    let study = await this.client.getStudy(studyId);
    for (let poll = 0; study.status === 'PROCESSING' && poll < PROCESSING_POLLS; poll++) {
      await this.#sleep(200 * 2 ** poll);
      study = await this.client.getStudy(studyId);
    }
    if (study.status === 'PROCESSING')
      throw new ProlificApiError(`study ${studyId} is still PROCESSING on Prolific; try again shortly`);
    return study;
  }

  async #settledSubmission(submissionId: string): Promise<string> {
    let submission = await this.client.getSubmission(submissionId);
    for (let poll = 0; submission.status === 'PROCESSING' && poll < PROCESSING_POLLS; poll++) {
      await this.#sleep(200 * 2 ** poll);
      submission = await this.client.getSubmission(submissionId);
    }
    if (submission.status === 'PROCESSING')
      throw new ProlificApiError(
        `submission ${submissionId} is still PROCESSING on Prolific; try again shortly`,
      );
    return submission.status;
  }

  #requireReviewable(submissionId: string, status: string, verb: 'approve' | 'reject'): void {
    if (status === 'AWAITING REVIEW') return;
    const why =
      status === 'ACTIVE' || status === 'RESERVED'
        ? 'the participant has not come back to Prolific with the completion code yet'
        : status === 'APPROVED' || status === 'REJECTED'
          ? `it was already ${status.toLowerCase()} (on Prolific or by another review)`
          : `Prolific shows it as ${status}`;
    throw new ProlificApiError(`cannot ${verb} Prolific submission ${submissionId}: ${why}`);
  }

  async #runRecord(taskRunId: string): Promise<RunRecord | null> {
    return this.#records.get('run', taskRunId, RunRecordSchema);
  }

  async #studyRecord(studyId: string): Promise<StudyRecord> {
    const study = await this.#records.get('study', studyId, StudyRecordSchema);
    if (study === null) throw new ProlificApiError(`no record of study ${studyId} in the store`);
    return study;
  }

  #rememberCodes(taskRunId: string, run: RunRecord): void {
    this.#codesByRun.set(taskRunId, run.completionCode);
    for (const studyId of run.studyIds) this.#codesByStudy.set(studyId, run.completionCode);
  }

  // --- internals: account, groups, submissions ------------------------------------------------------

  /** The workspace and project named in the args, found or created (once per provider). */
  #ensureAccount(): Promise<{ workspaceId: string; projectId: string }> {
    this.#account ??= (async () => {
      const client = this.client;
      const workspaceTitle = this.#args.prolific_workspace_name;
      const workspace =
        (await client.listWorkspaces()).find((w) => w.title === workspaceTitle) ??
        (await client.createWorkspace(workspaceTitle));
      const projectTitle = this.#args.prolific_project_name;
      const project =
        (await client.listProjects(workspace.id)).find((p) => p.title === projectTitle) ??
        (await client.createProject(workspace.id, projectTitle));
      return { workspaceId: workspace.id, projectId: project.id };
    })();
    const account = this.#account;
    account.catch(() => {
      if (this.#account === account) this.#account = undefined;
    });
    return account;
  }

  /** A participant group of the workspace, by role and name: recorded, found by name, or created. */
  #group(role: 'block' | 'qualification', name: string): Promise<string> {
    const memo = `${role}:${name}`;
    let pending = this.#groups.get(memo);
    if (pending === undefined) {
      pending = (async () => {
        const { workspaceId } = await this.#ensureAccount();
        const key = `${role}:${workspaceId}:${name}`;
        const recorded = await this.#records.get('group', key, GroupRecordSchema);
        if (recorded !== null) return recorded.groupId;
        const existing = (await this.client.listGroups(workspaceId)).find(
          (g) => g.name === name && g.is_deleted !== true,
        );
        const groupId =
          existing?.id ?? (await this.client.createGroup(workspaceId, name, `mephisto-ts ${role} group`)).id;
        await this.#records.put('group', key, { groupId, workspaceId });
        return groupId;
      })();
      this.#groups.set(memo, pending);
      pending.catch(() => this.#groups.delete(memo));
    }
    return pending;
  }

  /**
   * The submission a reviewed agent worked under: from registerAgent's record, or else found among the
   * run's studies' submissions by participant id (and then recorded).
   */
  async #submissionFor(work: ReviewedWork): Promise<AgentRecord> {
    const recorded = await this.#records.get('agent', work.agent.id, AgentRecordSchema);
    if (recorded !== null) return recorded;
    const run = await this.#runRecord(work.unit.taskRunId);
    const participantId = work.worker.name;
    const preference = ['AWAITING REVIEW', 'APPROVED', 'REJECTED', 'PROCESSING', 'ACTIVE', 'RESERVED'];
    let best: { studyId: string; submissionId: string; rank: number } | undefined;
    for (const studyId of run?.studyIds ?? []) {
      for (const submission of await this.client.listSubmissions(studyId)) {
        if ((submission.participant_id ?? submission.participant) !== participantId) continue;
        const mapped = await this.#records.get('submission', submission.id, SubmissionRecordSchema);
        if (mapped !== null && mapped.agentId !== work.agent.id) continue;
        const rank = preference.indexOf(submission.status);
        if (rank === -1) continue;
        if (best === undefined || rank <= best.rank) best = { studyId, submissionId: submission.id, rank };
      }
    }
    if (best === undefined)
      throw new ProlificApiError(
        `no Prolific submission of participant ${participantId} in the studies of task run ${work.unit.taskRunId}`,
      );
    const found: AgentRecord = { submissionId: best.submissionId, studyId: best.studyId, participantId };
    const links = { taskRunId: work.unit.taskRunId, unitId: work.unit.id };
    await this.#records.put('agent', work.agent.id, found, links);
    await this.#records.put(
      'submission',
      best.submissionId,
      { studyId: best.studyId, unitId: work.unit.id, agentId: work.agent.id, participantId },
      links,
    );
    return found;
  }

  async #bonusTarget(request: ProviderBonusRequest): Promise<BonusTarget> {
    if (request.agent !== null) {
      const submission = await this.#submissionFor({
        unit: request.unit,
        agent: request.agent,
        worker: request.worker,
      });
      return { studyId: submission.studyId, submissionId: submission.submissionId };
    }
    const run = await this.#runRecord(request.unit.taskRunId);
    for (const studyId of [...(run?.studyIds ?? [])].reverse()) {
      const submission = (await this.client.listSubmissions(studyId)).find(
        (s) => (s.participant_id ?? s.participant) === request.worker.name,
      );
      if (submission !== undefined) return { studyId, submissionId: submission.id };
    }
    throw new ProlificApiError(
      `participant ${request.worker.name} has no submission in the studies of task run ${request.unit.taskRunId}; ` +
        'Prolific only pays bonuses to participants of a study',
    );
  }

  /** Runs a review duty once per key: a recorded key answers as before, without calling Prolific. */
  async #duty(duty: string, key: string, act: () => Promise<string | null>): Promise<ProviderDutyResult> {
    const recordKey = `${duty}:${key}`;
    const done = await this.#records.get('duty', recordKey, DutyRecordSchema);
    if (done !== null)
      return done.reference === null ? { status: 'done' } : { status: 'done', reference: done.reference };
    const reference = await act();
    await this.#records.put('duty', recordKey, { reference });
    return reference === null ? { status: 'done' } : { status: 'done', reference };
  }

  /** Serialises this process's calls for one run (they read, change and write back its records). */
  #withRunLock<T>(taskRunId: string, body: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(taskRunId) ?? Promise.resolve();
    const next = previous.then(body, body);
    const tail = next.catch(() => undefined);
    this.#locks.set(taskRunId, tail);
    void tail.then(() => {
      if (this.#locks.get(taskRunId) === tail) this.#locks.delete(taskRunId);
    });
    return next;
  }
}
