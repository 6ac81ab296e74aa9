/**
 * What a launched run prints, shared by `mephisto run` and run scripts so both read alike: the launch
 * block (run id, task name, worker links), the one-line progress, and the end-of-run summary.
 */
import type { TaskConfig } from '../core/config/task-config.js';
import { taskNameOf } from '../core/config/task-config.js';
import type { LiveRun, RunEnd } from '../run/index.js';

/** Statuses in which a unit's work is finished, whatever the review later decides. */
const DONE_STATUSES: readonly string[] = ['completed', 'accepted', 'rejected', 'soft_rejected'];

/** Worker links beyond this many are summarised, so a 100,000-unit launch does not flood the terminal. */
const MAX_LINKS_SHOWN = 10;

/** A run's progress reduced to what the progress line shows. */
export interface ProgressView {
  /** Units whose work is finished (completed or reviewed). */
  readonly done: number;
  /** Units the run has created so far (grows while an endless data source is read). */
  readonly total: number;
  /** Workers holding a unit right now. */
  readonly activeWorkers: number;
  /** Units per status. */
  readonly byStatus: Readonly<Record<string, number>>;
}

export function progressView(run: LiveRun): ProgressView {
  const progress = run.progress();
  const byStatus: Record<string, number> = { ...progress.units };
  const total = Object.values(byStatus).reduce((sum, count) => sum + count, 0);
  const done = DONE_STATUSES.reduce((sum, status) => sum + (byStatus[status] ?? 0), 0);
  return { done, total, activeWorkers: progress.activeWorkers, byStatus };
}

/** `units 12/40 done, 3 workers active` */
export function formatProgressLine(view: ProgressView): string {
  const workers = view.activeWorkers === 1 ? '1 worker' : `${view.activeWorkers} workers`;
  return `units ${view.done}/${view.total} done, ${workers} active`;
}

/**
 * The lines printed once a run is launched. The task-name notice mirrors Mephisto's warning: runs
 * without `task_name` all share the blueprint type as their task, and with it their per-worker caps.
 */
export function formatLaunchReport(run: LiveRun, config: TaskConfig, links: readonly string[]): string {
  let text = `Launched task run ${run.taskRun.id}${run.resumed ? ' (resumed)' : ''}\n`;
  text += `Task: ${taskNameOf(config)}\n`;
  if (config.mephisto.task.task_name === undefined) {
    text +=
      `notice: mephisto.task.task_name is not set, so the task is named after the blueprint type ` +
      `"${config.mephisto.blueprint._blueprint_type}"; runs without a task_name share its worker caps.\n`;
  }
  if (links.length > 0) {
    text += 'Worker links:\n';
    for (const link of links.slice(0, MAX_LINKS_SHOWN)) text += `  ${link}\n`;
    if (links.length > MAX_LINKS_SHOWN) text += `  … and ${links.length - MAX_LINKS_SHOWN} more\n`;
  }
  return text;
}

/** The end-of-run block: why it ended (`shutdown: interrupted by SIGINT`) and the units per status. */
export function formatRunSummary(end: RunEnd): string {
  let text = `Run ended: ${end.reason}${end.detail === undefined ? '' : `: ${end.detail}`}\n`;
  const counts = Object.entries(end.counts).filter(([, count]) => count > 0);
  if (counts.length === 0) return `${text}Units: none\n`;
  const width = Math.max(...counts.map(([status]) => status.length));
  text += 'Units:\n';
  for (const [status, count] of counts) text += `  ${`${status}:`.padEnd(width + 1)} ${count}\n`;
  return text;
}
