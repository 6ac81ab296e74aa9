/**
 * A run's live picture for the monitor, read from the store, so it shows every process serving the
 * run (they share the database): units by status, workers holding a unit, spend (from the payments
 * ledger, export/run-spend.ts), submissions per minute over the last hour, and the newest errors and
 * worker-facing refusals the runs logged (run_activity, written by run/run-activity-log.ts).
 */
import type { Clock } from '../core/index.js';
import { runSpend } from '../export/run-spend.js';
import type { RunMonitorProbe, Store } from '../store/store.js';
import type { MonitorSnapshot } from './review-api.js';
import { nonZero } from './review-queries.js';
import { toSpendDetail } from './review-views.js';

/** Entries of each activity kind shown. */
export const MONITOR_ACTIVITY_LIMIT = 50;
const MINUTE = 60_000;

/** Builds the snapshot; `probe` is the change check's read, reused when the caller has one. */
export async function buildMonitorSnapshot(
  store: Store,
  clock: Clock,
  runId: string,
  probe?: RunMonitorProbe,
): Promise<MonitorSnapshot> {
  const run = await store.getTaskRun(runId);
  const now = clock.now();
  const firstMinute = Math.floor(now / MINUTE) * MINUTE - 59 * MINUTE;
  const [task, seen, activeWorkers, perMinute, spend, errors, refusals] = await Promise.all([
    store.getTask(run.taskId),
    probe ?? store.review.probeRun(runId),
    store.review.countActiveWorkers(runId),
    store.review.submissionsPerMinute(runId, firstMinute),
    runSpend(store, run),
    store.review.findRunActivity(runId, 'error', MONITOR_ACTIVITY_LIMIT),
    store.review.findRunActivity(runId, 'refusal', MONITOR_ACTIVITY_LIMIT),
  ]);
  const counts = new Map(perMinute.map((m) => [m.minute, m.count]));
  return {
    runId,
    taskName: task.name,
    at: new Date(now).toISOString(),
    ended: run.isCompleted || seen.endedAt !== null,
    unitsByStatus: nonZero(seen.unitsByStatus),
    activeWorkers,
    submissionsPerMinute: Array.from({ length: 60 }, (_, i) => {
      const minute = firstMinute + i * MINUTE;
      return { minute: new Date(minute).toISOString(), count: counts.get(minute) ?? 0 };
    }),
    spend: spend.total,
    spendDetail: toSpendDetail(spend),
    recentErrors: errors.map((e) => ({ at: e.at.toISOString(), code: e.code, message: e.message })),
    recentRefusals: refusals.map((r) => ({
      at: r.at.toISOString(),
      workerName: r.workerName,
      code: r.code,
      message: r.message,
    })),
  };
}

/**
 * What decides whether the monitor pushes a new snapshot: the probe's figures plus the current minute
 * (the per-minute series moves on even when nothing else does).
 */
export function probeKey(probe: RunMonitorProbe, nowMs: number): string {
  return JSON.stringify([probe, Math.floor(nowMs / MINUTE)]);
}
