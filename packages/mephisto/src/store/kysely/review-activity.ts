/**
 * The runs' activity log (table `run_activity`, migration 0005): worker-facing refusals and run errors,
 * appended in batches by the processes serving a run (run/run-activity-log.ts) and read by the
 * monitor. Contract in store.ts (ReviewStore.recordRunActivity / findRunActivity).
 */
import { sql } from 'kysely';
import { InvalidArgumentError } from '../../core/index.js';
import type { NewRunActivity, RunActivity, RunActivityKind } from '../store.js';
import { dateOut, idOut, idParam, newIdParam } from './row-mapping.js';
import type { ReviewTables } from './schema.js';
import { nowMs, requireIdParam, withFreshIds, type StoreContext } from './store-context.js';

const KINDS: readonly RunActivityKind[] = ['refusal', 'error'];
/** Longest code and message kept: a log entry is a line on a dashboard, not a dump. */
const MAX_CODE = 100;
const MAX_MESSAGE = 1000;

export async function recordRunActivity(
  ctx: StoreContext,
  entries: readonly NewRunActivity[],
  options: { keep?: number } = {},
): Promise<void> {
  if (entries.length === 0) return;
  for (const entry of entries) {
    if (!KINDS.includes(entry.kind)) throw new InvalidArgumentError(`unknown activity kind "${entry.kind}"`);
  }
  await withFreshIds(() =>
    ctx.backend.transaction(async (trx) => {
      const db = trx.withTables<ReviewTables>();
      await db
        .insertInto('run_activity')
        .values(
          entries.map((entry) => ({
            activity_id: newIdParam(ctx.ids),
            task_run_id: requireIdParam('task_run', entry.taskRunId),
            kind: entry.kind,
            code: entry.code.slice(0, MAX_CODE),
            message: entry.message.slice(0, MAX_MESSAGE),
            worker_name: entry.workerName ?? null,
            creation_date: entry.at === undefined ? nowMs(ctx) : entry.at.getTime(),
          })),
        )
        .execute();
      const keep = options.keep;
      if (keep === undefined) return;
      const scopes = new Map<string, { runId: bigint; kind: RunActivityKind }>();
      for (const entry of entries)
        scopes.set(`${entry.taskRunId}:${entry.kind}`, {
          runId: requireIdParam('task_run', entry.taskRunId),
          kind: entry.kind,
        });
      for (const { runId, kind } of scopes.values()) {
        await sql`delete from run_activity where task_run_id = ${runId} and kind = ${kind}
          and activity_id not in (select activity_id from run_activity where task_run_id = ${runId} and kind = ${kind}
            order by creation_date desc, activity_id desc limit ${keep})`.execute(db);
      }
    }),
  );
}

export async function findRunActivity(
  ctx: StoreContext,
  taskRunId: string,
  kind: RunActivityKind,
  limit: number,
): Promise<RunActivity[]> {
  const runId = idParam(taskRunId);
  if (runId === undefined) return [];
  const rows = await ctx.db
    .withTables<ReviewTables>()
    .selectFrom('run_activity')
    .selectAll()
    .where('task_run_id', '=', runId)
    .where('kind', '=', kind)
    .orderBy('creation_date', 'desc')
    .orderBy('activity_id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: idOut(row.activity_id),
    taskRunId: idOut(row.task_run_id),
    kind: row.kind as RunActivityKind,
    code: row.code,
    message: row.message,
    workerName: row.worker_name,
    at: dateOut(row.creation_date),
  }));
}
