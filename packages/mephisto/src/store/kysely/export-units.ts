/**
 * The export's read: a run's units one keyset page at a time, with what an export row shows about
 * each (agent, worker, assignment data, bonus total, latest review). Memory stays bounded by the page
 * however large the run.
 *
 * A page is read in two steps inside one read transaction (a consistent snapshot): the page's units,
 * then their agents, assignments, workers and reviews by id lists. One statement joining everything
 * lets PostgreSQL's planner hash-join whole tables for every page (100-200 ms a page at 100,000 units,
 * against a few ms for the lookups by key here), and the id lists keep the texts fixed (a JSON array
 * on SQLite, an array parameter on PostgreSQL), so every statement stays prepared.
 *
 * Paging is by unit id between two bounds: the last id returned and the run's highest unit id, read
 * once on the first page and carried in the cursor. No index has the run's units in id order (one
 * would cost every bulk insert), so the page walks the primary key from the last id and keeps the
 * run's units: ids are time-ordered and a run's units are created together, so the walk reads little
 * else, and the upper bound stops it at the run's last unit instead of the end of the table. A planner
 * left to itself picks a run index instead and sorts every unit of the run for each page (quadratic:
 * 200 ms a page at 100,000 units). SQLite is kept off the run indexes by writing the condition
 * `+task_run_id`; PostgreSQL's read transaction disables sorts and sequential scans (see
 * readOnPostgres), which leaves the primary key walk as its only plan.
 */
import { sql } from 'kysely';
import {
  InvalidArgumentError,
  NotFoundError,
  UNIT_STATUSES,
  type AgentStatus,
  type UnitStatus,
} from '../../core/index.js';
import type { UnitExportPage, UnitExportQuery, UnitExportRow } from '../store.js';
import type { DbInt } from './schema.js';
import { dateOut, idOrNullOut, idOut, idParam, intOut, jsonOut } from './row-mapping.js';
import type { SqliteStatements, StoreDialect } from './store-backend.js';
import { readFixed, requireRow, runFixed, type Queryable, type StoreContext } from './store-context.js';
import { requireStatus } from './validate.js';

/** @see UnitExportQuery.limit */
export const DEFAULT_EXPORT_PAGE = 1000;
const MAX_EXPORT_PAGE = 10_000;

interface UnitRecord {
  unit_id: DbInt;
  assignment_id: DbInt;
  task_run_id: DbInt;
  task_id: DbInt;
  unit_index: DbInt;
  status: string;
  pay_amount: number;
  agent_id: DbInt | null;
  worker_id: DbInt | null;
}

interface AgentRecord {
  agent_id: DbInt;
  status: string;
  creation_date: DbInt;
  submitted_at: DbInt | null;
  data: string | null;
}

interface AssignmentRecord {
  assignment_id: DbInt;
  data: string | null;
}

interface WorkerRecord {
  worker_id: DbInt;
  worker_name: string;
}

interface ReviewRecord {
  id: DbInt;
  unit_id: DbInt;
  status: string | null;
  review_note: string | null;
  bonus: number | null;
  creation_date: DbInt;
}

/** The page's units: a few text shapes in all (agent filter × number of statuses), each kept prepared. */
function unitsStatement(dialect: StoreDialect, withAgentOnly: boolean, statusCount: number): string {
  const run = dialect === 'sqlite' ? '+task_run_id' : 'task_run_id';
  let text = `select unit_id, assignment_id, task_run_id, task_id, unit_index, status, pay_amount, agent_id,
  worker_id from units where ${run} = ? and unit_id > ? and unit_id <= ?`;
  if (withAgentOnly) text += ' and agent_id is not null';
  if (statusCount > 0)
    text += ` and status in (${Array.from({ length: statusCount }, () => '?').join(', ')})`;
  return `${text} order by unit_id limit ?`;
}

/** `column` is one of a list of ids bound as one parameter (see {@link idList}). */
function inIds(dialect: StoreDialect, column: string): string {
  return dialect === 'sqlite'
    ? `${column} in (select value from json_each(?))`
    : `${column} = any(?::bigint[])`;
}

/** The parameter {@link inIds} binds: JSON text for SQLite's json_each, an array for PostgreSQL. */
function idList(dialect: StoreDialect, ids: readonly DbInt[]): string | string[] {
  const texts = [...new Set(ids.map((id) => id.toString()))];
  return dialect === 'sqlite' ? `[${texts.join(',')}]` : texts;
}

interface LookupStatements {
  agents: string;
  assignments: string;
  workers: string;
  reviews: string;
}

const LOOKUPS = new Map<StoreDialect, LookupStatements>();

function lookupStatements(dialect: StoreDialect): LookupStatements {
  let texts = LOOKUPS.get(dialect);
  if (texts === undefined) {
    texts = {
      agents: `select agent_id, status, creation_date, submitted_at, data from agents where ${inIds(dialect, 'agent_id')}`,
      assignments: `select assignment_id, data from assignments where ${inIds(dialect, 'assignment_id')}`,
      workers: `select worker_id, worker_name from workers where ${inIds(dialect, 'worker_id')}`,
      reviews: `select id, unit_id, status, review_note, bonus, creation_date from worker_review
  where ${inIds(dialect, 'unit_id')}`,
    };
    LOOKUPS.set(dialect, texts);
  }
  return texts;
}

const LAST_UNIT_SQL = 'select max(unit_id) as last from units where task_run_id = ?';

/** Where a page starts (exclusive) and where the run's units end (inclusive). */
interface Bounds {
  after: bigint;
  last: bigint;
}

function encodeCursor(bounds: Bounds): string {
  return `${bounds.after}.${bounds.last}`;
}

function decodeCursor(cursor: string): Bounds {
  const match = /^([0-9]+)\.([0-9]+)$/.exec(cursor);
  const after = match?.[1] === undefined ? undefined : idParam(match[1]);
  const last = match?.[2] === undefined ? undefined : idParam(match[2]);
  if (after === undefined || last === undefined) {
    throw new InvalidArgumentError(`cursor ${JSON.stringify(cursor)} is not one readUnitExportPage returned`);
  }
  return { after, last };
}

/** What one page read returns before it becomes rows. */
interface PageRecords {
  units: UnitRecord[];
  agents: AgentRecord[];
  assignments: AssignmentRecord[];
  workers: WorkerRecord[];
  reviews: ReviewRecord[];
}

/** The parameters of the four lookups for the page's units. */
function lookupParams(
  dialect: StoreDialect,
  units: readonly UnitRecord[],
): Record<keyof LookupStatements, string | string[]> {
  const agentIds: DbInt[] = [];
  const workerIds: DbInt[] = [];
  for (const unit of units) {
    if (unit.agent_id !== null) agentIds.push(unit.agent_id);
    if (unit.worker_id !== null) workerIds.push(unit.worker_id);
  }
  return {
    agents: idList(dialect, agentIds),
    assignments: idList(
      dialect,
      units.map((u) => u.assignment_id),
    ),
    workers: idList(dialect, workerIds),
    reviews: idList(
      dialect,
      units.map((u) => u.unit_id),
    ),
  };
}

export async function readUnitExportPage(ctx: StoreContext, query: UnitExportQuery): Promise<UnitExportPage> {
  const runId = idParam(query.taskRunId);
  if (runId === undefined) throw new NotFoundError('task_run', query.taskRunId);
  const limit = query.limit ?? DEFAULT_EXPORT_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EXPORT_PAGE) {
    throw new InvalidArgumentError(`limit must be an integer from 1 to ${MAX_EXPORT_PAGE}, got ${limit}`);
  }
  const statuses: UnitStatus[] = [];
  for (const status of query.statuses ?? []) statuses.push(requireStatus(status, UNIT_STATUSES, 'statuses'));
  const cursor = query.cursor ?? null;
  let bounds: Bounds | null = cursor === null ? null : decodeCursor(cursor);
  // An empty status list matches nothing, but a missing run is still reported.
  if (query.statuses !== undefined && statuses.length === 0) {
    await requireRow(ctx.db, 'task_runs', query.taskRunId);
    return { rows: [], next: null };
  }
  if (bounds === null) {
    const [found] = await readFixed<{ last: DbInt | null }>(ctx, LAST_UNIT_SQL, [runId]);
    if (found?.last === null || found?.last === undefined) {
      // No units: an empty run, or no run at all.
      await requireRow(ctx.db, 'task_runs', query.taskRunId);
      return { rows: [], next: null };
    }
    bounds = { after: 0n, last: BigInt(found.last) };
  }
  const unitsText = unitsStatement(ctx.dialect, query.includeUnassigned !== true, statuses.length);
  const unitsParams = [runId, bounds.after, bounds.last, ...statuses, limit];
  const read = ctx.backend.sqliteRead;
  const records =
    read !== undefined
      ? await read((statements) => readOnSqlite(statements, unitsText, unitsParams))
      : await ctx.backend.transaction((trx) => readOnPostgres(ctx, trx, unitsText, unitsParams));
  // A cursor's run exists (the first page found its units), unless the caller mixed cursors and runs.
  if (records.units.length === 0 && cursor !== null) await requireRow(ctx.db, 'task_runs', query.taskRunId);
  const rows = toExportRows(records);
  const lastUnit = records.units.at(-1);
  const after = lastUnit === undefined ? bounds.last : BigInt(lastUnit.unit_id);
  const more = records.units.length === limit && after < bounds.last;
  return { rows, next: more ? encodeCursor({ after, last: bounds.last }) : null };
}

/** Synchronous on the connection (nothing else runs on it meanwhile), in a read transaction. */
function readOnSqlite(statements: SqliteStatements, unitsText: string, unitsParams: unknown[]): PageRecords {
  const texts = lookupStatements('sqlite');
  statements.prepare('begin').run();
  try {
    const units = statements.prepare(unitsText).all(...unitsParams) as UnitRecord[];
    if (units.length === 0) return { units, agents: [], assignments: [], workers: [], reviews: [] };
    const params = lookupParams('sqlite', units);
    return {
      units,
      agents: statements.prepare(texts.agents).all(params.agents) as AgentRecord[],
      assignments: statements.prepare(texts.assignments).all(params.assignments) as AssignmentRecord[],
      workers: statements.prepare(texts.workers).all(params.workers) as WorkerRecord[],
      reviews: statements.prepare(texts.reviews).all(params.reviews) as ReviewRecord[],
    };
  } finally {
    statements.prepare('commit').run();
  }
}

/** In one read-only REPEATABLE READ transaction, so the five statements see one snapshot. */
async function readOnPostgres(
  ctx: StoreContext,
  trx: Queryable,
  unitsText: string,
  unitsParams: unknown[],
): Promise<PageRecords> {
  await sql`set transaction isolation level repeatable read, read only`.execute(trx);
  // Every statement here is a walk or lookups by primary key. Without statistics (a run loaded
  // minutes ago, before autovacuum's ANALYZE) the planner expects tiny tables: it collects every unit
  // of the run and sorts them for each page, and scans whole tables for the lookups (200 ms a page at
  // 100,000 units, against a few ms). Sorts and sequential scans are taken off its menu, for this
  // transaction only.
  await sql`select set_config('enable_sort', 'off', true), set_config('enable_seqscan', 'off', true)`.execute(
    trx,
  );
  const units = await runFixed<UnitRecord>(trx, ctx.dialect, unitsText, unitsParams);
  if (units.length === 0) return { units, agents: [], assignments: [], workers: [], reviews: [] };
  const texts = lookupStatements(ctx.dialect);
  const params = lookupParams(ctx.dialect, units);
  return {
    units,
    agents: await runFixed<AgentRecord>(trx, ctx.dialect, texts.agents, [params.agents]),
    assignments: await runFixed<AssignmentRecord>(trx, ctx.dialect, texts.assignments, [params.assignments]),
    workers: await runFixed<WorkerRecord>(trx, ctx.dialect, texts.workers, [params.workers]),
    reviews: await runFixed<ReviewRecord>(trx, ctx.dialect, texts.reviews, [params.reviews]),
  };
}

/** The bonus total and latest decision of each unit with reviews, by unit id. */
function summarizeReviews(
  reviews: readonly ReviewRecord[],
): Map<string, { bonus: number; latest: ReviewRecord | null }> {
  const byUnit = new Map<string, { bonus: number; latest: ReviewRecord | null }>();
  for (const review of reviews) {
    const key = idOut(review.unit_id);
    let summary = byUnit.get(key);
    if (summary === undefined) {
      summary = { bonus: 0, latest: null };
      byUnit.set(key, summary);
    }
    if (review.bonus !== null) summary.bonus += review.bonus;
    // The latest decision: the newest row with a status (creation date, then id, as find* orders).
    // Rows that only record a bonus or a qualification change do not replace it.
    if (review.status !== null && (summary.latest === null || isNewer(review, summary.latest))) {
      summary.latest = review;
    }
  }
  return byUnit;
}

function isNewer(a: ReviewRecord, b: ReviewRecord): boolean {
  const ad = BigInt(a.creation_date);
  const bd = BigInt(b.creation_date);
  return ad !== bd ? ad > bd : BigInt(a.id) > BigInt(b.id);
}

function toExportRows(records: PageRecords): UnitExportRow[] {
  const agents = new Map(records.agents.map((a) => [idOut(a.agent_id), a]));
  const inputs = new Map(records.assignments.map((a) => [idOut(a.assignment_id), a.data]));
  const workers = new Map(records.workers.map((w) => [idOut(w.worker_id), w.worker_name]));
  const reviews = summarizeReviews(records.reviews);
  // Assignment data is parsed once per assignment, however many of its units are on the page.
  const parsedInputs = new Map<string, unknown>();
  return records.units.map((unit): UnitExportRow => {
    const unitId = idOut(unit.unit_id);
    const assignmentId = idOut(unit.assignment_id);
    const agentId = idOrNullOut(unit.agent_id);
    const workerId = idOrNullOut(unit.worker_id);
    const agent = agentId === null ? undefined : agents.get(agentId);
    let input = parsedInputs.get(assignmentId);
    if (input === undefined) {
      input = jsonOut(inputs.get(assignmentId) ?? null);
      parsedInputs.set(assignmentId, input);
    }
    const review = reviews.get(unitId);
    const latest = review?.latest ?? null;
    return {
      unitId,
      assignmentId,
      taskRunId: idOut(unit.task_run_id),
      taskId: idOut(unit.task_id),
      unitIndex: intOut(unit.unit_index),
      status: unit.status as UnitStatus,
      payAmount: unit.pay_amount,
      agentId,
      agentStatus: agent === undefined ? null : (agent.status as AgentStatus),
      workerId,
      workerName: workerId === null ? null : (workers.get(workerId) ?? null),
      assignedAt: agent === undefined ? null : dateOut(agent.creation_date),
      submittedAt: agent?.submitted_at == null ? null : dateOut(agent.submitted_at),
      submission: agent === undefined ? null : jsonOut(agent.data),
      inputData: input,
      bonusTotal: review?.bonus ?? 0,
      latestReview:
        latest === null || latest.status === null
          ? null
          : {
              status: latest.status,
              feedback: latest.review_note,
              reviewedAt: dateOut(latest.creation_date),
            },
    };
  });
}
