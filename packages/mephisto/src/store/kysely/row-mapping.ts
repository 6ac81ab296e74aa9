/**
 * The one place where database rows become entities and entity values become query parameters.
 *
 * Both drivers differ in what they hand back (see schema.ts): SQLite returns every integer as a
 * `bigint` (safe-integer mode) and booleans as 0/1; pg returns int8 as a decimal string, int4 and
 * float8 as numbers and booleans as booleans. Everything here accepts either form, so the queries never
 * care which database they ran on.
 */
import type { Selectable } from 'kysely';
import type {
  Agent,
  AgentStatus,
  Assignment,
  GrantedQualification,
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
} from '../../core/index.js';
import { InvalidArgumentError } from '../../core/index.js';
import type {
  AgentsTable,
  AssignmentsTable,
  DbBool,
  DbBoolParam,
  DbInt,
  GrantedQualificationsTable,
  OnboardingAgentsTable,
  ProjectsTable,
  QualificationsTable,
  RequestersTable,
  TaskRunsTable,
  TasksTable,
  UnitsTable,
  WorkerReviewTable,
  WorkersTable,
} from './schema.js';
import type { StoreDialect } from './store-backend.js';
import { label, type Label } from './validate.js';

const MAX_ID = (1n << 63n) - 1n;

/**
 * The database form of an id, or `undefined` when `id` cannot name any row (not a canonical positive
 * decimal integer below 2^63). Callers turn `undefined` into the NotFound error the operation owes, so
 * a malformed id reads as "no such row" instead of a driver type error.
 */
export function idParam(id: string): bigint | undefined {
  if (!/^[1-9][0-9]{0,18}$/.test(id)) return undefined;
  const value = BigInt(id);
  return value <= MAX_ID ? value : undefined;
}

/** The form of a freshly generated id (the generator's output is trusted but still checked). */
export function newIdParam(id: string): bigint {
  const value = idParam(id);
  if (value === undefined)
    throw new InvalidArgumentError(
      `the id generator produced "${id}", not a positive 63-bit decimal integer`,
    );
  return value;
}

/** An id read from one row, as a parameter for another statement. */
export function rowId(value: DbInt): bigint {
  return BigInt(value);
}

export function idOut(value: DbInt): string {
  return typeof value === 'string' ? value : value.toString();
}

export function idOrNullOut(value: DbInt | null): string | null {
  return value === null ? null : idOut(value);
}

export function intOut(value: DbInt): number {
  return Number(value);
}

export function intOrNullOut(value: DbInt | null): number | null {
  return value === null ? null : Number(value);
}

export function boolOut(value: DbBool): boolean {
  return value === true || value === 1 || value === 1n;
}

/** A boolean parameter: better-sqlite3 binds no JS booleans, so SQLite gets 0/1. */
export function boolParam(dialect: StoreDialect, value: boolean): DbBoolParam {
  return dialect === 'sqlite' ? (value ? 1 : 0) : value;
}

export function dateOut(value: DbInt): Date {
  return new Date(Number(value));
}

/** JSON text for a nullable JSON column; `undefined` and `null` are both stored as SQL NULL. */
export function jsonIn(value: unknown, argument: Label): string | null {
  if (value === undefined || value === null) return null;
  // Functions and symbols stringify to undefined, which the lib typing does not admit.
  let text: string | undefined;
  try {
    const stringify: (v: unknown) => string | undefined = JSON.stringify;
    text = stringify(value);
  } catch (error) {
    throw new InvalidArgumentError(
      `${label(argument)} must be JSON-serialisable: ${(error as Error).message}`,
    );
  }
  if (text === undefined)
    throw new InvalidArgumentError(`${label(argument)} must be JSON-serialisable, got ${typeof value}`);
  return text;
}

export function jsonOut(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}

export function toProject(row: Selectable<ProjectsTable>): Project {
  return { id: idOut(row.project_id), name: row.project_name, creationDate: dateOut(row.creation_date) };
}

export function toTask(row: Selectable<TasksTable>): Task {
  return {
    id: idOut(row.task_id),
    name: row.task_name,
    taskType: row.task_type,
    projectId: idOrNullOut(row.project_id),
    parentTaskId: idOrNullOut(row.parent_task_id),
    creationDate: dateOut(row.creation_date),
  };
}

export function toRequester(row: Selectable<RequestersTable>): Requester {
  return {
    id: idOut(row.requester_id),
    name: row.requester_name,
    providerType: row.provider_type,
    creationDate: dateOut(row.creation_date),
  };
}

export function toTaskRun(row: Selectable<TaskRunsTable>): TaskRun {
  return {
    id: idOut(row.task_run_id),
    taskId: idOut(row.task_id),
    requesterId: idOut(row.requester_id),
    initParams: row.init_params,
    isCompleted: boolOut(row.is_completed),
    providerType: row.provider_type,
    taskType: row.task_type,
    sandbox: boolOut(row.sandbox),
    creationDate: dateOut(row.creation_date),
  };
}

export function toAssignment(row: Selectable<AssignmentsTable>): Assignment {
  return {
    id: idOut(row.assignment_id),
    taskId: idOut(row.task_id),
    taskRunId: idOut(row.task_run_id),
    requesterId: idOut(row.requester_id),
    taskType: row.task_type,
    providerType: row.provider_type,
    sandbox: boolOut(row.sandbox),
    data: jsonOut(row.data),
    creationDate: dateOut(row.creation_date),
  };
}

export function toUnit(row: Selectable<UnitsTable>): Unit {
  return {
    id: idOut(row.unit_id),
    assignmentId: idOut(row.assignment_id),
    unitIndex: intOut(row.unit_index),
    payAmount: row.pay_amount,
    providerType: row.provider_type,
    status: row.status as UnitStatus,
    agentId: idOrNullOut(row.agent_id),
    workerId: idOrNullOut(row.worker_id),
    taskType: row.task_type,
    taskId: idOut(row.task_id),
    taskRunId: idOut(row.task_run_id),
    sandbox: boolOut(row.sandbox),
    requesterId: idOut(row.requester_id),
    creationDate: dateOut(row.creation_date),
  };
}

export function toWorker(row: Selectable<WorkersTable>): Worker {
  return {
    id: idOut(row.worker_id),
    name: row.worker_name,
    providerType: row.provider_type,
    creationDate: dateOut(row.creation_date),
  };
}

export function toAgent(row: Selectable<AgentsTable>): Agent {
  return {
    id: idOut(row.agent_id),
    workerId: idOut(row.worker_id),
    unitId: idOut(row.unit_id),
    taskId: idOut(row.task_id),
    taskRunId: idOut(row.task_run_id),
    assignmentId: idOut(row.assignment_id),
    taskType: row.task_type,
    providerType: row.provider_type,
    status: row.status as AgentStatus,
    creationDate: dateOut(row.creation_date),
  };
}

export function toOnboardingAgent(row: Selectable<OnboardingAgentsTable>): OnboardingAgent {
  return {
    id: idOut(row.onboarding_agent_id),
    workerId: idOut(row.worker_id),
    taskId: idOut(row.task_id),
    taskRunId: idOut(row.task_run_id),
    taskType: row.task_type,
    status: row.status as OnboardingAgentStatus,
    creationDate: dateOut(row.creation_date),
  };
}

export function toQualification(row: Selectable<QualificationsTable>): Qualification {
  return {
    id: idOut(row.qualification_id),
    name: row.qualification_name,
    description: row.description,
    creationDate: dateOut(row.creation_date),
  };
}

export function toGrantedQualification(row: Selectable<GrantedQualificationsTable>): GrantedQualification {
  return {
    id: idOut(row.granted_qualification_id),
    workerId: idOut(row.worker_id),
    qualificationId: idOut(row.qualification_id),
    value: intOut(row.value),
    creationDate: dateOut(row.creation_date),
    updateDate: dateOut(row.update_date),
  };
}

export function toWorkerReview(row: Selectable<WorkerReviewTable>): WorkerReview {
  return {
    id: idOut(row.id),
    unitId: idOrNullOut(row.unit_id),
    workerId: idOut(row.worker_id),
    taskId: idOrNullOut(row.task_id),
    status: row.status,
    reviewNote: row.review_note,
    bonus: row.bonus,
    blockedWorker: boolOut(row.blocked_worker),
    updatedQualificationId: idOrNullOut(row.updated_qualification_id),
    updatedQualificationValue: intOrNullOut(row.updated_qualification_value),
    revokedQualificationId: idOrNullOut(row.revoked_qualification_id),
    creationDate: dateOut(row.creation_date),
  };
}
