/**
 * What a run has cost so far, from the payments ledger. Every report of spend goes through here
 * (`mephisto runs`, the review app's task list and the live monitor), so they all say the same.
 *
 * The ledger's entries (store `Payment`) are written by review actions (review/provider-delivery.ts):
 * an approval or soft rejection reserves the unit's reward and the platform's fee `pending`, then
 * settles them `paid`, `manual` (owed: in-house workers are paid by hand) or `failed`; a bonus likewise.
 * Failed entries are not spend. Beside the ledger's figures, and never added to them, one estimate:
 * the rewards of submitted work still awaiting review.
 */
import type { TaskRun } from '../core/index.js';
import { runBudgetCents, toDollars } from '../payments/index.js';
import { providerArgsOf } from '../review/review-providers.js';
import type { AwaitingReviewTotals, RunSpendTotals, Store } from '../store/store.js';
import { roundMoney } from './export-record.js';

/** A run's spend, dollars. `paid + pending + owed = total = rewards + bonuses + fees`. */
export interface RunSpend {
  /** Ledger entries the provider confirmed paid: rewards, bonuses and fees. */
  readonly paid: number;
  /** Ledger entries reserved and sent to the provider, not confirmed yet (a call under way or interrupted). */
  readonly pending: number;
  /** Ledger entries owed: recorded for in-house workers, to be paid by hand (`manual`). */
  readonly owed: number;
  /** Of the total: units' rewards. */
  readonly rewards: number;
  /** Of the total: bonuses. */
  readonly bonuses: number;
  /** Of the total: the platform's fees on rewards and bonuses. */
  readonly fees: number;
  /** paid + pending + owed: what the run has spent or committed. Failed payments are not counted. */
  readonly total: number;
  /** The run's budget (`mephisto.provider.budget_in_dollars`), or null when it has none. */
  readonly budget: number | null;
  /**
   * An estimate, not part of `total`: the rewards of submitted units not reviewed yet (status
   * `completed`), what approving them all would add, before fees.
   */
  readonly awaitingReview: number;
  /** Units counted in `awaitingReview`. */
  readonly awaitingReviewUnits: number;
}

/** The spend of one run (given, or read by id). A missing run → NotFound(task_run). */
export async function runSpend(store: Store, taskRun: TaskRun | string): Promise<RunSpend> {
  const id = typeof taskRun === 'string' ? taskRun : taskRun.id;
  const [run, [totals], [awaiting]] = await Promise.all([
    typeof taskRun === 'string' ? store.getTaskRun(id) : taskRun,
    store.sumPayments([id]),
    store.sumAwaitingReview([id]),
  ]);
  return spendFrom(run, totals, awaiting);
}

/** Runs per read (their ids go into one IN list). */
const RUNS_PER_READ = 500;

/** The spend of many runs, by run id, in two reads per 500 runs (whatever the number of entries). */
export async function runSpends(store: Store, runs: readonly TaskRun[]): Promise<Map<string, RunSpend>> {
  const totals = new Map<string, RunSpendTotals>();
  const awaiting = new Map<string, AwaitingReviewTotals>();
  for (let i = 0; i < runs.length; i += RUNS_PER_READ) {
    const ids = runs.slice(i, i + RUNS_PER_READ).map((run) => run.id);
    const [ledger, unreviewed] = await Promise.all([store.sumPayments(ids), store.sumAwaitingReview(ids)]);
    for (const t of ledger) totals.set(t.taskRunId, t);
    for (const a of unreviewed) awaiting.set(a.taskRunId, a);
  }
  return new Map(runs.map((run) => [run.id, spendFrom(run, totals.get(run.id), awaiting.get(run.id))]));
}

function spendFrom(
  run: TaskRun,
  totals: RunSpendTotals | undefined,
  awaiting: AwaitingReviewTotals | undefined,
): RunSpend {
  const cents = totals ?? {
    paidCents: 0,
    pendingCents: 0,
    manualCents: 0,
    rewardCents: 0,
    bonusCents: 0,
    feeCents: 0,
  };
  const budgetCents = runBudgetCents(providerArgsOf(run));
  return {
    paid: toDollars(cents.paidCents),
    pending: toDollars(cents.pendingCents),
    owed: toDollars(cents.manualCents),
    rewards: toDollars(cents.rewardCents),
    bonuses: toDollars(cents.bonusCents),
    fees: toDollars(cents.feeCents),
    total: toDollars(cents.paidCents + cents.pendingCents + cents.manualCents),
    budget: budgetCents === null ? null : toDollars(budgetCents),
    awaitingReview: roundMoney(awaiting?.rewards ?? 0),
    awaitingReviewUnits: awaiting?.units ?? 0,
  };
}
