/**
 * The run-script API: what Mephisto's `@task_script` decorator and `operator.launch_task_run` /
 * `wait_for_runs_then_shutdown` do for a Python `run_task.py`, as one TypeScript call.
 *
 * ```ts
 * // run-task.ts, beside hydra_configs/conf/example.yaml
 * import { runTask } from 'mephisto-ts';
 *
 * await runTask({
 *   script: import.meta.url,
 *   taskData: [{ text: 'first' }, { text: 'second' }],
 *   onUnitSubmitted: ({ unit, data }) => console.log(unit.id, data),
 * });
 * ```
 *
 * See docs/run-scripts.md for the full walk-through.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StaticTaskData } from '../blueprints/blueprint-context.js';
import type { Clock } from '../core/clock.js';
import type { TaskConfig } from '../core/config/task-config.js';
import type { Scheduler } from '../core/scheduler.js';
import { loadTaskConfig } from '../config/load-task-config.js';
import type { LiveRun, RunEnd, RunHooks } from '../run/index.js';
import { openStore } from '../store/open-store.js';
import { defaultDataDir, resolveStoreConfig } from '../store/store-config.js';
import type { Store } from '../store/store.js';
import { followRun } from './follow-run.js';
import type { InterruptSignal, SignalSource } from './interrupts.js';
import type { ProgressSink } from './progress-reporter.js';
import { parseScriptArgv } from './script-argv.js';
import { startServedTaskRun } from './start-served-task-run.js';

/** Task data, or a function of the loaded config that makes it (to read `num_tasks` or your own keys). */
export type TaskDataOption = StaticTaskData | ((config: TaskConfig) => StaticTaskData);

/**
 * A worker's onboarding answers, as `validateOnboarding` will receive them. Onboarding is not run by
 * mephisto-ts yet; the type is here so scripts can be written against it now.
 */
export interface OnboardingSubmission {
  readonly workerId: string;
  readonly data: unknown;
}

export interface TaskScriptOptions extends RunHooks {
  /**
   * The run script itself: pass `import.meta.url` (or the script's folder). It is the task directory
   * (`task_dir`), and the default config is looked up beside it.
   */
  readonly script: string | URL;
  /**
   * The config file, absolute or relative to the script's folder. Without it the config is
   * `hydra_configs/conf/<name>.yaml` beside the script, `<name>` being `conf=NAME` from the command
   * line or {@link defaultConfigName}.
   */
  readonly configPath?: string;
  /** @default 'example' */
  readonly defaultConfigName?: string;
  /**
   * The script's arguments: overrides (`key=value`, `+key=value`, `~key`, `group=option`),
   * `conf=NAME` and `--db <path|url>`. @default process.argv.slice(2)
   */
  readonly argv?: readonly string[];
  /** Read for MEPHISTO_DATABASE_URL, MEPHISTO_DATA_DIR and `${oc.env:…}`. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * The run's data when the config names no data file (Mephisto's `static_task_data`): an array, a
   * generator (an endless one is fine, it is read as units are needed) or an async iterator.
   */
  readonly taskData?: TaskDataOption;
  /**
   * Decides whether a worker passes onboarding. **Not used yet**: it will be called when onboarding
   * lands in mephisto-ts; until then a config that requires onboarding is refused by the blueprint.
   */
  readonly validateOnboarding?: (submission: OnboardingSubmission) => boolean | Promise<boolean>;
  /**
   * The store to use; the caller keeps ownership (it is not closed). Without it the store is opened
   * from `--db`, else MEPHISTO_DATABASE_URL, else `<data dir>/database.db`, and closed at the end.
   */
  readonly store?: Store;
  /** @default the store's clock */
  readonly clock?: Clock;
  /** @default real timers */
  readonly scheduler?: Scheduler;
  /** Called once the run is launched, before waiting for its end (to start workers, print links, …). */
  readonly onLaunched?: (run: LiveRun, config: TaskConfig) => void | Promise<void>;
  /** Where the launch report, progress and summary go. @default process.stdout */
  readonly output?: ProgressSink;
  /** Signals that shut the run down. @default process */
  readonly signals?: SignalSource;
  /** How a second Ctrl-C ends the process. @default process.exit */
  readonly exit?: (code: number) => void;
}

export interface TaskScriptResult {
  readonly taskRunId: string;
  readonly config: TaskConfig;
  readonly end: RunEnd;
  /** The signal that stopped the run, if one did. */
  readonly interruptedBy?: InterruptSignal;
  /** 0 when the run completed, 130/143 when a signal stopped it, 1 otherwise. */
  readonly exitCode: number;
}

/** The folder of `script` (a file URL or path of the script, or its folder). */
function scriptFolder(script: string | URL): string {
  const path = script instanceof URL || script.startsWith('file:') ? fileURLToPath(script) : resolve(script);
  return /\.[cm]?[jt]s$/.test(path) ? dirname(path) : path;
}

/**
 * Loads the config, opens the store, launches the run, prints the launch report and progress, waits
 * for the run to end and shuts everything down: the whole life of a run script. A first SIGINT/SIGTERM
 * shuts the run down cleanly (units expired, provider released); a second one exits at once.
 *
 * @throws the config loader's errors (ConfigNotFoundError, ConfigInvalidError, …) and the launch's
 *   (unknown blueprint or provider type, missing task file, store errors); nothing is left running.
 */
export async function runTask(options: TaskScriptOptions): Promise<TaskScriptResult> {
  const args = parseScriptArgv(options.argv ?? process.argv.slice(2));
  const env = options.env ?? process.env;
  const folder = scriptFolder(options.script);
  const loaded = await loadTaskConfig({
    ...(options.configPath !== undefined && args.configName === undefined
      ? { configPath: resolve(folder, options.configPath) }
      : { configDir: folder, configName: args.configName ?? options.defaultConfigName ?? 'example' }),
    overrides: args.overrides,
    taskDir: folder,
    cwd: folder,
    env,
  });
  const { config, taskDir } = loaded;
  const output = options.output ?? process.stdout;
  if (options.validateOnboarding !== undefined) {
    output.write('notice: validateOnboarding is kept for when onboarding lands; it is not called yet.\n');
  }

  const store = options.store ?? (await openStore(resolveStoreConfig(args.db, env)));
  try {
    const taskData = typeof options.taskData === 'function' ? options.taskData(config) : options.taskData;
    const served = await startServedTaskRun({
      store,
      dataDir: defaultDataDir(env),
      config,
      taskDir,
      hooks: hooksOf(options),
      ...(taskData === undefined ? {} : { taskData }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }),
    });
    const { operator, run } = served;
    try {
      const followed = await followRun({
        operator,
        run,
        config,
        output,
        signals: options.signals ?? process,
        exit: options.exit ?? ((code) => process.exit(code)),
        ...(options.onLaunched === undefined
          ? {}
          : { onLaunched: (launched: LiveRun) => options.onLaunched?.(launched, config) }),
      });
      return { taskRunId: run.taskRun.id, config, ...followed };
    } finally {
      await served.close();
    }
  } finally {
    if (options.store === undefined) await store.close();
  }
}

/** Only the engine's hooks, so the script's other options never reach the engine. */
function hooksOf(options: TaskScriptOptions): RunHooks {
  const hooks: { -readonly [K in keyof RunHooks]: RunHooks[K] } = {};
  // Wrapped rather than copied: the hooks are declared as methods, so they are called on `options`.
  if (options.onUnitSubmitted !== undefined)
    hooks.onUnitSubmitted = (event) => options.onUnitSubmitted?.(event);
  if (options.workerCanDoUnit !== undefined) {
    hooks.workerCanDoUnit = (worker, unit) => options.workerCanDoUnit?.(worker, unit) ?? true;
  }
  if (options.qualifications !== undefined) hooks.qualifications = options.qualifications;
  return hooks;
}

/** A run script: its options, plus `main()` for the script's last line. */
export interface TaskScript {
  readonly options: TaskScriptOptions;
  /** Runs the task with these options (and any replaced, e.g. `argv` or `store` in a test). */
  run(overrides?: Partial<TaskScriptOptions>): Promise<TaskScriptResult>;
  /**
   * Runs the task from the command line: prints errors as the CLI does and sets `process.exitCode`
   * (0 completed, 1 failed, 130 interrupted).
   */
  main(): Promise<void>;
}

/**
 * Declares a run script (Mephisto's `@task_script(default_config_file=…)`) without running it, so a
 * test can import the script and run it with its own store and arguments:
 *
 * ```ts
 * export const script = defineTaskScript({ script: import.meta.url, taskData: … });
 * // Only when executed (`npx tsx run-task.ts`), not when a test imports the script:
 * if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
 *   await script.main();
 * }
 * ```
 */
export function defineTaskScript(options: TaskScriptOptions): TaskScript {
  return {
    options,
    run: (overrides = {}) => runTask({ ...options, ...overrides }),
    async main() {
      try {
        process.exitCode = (await runTask(options)).exitCode;
      } catch (error) {
        const { formatError } = await import('../cli/output.js');
        process.stderr.write(formatError(error, { debug: process.env.MEPHISTO_DEBUG === '1' }));
        process.exitCode = 1;
      }
    },
  };
}
