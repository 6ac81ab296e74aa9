/**
 * The database as Kysely sees it: one interface per table, columns named exactly as in Mephisto's
 * `database.db` (spec §1.3) plus our additions (`assignments.data`, `granted_qualifications.update_date`).
 *
 * The column types describe what *both* drivers may hand back, because one query code serves SQLite and
 * PostgreSQL. Reading a row into an entity is row-mapping.ts's job alone; nothing else should look at
 * these raw shapes.
 *
 * - Integers read back as `bigint` from SQLite (the connection uses safe integers so 63-bit ids keep
 *   every digit) and as `string` (int8) or `number` (int4) from pg. Ids and dates are written as
 *   `bigint` / `number`, which both drivers bind exactly.
 * - Booleans are native in PostgreSQL and 0/1 in SQLite (which cannot bind a JS boolean).
 * - Dates are epoch milliseconds from the injected Clock, stored as BIGINT.
 */
import type { ColumnType } from 'kysely';

/** What an integer column reads back as on either driver. */
export type DbInt = bigint | string | number;
/** What a boolean column reads back as on either driver. */
export type DbBool = boolean | bigint | number;
/** A boolean as a query parameter: `boolean` for pg, 0/1 for SQLite (see ParamCodec). */
export type DbBoolParam = boolean | number;

export type IdColumn = ColumnType<DbInt, bigint, bigint>;
export type NullableIdColumn = ColumnType<DbInt | null, bigint | null | undefined, bigint | null>;
export type IntColumn = ColumnType<DbInt, number, number>;
export type NullableIntColumn = ColumnType<DbInt | null, number | null | undefined, number | null>;
export type MillisColumn = ColumnType<DbInt, number, number>;
export type NullableMillisColumn = ColumnType<DbInt | null, number | null | undefined, number | null>;
export type BoolColumn = ColumnType<DbBool, DbBoolParam, DbBoolParam>;
export type TextColumn = ColumnType<string, string, string>;
export type NullableTextColumn = ColumnType<string | null, string | null | undefined, string | null>;
export type RealColumn = ColumnType<number, number, number>;
export type NullableRealColumn = ColumnType<number | null, number | null | undefined, number | null>;

export interface ProjectsTable {
  project_id: IdColumn;
  project_name: TextColumn;
  creation_date: MillisColumn;
}

export interface TasksTable {
  task_id: IdColumn;
  task_name: TextColumn;
  task_type: TextColumn;
  project_id: NullableIdColumn;
  parent_task_id: NullableIdColumn;
  creation_date: MillisColumn;
}

export interface RequestersTable {
  requester_id: IdColumn;
  requester_name: TextColumn;
  provider_type: TextColumn;
  creation_date: MillisColumn;
}

export interface TaskRunsTable {
  task_run_id: IdColumn;
  task_id: IdColumn;
  requester_id: IdColumn;
  init_params: TextColumn;
  is_completed: BoolColumn;
  provider_type: TextColumn;
  task_type: TextColumn;
  sandbox: BoolColumn;
  creation_date: MillisColumn;
  /** Ours (0002): every assignment of the run exists. */
  source_exhausted: ColumnType<DbBool, DbBoolParam | undefined, DbBoolParam>;
  /** Ours (0002): when and why the run ended; null while it runs (or after a resume). */
  ended_at: NullableMillisColumn;
  end_reason: NullableTextColumn;
  end_detail: NullableTextColumn;
}

export interface AssignmentsTable {
  assignment_id: IdColumn;
  task_id: IdColumn;
  task_run_id: IdColumn;
  requester_id: IdColumn;
  task_type: TextColumn;
  provider_type: TextColumn;
  sandbox: BoolColumn;
  /** Ours: the assignment's initialization data as JSON text, null when there is none. */
  data: NullableTextColumn;
  creation_date: MillisColumn;
}

export interface UnitsTable {
  unit_id: IdColumn;
  assignment_id: IdColumn;
  unit_index: IntColumn;
  pay_amount: RealColumn;
  provider_type: TextColumn;
  status: TextColumn;
  agent_id: NullableIdColumn;
  worker_id: NullableIdColumn;
  task_type: TextColumn;
  task_id: IdColumn;
  task_run_id: IdColumn;
  sandbox: BoolColumn;
  requester_id: IdColumn;
  creation_date: MillisColumn;
}

export interface WorkersTable {
  worker_id: IdColumn;
  worker_name: TextColumn;
  provider_type: TextColumn;
  creation_date: MillisColumn;
}

export interface AgentsTable {
  agent_id: IdColumn;
  worker_id: IdColumn;
  unit_id: IdColumn;
  task_id: IdColumn;
  task_run_id: IdColumn;
  assignment_id: IdColumn;
  task_type: TextColumn;
  provider_type: TextColumn;
  status: TextColumn;
  creation_date: MillisColumn;
  /** Ours (0002): the submitted data as JSON text, null until the agent submits. */
  data: NullableTextColumn;
  submitted_at: NullableMillisColumn;
}

export interface OnboardingAgentsTable {
  onboarding_agent_id: IdColumn;
  worker_id: IdColumn;
  task_id: IdColumn;
  task_run_id: IdColumn;
  task_type: TextColumn;
  status: TextColumn;
  creation_date: MillisColumn;
}

export interface QualificationsTable {
  qualification_id: IdColumn;
  qualification_name: TextColumn;
  creation_date: MillisColumn;
  description: NullableTextColumn;
}

export interface GrantedQualificationsTable {
  granted_qualification_id: IdColumn;
  worker_id: IdColumn;
  qualification_id: IdColumn;
  value: IntColumn;
  /** When the value last changed; equals `creation_date` until a re-grant changes the value. */
  update_date: MillisColumn;
  creation_date: MillisColumn;
}

export interface WorkerReviewTable {
  id: IdColumn;
  unit_id: NullableIdColumn;
  worker_id: IdColumn;
  task_id: NullableIdColumn;
  status: NullableTextColumn;
  review_note: NullableTextColumn;
  /** Dollars. Mephisto declares INTEGER; we keep cents, so REAL / DOUBLE PRECISION. */
  bonus: NullableRealColumn;
  blocked_worker: BoolColumn;
  updated_qualification_id: NullableIdColumn;
  updated_qualification_value: NullableIntColumn;
  revoked_qualification_id: NullableIdColumn;
  creation_date: MillisColumn;
}

/** Ours (0002): blocks of a worker for every requester (requester_id null) or one. */
export interface WorkerBlocksTable {
  block_id: IdColumn;
  worker_id: IdColumn;
  requester_id: NullableIdColumn;
  reason: NullableTextColumn;
  creation_date: MillisColumn;
}

export interface Database {
  projects: ProjectsTable;
  tasks: TasksTable;
  requesters: RequestersTable;
  task_runs: TaskRunsTable;
  assignments: AssignmentsTable;
  units: UnitsTable;
  workers: WorkersTable;
  agents: AgentsTable;
  onboarding_agents: OnboardingAgentsTable;
  qualifications: QualificationsTable;
  granted_qualifications: GrantedQualificationsTable;
  worker_review: WorkerReviewTable;
  worker_blocks: WorkerBlocksTable;
}

export type TableName = keyof Database;

/** Primary-key column of each table: the column an id collision is retried on. */
export const PRIMARY_KEY = {
  projects: 'project_id',
  tasks: 'task_id',
  requesters: 'requester_id',
  task_runs: 'task_run_id',
  assignments: 'assignment_id',
  units: 'unit_id',
  workers: 'worker_id',
  agents: 'agent_id',
  onboarding_agents: 'onboarding_agent_id',
  qualifications: 'qualification_id',
  granted_qualifications: 'granted_qualification_id',
  worker_review: 'id',
  worker_blocks: 'block_id',
} as const satisfies { [T in TableName]: keyof Database[T] & string };

/** The core tables in creation order (parents first). */
export const CORE_TABLES: readonly TableName[] = [
  'projects',
  'tasks',
  'requesters',
  'task_runs',
  'assignments',
  'workers',
  'units',
  'agents',
  'onboarding_agents',
  'qualifications',
  'granted_qualifications',
  'worker_review',
  'worker_blocks',
];

// --- review (0005) ------------------------------------------------------------------------------------

/** Ours (0005): one review action on one target, with its idempotency key (see review-actions.ts). */
export interface ReviewActionsTable {
  action_id: IdColumn;
  idempotency_key: TextColumn;
  /** `unit:<id>`, `worker:<id>` or `grant:<qualification id>:<worker id>`. */
  target: TextColumn;
  /** Fingerprint of the request, to refuse a key reused for another request. */
  request_hash: TextColumn;
  action: TextColumn;
  /** `applied`, `skipped` or `refused`. */
  outcome: TextColumn;
  outcome_code: NullableTextColumn;
  outcome_message: NullableTextColumn;
  unit_id: NullableIdColumn;
  worker_id: NullableIdColumn;
  task_id: NullableIdColumn;
  task_run_id: NullableIdColumn;
  qualification_id: NullableIdColumn;
  /** Bonus in dollars. */
  amount: NullableRealColumn;
  /** Qualification value granted. */
  value: NullableIntColumn;
  /** Feedback to the worker, a bonus's or a block's reason. */
  feedback: NullableTextColumn;
  worker_review_id: NullableIdColumn;
  /** The provider call: `none`, `pending`, `done`, `manual` or `failed`. */
  delivery: TextColumn;
  delivery_detail: NullableTextColumn;
  creation_date: MillisColumn;
  update_date: MillisColumn;
}

/** Ours (0005): refusals and errors of a run, append-only. */
export interface RunActivityTable {
  activity_id: IdColumn;
  task_run_id: IdColumn;
  /** `refusal` or `error`. */
  kind: TextColumn;
  code: TextColumn;
  message: TextColumn;
  worker_name: NullableTextColumn;
  creation_date: MillisColumn;
}

/**
 * The review tables, kept out of {@link Database} (whose table list keys maps of every table) and
 * added where used: `db.withTables<ReviewTables>()`.
 */
// A type alias, not an interface: Kysely's `withTables` needs an implicit index signature.
export type ReviewTables = {
  review_actions: ReviewActionsTable;
  run_activity: RunActivityTable;
};

// --- providers and payments (0006) --------------------------------------------------------------------

/** Ours (0006): a provider's own record, JSON under (provider_type, kind, record_key). */
export interface ProviderRecordsTable {
  provider_type: TextColumn;
  kind: TextColumn;
  record_key: TextColumn;
  task_run_id: NullableIdColumn;
  unit_id: NullableIdColumn;
  /** JSON text. */
  data: TextColumn;
  creation_date: MillisColumn;
  update_date: MillisColumn;
}

/** Ours (0006): one entry of the payments ledger. */
export interface PaymentsTable {
  payment_id: IdColumn;
  task_run_id: IdColumn;
  unit_id: NullableIdColumn;
  worker_id: NullableIdColumn;
  /** `reward`, `bonus` or `fee`. */
  kind: TextColumn;
  amount_cents: IntColumn;
  idempotency_key: TextColumn;
  provider_type: TextColumn;
  provider_reference: NullableTextColumn;
  /** `pending`, `paid`, `manual` or `failed`. */
  status: TextColumn;
  note: NullableTextColumn;
  creation_date: MillisColumn;
  update_date: MillisColumn;
}

/** The provider and ledger tables, added where used: `db.withTables<LedgerTables>()`. */
// A type alias, not an interface: Kysely's `withTables` needs an implicit index signature.
export type LedgerTables = {
  provider_records: ProviderRecordsTable;
  payments: PaymentsTable;
};
