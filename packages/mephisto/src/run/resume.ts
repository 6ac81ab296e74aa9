/**
 * `resume_incomplete_run`: continuing the last run of a task after a crash (even `kill -9`) or an
 * interruption. Unlike Mephisto, which reuses the old run's stored config and aborts when any unit is
 * still launched or assigned (quirk 7), a resume here takes the new config's changeable settings and
 * reconciles whatever state the crash left:
 *
 * - agents still working at the crash (`none`, `accepted`, `waiting`, `in task`, `partner disconnect`)
 *   are marked `disconnect`, which puts their units back to `launched` (their pages are gone);
 * - units `expired` (by a shutdown), `rejected` or `soft_rejected` go back to `created` and are
 *   offered again, as Mephisto's resume does;
 * - `launched` units are launched again at the provider (launching is idempotent);
 * - completed and accepted work is kept as it is.
 */
import type { Logger } from 'pino';
import type { TaskConfig } from '../core/config/task-config.js';
import { TransitionConflictError, type AgentStatus, type Task, type TaskRun } from '../core/index.js';
import type { Store } from '../store/store.js';
import { ResumeConflictError } from './run-errors.js';
import { RESUME_FIXED_SETTINGS, valueAt } from './run-settings.js';

/** Agent statuses of a worker still on the unit: after a crash their page is gone. */
const STRANDED_AGENT_STATUSES: readonly AgentStatus[] = [
  'none',
  'accepted',
  'waiting',
  'in task',
  'partner disconnect',
];

/**
 * The run a resume continues: the task's last run that did not end as completed, or undefined (then a
 * new run is started, with a notice).
 */
export async function findRunToResume(store: Store, task: Task): Promise<TaskRun | undefined> {
  const runs = await store.findTaskRuns({ taskId: task.id });
  for (let i = runs.length - 1; i >= 0; i--) {
    const run = runs[i] as TaskRun;
    if (run.isCompleted) continue;
    const state = await store.getTaskRunState(run.id);
    if (state.end?.reason === 'completed') continue;
    return run;
  }
  return undefined;
}

/**
 * The problems that forbid continuing `run` with `config` (empty when it may): the blueprint and
 * provider types, the requester and the data source must stay as they were.
 */
export function resumeProblems(
  run: TaskRun,
  config: TaskConfig,
  blueprintType: string,
  providerType: string,
): string[] {
  const problems: string[] = [];
  if (run.taskType !== blueprintType)
    problems.push(`the run's blueprint type is "${run.taskType}", the config's is "${blueprintType}"`);
  if (run.providerType !== providerType)
    problems.push(`the run's provider type is "${run.providerType}", the config's is "${providerType}"`);
  let stored: unknown;
  try {
    stored = JSON.parse(run.initParams);
  } catch {
    // A run created by another tool may hold YAML (Mephisto's JSON-wrapped YAML): nothing to compare.
    return problems;
  }
  for (const path of RESUME_FIXED_SETTINGS) {
    // The type keys were compared above, against the run's own columns.
    if (path.at(-1)?.startsWith('_') === true) continue;
    const before = valueAt(stored, path);
    const after = valueAt(config, path);
    if (before === undefined && after === undefined) continue;
    if (JSON.stringify(before) !== JSON.stringify(after)) {
      problems.push(
        `${path.join('.')} was ${show(before)} when the run was launched and is ${show(after)} now; ` +
          'a resume may not change it',
      );
    }
  }
  return problems;
}

/** @throws ResumeConflictError listing every problem */
export function assertResumable(
  run: TaskRun,
  config: TaskConfig,
  blueprintType: string,
  providerType: string,
): void {
  const problems = resumeProblems(run, config, blueprintType, providerType);
  if (problems.length > 0) throw new ResumeConflictError(run.id, problems);
}

export interface Reconciliation {
  /** Agents found working and marked `disconnect`. */
  readonly disconnectedAgents: number;
  /** Units moved back to `created` (expired, rejected, soft_rejected). */
  readonly reofferedUnits: number;
}

function show(value: unknown): string {
  return value === undefined ? 'unset' : JSON.stringify(value);
}

/** Brings a crashed or interrupted run's rows to a state a new live run can take over. */
export async function reconcileRun(store: Store, run: TaskRun, logger: Logger): Promise<Reconciliation> {
  let disconnectedAgents = 0;
  const stranded = await store.findAgents({ taskRunId: run.id, status: STRANDED_AGENT_STATUSES });
  for (const agent of stranded) {
    try {
      await store.transitionAgent(agent.id, { from: agent.status, to: 'disconnect' });
      disconnectedAgents++;
    } catch (error) {
      // Another process moved it meanwhile (it submitted, say): its new status stands.
      if (!(error instanceof TransitionConflictError)) throw error;
    }
  }
  const reoffer = await store.findUnits({
    taskRunId: run.id,
    status: ['expired', 'rejected', 'soft_rejected'],
  });
  const moved = await store.transitionUnits(
    reoffer.filter((u) => u.unitIndex >= 0).map((u) => u.id),
    { from: ['expired', 'rejected', 'soft_rejected'], to: 'created' },
  );
  if (run.isCompleted) await store.setTaskRunCompleted(run.id, false);
  logger.info(
    { disconnectedAgents, reofferedUnits: moved.length },
    'resume: reconciled the run left by the previous process',
  );
  return { disconnectedAgents, reofferedUnits: moved.length };
}
