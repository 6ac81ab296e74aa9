/** Tasks and their runs at a glance, for `mephisto runs`: units per status, whether ended, spend. */
import { NotFoundError, UNIT_STATUSES, type Task, type TaskRun, type UnitStatus } from '../core/index.js';
import type { Store } from '../store/store.js';
import { runSpend, runSpends, type RunSpend } from './run-spend.js';

export interface RunOverview {
  readonly run: TaskRun;
  /** Units per status, every status present (0 when none). */
  readonly units: Readonly<Record<UnitStatus, number>>;
  readonly totalUnits: number;
  /** The run ended (completed, shut down, expired, …): nothing more will be launched unless resumed. */
  readonly ended: boolean;
  /** Why it ended, as the engine recorded it; null while it runs. */
  readonly endReason: string | null;
  readonly endedAt: Date | null;
  /** From the payments ledger (see {@link RunSpend}). */
  readonly spend: RunSpend;
}

export interface TaskOverview {
  readonly task: Task;
  /** Oldest first. */
  readonly runs: readonly RunOverview[];
}

/**
 * Every task (or the one named `taskName`) with its runs, tasks and runs oldest first. A task with no
 * run is listed with none. An unknown `taskName` → NotFound(task).
 */
export async function listTaskOverviews(
  store: Store,
  options: { taskName?: string | undefined } = {},
): Promise<TaskOverview[]> {
  const tasks =
    options.taskName === undefined
      ? await store.findTasks()
      : await store.findTasks({ name: options.taskName });
  if (options.taskName !== undefined && tasks.length === 0) {
    throw new NotFoundError(
      'task',
      options.taskName,
      `no task is named "${options.taskName}" in ${store.location}`,
    );
  }
  const runsByTask: TaskRun[][] = [];
  for (const task of tasks) runsByTask.push(await store.findTaskRuns({ taskId: task.id }));
  const spends = await runSpends(store, runsByTask.flat());
  const overviews: TaskOverview[] = [];
  for (const [i, task] of tasks.entries()) {
    const runOverviews: RunOverview[] = [];
    for (const run of runsByTask[i] ?? [])
      runOverviews.push(await overviewOfRun(store, run, spends.get(run.id)));
    overviews.push({ task, runs: runOverviews });
  }
  return overviews;
}

/** One run's overview; `known` is its spend when the caller read it already (with {@link runSpends}). */
export async function overviewOfRun(store: Store, run: TaskRun, known?: RunSpend): Promise<RunOverview> {
  const [units, state, spend] = await Promise.all([
    store.countUnitsByStatus({ taskRunId: run.id }),
    store.getTaskRunState(run.id),
    known ?? runSpend(store, run),
  ]);
  const end = state.end;
  return {
    run,
    units,
    totalUnits: UNIT_STATUSES.reduce((sum, status) => sum + units[status], 0),
    ended: end !== null || run.isCompleted,
    endReason: end?.reason ?? (run.isCompleted ? 'completed' : null),
    endedAt: end?.endedAt ?? null,
    spend,
  };
}
