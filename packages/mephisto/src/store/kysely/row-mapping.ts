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
import { InvalidArgumentError, type IdGenerator } from '../../core/index.js';
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

/**
 * A fresh id from the generator, in its database form: drawn as a bigint when the generator offers one
 * (no formatting and parsing back), else parsed from its decimal string. Trusted, but still checked.
 */
export function newIdParam(ids: IdGenerator): bigint {
  if (ids.nextBigInt === undefined) {
    const id = ids.next();
    const value = idParam(id);
    if (value === undefined) throw badGeneratedId(id);
    return value;
  }
  const value: unknown = ids.nextBigInt();
  if (typeof value !== 'bigint' || value < 1n || value > MAX_ID) throw badGeneratedId(String(value));
  return value;
}

function badGeneratedId(id: string): InvalidArgumentError {
  return new InvalidArgumentError(`the id generator produced "${id}", not a positive 63-bit decimal integer`);
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

/**
 * A unit's columns in the order {@link unitOfArray} reads them, for statements that return rows as
 * arrays (SqliteStatements.prepareRaw) on the hottest paths.
 */
export const UNIT_ARRAY_COLUMNS =
  'unit_id, assignment_id, unit_index, pay_amount, provider_type, status, agent_id, worker_id, ' +
  'task_type, task_id, task_run_id, sandbox, requester_id, creation_date';

/** A unit from a row of {@link UNIT_ARRAY_COLUMNS}. */
export function unitOfArray(row: readonly unknown[]): Unit {
  return {
    id: idOut(row[0] as DbInt),
    assignmentId: idOut(row[1] as DbInt),
    unitIndex: intOut(row[2] as DbInt),
    payAmount: row[3] as number,
    providerType: row[4] as string,
    status: row[5] as UnitStatus,
    agentId: idOrNullOut(row[6] as DbInt | null),
    workerId: idOrNullOut(row[7] as DbInt | null),
    taskType: row[8] as string,
    taskId: idOut(row[9] as DbInt),
    taskRunId: idOut(row[10] as DbInt),
    sandbox: boolOut(row[11] as DbBool),
    requesterId: idOut(row[12] as DbInt),
    creationDate: dateOut(row[13] as DbInt),
  };
}

/** An agent's columns (its submission left out) in the order {@link agentOfArray} reads them. */
export const AGENT_ARRAY_COLUMNS =
  'agent_id, worker_id, unit_id, task_id, task_run_id, assignment_id, task_type, provider_type, status, ' +
  'creation_date';

/** An agent from a row of {@link AGENT_ARRAY_COLUMNS}. */
export function agentOfArray(row: readonly unknown[]): Agent {
  return {
    id: idOut(row[0] as DbInt),
    workerId: idOut(row[1] as DbInt),
    unitId: idOut(row[2] as DbInt),
    taskId: idOut(row[3] as DbInt),
    taskRunId: idOut(row[4] as DbInt),
    assignmentId: idOut(row[5] as DbInt),
    taskType: row[6] as string,
    providerType: row[7] as string,
    status: row[8] as AgentStatus,
    creationDate: dateOut(row[9] as DbInt),
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
