/**
 * A run's budget (`mephisto.provider.budget_in_dollars`) and how much of it is left for launching.
 *
 * Launching does not spend, but every launched unit may be approved, so a launch counts its worst
 * case: the ledger's spend (pending, paid and owed entries) plus, for each unit on offer, being worked
 * on or waiting for review, its reward and fee. Units reviewed already are in the ledger (approved) or
 * cost nothing (rejected), so nothing is counted twice.
 */
import type { Store } from '../store/store.js';
import { toCents } from './money.js';

/** The budget in whole cents, or null when the run has none. */
export function runBudgetCents(providerArgs: Readonly<Record<string, unknown>>): number | null {
  const budget = providerArgs['budget_in_dollars'];
  return typeof budget === 'number' && Number.isFinite(budget) ? toCents(budget) : null;
}

/** How many more units the budget allows launching (Infinity when a unit costs nothing). */
export async function affordableUnits(
  store: Store,
  taskRunId: string,
  budgetCents: number,
  unitCostCents: number,
): Promise<number> {
  if (unitCostCents <= 0) return Infinity;
  const [totals] = await store.sumPayments([taskRunId]);
  const spent = totals === undefined ? 0 : totals.paidCents + totals.pendingCents + totals.manualCents;
  const exposed = await store.countUnits({ taskRunId, status: ['launched', 'assigned', 'completed'] });
  const left = budgetCents - spent - exposed * unitCostCents;
  return Math.max(0, Math.floor(left / unitCostCents));
}
