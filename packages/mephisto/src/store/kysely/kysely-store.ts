/**
 * The Store on Kysely: one query code for SQLite and PostgreSQL. This class only routes each call to
 * the module that implements it (catalog, runs, agents, qualifications, schema-migrations) and gives
 * every call the same envelope: refused once closed, and a lost connection reported as
 * MEPHISTO_ERR_STORE_CONNECTION.
 */
import {
  MephistoError,
  type Agent,
  type Assignment,
  type Clock,
  type GrantedQualification,
  type IdGenerator,
  type OnboardingAgent,
  type OnboardingAgentStatus,
  type Project,
  type Qualification,
  type Requester,
  type Task,
  type TaskRun,
  type Unit,
  type UnitStatus,
  type Worker,
  type WorkerReview,
} from '../../core/index.js';
import type {
  AgentFilter,
  AgentSubmission,
  ClaimRequest,
  ClaimResult,
  TaskRunState,
  TaskRunStateChange,
  WorkerBlock,
  AgentTransition,
  AgentTransitionResult,
  NewAgent,
  NewAssignmentWithUnits,
  NewOnboardingAgent,
  NewTask,
  NewTaskRun,
  NewUnit,
  NewWorkOptions,
  NewWorkerReview,
  SchemaStatus,
  StatusMatch,
  Store,
  TableCounts,
  NewProviderRecord,
  Payment,
  PaymentReservation,
  PaymentSettlement,
  PaymentStatus,
  ProviderRecord,
  ProviderRecordFilter,
  RunSpendTotals,
  AwaitingReviewTotals,
  UnitExportQuery,
  UnitExportPage,
  UnitFilter,
  UnitTransition,
} from '../store.js';
import * as agents from './agents.js';
import * as claims from './claims.js';
import * as runState from './run-state.js';
import * as submissions from './submissions.js';
import * as unitBatches from './unit-batches.js';
import * as workerBlocks from './worker-blocks.js';
import * as payments from './payments.js';
import * as providerRecords from './provider-records.js';
import { KyselyReviewStore } from './review-store.js';
import * as exportSpend from './export-spend.js';
import * as exportUnits from './export-units.js';
import * as catalog from './catalog.js';
import { mapDriverError } from './db-errors.js';
import * as qualifications from './qualifications.js';
import * as runs from './runs.js';
import * as schema from './schema-migrations.js';
import type { StoreBackend } from './store-backend.js';
import type { StoreContext } from './store-context.js';

export class KyselyStore implements Store {
  readonly dialect: 'sqlite' | 'postgres';
  readonly location: string;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Review actions and reads (review-store.ts), through the same envelope as every call here. */
  readonly review: KyselyReviewStore;
  readonly #backend: StoreBackend;
  readonly #ctx: StoreContext;
  #closing: Promise<void> | undefined;

  constructor(backend: StoreBackend, clock: Clock, ids: IdGenerator) {
    this.dialect = backend.dialect;
    this.location = backend.location;
    this.clock = clock;
    this.ids = ids;
    this.#backend = backend;
    this.#ctx = { backend, db: backend.db, dialect: backend.dialect, clock, ids };
    this.review = new KyselyReviewStore((operation) => this.#call(operation));
  }

  async #call<T>(operation: (ctx: StoreContext) => Promise<T>): Promise<T> {
    if (this.#closing) {
      throw new MephistoError('MEPHISTO_ERR_STORE_CONNECTION', `the store at ${this.location} is closed`);
    }
    try {
      return await this.#backend.call(() => operation(this.#ctx));
    } catch (error) {
      throw mapDriverError(error, this.location);
    }
  }

  // --- projects, tasks, requesters, workers ------------------------------------------------------------

  createProject(name: string): Promise<Project> {
    return this.#call((ctx) => catalog.createProject(ctx, name));
  }
  getProject(id: string): Promise<Project> {
    return this.#call((ctx) => catalog.getProject(ctx, id));
  }
  findProjects(filter?: { name?: string }): Promise<Project[]> {
    return this.#call((ctx) => catalog.findProjects(ctx, filter));
  }

  createTask(task: NewTask): Promise<Task> {
    return this.#call((ctx) => catalog.createTask(ctx, task));
  }
  getTask(id: string): Promise<Task> {
    return this.#call((ctx) => catalog.getTask(ctx, id));
  }
  findTasks(filter?: { name?: string; projectId?: string | null }): Promise<Task[]> {
    return this.#call((ctx) => catalog.findTasks(ctx, filter));
  }
  updateTask(id: string, change: { name?: string; projectId?: string | null }): Promise<Task> {
    return this.#call((ctx) => catalog.updateTask(ctx, id, change));
  }

  createRequester(requester: { name: string; providerType: string }): Promise<Requester> {
    return this.#call((ctx) => catalog.createRequester(ctx, requester));
  }
  getRequester(id: string): Promise<Requester> {
    return this.#call((ctx) => catalog.getRequester(ctx, id));
  }
  findRequesters(filter?: { name?: string; providerType?: string }): Promise<Requester[]> {
    return this.#call((ctx) => catalog.findRequesters(ctx, filter));
  }

  createWorker(worker: { name: string; providerType: string }): Promise<Worker> {
    return this.#call((ctx) => catalog.createWorker(ctx, worker));
  }
  findOrCreateWorker(worker: { name: string; providerType: string }): Promise<Worker> {
    return this.#call((ctx) => catalog.findOrCreateWorker(ctx, worker));
  }
  getWorker(id: string): Promise<Worker> {
    return this.#call((ctx) => catalog.getWorker(ctx, id));
  }
  findWorkers(filter?: { name?: string; providerType?: string }): Promise<Worker[]> {
    return this.#call((ctx) => catalog.findWorkers(ctx, filter));
  }

  // --- task runs, assignments, units ---------------------------------------------------------------

  createTaskRun(run: NewTaskRun): Promise<TaskRun> {
    return this.#call((ctx) => runs.createTaskRun(ctx, run));
  }
  getTaskRun(id: string): Promise<TaskRun> {
    return this.#call((ctx) => runs.getTaskRun(ctx, id));
  }
  findTaskRuns(filter?: {
    taskId?: string;
    requesterId?: string;
    isCompleted?: boolean;
  }): Promise<TaskRun[]> {
    return this.#call((ctx) => runs.findTaskRuns(ctx, filter));
  }
  setTaskRunCompleted(id: string, isCompleted: boolean): Promise<TaskRun> {
    return this.#call((ctx) => runs.setTaskRunCompleted(ctx, id, isCompleted));
  }

  createAssignment(taskRunId: string, assignment?: { data?: unknown }): Promise<Assignment> {
    return this.#call((ctx) => runs.createAssignment(ctx, taskRunId, assignment));
  }
  createAssignmentsWithUnits(
    taskRunId: string,
    assignments: readonly NewAssignmentWithUnits[],
    options?: NewWorkOptions,
  ): Promise<{ assignments: Assignment[]; units: Unit[] }> {
    return this.#call((ctx) => runs.createAssignmentsWithUnits(ctx, taskRunId, assignments, options));
  }
  getAssignment(id: string): Promise<Assignment> {
    return this.#call((ctx) => runs.getAssignment(ctx, id));
  }
  findAssignments(filter?: runs.AssignmentFilter): Promise<Assignment[]> {
    return this.#call((ctx) => runs.findAssignments(ctx, filter));
  }

  createUnit(unit: NewUnit): Promise<Unit> {
    return this.#call((ctx) => runs.createUnit(ctx, unit));
  }
  getUnit(id: string): Promise<Unit> {
    return this.#call((ctx) => runs.getUnit(ctx, id));
  }
  findUnits(filter?: UnitFilter): Promise<Unit[]> {
    return this.#call((ctx) => runs.findUnits(ctx, filter));
  }
  countUnits(filter?: UnitFilter): Promise<number> {
    return this.#call((ctx) => runs.countUnits(ctx, filter));
  }
  hasUnits(filter?: UnitFilter): Promise<boolean> {
    return this.#call((ctx) => runs.hasUnits(ctx, filter));
  }
  transitionUnit(id: string, change: UnitTransition): Promise<Unit> {
    return this.#call((ctx) => agents.transitionUnit(ctx, id, change));
  }

  // --- agents --------------------------------------------------------------------------------------

  createAgent(agent: NewAgent): Promise<Agent> {
    return this.#call((ctx) => agents.createAgent(ctx, agent));
  }
  getAgent(id: string): Promise<Agent> {
    return this.#call((ctx) => agents.getAgent(ctx, id));
  }
  findAgents(filter?: AgentFilter): Promise<Agent[]> {
    return this.#call((ctx) => agents.findAgents(ctx, filter));
  }
  transitionAgent(id: string, change: AgentTransition): Promise<AgentTransitionResult> {
    return this.#call((ctx) => agents.transitionAgent(ctx, id, change));
  }

  createOnboardingAgent(agent: NewOnboardingAgent): Promise<OnboardingAgent> {
    return this.#call((ctx) => agents.createOnboardingAgent(ctx, agent));
  }
  getOnboardingAgent(id: string): Promise<OnboardingAgent> {
    return this.#call((ctx) => agents.getOnboardingAgent(ctx, id));
  }
  findOnboardingAgents(filter?: agents.OnboardingAgentFilter): Promise<OnboardingAgent[]> {
    return this.#call((ctx) => agents.findOnboardingAgents(ctx, filter));
  }
  transitionOnboardingAgent(
    id: string,
    change: { from: StatusMatch<OnboardingAgentStatus>; to: OnboardingAgentStatus },
  ): Promise<OnboardingAgent> {
    return this.#call((ctx) => agents.transitionOnboardingAgent(ctx, id, change));
  }

  // --- qualifications and reviews ------------------------------------------------------------------

  createQualification(qualification: { name: string; description?: string | null }): Promise<Qualification> {
    return this.#call((ctx) => qualifications.createQualification(ctx, qualification));
  }
  getQualification(id: string): Promise<Qualification> {
    return this.#call((ctx) => qualifications.getQualification(ctx, id));
  }
  findQualifications(filter?: { name?: string }): Promise<Qualification[]> {
    return this.#call((ctx) => qualifications.findQualifications(ctx, filter));
  }
  updateQualification(
    id: string,
    change: { name?: string; description?: string | null },
  ): Promise<Qualification> {
    return this.#call((ctx) => qualifications.updateQualification(ctx, id, change));
  }
  deleteQualification(id: string): Promise<void> {
    return this.#call((ctx) => qualifications.deleteQualification(ctx, id));
  }
  grantQualification(grant: {
    qualificationId: string;
    workerId: string;
    value?: number;
  }): Promise<GrantedQualification> {
    return this.#call((ctx) => qualifications.grantQualification(ctx, grant));
  }
  getGrantedQualification(qualificationId: string, workerId: string): Promise<GrantedQualification> {
    return this.#call((ctx) => qualifications.getGrantedQualification(ctx, qualificationId, workerId));
  }
  findGrantedQualifications(filter?: {
    qualificationId?: string;
    workerId?: string;
    value?: number;
  }): Promise<GrantedQualification[]> {
    return this.#call((ctx) => qualifications.findGrantedQualifications(ctx, filter));
  }
  revokeQualification(qualificationId: string, workerId: string): Promise<boolean> {
    return this.#call((ctx) => qualifications.revokeQualification(ctx, qualificationId, workerId));
  }

  createWorkerReview(review: NewWorkerReview): Promise<WorkerReview> {
    return this.#call((ctx) => qualifications.createWorkerReview(ctx, review));
  }
  findWorkerReviews(filter?: {
    workerId?: string;
    unitId?: string;
    taskId?: string;
  }): Promise<WorkerReview[]> {
    return this.#call((ctx) => qualifications.findWorkerReviews(ctx, filter));
  }

  // --- engine support ------------------------------------------------------------------------------

  claimUnit(request: ClaimRequest): Promise<ClaimResult> {
    return this.#call((ctx) => claims.claimUnit(ctx, request));
  }
  submitAgent(agentId: string, data: unknown): Promise<AgentTransitionResult> {
    return this.#call((ctx) => submissions.submitAgent(ctx, agentId, data));
  }
  getAgentSubmission(agentId: string): Promise<AgentSubmission | null> {
    return this.#call((ctx) => submissions.getAgentSubmission(ctx, agentId));
  }
  transitionUnits(ids: readonly string[], change: UnitTransition): Promise<Unit[]> {
    return this.#call((ctx) => unitBatches.transitionUnits(ctx, ids, change));
  }
  /**
   * Engine-internal (not part of {@link Store}): the launcher's `created → launched` for units it
   * holds, without reading the rows back; see unitBatches.launchCreatedUnits.
   */
  launchCreatedUnits(units: readonly Unit[]): Promise<Unit[]> {
    return this.#call((ctx) => unitBatches.launchCreatedUnits(ctx, units));
  }
  countUnitsByStatus(filter?: UnitFilter): Promise<Record<UnitStatus, number>> {
    return this.#call((ctx) => unitBatches.countUnitsByStatus(ctx, filter));
  }
  blockWorker(block: {
    workerId: string;
    requesterId?: string | null;
    reason?: string | null;
  }): Promise<WorkerBlock> {
    return this.#call((ctx) => workerBlocks.blockWorker(ctx, block));
  }
  unblockWorker(workerId: string, requesterId?: string | null): Promise<boolean> {
    return this.#call((ctx) => workerBlocks.unblockWorker(ctx, workerId, requesterId));
  }
  isWorkerBlocked(workerId: string, requesterId?: string | null): Promise<boolean> {
    return this.#call((ctx) => workerBlocks.isWorkerBlocked(ctx, workerId, requesterId));
  }
  findWorkerBlocks(filter?: { workerId?: string; requesterId?: string | null }): Promise<WorkerBlock[]> {
    return this.#call((ctx) => workerBlocks.findWorkerBlocks(ctx, filter));
  }
  getTaskRunState(taskRunId: string): Promise<TaskRunState> {
    return this.#call((ctx) => runState.getTaskRunState(ctx, taskRunId));
  }
  updateTaskRunState(taskRunId: string, change: TaskRunStateChange): Promise<TaskRunState> {
    return this.#call((ctx) => runState.updateTaskRunState(ctx, taskRunId, change));
  }

  // --- export --------------------------------------------------------------------------------------

  readUnitExportPage(query: UnitExportQuery): Promise<UnitExportPage> {
    return this.#call((ctx) => exportUnits.readUnitExportPage(ctx, query));
  }
  putProviderRecord(record: NewProviderRecord): Promise<ProviderRecord> {
    return this.#call((ctx) => providerRecords.putProviderRecord(ctx, record));
  }
  insertProviderRecord(record: NewProviderRecord): Promise<{ created: boolean; record: ProviderRecord }> {
    return this.#call((ctx) => providerRecords.insertProviderRecord(ctx, record));
  }
  getProviderRecord(providerType: string, kind: string, key: string): Promise<ProviderRecord | null> {
    return this.#call((ctx) => providerRecords.getProviderRecord(ctx, providerType, kind, key));
  }
  findProviderRecords(filter: ProviderRecordFilter): Promise<ProviderRecord[]> {
    return this.#call((ctx) => providerRecords.findProviderRecords(ctx, filter));
  }
  deleteProviderRecord(providerType: string, kind: string, key: string): Promise<boolean> {
    return this.#call((ctx) => providerRecords.deleteProviderRecord(ctx, providerType, kind, key));
  }
  reservePayments(reservation: PaymentReservation): Promise<Payment[]> {
    return this.#call((ctx) => payments.reservePayments(ctx, reservation));
  }
  settlePayments(idempotencyKeys: readonly string[], outcome: PaymentSettlement): Promise<Payment[]> {
    return this.#call((ctx) => payments.settlePayments(ctx, idempotencyKeys, outcome));
  }
  findPayments(filter?: {
    taskRunId?: string;
    workerId?: string;
    unitId?: string;
    status?: PaymentStatus;
  }): Promise<Payment[]> {
    return this.#call((ctx) => payments.findPayments(ctx, filter));
  }
  sumPayments(taskRunIds?: readonly string[]): Promise<RunSpendTotals[]> {
    return this.#call((ctx) => payments.sumPayments(ctx, taskRunIds));
  }
  sumAwaitingReview(taskRunIds?: readonly string[]): Promise<AwaitingReviewTotals[]> {
    return this.#call((ctx) => exportSpend.sumAwaitingReview(ctx, taskRunIds));
  }

  // --- administration ------------------------------------------------------------------------------

  countRows(): Promise<TableCounts> {
    return this.#call(() => schema.countRows(this.#backend));
  }
  schemaStatus(): Promise<SchemaStatus> {
    return this.#call(() => schema.schemaStatus(this.#backend));
  }
  migrate(): Promise<string[]> {
    return this.#call(() => schema.migrate(this.#backend));
  }

  /** Idempotent: every call returns the same promise, settled once the connections are released. */
  close(): Promise<void> {
    this.#closing ??= this.#backend.destroy();
    return this.#closing;
  }
}
