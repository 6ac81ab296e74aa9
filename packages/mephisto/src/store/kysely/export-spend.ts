/**
 * A run's spend so far, summed from its units and their reviews. A payments ledger will replace this
 * estimate; until then src/export/run-spend.ts is its one caller.
 */
import { NotFoundError, type UnitStatus } from '../../core/index.js';
import type { TaskRunSpend } from '../store.js';
import type { DbInt } from './schema.js';
import { idParam } from './row-mapping.js';
import { readFixed, type StoreContext } from './store-context.js';

/**
 * Units whose reward counts as spent: submitted work that is or will be paid. `soft_rejected` is paid
 * too (Mephisto approves the work on the provider and only keeps the worker from more units).
 */
export const SPENT_UNIT_STATUSES: readonly UnitStatus[] = ['completed', 'accepted', 'soft_rejected'];

const STATUS_LIST = SPENT_UNIT_STATUSES.map((s) => `'${s}'`).join(', ');

// One statement: no row when the run is missing. Bonuses count only reviews attached to a unit of the
// run (a review with a task but no unit cannot be told apart between the task's runs).
const SPEND_SQL = `select
  (select sum(u.pay_amount) from units u where u.task_run_id = t.task_run_id and u.status in (${STATUS_LIST})) as rewards,
  (select count(*) from units u where u.task_run_id = t.task_run_id and u.status in (${STATUS_LIST})) as paid_units,
  (select sum(r.bonus) from worker_review r join units u on u.unit_id = r.unit_id
    where u.task_run_id = t.task_run_id) as bonuses
from task_runs t where t.task_run_id = ?`;

interface SpendRecord {
  rewards: DbInt | null;
  paid_units: DbInt;
  bonuses: DbInt | null;
}

export async function sumTaskRunSpend(ctx: StoreContext, taskRunId: string): Promise<TaskRunSpend> {
  const runId = idParam(taskRunId);
  if (runId === undefined) throw new NotFoundError('task_run', taskRunId);
  const [row] = await readFixed<SpendRecord>(ctx, SPEND_SQL, [runId]);
  if (row === undefined) throw new NotFoundError('task_run', taskRunId);
  return {
    rewards: row.rewards === null ? 0 : Number(row.rewards),
    paidUnits: Number(row.paid_units),
    bonuses: row.bonuses === null ? 0 : Number(row.bonuses),
  };
}
