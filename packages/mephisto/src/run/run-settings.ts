/**
 * The `mephisto.task` settings the engine enforces, read once from a validated config into the units
 * the engine works in (milliseconds, 0 = no limit), plus the rule for what a resume may change.
 */
import type { TaskConfig } from '../core/config/task-config.js';
import { DEFAULT_TASK_LIFETIME_IN_SECONDS } from '../core/config/task-run-args.js';
import { taskNameOf } from '../core/config/task-config.js';

export interface RunSettings {
  /** `task_name`, or the blueprint type when it is not set. */
  readonly taskName: string;
  /** True when `task_name` was not set and the blueprint type stands in (a notice is logged). */
  readonly taskNameDefaulted: boolean;
  /** `task_reward`: every new unit's pay amount. */
  readonly reward: number;
  /** `task_lifetime_in_seconds` in ms, from the run's start (or resume); 0 in the config means the 31-day default. */
  readonly lifetimeMs: number;
  /** `assignment_duration_in_seconds` in ms, per agent from its creation; 0 = no limit. */
  readonly assignmentDurationMs: number;
  /** `no_submission_patience` in ms, since the last submit (or the start); 0 = no limit. */
  readonly patienceMs: number;
  /** `submission_timeout` in ms, after the blueprint's runUnit finished without a submit. */
  readonly submissionTimeoutMs: number;
  /** `allowed_concurrent`; 0 = no limit. */
  readonly allowedConcurrent: number;
  /** `maximum_units_per_worker`; 0 = no limit. */
  readonly maximumUnitsPerWorker: number;
  /** `max_num_concurrent_units`; 0 = launch everything. */
  readonly maxConcurrentUnits: number;
  readonly resumeIncompleteRun: boolean;
  /** `mephisto.blueprint.block_qualification`: a grant of it blocks the worker. */
  readonly blockQualification: string | undefined;
}

const SECOND = 1000;

export function runSettingsOf(config: TaskConfig): RunSettings {
  const task = config.mephisto.task;
  const blueprint = config.mephisto.blueprint as { block_qualification?: string };
  return {
    taskName: taskNameOf(config),
    taskNameDefaulted: task.task_name === undefined,
    reward: task.task_reward,
    // Mephisto's MTurk falls back to 31 days when the lifetime is falsy; we do the same for every provider.
    lifetimeMs: (task.task_lifetime_in_seconds || DEFAULT_TASK_LIFETIME_IN_SECONDS) * SECOND,
    assignmentDurationMs: task.assignment_duration_in_seconds * SECOND,
    patienceMs: task.no_submission_patience * SECOND,
    submissionTimeoutMs: task.submission_timeout * SECOND,
    allowedConcurrent: task.allowed_concurrent,
    maximumUnitsPerWorker: task.maximum_units_per_worker,
    maxConcurrentUnits: task.max_num_concurrent_units,
    resumeIncompleteRun: task.resume_incomplete_run,
    blockQualification: blueprint.block_qualification,
  };
}

/**
 * Settings a resume keeps from the run it continues: they decide which work exists and who pays for
 * it, so changing them would make the stored work mean something else. Paths into the config.
 */
export const RESUME_FIXED_SETTINGS: readonly (readonly string[])[] = [
  ['mephisto', 'blueprint', '_blueprint_type'],
  ['mephisto', 'provider', '_provider_type'],
  ['mephisto', 'provider', 'requester_name'],
  ['mephisto', 'blueprint', 'data_csv'],
  ['mephisto', 'blueprint', 'data_json'],
  ['mephisto', 'blueprint', 'data_jsonl'],
  ['mephisto', 'blueprint', 'units_per_assignment'],
  ['mephisto', 'blueprint', 'num_assignments'],
];

/** Task settings a resume takes from the new config (everything else in `mephisto.task` too, but these matter). */
export const RESUME_CHANGEABLE_TASK_SETTINGS = [
  'task_title',
  'task_description',
  'task_reward',
  'task_tags',
  'task_lifetime_in_seconds',
  'assignment_duration_in_seconds',
  'no_submission_patience',
  'allowed_concurrent',
  'maximum_units_per_worker',
  'max_num_concurrent_units',
  'submission_timeout',
  'post_install_script',
  'force_rebuild',
] as const;

export function valueAt(config: unknown, path: readonly string[]): unknown {
  let node = config;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
