/**
 * The Store port: everything mephisto-ts keeps lives behind this interface.
 *
 * Contract (every implementation must pass test/store/store-conformance.ts):
 *
 * - **Ids** are decimal strings produced by the injected {@link IdGenerator}; dates come from the
 *   injected {@link Clock}. `find*` results are ordered by creation date, then id.
 * - **Filters**: in a `find*` filter an omitted (`undefined`) field matches everything, a value matches
 *   equal rows, and `null` (on nullable columns) matches rows where the column is null. An empty filter
 *   returns every row.
 * - **Errors**: an unknown id → {@link NotFoundError} for that entity; a create whose reference (task,
 *   worker, unit, …) is missing → {@link NotFoundError} for the referenced entity; a taken unique key →
 *   {@link AlreadyExistsError}; an empty or reserved name → {@link InvalidArgumentError}. A failed call
 *   changes nothing: creates and multi-row operations are single transactions.
 * - **Status changes are compare-and-set.** Each names the status(es) it expects (`from`). A change the
 *   core transition table forbids → {@link InvalidTransitionError} before the database is touched. If the
 *   row is no longer in an expected status when the change is applied, nothing is written and
 *   {@link TransitionConflictError} reports the status found: of many concurrent attempts at the same
 *   change exactly one succeeds, on every database.
 * - **A unit follows its agent.** Units enter `assigned` only through {@link Store.createAgent}; units in
 *   `assigned` or `completed` change only through {@link Store.transitionAgent}, which moves the agent and
 *   its unit in one transaction (see `UNIT_STATUS_FOR_AGENT`), so the two can never disagree after a crash.
 * - **Durability**: when a returned promise resolves, the change is committed.
 */
import type {
  Agent,
  AgentStatus,
  Assignment,
  Clock,
  GrantedQualification,
  IdGenerator,
  OnboardingAgent,
  OnboardingAgentStatus,
  Project,
  Qualification,
  Requester,
  Task,
  TaskRun,
  Unit,
  UnitStatus,
  Worker,
  WorkerReview,
} from '../core/index.js';

/** One status or any of several. */
export type StatusMatch<S extends string> = S | readonly S[];

export interface NewTask {
  name: string;
  /** Blueprint type of the first run, e.g. `static_task`. */
  taskType: string;
  projectId?: string | null;
  parentTaskId?: string | null;
}

export interface NewTaskRun {
  taskId: string;
  requesterId: string;
  /** The run's full resolved configuration, serialised (JSON text). */
  initParams: string;
  providerType: string;
  taskType: string;
  /** @default true, as in Mephisto */
  sandbox?: boolean;
}

/** One assignment of a bulk creation: its data and its units (unit indices default to 0, 1, …). */
export interface NewAssignmentWithUnits {
  data?: unknown;
  units: readonly { unitIndex?: number; payAmount: number }[];
}

/** How {@link Store.createAssignmentsWithUnits} creates and reports the work (added for the launcher). */
export interface NewWorkOptions {
  /**
   * The status the new units start in: `created`, or `launched` for a caller that would launch them at
   * once (a launcher with no `max_num_concurrent_units`). `launched` leaves the same rows as creating
   * the units and moving them `created → launched` in the same transaction, written once instead of
   * twice (the move rewrote every row and its status indexes: a fifth of a large launch).
   * @default 'created'
   */
  unitStatus?: 'created' | 'launched';
  /**
   * Whether to return the assignments. With false the result's `assignments` is empty (the units are
   * returned all the same), which spares turning every assignment's data back from JSON.
   * @default true
   */
  returnAssignments?: boolean;
}

export interface NewUnit {
  assignmentId: string;
  unitIndex: number;
  /** Dollars. */
  payAmount: number;
}

export interface NewAgent {
  workerId: string;
  unitId: string;
  /**
   * The agent's first status. Mephisto inserts `none` and immediately moves to `accepted`; a caller may
   * start further along the path (`accepted`, `waiting`, `in task`) to save writes.
   * @default 'none'
   */
  status?: 'none' | 'accepted' | 'waiting' | 'in task';
}

export interface NewOnboardingAgent {
  workerId: string;
  taskRunId: string;
}

export interface NewWorkerReview {
  workerId: string;
  unitId?: string | null;
  taskId?: string | null;
  status?: string | null;
  reviewNote?: string | null;
  /** Dollars. */
  bonus?: number | null;
  blockedWorker?: boolean;
  /** The qualification granted (or, with `revoke`, revoked) as part of this review. */
  qualificationId?: string | null;
  /** The value granted with `qualificationId`. */
  value?: number | null;
  /** @default false */
  revoke?: boolean;
}

export interface UnitFilter {
  taskId?: string;
  taskRunId?: string;
  requesterId?: string;
  assignmentId?: string;
  unitIndex?: number;
  providerType?: string;
  taskType?: string;
  agentId?: string | null;
  workerId?: string | null;
  sandbox?: boolean;
  status?: StatusMatch<UnitStatus>;
}

export interface AgentFilter {
  status?: StatusMatch<AgentStatus>;
  unitId?: string;
  workerId?: string;
  taskId?: string;
  taskRunId?: string;
  assignmentId?: string;
  taskType?: string;
  providerType?: string;
}

export interface UnitTransition {
  from: StatusMatch<UnitStatus>;
  to: UnitStatus;
}

export interface AgentTransition {
  from: StatusMatch<AgentStatus>;
  to: AgentStatus;
}

/** The agent after a transition and its unit (changed or not) in the same committed state. */
export interface AgentTransitionResult {
  agent: Agent;
  unit: Unit;
}

/** Row counts per table, for `mephisto db status`. */
export type TableCounts = Readonly<Record<string, number>>;

export interface SchemaStatus {
  /** Migrations applied, oldest first; the last one is the schema version. */
  applied: readonly string[];
  /** Migrations this version knows and the database has not applied yet. */
  pending: readonly string[];
}

// --- engine support (claims, submissions, blocks, run state) -------------------------------------------

/** Why {@link Store.claimUnit} gave a worker no unit. */
export type ClaimRefusalCode =
  'no_units' | 'too_many_concurrent' | 'max_for_task' | 'blocked' | 'not_qualified';

/** The worker's qualification grants by qualification name, as read inside a claim. */
export type GrantsByName = ReadonlyMap<string, number>;

export interface ClaimRequest {
  taskRunId: string;
  workerId: string;
  /** Units of this run the worker may hold (`assigned`) at once; 0 = no limit. */
  allowedConcurrent: number;
  /**
   * Units the worker may hold or have submitted across every run of the run's task (statuses assigned,
   * completed, accepted, rejected, soft_rejected); 0 = no limit.
   */
  maximumUnitsPerWorker: number;
  /**
   * Refuse (`blocked`) a worker with a block that applies to this run (any requester, or the run's).
   * @default true
   */
  checkBlocks?: boolean;
  /**
   * Qualification check run inside the claim: `names` are the qualifications it reads; `refusal` gets
   * the worker's grants of them and the subset of `names` that exist, and returns why the worker may
   * not work (`not_qualified`, or `blocked` for a blocking qualification), or null. Synchronous.
   */
  eligibility?: {
    names: readonly string[];
    refusal(grants: GrantsByName, known: ReadonlySet<string>): 'blocked' | 'not_qualified' | null;
  };
  /** Extra per-unit eligibility (Mephisto's `worker_can_do_unit`); synchronous, called inside the claim. */
  accept?: (unit: Unit) => boolean;
  /** @default 'in task' */
  agentStatus?: NewAgent['status'];
  /**
   * Also read the unit's assignment in the claim's transaction and return it as `assignment` (a
   * store may leave it out; the caller then reads it with {@link Store.getAssignment}). The engine
   * needs it for every unit it gives out, and reading it here saves a second wait for the database.
   * @default false
   */
  withAssignment?: boolean;
}

export type ClaimResult =
  | {
      ok: true;
      agent: Agent;
      unit: Unit;
      /** The unit's assignment, when `withAssignment` was asked for and the store read it. */
      assignment?: Assignment;
    }
  | {
      ok: false;
      code: ClaimRefusalCode;
      /** Units of this run the worker holds (`assigned`). */
      held: number;
      /** Units the worker holds or submitted across the task's runs (what `maximumUnitsPerWorker` caps). */
      counted: number;
    };

/** What a worker submitted for a unit. */
export interface AgentSubmission {
  agentId: string;
  data: unknown;
  submittedAt: Date;
}

/** A block of a worker, for every requester (`requesterId` null) or one. */
export interface WorkerBlock {
  id: string;
  workerId: string;
  requesterId: string | null;
  reason: string | null;
  creationDate: Date;
}

/** Engine state of a run kept beside the TaskRun row. */
export interface TaskRunState {
  taskRunId: string;
  /** The run's data source was read to its end: every assignment of the run exists. */
  sourceExhausted: boolean;
  /** Set when the run ended (completed, shut down, …); cleared when it is resumed. */
  end: TaskRunEnd | null;
}

export interface TaskRunEnd {
  reason: string;
  detail: string | null;
  endedAt: Date;
}

export interface TaskRunStateChange {
  sourceExhausted?: boolean;
  /** Records the end (the date is the clock's now); `null` clears it. */
  end?: { reason: string; detail?: string | null } | null;
  /** Replaces the stored resolved configuration (a resumed run records the config it resumed with). */
  initParams?: string;
}

// --- export (src/export reads results through these) ------------------------------------------------

/** One page of a run's units for an export: see {@link Store.readUnitExportPage}. */
export interface UnitExportQuery {
  taskRunId: string;
  /** Only units in these statuses; omitted = every status (an empty list matches nothing). */
  statuses?: readonly UnitStatus[];
  /** Also units with no agent (never taken, or offered again). @default false */
  includeUnassigned?: boolean;
  /** Where to go on: the previous page's `next`; null or omitted for the first page. */
  cursor?: string | null;
  /** Units per page, 1 to 10,000. @default 1000 */
  limit?: number;
}

/** A page of {@link Store.readUnitExportPage}. */
export interface UnitExportPage {
  rows: UnitExportRow[];
  /** Pass as `cursor` to read the next page; null when this page is the last. Opaque. */
  next: string | null;
}

/** The latest review decision recorded for a unit (its newest `worker_review` row with a status). */
export interface UnitExportReview {
  status: string;
  /** The review note given with the decision. */
  feedback: string | null;
  reviewedAt: Date;
}

/** A unit with everything an export shows about it, read in one page query. */
export interface UnitExportRow {
  unitId: string;
  assignmentId: string;
  taskRunId: string;
  taskId: string;
  unitIndex: number;
  status: UnitStatus;
  /** The unit's reward, dollars. */
  payAmount: number;
  /** The unit's current agent and worker (null when it has none). */
  agentId: string | null;
  agentStatus: AgentStatus | null;
  workerId: string | null;
  workerName: string | null;
  /** When the agent was created (the worker took the unit). */
  assignedAt: Date | null;
  /** When the agent submitted; null when it has not. */
  submittedAt: Date | null;
  /** What the agent submitted, as {@link Store.getAgentSubmission} returns it; null when nothing. */
  submission: unknown;
  /** The assignment's data (the input the worker saw), null when it has none. */
  inputData: unknown;
  /** Sum of the bonuses of the unit's `worker_review` rows, dollars (0 when none). */
  bonusTotal: number;
  latestReview: UnitExportReview | null;
}

/**
 * A run's submitted work not reviewed yet: its units in `completed`. Not spend (the payments ledger
 * is): what approving them all would add to it, before the platform's fees.
 */
export interface AwaitingReviewTotals {
  taskRunId: string;
  /** Units in `completed`. */
  units: number;
  /** Sum of their `payAmount`, dollars. */
  rewards: number;
}

/**
 * A provider's own record, kept in the run's database (table `provider_records`) so a crash loses
 * nothing: MTurk's HIT type and HITs, Prolific's study and submissions, keys of payments started.
 * Keyed by (provider type, kind, key); `data` is any JSON value.
 */
export interface ProviderRecord {
  providerType: string;
  /** What the record is, in the provider's words: `hit`, `hit_type`, `study`, `bonus`, … */
  kind: string;
  /** Unique within (providerType, kind): a HIT id, a unit id, an idempotency key, … */
  key: string;
  /** The run it belongs to, when it belongs to one (for listing a run's records). */
  taskRunId: string | null;
  /** The unit it belongs to, when it belongs to one. */
  unitId: string | null;
  data: unknown;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewProviderRecord {
  providerType: string;
  kind: string;
  key: string;
  taskRunId?: string | null;
  unitId?: string | null;
  /** Any JSON value (stored as JSON text). */
  data: unknown;
}

export interface ProviderRecordFilter {
  providerType: string;
  kind?: string;
  taskRunId?: string;
  unitId?: string;
}

/** A payments-ledger entry's kind: a unit's reward, a bonus, or the platform's fee on either. */
export type PaymentKind = 'reward' | 'bonus' | 'fee';
/**
 * `pending`: reserved before the provider was called (counts against the budget); `paid`: the provider
 * confirmed it; `manual`: owed, paid by hand (in-house); `failed`: the provider refused it (no longer
 * counts against the budget; a retry under the same key reserves it again).
 */
export type PaymentStatus = 'pending' | 'paid' | 'manual' | 'failed';

/** One entry of the payments ledger (table `payments`). */
export interface Payment {
  id: string;
  taskRunId: string;
  unitId: string | null;
  workerId: string | null;
  kind: PaymentKind;
  /** Whole cents, positive. */
  amountCents: number;
  /** Unique over the ledger: reserving the same key again returns this entry, never a second one. */
  idempotencyKey: string;
  providerType: string;
  /** The provider's reference for the payment (a bonus id, an assignment id), once it has one. */
  providerReference: string | null;
  status: PaymentStatus;
  /** Why a payment failed, or other notes for the requester. */
  note: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewPayment {
  unitId?: string | null;
  workerId?: string | null;
  kind: PaymentKind;
  amountCents: number;
  idempotencyKey: string;
}

export interface PaymentReservation {
  taskRunId: string;
  providerType: string;
  /**
   * The run's budget in whole cents, or null for none: the reservation is refused (BudgetExceededError,
   * nothing written) when the run's `pending`, `paid` and `manual` entries plus the new ones would
   * exceed it. Entries whose key is already in the ledger are not counted twice.
   */
  budgetCents: number | null;
  entries: readonly NewPayment[];
}

/** The provider's answer for ledger entries (a settlement without a reference keeps the one recorded). */
export interface PaymentSettlement {
  status: Exclude<PaymentStatus, 'pending'>;
  providerReference?: string | null;
  note?: string | null;
}

/** A run's ledger totals in whole cents, by status and by kind (failed entries are not spend). */
export interface RunSpendTotals {
  taskRunId: string;
  paidCents: number;
  pendingCents: number;
  manualCents: number;
  failedCents: number;
  /** `paid + pending + manual` per kind. */
  rewardCents: number;
  bonusCents: number;
  feeCents: number;
}

export interface Store {
  /** `sqlite` or `postgres`. */
  readonly dialect: 'sqlite' | 'postgres';
  /** Where the data is: a file path, `:memory:`, or a URL with any password removed. */
  readonly location: string;
  readonly clock: Clock;
  readonly ids: IdGenerator;

  // --- projects -------------------------------------------------------------------------------------
  /** Refuses `""` and `NO_PROJECT`; a taken name → AlreadyExists. */
  createProject(name: string): Promise<Project>;
  getProject(id: string): Promise<Project>;
  findProjects(filter?: { name?: string }): Promise<Project[]>;

  // --- tasks ----------------------------------------------------------------------------------------
  /** Refuses an empty name or type; a taken name → AlreadyExists; a missing project → NotFound(project). */
  createTask(task: NewTask): Promise<Task>;
  getTask(id: string): Promise<Task>;
  findTasks(filter?: { name?: string; projectId?: string | null }): Promise<Task[]>;
  /** Rename or move a task. Forbidden (TaskHasRunsError) once the task has a run. */
  updateTask(id: string, change: { name?: string; projectId?: string | null }): Promise<Task>;

  // --- requesters -----------------------------------------------------------------------------------
  createRequester(requester: { name: string; providerType: string }): Promise<Requester>;
  getRequester(id: string): Promise<Requester>;
  findRequesters(filter?: { name?: string; providerType?: string }): Promise<Requester[]>;

  // --- task runs ------------------------------------------------------------------------------------
  /** Starts incomplete. A missing task or requester → NotFound for it. */
  createTaskRun(run: NewTaskRun): Promise<TaskRun>;
  getTaskRun(id: string): Promise<TaskRun>;
  findTaskRuns(filter?: { taskId?: string; requesterId?: string; isCompleted?: boolean }): Promise<TaskRun[]>;
  setTaskRunCompleted(id: string, isCompleted: boolean): Promise<TaskRun>;

  // --- assignments and units ------------------------------------------------------------------------
  /** One assignment of a run; task, requester, types and sandbox are copied from the run. */
  createAssignment(taskRunId: string, assignment?: { data?: unknown }): Promise<Assignment>;
  /**
   * Creates many assignments and their units (status `created`, or as `options` says) in one
   * transaction, in batches. This is how a launcher creates a run's work: 100,000 units take well
   * under a second on SQLite.
   */
  createAssignmentsWithUnits(
    taskRunId: string,
    assignments: readonly NewAssignmentWithUnits[],
    options?: NewWorkOptions,
  ): Promise<{ assignments: Assignment[]; units: Unit[] }>;
  getAssignment(id: string): Promise<Assignment>;
  findAssignments(filter?: {
    taskRunId?: string;
    taskId?: string;
    requesterId?: string;
    taskType?: string;
    providerType?: string;
    sandbox?: boolean;
  }): Promise<Assignment[]>;

  /** A unit in status `created`; a taken (assignment, index) pair → AlreadyExists. */
  createUnit(unit: NewUnit): Promise<Unit>;
  getUnit(id: string): Promise<Unit>;
  findUnits(filter?: UnitFilter): Promise<Unit[]>;
  countUnits(filter?: UnitFilter): Promise<number>;
  /** Whether any unit matches; stops at the first, so it costs the same however many units match. */
  hasUnits(filter?: UnitFilter): Promise<boolean>;
  /**
   * Compare-and-set for changes that involve no agent: created ⇄ launched, → expired from created or
   * launched, and a resumed run's expired / rejected / soft_rejected → created (which detaches the old
   * agent). Entering `created` or `launched` clears `agentId` and `workerId`. Asking for a change into
   * or out of `assigned`/`completed`, or into a review status, is an InvalidArgument error: those go
   * through {@link createAgent} and {@link transitionAgent}.
   */
  transitionUnit(id: string, change: UnitTransition): Promise<Unit>;

  // --- workers --------------------------------------------------------------------------------------
  createWorker(worker: { name: string; providerType: string }): Promise<Worker>;
  /**
   * The worker named `worker.name`, created (with `worker.providerType`) if there is none, in one
   * operation: a worker's first request for work waits for the database once instead of twice (find,
   * then create). Race-safe: of concurrent calls for a new name exactly one creates the worker and all
   * return it. An existing worker is returned as it is, whatever `providerType` says.
   */
  findOrCreateWorker(worker: { name: string; providerType: string }): Promise<Worker>;
  getWorker(id: string): Promise<Worker>;
  findWorkers(filter?: { name?: string; providerType?: string }): Promise<Worker[]>;

  // --- agents ---------------------------------------------------------------------------------------
  /**
   * Creates the agent and, in the same transaction, moves its unit `launched → assigned` with the
   * agent and worker recorded. A unit that is not `launched` (already taken, expired, …) →
   * TransitionConflictError and no agent row.
   */
  createAgent(agent: NewAgent): Promise<Agent>;
  getAgent(id: string): Promise<Agent>;
  findAgents(filter?: AgentFilter): Promise<Agent[]>;
  /**
   * Compare-and-set on the agent; if the agent is still its unit's agent, the unit moves to
   * `UNIT_STATUS_FOR_AGENT[to]` in the same transaction (an abandoned agent puts the unit back on offer;
   * a completed one completes it; a review decides it). If the unit cannot follow (for example it
   * expired meanwhile) the whole change fails with TransitionConflictError for the unit.
   */
  transitionAgent(id: string, change: AgentTransition): Promise<AgentTransitionResult>;

  // --- onboarding agents ----------------------------------------------------------------------------
  /** Status `none`; task and task type are copied from the run. */
  createOnboardingAgent(agent: NewOnboardingAgent): Promise<OnboardingAgent>;
  getOnboardingAgent(id: string): Promise<OnboardingAgent>;
  findOnboardingAgents(filter?: {
    status?: StatusMatch<OnboardingAgentStatus>;
    workerId?: string;
    taskId?: string;
    taskRunId?: string;
    taskType?: string;
  }): Promise<OnboardingAgent[]>;
  transitionOnboardingAgent(
    id: string,
    change: { from: StatusMatch<OnboardingAgentStatus>; to: OnboardingAgentStatus },
  ): Promise<OnboardingAgent>;

  // --- qualifications -------------------------------------------------------------------------------
  createQualification(qualification: { name: string; description?: string | null }): Promise<Qualification>;
  getQualification(id: string): Promise<Qualification>;
  findQualifications(filter?: { name?: string }): Promise<Qualification[]>;
  updateQualification(
    id: string,
    change: { name?: string; description?: string | null },
  ): Promise<Qualification>;
  /** Deletes the qualification and every grant of it, in one transaction. */
  deleteQualification(id: string): Promise<void>;
  /**
   * Grants (insert) or re-grants (update the value and `updateDate`) a qualification. Granting the same
   * value again changes nothing.
   * @param value @default 1
   */
  grantQualification(grant: {
    qualificationId: string;
    workerId: string;
    value?: number;
  }): Promise<GrantedQualification>;
  /** NotFound(granted_qualification) when the worker has no grant of it. */
  getGrantedQualification(qualificationId: string, workerId: string): Promise<GrantedQualification>;
  findGrantedQualifications(filter?: {
    qualificationId?: string;
    workerId?: string;
    value?: number;
  }): Promise<GrantedQualification[]>;
  /** Removes the grant; returns whether there was one (revoking twice is not an error). */
  revokeQualification(qualificationId: string, workerId: string): Promise<boolean>;

  // --- worker reviews -------------------------------------------------------------------------------
  createWorkerReview(review: NewWorkerReview): Promise<WorkerReview>;
  findWorkerReviews(filter?: {
    workerId?: string;
    unitId?: string;
    taskId?: string;
  }): Promise<WorkerReview[]>;

  // --- engine support -------------------------------------------------------------------------------
  /**
   * Chooses a unit for a worker and creates its agent, in one transaction that serialises with every
   * other claim of the same worker (PostgreSQL: the worker row is locked; SQLite: write transactions are
   * exclusive), so no cap is exceeded under any interleaving. In order: store blocks (`blocked`),
   * `eligibility` (its answer, `blocked` or `not_qualified`), `allowedConcurrent` (`too_many_concurrent`),
   * `maximumUnitsPerWorker` counted from the units table across the task's runs (`max_for_task`), then
   * the first `launched` unit of the run (index ≥ 0, creation order) in an assignment where the worker
   * has no unit and that `accept` takes (`no_units` if none). Units locked by a concurrent claim are
   * skipped, not waited for. The agent is created as {@link createAgent} does. A missing run or worker
   * → NotFound.
   */
  claimUnit(request: ClaimRequest): Promise<ClaimResult>;
  /**
   * Records a submit: the agent moves from `in task` or `partner disconnect` to `completed` with its
   * data and submission date, and its unit to `completed`, in one transaction. Resolves once committed.
   * An agent in another status → TransitionConflictError (nothing stored).
   */
  submitAgent(agentId: string, data: unknown): Promise<AgentTransitionResult>;
  /** The agent's submission, or null when it has none. A missing agent → NotFound(agent). */
  getAgentSubmission(agentId: string): Promise<AgentSubmission | null>;
  /**
   * Compare-and-set of many units at once, with the rules of {@link transitionUnit}; units not in an
   * expected status (or missing) are skipped. Returns the units moved, in the order of `ids`.
   */
  transitionUnits(ids: readonly string[], change: UnitTransition): Promise<Unit[]>;
  /** Units matching `filter`, counted per status (every status present, 0 when none). */
  countUnitsByStatus(filter?: UnitFilter): Promise<Record<UnitStatus, number>>;
  /**
   * Blocks a worker for every requester (`requesterId` null or omitted) or one. Blocking again with the
   * same scope returns the existing block. A missing worker or requester → NotFound.
   */
  blockWorker(block: {
    workerId: string;
    requesterId?: string | null;
    reason?: string | null;
  }): Promise<WorkerBlock>;
  /** Removes the worker's blocks of that scope; returns whether there was one. */
  unblockWorker(workerId: string, requesterId?: string | null): Promise<boolean>;
  /** Whether a block applies to the worker for `requesterId` (a block for every requester always does). */
  isWorkerBlocked(workerId: string, requesterId?: string | null): Promise<boolean>;
  findWorkerBlocks(filter?: { workerId?: string; requesterId?: string | null }): Promise<WorkerBlock[]>;
  /** A missing run → NotFound(task_run). */
  getTaskRunState(taskRunId: string): Promise<TaskRunState>;
  /** Applies `change` in one statement; returns the new state. A missing run → NotFound(task_run). */
  updateTaskRunState(taskRunId: string, change: TaskRunStateChange): Promise<TaskRunState>;

  // --- provider records -----------------------------------------------------------------------------
  /** Inserts the record, or replaces the data (and run/unit) of the record with its key. */
  putProviderRecord(record: NewProviderRecord): Promise<ProviderRecord>;
  /**
   * Inserts the record only if none has its (providerType, kind, key); `created` says which happened and
   * `record` is the one stored. Concurrent inserts of one key: exactly one creates. The way to claim a
   * key before a non-idempotent platform call.
   */
  insertProviderRecord(record: NewProviderRecord): Promise<{ created: boolean; record: ProviderRecord }>;
  getProviderRecord(providerType: string, kind: string, key: string): Promise<ProviderRecord | null>;
  /** Records matching the filter, oldest first. */
  findProviderRecords(filter: ProviderRecordFilter): Promise<ProviderRecord[]>;
  /** Returns whether there was a record to delete. */
  deleteProviderRecord(providerType: string, kind: string, key: string): Promise<boolean>;

  // --- payments ledger ------------------------------------------------------------------------------
  /**
   * Reserves payments as `pending` in one transaction, under the run's budget (see
   * {@link PaymentReservation}). Idempotent by key: an entry whose key exists is returned as stored (a
   * `failed` one becomes `pending` again, so a retry is counted and tried again). A missing run →
   * NotFound(task_run); an amount that is not a positive whole number of cents → InvalidArgument.
   */
  reservePayments(reservation: PaymentReservation): Promise<Payment[]>;
  /** Records the provider's answer for the entries with these keys; keys not in the ledger are ignored. */
  settlePayments(idempotencyKeys: readonly string[], outcome: PaymentSettlement): Promise<Payment[]>;
  findPayments(filter?: {
    taskRunId?: string;
    workerId?: string;
    unitId?: string;
    status?: PaymentStatus;
  }): Promise<Payment[]>;
  /** Ledger totals per run (every run with entries when `taskRunIds` is omitted). */
  sumPayments(taskRunIds?: readonly string[]): Promise<RunSpendTotals[]>;

  // --- export ---------------------------------------------------------------------------------------
  /**
   * One page of a run's units for an export, ordered by unit id (numerically): at most `limit` units
   * matching the query, each joined with its agent, worker, assignment data, bonus total and latest
   * review. Read on with `cursor: page.next` until `next` is null. Every unit is returned at most once
   * even if its status changes meanwhile (paging is by id, never by status); a unit is returned as it
   * is when its page is read (each page is one statement); units added to the run after the first
   * page are not returned. Memory is bounded by the page, whatever the size of the run. A missing run
   * → NotFound(task_run); a cursor this method did not produce → InvalidArgument.
   */
  readUnitExportPage(query: UnitExportQuery): Promise<UnitExportPage>;
  /**
   * Submitted work awaiting review per run (see {@link AwaitingReviewTotals}): runs with none, and
   * unknown ids, are left out. Reads only the `completed` units of the runs named (by the run and
   * status index); every run's when `taskRunIds` is omitted.
   */
  sumAwaitingReview(taskRunIds?: readonly string[]): Promise<AwaitingReviewTotals[]>;

  // --- review ---------------------------------------------------------------------------------------
  /** Review actions, their idempotency records, and the reads of the review app and monitor. */
  readonly review: ReviewStore;

  // --- administration -------------------------------------------------------------------------------
  /** Rows per table (core tables and provider tables). */
  countRows(): Promise<TableCounts>;
  schemaStatus(): Promise<SchemaStatus>;
  /** Applies pending migrations (opening a store does this unless told not to); returns their names. */
  migrate(): Promise<string[]>;
  /** Releases connections. Idempotent. */
  close(): Promise<void>;
}

// --- review (src/review drives these; contract below) -------------------------------------------------

/** Actions on a unit. */
export type UnitReviewActionKind = 'approve' | 'reject' | 'soft_reject' | 'bonus';
/** Actions on a worker (a grant or revoke targets one worker's grant of one qualification). */
export type WorkerReviewActionKind = 'block' | 'unblock' | 'grant' | 'revoke';
export type ReviewActionKind = UnitReviewActionKind | WorkerReviewActionKind;

/** What an action did to its target: changed it, found it already so, or could not apply. */
export type ReviewOutcome = 'applied' | 'skipped' | 'refused';

/**
 * Where the provider's part of an applied action stands (approve, reject, bonus, block and unblock
 * have one; grants and skipped or refused actions have `none`):
 * - `pending`: recorded, and the provider not (known to be) told yet. Whoever finds it pending calls
 *   the provider again *with the same idempotency key*, which the provider must honour.
 * - `done`: the provider did it. `manual`: the provider has no API for it and the requester does it by
 *   hand (an in-house bonus is owed). `failed`: the provider refused; `deliveryDetail` says why.
 */
export type ReviewDelivery = 'none' | 'pending' | 'done' | 'manual' | 'failed';

/** One review action on one target, as recorded (table `review_actions`). */
export interface ReviewActionRecord {
  id: string;
  /** The client's key; unique together with `target`. */
  idempotencyKey: string;
  /** `unit:<id>`, `worker:<id>` or `grant:<qualification id>:<worker id>`. */
  target: string;
  /** The fingerprint of the request that made the record (see {@link ReviewStore}). */
  requestHash: string;
  action: ReviewActionKind;
  outcome: ReviewOutcome;
  /** For `refused`: the MephistoError code; null otherwise. */
  code: string | null;
  /** For `skipped` and `refused`: why, for people. */
  message: string | null;
  unitId: string | null;
  workerId: string | null;
  taskId: string | null;
  taskRunId: string | null;
  qualificationId: string | null;
  /** A bonus's amount, dollars. */
  amount: number | null;
  /** A grant's value. */
  value: number | null;
  /** Feedback to the worker, or a bonus's or a block's reason. */
  feedback: string | null;
  /** The `worker_review` row an applied action wrote, if any. */
  workerReviewId: string | null;
  delivery: ReviewDelivery;
  deliveryDetail: string | null;
  creationDate: Date;
  /** Last change of `delivery`. */
  updateDate: Date;
}

/** The answer to an action request: the record, and whether an earlier request made it. */
export interface ReviewActionAnswer {
  record: ReviewActionRecord;
  /** True when the record was found under the key (nothing was done now). */
  replayed: boolean;
}

/** What to do with one unit, decided by the caller from the unit as locked in the transaction. */
export type UnitReviewDecision =
  /** Move the unit (and its agent, to the matching agent status) into a review status. */
  | { kind: 'transition'; to: 'accepted' | 'rejected' | 'soft_rejected' }
  /** Record the request's bonus for the unit's worker; the unit's status does not change. */
  | { kind: 'bonus' }
  /** Change nothing: already done (`skip`), or not allowed (`refuse`, with a MephistoError code). */
  | { kind: 'skip'; message: string }
  | { kind: 'refuse'; code: string; message: string };

export interface UnitReviewRequest {
  idempotencyKey: string;
  /** The request's fingerprint: the same key with another fingerprint is refused, not replayed. */
  requestHash: string;
  action: UnitReviewActionKind;
  /** Units to act on; each is its own target under the key. Duplicates are acted on once. */
  unitIds: readonly string[];
  /** Feedback to the worker (approve, reject, soft_reject) or the bonus's reason. */
  feedback: string | null;
  /** Bonus amount in dollars (action `bonus`). */
  amount?: number | null;
  /** Called inside the transaction, synchronously, once per unit not yet recorded under the key. */
  decide(unit: Unit): UnitReviewDecision;
}

export interface WorkerReviewRequest {
  idempotencyKey: string;
  requestHash: string;
  action: WorkerReviewActionKind;
  workerId: string;
  /** A block's reason (recorded on the block and its `worker_review` row). */
  reason?: string | null;
  /** For grant and revoke. */
  qualificationId?: string;
  /** For grant. @default 1 */
  value?: number;
}

/** A unit as the review lists show it: with its worker's name and its agent's dates. */
export interface ReviewUnitRow {
  unit: Unit;
  workerName: string | null;
  /** When the current agent took the unit; null without an agent. */
  assignedAt: Date | null;
  /** When the current agent submitted; null when it has not. */
  submittedAt: Date | null;
}

export interface ReviewUnitQuery {
  taskRunId: string;
  /** Only these statuses; omitted = every status (an empty list matches nothing). */
  statuses?: readonly UnitStatus[];
  workerId?: string;
  /** A unit id, or text found (case-insensitively) in the worker's name. */
  search?: string;
  /** Keyset: only units after this one in (creation date, id) order. */
  after?: { creationDate: Date; unitId: string };
  /** 1 to 1,000. */
  limit: number;
}

/** Units and their rewards of one run, by status (every status present). Spend is the payments ledger's. */
export interface RunReviewStats {
  taskRunId: string;
  unitsByStatus: Record<UnitStatus, number>;
  /** Sum of `payAmount` per status, dollars. */
  payByStatus: Record<UnitStatus, number>;
  /** When the run ended (TaskRunState.end), or null. */
  endedAt: Date | null;
}

/** What the monitor compares to see whether a run changed, read with a few index-only queries. */
export interface RunMonitorProbe {
  unitsByStatus: Record<UnitStatus, number>;
  /** Newest submission of the run (epoch ms), or null. */
  lastSubmittedAt: number | null;
  /** Review actions and activity entries of the run so far (they are only ever added). */
  actions: number;
  activity: number;
  /** When the run ended (epoch ms), or null while it runs. */
  endedAt: number | null;
  /** The run's payments-ledger entries per status (a reservation or a settlement changes them). */
  payments: Record<PaymentStatus, number>;
}

export type RunActivityKind = 'refusal' | 'error';

export interface NewRunActivity {
  taskRunId: string;
  kind: RunActivityKind;
  /** A refusal code (run/refusals.ts) or a MephistoError code. */
  code: string;
  message: string;
  workerName?: string | null;
  /** @default the store clock's now */
  at?: Date;
}

export interface RunActivity {
  id: string;
  taskRunId: string;
  kind: RunActivityKind;
  code: string;
  message: string;
  workerName: string | null;
  at: Date;
}

/** A worker with their units (of one task, or all) counted per status. */
export interface WorkerSummary {
  worker: Worker;
  unitsByStatus: Record<UnitStatus, number>;
  /** Rewards of accepted and soft-rejected units plus bonuses, dollars. */
  earned: number;
  blocked: boolean;
}

/**
 * Review actions and what the review app and the monitor read.
 *
 * **Idempotency.** Every action carries the client's key. A record is kept per (key, target) under a
 * UNIQUE constraint, written in the same transaction as the action's effects (the unit and agent
 * status, the `worker_review` row, the block or grant): so an action is applied at most once per key,
 * and a request that finds its key already recorded for a target gets that record back
 * (`replayed: true`) and changes nothing, whether it came later or concurrently (the loser of a race
 * waits for the winner's commit, then replays). A key found with another `requestHash` →
 * MEPHISTO_ERR_REVIEW_KEY_REUSED and nothing is done. Skipped and refused outcomes are recorded too,
 * so a retry gets the same answer.
 *
 * **Provider calls** are not the store's: an applied action that needs one is recorded with delivery
 * `pending`; the caller then calls the provider with the key and records the result with
 * {@link ReviewStore.setReviewDelivery}. A crash in between leaves `pending`, found by
 * `findReviewActions({ delivery: 'pending' })`.
 */
export interface ReviewStore {
  /**
   * Acts on each unit in one transaction per batch of units (all locked first, in id order), in the
   * order given. For each unit: a record under the key → replayed; a missing unit → a `refused` record
   * with MEPHISTO_ERR_UNIT_NOT_FOUND; else `decide(unit)`: a transition moves the unit and its agent
   * compare-and-set (the core transition tables must allow both) and writes a `worker_review` row with
   * the agent status and the feedback; a bonus writes a `worker_review` row with the amount for the
   * unit's worker. Returns one answer per distinct unit id, in order.
   */
  applyUnitReviews(request: UnitReviewRequest): Promise<ReviewActionAnswer[]>;
  /**
   * Blocks (every requester), unblocks (every block of the worker), grants or revokes, in one
   * transaction with the worker locked. Already so (blocked, not blocked, same value, no grant) →
   * `skipped`. Applied block, grant and revoke write a `worker_review` row. A missing worker or
   * qualification → NotFound (no record).
   */
  applyWorkerReview(request: WorkerReviewRequest): Promise<ReviewActionAnswer>;
  /** Records the provider call's result. A missing record → InvalidArgument. */
  setReviewDelivery(
    actionId: string,
    delivery: ReviewDelivery,
    detail: string | null,
  ): Promise<ReviewActionRecord>;
  /** Records many provider calls' results, in few statements (a bulk action's). Unknown ids are ignored. */
  setReviewDeliveries(
    updates: readonly { actionId: string; delivery: ReviewDelivery; detail: string | null }[],
  ): Promise<void>;
  /**
   * The units that exist among `unitIds` (in that order) with their current agent and worker (null
   * when none): what a provider call names. Three statements whatever the count.
   */
  getReviewedWork(
    unitIds: readonly string[],
  ): Promise<{ unit: Unit; agent: Agent | null; worker: Worker | null }[]>;
  /** Records matching every given field, oldest first. */
  findReviewActions(filter: {
    unitIds?: readonly string[];
    workerId?: string;
    taskRunId?: string;
    idempotencyKey?: string;
    action?: ReviewActionKind;
    outcome?: ReviewOutcome;
    delivery?: ReviewDelivery;
    /** At most this many (the oldest). */
    limit?: number;
  }): Promise<ReviewActionRecord[]>;

  /**
   * A page of a run's units in (creation date, id) order. Stays fast on large runs: with no worker and
   * no search each status is read from the (run, status, creation date, id) index and merged.
   */
  listReviewUnits(query: ReviewUnitQuery): Promise<{ rows: ReviewUnitRow[]; more: boolean }>;
  /** Units matching the query's filters (its `after` and `limit` are ignored). */
  countReviewUnits(query: Omit<ReviewUnitQuery, 'after' | 'limit'>): Promise<number>;
  /** The units that exist among `unitIds`, in that order. */
  getReviewUnits(unitIds: readonly string[]): Promise<ReviewUnitRow[]>;
  /** The worker's units (those they hold or held at the end) across every task, newest first. */
  findWorkerUnits(workerId: string, limit: number): Promise<(ReviewUnitRow & { taskName: string })[]>;
  /** Stats of the given runs (all runs when omitted), in the order of the runs' creation. */
  reviewRunStats(taskRunIds?: readonly string[]): Promise<RunReviewStats[]>;
  /** Workers with their unit counts, every worker or those who took a unit of `taskId`, by name. */
  listWorkerSummaries(filter?: { taskId?: string; workerId?: string }): Promise<WorkerSummary[]>;

  /** The monitor's change check. A missing run → NotFound(task_run). */
  probeRun(taskRunId: string): Promise<RunMonitorProbe>;
  /** Submissions of the run per minute since `sinceMs` (minutes without any are left out), oldest first. */
  submissionsPerMinute(taskRunId: string, sinceMs: number): Promise<{ minute: number; count: number }[]>;
  /** Distinct workers holding an `assigned` unit of the run. */
  countActiveWorkers(taskRunId: string): Promise<number>;
  /**
   * Appends to the run's activity log, in one transaction; then, when `keep` is given, keeps only the
   * newest `keep` entries per run and kind. A missing run fails the whole batch (the callers' log is
   * best effort and drops it).
   */
  recordRunActivity(entries: readonly NewRunActivity[], options?: { keep?: number }): Promise<void>;
  /** The run's newest entries of `kind`, newest first. */
  findRunActivity(taskRunId: string, kind: RunActivityKind, limit: number): Promise<RunActivity[]>;
}
