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
}

export type ClaimResult =
  | { ok: true; agent: Agent; unit: Unit }
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
   * Creates many assignments and their units (status `created`) in one transaction, in batches. This is
   * how a launcher creates a run's work: 100,000 units take well under a second on SQLite.
   */
  createAssignmentsWithUnits(
    taskRunId: string,
    assignments: readonly NewAssignmentWithUnits[],
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

  // --- administration -------------------------------------------------------------------------------
  /** Rows per table (core tables and provider tables). */
  countRows(): Promise<TableCounts>;
  schemaStatus(): Promise<SchemaStatus>;
  /** Applies pending migrations (opening a store does this unless told not to); returns their names. */
  migrate(): Promise<string[]>;
  /** Releases connections. Idempotent. */
  close(): Promise<void>;
}
