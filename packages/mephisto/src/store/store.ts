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

  // --- administration -------------------------------------------------------------------------------
  /** Rows per table (core tables and provider tables). */
  countRows(): Promise<TableCounts>;
  schemaStatus(): Promise<SchemaStatus>;
  /** Applies pending migrations (opening a store does this unless told not to); returns their names. */
  migrate(): Promise<string[]>;
  /** Releases connections. Idempotent. */
  close(): Promise<void>;
}
