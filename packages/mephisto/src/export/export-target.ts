/** What `mephisto export <task_name|run_id>` names: one run, or every run of a task. */
import { MephistoError, NotFoundError, type Task, type TaskRun } from '../core/index.js';
import type { Store } from '../store/store.js';

export interface ExportTarget {
  /** How the name was understood: a run id, or a task name. */
  readonly kind: 'run' | 'task';
  readonly task: Task;
  /** The runs to export, oldest first (one for a run id). */
  readonly runs: readonly TaskRun[];
}

/**
 * A name of digits that is the id of an existing run names that run; anything else (including digits
 * that name no run) is looked up as a task name, which exports all of the task's runs. Neither →
 * MEPHISTO_ERR_EXPORT_TARGET_NOT_FOUND.
 */
export async function resolveExportTarget(store: Store, name: string): Promise<ExportTarget> {
  if (/^[0-9]+$/.test(name)) {
    const run = await findRun(store, name);
    if (run !== null) return { kind: 'run', task: await store.getTask(run.taskId), runs: [run] };
  }
  const [task] = await store.findTasks({ name });
  if (task === undefined) {
    const what = /^[0-9]+$/.test(name)
      ? `no task run has id ${name} and no task is named "${name}"`
      : `no task is named "${name}"`;
    throw new MephistoError('MEPHISTO_ERR_EXPORT_TARGET_NOT_FOUND', `${what} in ${store.location}`);
  }
  return { kind: 'task', task, runs: await store.findTaskRuns({ taskId: task.id }) };
}

async function findRun(store: Store, id: string): Promise<TaskRun | null> {
  try {
    return await store.getTaskRun(id);
  } catch (error) {
    if (error instanceof NotFoundError && error.entity === 'task_run') return null;
    throw error;
  }
}
