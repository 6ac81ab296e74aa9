/**
 * What a blueprint is built with besides its typed args: where the task lives, the run script's
 * non-serialisable inputs (Mephisto's `SharedTaskState`) and, for blueprints that wait on timers, the
 * scheduler the engine runs on.
 */
import type { Scheduler } from '../core/index.js';

/** One item of a static task's data: becomes an assignment's `shared` data. */
export type TaskDataItem = Readonly<Record<string, unknown>>;

/**
 * Data a run script supplies instead of a data file (Mephisto's `static_task_data`): an array, a
 * (possibly endless) generator or an async iterator of plain objects. It is read lazily, so a
 * generator can produce items as the run goes.
 */
export type StaticTaskData = Iterable<TaskDataItem> | AsyncIterable<TaskDataItem>;

/**
 * The run script's inputs that cannot live in a YAML config. Only the fields blueprints read are
 * declared here; the engine's own callbacks (worker_can_do_unit, on_unit_submitted, qualifications)
 * belong to the run layer, which can extend this interface.
 */
export interface SharedTaskState {
  /**
   * Extra values for the front end's task config (Mephisto's `task_config`); every blueprint's
   * `frontendArgs()` starts from a copy of it.
   */
  readonly taskConfig?: Readonly<Record<string, unknown>>;
  /** Static blueprints: the run's data when none of data_csv / data_json / data_jsonl is set. */
  readonly staticTaskData?: StaticTaskData;
}

export interface BlueprintContext {
  /**
   * The task's folder (the config's `task_dir`). Relative paths in the blueprint args (task_source,
   * data files, …) are resolved against it, not against the process's working directory, so a run
   * behaves the same whichever folder it is started from.
   */
  readonly taskDir: string;
  readonly sharedState?: SharedTaskState;
  /**
   * Timers for blueprints that wait with a limit (the mock blueprint's `timeout_time`), so tests can
   * drive them with a manual clock. @default real timers
   */
  readonly scheduler?: Scheduler;
}
