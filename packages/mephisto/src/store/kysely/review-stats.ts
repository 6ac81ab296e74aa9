/**
 * Counts and sums for the review app's task list, the workers list and the live monitor. Contract in
 * store.ts (ReviewStore). Spend is not read here: it is the payments ledger's (payments.ts), reported
 * through src/export/run-spend.ts.
 *
 * The monitor's probe is what runs every second per watched run, so it is index-only: unit counts by
 * status from the (run, status, …) index, the newest submission from the partial (run, submitted_at)
 * index of migration 0005, and counts of the run's review actions and activity (both small).
 */
import { sql } from 'kysely';
import { NotFoundError, UNIT_STATUSES, type UnitStatus, type Worker } from '../../core/index.js';
import type { PaymentStatus, RunMonitorProbe, RunReviewStats, WorkerSummary } from '../store.js';
import { idOut, idParam, toWorker } from './row-mapping.js';
import type { DbInt } from './schema.js';
import type { StoreContext } from './store-context.js';

function zeroByStatus(): Record<UnitStatus, number> {
  return Object.fromEntries(UNIT_STATUSES.map((s) => [s, 0])) as Record<UnitStatus, number>;
}

function asNumber(value: DbInt | number | null | undefined): number {
  return value === null || value === undefined ? 0 : Number(value);
}

export async function reviewRunStats(
  ctx: StoreContext,
  taskRunIds?: readonly string[],
): Promise<RunReviewStats[]> {
  const ids = taskRunIds?.map(idParam).filter((id): id is bigint => id !== undefined);
  if (ids !== undefined && ids.length === 0) return [];
  const inRuns = (column: string) =>
    ids === undefined ? sql`1 = 1` : sql`${sql.ref(column)} in (${sql.join(ids)})`;
  const { rows: runs } = await sql<{
    task_run_id: DbInt;
    ended_at: DbInt | null;
  }>`select task_run_id, ended_at
    from task_runs where ${inRuns('task_run_id')} order by creation_date, task_run_id`.execute(ctx.db);
  const { rows: counts } = await sql<{ task_run_id: DbInt; status: string; n: DbInt; pay: number | null }>`
    select task_run_id, status, count(*) as n, sum(pay_amount) as pay from units
    where ${inRuns('task_run_id')} group by task_run_id, status`.execute(ctx.db);
  const stats = new Map<string, RunReviewStats>();
  for (const run of runs) {
    const id = idOut(run.task_run_id);
    stats.set(id, {
      taskRunId: id,
      unitsByStatus: zeroByStatus(),
      payByStatus: zeroByStatus(),
      endedAt: run.ended_at === null ? null : new Date(Number(run.ended_at)),
    });
  }
  for (const row of counts) {
    const entry = stats.get(idOut(row.task_run_id));
    const status = row.status as UnitStatus;
    if (!entry || !(status in entry.unitsByStatus)) continue;
    entry.unitsByStatus[status] = asNumber(row.n);
    entry.payByStatus[status] = asNumber(row.pay);
  }
  return [...stats.values()];
}

export async function listWorkerSummaries(
  ctx: StoreContext,
  filter: { taskId?: string; workerId?: string } = {},
): Promise<WorkerSummary[]> {
  const taskId = filter.taskId === undefined ? undefined : idParam(filter.taskId);
  const workerId = filter.workerId === undefined ? undefined : idParam(filter.workerId);
  if (
    (filter.taskId !== undefined && taskId === undefined) ||
    (filter.workerId !== undefined && workerId === undefined)
  )
    return [];
  const unitWhere = sql.join(
    [
      sql`u.worker_id is not null`,
      ...(taskId === undefined ? [] : [sql`u.task_id = ${taskId}`]),
      ...(workerId === undefined ? [] : [sql`u.worker_id = ${workerId}`]),
    ],
    sql` and `,
  );
  const { rows: counts } = await sql<{ worker_id: DbInt; status: string; n: DbInt; pay: number | null }>`
    select u.worker_id as worker_id, u.status as status, count(*) as n, sum(u.pay_amount) as pay from units u
    where ${unitWhere} group by u.worker_id, u.status`.execute(ctx.db);
  const { rows: bonuses } = await sql<{ worker_id: DbInt; bonus: number | null }>`
    select r.worker_id as worker_id, sum(r.bonus) as bonus from worker_review r
    ${taskId === undefined ? sql`` : sql`join units u on u.unit_id = r.unit_id`}
    where r.bonus is not null
    ${taskId === undefined ? sql`` : sql`and u.task_id = ${taskId}`}
    ${workerId === undefined ? sql`` : sql`and r.worker_id = ${workerId}`}
    group by r.worker_id`.execute(ctx.db);
  let workers: Worker[];
  if (taskId === undefined) {
    const { rows } = await sql<Parameters<typeof toWorker>[0]>`select * from workers
      ${workerId === undefined ? sql`` : sql`where worker_id = ${workerId}`}`.execute(ctx.db);
    workers = rows.map(toWorker);
  } else {
    const ids = [...new Set(counts.map((c) => BigInt(c.worker_id)))];
    if (ids.length === 0) return [];
    const { rows } = await sql<Parameters<typeof toWorker>[0]>`select * from workers
      where worker_id in (${sql.join(ids)})`.execute(ctx.db);
    workers = rows.map(toWorker);
  }
  const { rows: blocked } = await sql<{
    worker_id: DbInt;
  }>`select distinct worker_id from worker_blocks`.execute(ctx.db);
  const blockedIds = new Set(blocked.map((b) => idOut(b.worker_id)));
  const summaries = new Map<string, WorkerSummary>();
  for (const worker of workers) {
    summaries.set(worker.id, {
      worker,
      unitsByStatus: zeroByStatus(),
      earned: 0,
      blocked: blockedIds.has(worker.id),
    });
  }
  for (const row of counts) {
    const entry = summaries.get(idOut(row.worker_id));
    const status = row.status as UnitStatus;
    if (!entry || !(status in entry.unitsByStatus)) continue;
    entry.unitsByStatus[status] = asNumber(row.n);
    if (status === 'accepted' || status === 'soft_rejected') entry.earned += asNumber(row.pay);
  }
  for (const row of bonuses) {
    const entry = summaries.get(idOut(row.worker_id));
    if (entry) entry.earned += asNumber(row.bonus);
  }
  return [...summaries.values()].sort((a, b) =>
    a.worker.name < b.worker.name ? -1 : a.worker.name > b.worker.name ? 1 : 0,
  );
}

export async function probeRun(ctx: StoreContext, taskRunId: string): Promise<RunMonitorProbe> {
  const runId = idParam(taskRunId);
  if (runId === undefined) throw new NotFoundError('task_run', taskRunId);
  const { rows } = await sql<{
    ended_at: DbInt | null;
    last_submitted: DbInt | null;
    actions: DbInt;
    activity: DbInt;
  }>`select t.ended_at as ended_at,
      (select a.submitted_at from agents a where a.task_run_id = t.task_run_id and a.submitted_at is not null
        order by a.submitted_at desc limit 1) as last_submitted,
      (select count(*) from review_actions r where r.task_run_id = t.task_run_id) as actions,
      (select count(*) from run_activity v where v.task_run_id = t.task_run_id) as activity
    from task_runs t where t.task_run_id = ${runId}`.execute(ctx.db);
  const run = rows[0];
  if (run === undefined) throw new NotFoundError('task_run', taskRunId);
  // Both from the (run, status) indexes: units, and the ledger's entries (settling one changes them).
  const { rows: counts } = await sql<{ kind: string; status: string; n: DbInt }>`select 'unit' as kind,
      status, count(*) as n from units where task_run_id = ${runId} group by status
    union all select 'payment' as kind, status, count(*) as n from payments
      where task_run_id = ${runId} group by status`.execute(ctx.db);
  const unitsByStatus = zeroByStatus();
  const payments: Record<PaymentStatus, number> = { pending: 0, paid: 0, manual: 0, failed: 0 };
  for (const row of counts) {
    if (row.kind === 'payment') {
      if (row.status in payments) payments[row.status as PaymentStatus] = asNumber(row.n);
      continue;
    }
    const status = row.status as UnitStatus;
    if (status in unitsByStatus) unitsByStatus[status] = asNumber(row.n);
  }
  return {
    unitsByStatus,
    lastSubmittedAt: run.last_submitted === null ? null : Number(run.last_submitted),
    actions: asNumber(run.actions),
    activity: asNumber(run.activity),
    endedAt: run.ended_at === null ? null : Number(run.ended_at),
    payments,
  };
}

export async function submissionsPerMinute(
  ctx: StoreContext,
  taskRunId: string,
  sinceMs: number,
): Promise<{ minute: number; count: number }[]> {
  const runId = idParam(taskRunId);
  if (runId === undefined) return [];
  // Integer division on both databases (the column is an integer type).
  const { rows } = await sql<{
    minute: DbInt;
    n: DbInt;
  }>`select a.submitted_at / 60000 as minute, count(*) as n
    from agents a where a.task_run_id = ${runId} and a.submitted_at is not null and a.submitted_at >= ${Math.floor(sinceMs)}
    group by a.submitted_at / 60000 order by minute`.execute(ctx.db);
  return rows.map((row) => ({ minute: Number(row.minute) * 60_000, count: Number(row.n) }));
}

export async function countActiveWorkers(ctx: StoreContext, taskRunId: string): Promise<number> {
  const runId = idParam(taskRunId);
  if (runId === undefined) return 0;
  const { rows } = await sql<{ n: DbInt }>`select count(distinct worker_id) as n from units
    where task_run_id = ${runId} and status = 'assigned'`.execute(ctx.db);
  return asNumber(rows[0]?.n);
}
