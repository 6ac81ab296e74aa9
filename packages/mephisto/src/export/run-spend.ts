/**
 * What a run has cost so far. The one function every report of spend goes through (`mephisto runs`,
 * and the review service may share it): when the payments ledger lands, it replaces the estimate here.
 */
import type { Store } from '../store/store.js';
import { roundMoney } from './export-record.js';

export interface RunSpend {
  /** Rewards of units whose work is paid or will be (completed, accepted, soft_rejected), dollars. */
  readonly rewards: number;
  /** Units counted in `rewards`. */
  readonly paidUnits: number;
  /** Bonuses recorded in worker reviews of the run's units, dollars. */
  readonly bonuses: number;
  /** rewards + bonuses. */
  readonly total: number;
}

/**
 * Today: the units' rewards and the reviews' bonuses summed by the store (provider fees are not
 * included; rejected work is not counted). A missing run → NotFound(task_run).
 */
export async function runSpend(store: Store, taskRunId: string): Promise<RunSpend> {
  const sums = await store.sumTaskRunSpend(taskRunId);
  const rewards = roundMoney(sums.rewards);
  const bonuses = roundMoney(sums.bonuses);
  return { rewards, paidUnits: sums.paidUnits, bonuses, total: roundMoney(rewards + bonuses) };
}
