/**
 * A launched run on a throwaway SQLite store, driven by a manual clock: the harness for testing a task
 * end to end without a browser or a crowd provider.
 */
import {
  loadTaskConfig,
  ManualClock,
  parseTaskConfig,
  simulateWorkers,
  startTaskRun,
  type LiveRun,
  type Operator,
  type RunHooks,
  type Simulation,
  type SimulateWorkersOptions,
  type StaticTaskData,
  type Store,
  type TaskConfig,
} from 'mephisto-ts';
import { withTempSqliteStore } from './temp-sqlite-store.js';

/** Where the config comes from: a YAML file (with overrides), or a config object built in the test. */
export type RunConfigSource =
  | { readonly configPath: string; readonly overrides?: readonly string[]; readonly taskDir?: string }
  | { readonly config: unknown; readonly taskDir?: string };

export type WithRunOptions = RunConfigSource & {
  /** The run's data when the config names no data file (an array, generator or async iterator). */
  readonly taskData?: StaticTaskData;
  readonly hooks?: RunHooks;
  /** @default a new ManualClock */
  readonly clock?: ManualClock;
};

/** What the test body gets. */
export interface RunHarness {
  readonly run: LiveRun;
  readonly operator: Operator;
  /** The run's clock and scheduler: `await clock.tick(ms)` moves time and fires the engine's timers. */
  readonly clock: ManualClock;
  readonly store: Store;
  readonly config: TaskConfig;
  /** Starts simulated workers on the run, their think times on {@link clock}. */
  readonly simulate: (options: Omit<SimulateWorkersOptions, 'scheduler'>) => Simulation;
}

async function resolveConfig(source: RunConfigSource): Promise<{ config: TaskConfig; taskDir: string }> {
  if ('configPath' in source) {
    const loaded = await loadTaskConfig({
      configPath: source.configPath,
      overrides: source.overrides ?? [],
      ...(source.taskDir === undefined ? {} : { taskDir: source.taskDir }),
    });
    return { config: loaded.config, taskDir: loaded.taskDir };
  }
  const raw = source.config as Record<string, unknown>;
  const taskDir = source.taskDir ?? (typeof raw.task_dir === 'string' ? raw.task_dir : process.cwd());
  const config = parseTaskConfig({ ...raw, task_dir: taskDir });
  return { config, taskDir };
}

/**
 * Opens a migrated SQLite store in a temporary folder, launches the config on it with a
 * {@link ManualClock} as clock and scheduler, and hands the live run to `use`. Afterwards, whether
 * `use` succeeded or threw, the operator is shut down and the store closed and deleted.
 *
 * The config must select the mock provider (`/mephisto/provider: mock`, or the override
 * `mephisto/provider=mock`): nothing leaves the process.
 *
 * @throws the config loader's errors, and an InvalidArgument error for a provider other than mock
 */
export async function withRun<T>(
  options: WithRunOptions,
  use: (harness: RunHarness) => Promise<T>,
): Promise<T> {
  const { config, taskDir } = await resolveConfig(options);
  const provider = config.mephisto.provider._provider_type;
  if (provider !== 'mock') {
    throw new Error(
      `withRun launches with the mock provider; this config selects "${provider}". ` +
        'Add the override mephisto/provider=mock.',
    );
  }
  const clock = options.clock ?? new ManualClock();
  return withTempSqliteStore(
    async (store) => {
      const { operator, run } = await startTaskRun({
        store,
        config,
        taskDir,
        clock,
        scheduler: clock,
        ...(options.taskData === undefined ? {} : { taskData: options.taskData }),
        ...(options.hooks === undefined ? {} : { hooks: options.hooks }),
      });
      try {
        return await use({
          run,
          operator,
          clock,
          store,
          config,
          simulate: (simulation) => simulateWorkers(run, { ...simulation, scheduler: clock }),
        });
      } finally {
        await operator.shutdown('test finished');
      }
    },
    { clock },
  );
}

/**
 * A minimal valid config object for the mock blueprint and provider, for {@link withRun}'s `config`:
 * `num_assignments` assignments, everything else at its default. Pass `extra` to set more keys (merged
 * one level deep into `mephisto.blueprint` and `mephisto.task`).
 */
export function mockTaskConfig(
  numAssignments: number,
  extra: { blueprint?: Record<string, unknown>; task?: Record<string, unknown> } = {},
): Record<string, unknown> {
  return {
    mephisto: {
      blueprint: { _blueprint_type: 'mock', num_assignments: numAssignments, ...extra.blueprint },
      architect: { _architect_type: 'mock' },
      provider: { _provider_type: 'mock' },
      task: {
        task_name: 'mock-test-task',
        task_title: 'Mock task',
        task_description: 'A task for tests',
        task_reward: 0.3,
        task_tags: 'test',
        ...extra.task,
      },
    },
  };
}
