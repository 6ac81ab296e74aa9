/**
 * Submitted work awaiting review, per run: the units in `completed` and the sum of their rewards. Spend
 * itself is the payments ledger's (payments.ts); this is the one estimate reported beside it (what
 * approving that work would add, before fees), by src/export/run-spend.ts.
 */
import { sql } from 'kysely';
import type { AwaitingReviewTotals } from '../store.js';
import { idOut, idParam } from './row-mapping.js';
import type { DbInt } from './schema.js';
import type { StoreContext } from './store-context.js';

/** Runs per statement: well under SQLite's and PostgreSQL's parameter limits. */
const RUN_CHUNK = 500;

export async function sumAwaitingReview(
  ctx: StoreContext,
  taskRunIds?: readonly string[],
): Promise<AwaitingReviewTotals[]> {
  const parts: (bigint[] | undefined)[] = [];
  if (taskRunIds === undefined) parts.push(undefined);
  else {
    const ids = [...new Set(taskRunIds)].map(idParam).filter((id): id is bigint => id !== undefined);
    for (let i = 0; i < ids.length; i += RUN_CHUNK) parts.push(ids.slice(i, i + RUN_CHUNK));
  }
  const out: AwaitingReviewTotals[] = [];
  for (const part of parts) {
    // The run and status lead the (task_run_id, status, …) index: only the completed units are read.
    const runs = part === undefined ? sql`1 = 1` : sql`task_run_id in (${sql.join(part)})`;
    const { rows } = await sql<{ task_run_id: DbInt; n: DbInt; pay: DbInt | null }>`select task_run_id,
        count(*) as n, sum(pay_amount) as pay from units
      where ${runs} and status = 'completed' group by task_run_id`.execute(ctx.db);
    for (const row of rows)
      out.push({
        taskRunId: idOut(row.task_run_id),
        units: Number(row.n),
        rewards: row.pay === null ? 0 : Number(row.pay),
      });
  }
  return out.sort((a, b) => (BigInt(a.taskRunId) < BigInt(b.taskRunId) ? -1 : 1));
}
