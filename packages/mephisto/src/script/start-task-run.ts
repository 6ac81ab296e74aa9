/**
 * The wiring every way of launching shares (the `mephisto run` command, run scripts, the testing kit):
 * from a validated config and an open store to an operator and a live run. Kept in one place so a
 * config launches the same way whichever door it came in by.
 */
import type { Logger } from 'pino';
import type { StaticTaskData } from '../blueprints/blueprint-context.js';
import { createBlueprint } from '../blueprints/blueprint-registry.js';
import { StaticReactBlueprint } from '../blueprints/static-react/static-react-blueprint.js';
import {
  ensureWebappBuilt,
  taskWebappDir,
  type WebappBuildOutput,
  type WebappBuildResult,
} from '../blueprints/static-react/webapp-build.js';
import type { Clock } from '../core/clock.js';
import type { TaskConfig } from '../core/config/task-config.js';
import type { Scheduler } from '../core/scheduler.js';
import { createProvider } from '../providers/provider-registry.js';
import { Operator, type LiveRun, type RunHooks } from '../run/index.js';
import type { Store } from '../store/store.js';

export interface StartTaskRunOptions {
  readonly store: Store;
  readonly config: TaskConfig;
  /** The task's folder (`config.task_dir`); relative paths in the blueprint args resolve from it. */
  readonly taskDir: string;
  /**
   * The run's data when the config names no data file (Mephisto's `static_task_data`): an array, a
   * generator (it may be endless) or an async iterator, read lazily.
   */
  readonly taskData?: StaticTaskData;
  /** The run script's callbacks (Mephisto's SharedTaskState functions). */
  readonly hooks?: RunHooks;
  /** @default the store's clock */
  readonly clock?: Clock;
  /** @default real timers on the clock */
  readonly scheduler?: Scheduler;
  readonly logger?: Logger;
  /** Base URL workers open, when a server is running. */
  readonly serverUrl?: string;
  /**
   * The output of the task webapp's build (`npm install`, post_install_script, `npm run build`) as it
   * runs, for static_react_task runs whose webapp needs building. @default not shown
   */
  readonly onBuildOutput?: (chunk: WebappBuildOutput) => void;
  /** Whether the webapp was built (and why) or found up to date. */
  readonly onWebappBuilt?: (result: WebappBuildResult) => void;
}

export interface StartedTaskRun {
  readonly operator: Operator;
  readonly run: LiveRun;
}

/**
 * Builds the blueprint and provider the config selects, builds a static_react_task's webapp when it
 * changed (blueprints/static-react/webapp-build.ts), and launches them with a new {@link Operator}.
 * If the launch fails the operator is shut down before the error is rethrown, so nothing is left
 * running; on success the caller owns the operator and must shut it down.
 *
 * @throws the blueprint's, provider's or engine's MephistoError (unknown type, missing task file, …)
 */
export async function startTaskRun(options: StartTaskRunOptions): Promise<StartedTaskRun> {
  const { store, config, taskDir } = options;
  const blueprint = createBlueprint(config.mephisto.blueprint, {
    taskDir,
    ...(options.taskData === undefined ? {} : { sharedState: { staticTaskData: options.taskData } }),
    ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }),
  });
  if (blueprint instanceof StaticReactBlueprint) {
    const built = await ensureWebappBuilt({
      webappDir: taskWebappDir(taskDir),
      bundlePath: blueprint.taskSourcePath,
      taskDir,
      postInstallScript: config.mephisto.task.post_install_script,
      forceRebuild: config.mephisto.task.force_rebuild,
      ...(options.logger === undefined ? {} : { log: options.logger }),
      ...(options.onBuildOutput === undefined ? {} : { onOutput: options.onBuildOutput }),
    });
    options.onWebappBuilt?.(built);
  }
  const provider = createProvider(config.mephisto.provider, {
    store,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const operator = new Operator({
    store,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  try {
    const run = await operator.launch({
      config,
      taskDir,
      blueprint,
      provider,
      ...(options.hooks === undefined ? {} : { hooks: options.hooks }),
      ...(options.serverUrl === undefined ? {} : { serverUrl: options.serverUrl }),
    });
    return { operator, run };
  } catch (error) {
    await operator.shutdown('launch failed').catch(() => undefined);
    throw error;
  }
}
