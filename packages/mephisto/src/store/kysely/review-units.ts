/**
 * The units the review app lists: a run's units by status, worker or search, paged by keyset on
 * (creation date, unit id), and a worker's units across tasks. Contract in store.ts (ReviewStore).
 *
 * Why a page stays fast on a run of 100,000 units: without a worker or a search, each status asked for
 * is read from `unit_by_task_run_by_status_index` (run, status, creation date, id) as two ranges after
 * the cursor (its date's later ids, then later dates), each stopping after `limit + 1` entries, all
 * merged in one UNION ALL statement; only the page's units are then read with their agent and worker.
 * The cost is (statuses × page), whatever the size of the run. A worker filter reads that worker's
 * units of the run (`unit_by_task_run_by_worker_by_status_index`) and sorts them; a search goes
 * through the workers whose name matches, so a search matching most workers of a large run sorts most
 * of its units.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { UNIT_STATUSES, type Agent, type Unit, type UnitStatus, type Worker } from '../../core/index.js';
import type { ReviewUnitQuery, ReviewUnitRow } from '../store.js';
import { dateOut, idOut, idParam, toAgent, toUnit, toWorker } from './row-mapping.js';
import type { DbInt, UnitsTable } from './schema.js';
import type { StoreContext } from './store-context.js';
import type { Selectable } from 'kysely';

interface UnitKey {
  unit_id: DbInt;
  creation_date: DbInt;
}

type JoinedUnit = Selectable<UnitsTable> & {
  worker_name: string | null;
  assigned_at: DbInt | null;
  submitted_at: DbInt | null;
};

type JoinedWorkerUnit = JoinedUnit & { task_name: string };

function toReviewUnitRow(row: JoinedUnit): ReviewUnitRow {
  return {
    unit: toUnit(row),
    workerName: row.worker_name,
    assignedAt: row.assigned_at === null ? null : dateOut(row.assigned_at),
    submittedAt: row.submitted_at === null ? null : dateOut(row.submitted_at),
  };
}

/** `text` for a LIKE pattern that matches it literally anywhere (with `escape '\'`). */
function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

interface Conditions {
  /** Everything but the keyset, for counting and for the single-query page. */
  readonly where: RawBuilder<SqlBool>;
  /** Statuses to read one by one from the status index, or null when one query serves. */
  readonly perStatus: readonly UnitStatus[] | null;
}

/** The query's conditions on `units u`, or null when nothing can match. */
function conditionsOf(query: Omit<ReviewUnitQuery, 'after' | 'limit'>): Conditions | null {
  const runId = idParam(query.taskRunId);
  if (runId === undefined) return null;
  const statuses = query.statuses ?? UNIT_STATUSES;
  if (statuses.length === 0) return null;
  const parts: RawBuilder<SqlBool>[] = [sql<SqlBool>`u.task_run_id = ${runId}`];
  if (query.statuses !== undefined)
    parts.push(
      statuses.length === 1
        ? sql<SqlBool>`u.status = ${statuses[0]}`
        : sql<SqlBool>`u.status in (${sql.join([...statuses])})`,
    );
  if (query.workerId !== undefined) {
    const workerId = idParam(query.workerId);
    if (workerId === undefined) return null;
    parts.push(sql<SqlBool>`u.worker_id = ${workerId}`);
  }
  const search = query.search?.trim() ?? '';
  if (search !== '') {
    const byName = sql<SqlBool>`u.worker_id in (select w.worker_id from workers w where lower(w.worker_name) like ${containsPattern(search)} escape '\\')`;
    const asId = idParam(search);
    parts.push(asId === undefined ? byName : sql<SqlBool>`(u.unit_id = ${asId} or ${byName})`);
  }
  const simple = query.workerId === undefined && search === '';
  return { where: sql<SqlBool>`${sql.join(parts, sql` and `)}`, perStatus: simple ? statuses : null };
}

export async function listReviewUnits(
  ctx: StoreContext,
  query: ReviewUnitQuery,
): Promise<{ rows: ReviewUnitRow[]; more: boolean }> {
  const conditions = conditionsOf(query);
  if (conditions === null) return { rows: [], more: false };
  const take = query.limit + 1;
  const after = query.after;
  const afterId = after === undefined ? undefined : idParam(after.unitId);
  const keyset =
    after === undefined || afterId === undefined
      ? sql<SqlBool>`1 = 1`
      : sql<SqlBool>`(u.creation_date, u.unit_id) > (${after.creationDate.getTime()}, ${afterId})`;
  let keys: UnitKey[];
  if (conditions.perStatus !== null) {
    const runId = idParam(query.taskRunId);
    // Per status, the units after the cursor are two index ranges: the rest of the cursor's creation
    // date (by id), then later dates. Written as one row-value comparison, SQLite ranges on the date
    // alone and, in a bulk-created run where every unit has the same date, scans from its start.
    const ranges = (status: UnitStatus): RawBuilder<unknown>[] =>
      after === undefined || afterId === undefined
        ? [sql`u.task_run_id = ${runId} and u.status = ${status}`]
        : [
            sql`u.task_run_id = ${runId} and u.status = ${status} and u.creation_date = ${after.creationDate.getTime()} and u.unit_id > ${afterId}`,
            sql`u.task_run_id = ${runId} and u.status = ${status} and u.creation_date > ${after.creationDate.getTime()}`,
          ];
    const parts = conditions.perStatus.flatMap(ranges).map(
      (where, i) =>
        sql`select * from (select u.unit_id, u.creation_date from units u where ${where}
          order by u.creation_date, u.unit_id limit ${take}) ${sql.raw(`s${i}`)}`,
    );
    ({ rows: keys } = await sql<UnitKey>`${sql.join(parts, sql` union all `)}`.execute(ctx.db));
    keys.sort(compareKeys);
  } else {
    ({ rows: keys } = await sql<UnitKey>`select u.unit_id, u.creation_date from units u
      where ${conditions.where} and ${keyset}
      order by u.creation_date, u.unit_id limit ${take}`.execute(ctx.db));
  }
  const more = keys.length > query.limit;
  const page = keys.slice(0, query.limit).map((k) => idOut(k.unit_id));
  return { rows: await getReviewUnits(ctx, page), more };
}

function compareKeys(a: UnitKey, b: UnitKey): number {
  const byDate = Number(a.creation_date) - Number(b.creation_date);
  if (byDate !== 0) return byDate;
  const x = BigInt(a.unit_id);
  const y = BigInt(b.unit_id);
  return x < y ? -1 : x > y ? 1 : 0;
}

export async function countReviewUnits(
  ctx: StoreContext,
  query: Omit<ReviewUnitQuery, 'after' | 'limit'>,
): Promise<number> {
  const conditions = conditionsOf(query);
  if (conditions === null) return 0;
  const { rows } = await sql<{
    n: DbInt;
  }>`select count(*) as n from units u where ${conditions.where}`.execute(ctx.db);
  return Number(rows[0]?.n ?? 0);
}

const JOINED_COLUMNS = sql`u.*, w.worker_name as worker_name, a.creation_date as assigned_at, a.submitted_at as submitted_at`;

export async function getReviewUnits(
  ctx: StoreContext,
  unitIds: readonly string[],
): Promise<ReviewUnitRow[]> {
  const ids = unitIds.map(idParam).filter((id): id is bigint => id !== undefined);
  if (ids.length === 0) return [];
  const { rows } = await sql<JoinedUnit>`select ${JOINED_COLUMNS} from units u
    left join workers w on w.worker_id = u.worker_id
    left join agents a on a.agent_id = u.agent_id
    where u.unit_id in (${sql.join(ids)})`.execute(ctx.db);
  const byId = new Map(rows.map((row) => [idOut(row.unit_id), row]));
  const out: ReviewUnitRow[] = [];
  for (const id of unitIds) {
    const row = byId.get(id);
    if (row) out.push(toReviewUnitRow(row));
  }
  return out;
}

export async function findWorkerUnits(
  ctx: StoreContext,
  workerId: string,
  limit: number,
): Promise<(ReviewUnitRow & { taskName: string })[]> {
  const id = idParam(workerId);
  if (id === undefined) return [];
  // Through the worker's agents (indexed by worker): units has no index that starts with the worker.
  const { rows } = await sql<JoinedWorkerUnit>`select ${JOINED_COLUMNS}, t.task_name as task_name from units u
    join tasks t on t.task_id = u.task_id
    left join workers w on w.worker_id = u.worker_id
    left join agents a on a.agent_id = u.agent_id
    where u.unit_id in (select ag.unit_id from agents ag where ag.worker_id = ${id}) and u.worker_id = ${id}
    order by u.creation_date desc, u.unit_id desc limit ${limit}`.execute(ctx.db);
  return rows.map((row) => ({ ...toReviewUnitRow(row), taskName: row.task_name }));
}

export async function getReviewedWork(
  ctx: StoreContext,
  unitIds: readonly string[],
): Promise<{ unit: Unit; agent: Agent | null; worker: Worker | null }[]> {
  const ids = unitIds.map(idParam).filter((id): id is bigint => id !== undefined);
  if (ids.length === 0) return [];
  const units = (await ctx.db.selectFrom('units').selectAll().where('unit_id', 'in', ids).execute()).map(
    toUnit,
  );
  const agentIds = [...new Set(units.flatMap((u) => (u.agentId === null ? [] : [BigInt(u.agentId)])))];
  const workerIds = [...new Set(units.flatMap((u) => (u.workerId === null ? [] : [BigInt(u.workerId)])))];
  const [agents, workers] = await Promise.all([
    agentIds.length === 0
      ? []
      : ctx.db.selectFrom('agents').selectAll().where('agent_id', 'in', agentIds).execute(),
    workerIds.length === 0
      ? []
      : ctx.db.selectFrom('workers').selectAll().where('worker_id', 'in', workerIds).execute(),
  ]);
  const agentById = new Map(agents.map((row) => [idOut(row.agent_id), toAgent(row)]));
  const workerById = new Map(workers.map((row) => [idOut(row.worker_id), toWorker(row)]));
  const unitById = new Map(units.map((u) => [u.id, u]));
  return unitIds.flatMap((id) => {
    const unit = unitById.get(id);
    if (!unit) return [];
    return [
      {
        unit,
        agent: unit.agentId === null ? null : (agentById.get(unit.agentId) ?? null),
        worker: unit.workerId === null ? null : (workerById.get(unit.workerId) ?? null),
      },
    ];
  });
}
