/**
 * The operator launches task runs and shuts them down (Mephisto's Operator, without its polling
 * loop: runs end by events and timers). `launch` finds or creates the task by `task_name`, the
 * requester, and the run (or, with `resume_incomplete_run`, the run to continue), sets the provider
 * up and starts a {@link LiveTaskRun}.
 */
import pino, { type Logger } from 'pino';
import type { Blueprint, TaskDataSource } from '../blueprints/blueprint.js';
import type { TaskConfig } from '../core/config/task-config.js';
import {
  AlreadyExistsError,
  NotFoundError,
  createSystemScheduler,
  type Clock,
  type Requester,
  type Scheduler,
  type Task,
  type TaskRun,
  type Unit,
} from '../core/index.js';
import type { CrowdProvider } from '../providers/crowd-provider.js';
import type { Store } from '../store/store.js';
import { LiveTaskRun, type LiveRun, type RunHooks } from './live-run.js';
import { validateQualificationRequirement } from './qualifications.js';
import { assertResumable, findRunToResume, reconcileRun } from './resume.js';
import { RunSetupError } from './run-errors.js';
import { runSettingsOf, type RunSettings } from './run-settings.js';

export interface OperatorDeps {
  store: Store;
  /** @default the store's clock */
  clock?: Clock;
  /** @default real timers on `clock` */
  scheduler?: Scheduler;
  /** @default silent */
  logger?: Logger;
}

export interface LaunchOptions {
  config: TaskConfig;
  taskDir: string;
  /** Constructed by the caller from the config (the CLI and run scripts use the registries). */
  blueprint: Blueprint;
  provider: CrowdProvider;
  /** Run scripts: the run's data, instead of `blueprint.initializationData()`. */
  taskData?: TaskDataSource;
  hooks?: RunHooks;
  /** Base URL workers open. @default 'http://localhost' (until the worker server exists) */
  serverUrl?: string;
}

/** Providers whose requester needs no registration: one is created on first use (Mephisto's MOCK_REQUESTER). */
const LOCAL_PROVIDERS: Readonly<Record<string, string>> = {
  mock: 'MOCK_REQUESTER',
  inhouse: 'INHOUSE_REQUESTER',
};

export class Operator {
  readonly #store: Store;
  readonly #scheduler: Scheduler;
  readonly #log: Logger;
  readonly #runs = new Set<LiveTaskRun>();

  constructor(deps: OperatorDeps) {
    this.#store = deps.store;
    const clock = deps.clock ?? deps.store.clock;
    this.#scheduler = deps.scheduler ?? createSystemScheduler(clock);
    this.#log = deps.logger ?? pino({ level: 'silent' });
  }

  /** The runs launched by this operator that have not ended. */
  get liveRuns(): readonly LiveRun[] {
    return [...this.#runs];
  }

  /**
   * Launches a run of `options.config` (or resumes the task's last incomplete run when
   * `resume_incomplete_run` is set) and returns it once its first units are on offer.
   *
   * @throws RunSetupError when the blueprint or provider does not match the config
   * @throws ResumeConflictError when the run to resume may not be continued with this config
   * @throws ProviderLaunchError when the provider cannot launch the first units (the run is ended
   *   with reason `error`)
   */
  async launch(options: LaunchOptions): Promise<LiveRun> {
    const { config, blueprint, provider } = options;
    const settings = runSettingsOf(config);
    this.#checkParts(config, blueprint, provider);
    const hooks = options.hooks ?? {};
    const requirements = (hooks.qualifications ?? []).map(validateQualificationRequirement);
    if (settings.taskNameDefaulted) {
      this.#log.warn(
        { taskName: settings.taskName },
        `mephisto.task.task_name is not set: using the blueprint type "${settings.taskName}" as the task name ` +
          '(runs without a task_name share its worker caps and resume)',
      );
    }
    const initParams = JSON.stringify(config);
    const requester = await this.#requester(config, provider);

    let task = await this.#findTask(settings.taskName);
    let resumeFrom: TaskRun | undefined;
    if (settings.resumeIncompleteRun) {
      resumeFrom = task === undefined ? undefined : await findRunToResume(this.#store, task);
      if (resumeFrom === undefined)
        this.#log.warn(
          { taskName: settings.taskName },
          'resume_incomplete_run: no incomplete run of this task; starting a new run',
        );
    }

    let taskRun: TaskRun;
    let skip = 0;
    let source: TaskDataSource | undefined = options.taskData ?? blueprint.initializationData();
    let created: Unit[] = [];
    let relaunch: Unit[] = [];
    if (resumeFrom !== undefined && task !== undefined) {
      assertResumable(resumeFrom, config, blueprint.type, provider.type);
      const log = this.#log.child({ taskRunId: resumeFrom.id });
      await reconcileRun(this.#store, resumeFrom, log);
      await this.#store.updateTaskRunState(resumeFrom.id, { end: null, initParams });
      taskRun = await this.#store.getTaskRun(resumeFrom.id);
      const state = await this.#store.getTaskRunState(taskRun.id);
      if (state.sourceExhausted) source = undefined;
      else skip = (await this.#store.findAssignments({ taskRunId: taskRun.id })).length;
      created = await this.#store.findUnits({ taskRunId: taskRun.id, status: 'created' });
      relaunch = await this.#store.findUnits({ taskRunId: taskRun.id, status: 'launched' });
    } else {
      task ??= await this.#createTask(settings.taskName, blueprint.type);
      taskRun = await this.#store.createTaskRun({
        taskId: task.id,
        requesterId: requester.id,
        initParams,
        providerType: provider.type,
        taskType: blueprint.type,
        sandbox: provider.sandbox,
      });
    }

    const run = new LiveTaskRun({
      store: this.#store,
      scheduler: this.#scheduler,
      logger: this.#log,
      task,
      taskRun,
      resumed: resumeFrom !== undefined,
      config,
      settings,
      blueprint,
      provider,
      serverUrl: options.serverUrl ?? 'http://localhost',
      hooks: { ...hooks, qualifications: requirements },
      source,
      skip,
      created,
      relaunch,
    });
    this.#runs.add(run);
    void run.ended.then(() => this.#runs.delete(run));
    try {
      await provider.setupRun(run.providerContext);
      await run.start();
    } catch (error) {
      await run.fail(error);
      throw error;
    }
    return run;
  }

  /** Shuts every live run down (SIGINT / SIGTERM in the CLI). Idempotent. */
  async shutdown(reason = 'operator shutdown'): Promise<void> {
    await Promise.all([...this.#runs].map((run) => run.shutdown(reason)));
  }

  #checkParts(config: TaskConfig, blueprint: Blueprint, provider: CrowdProvider): void {
    const blueprintType = config.mephisto.blueprint._blueprint_type;
    const providerType = config.mephisto.provider._provider_type;
    if (blueprint.type !== blueprintType)
      throw new RunSetupError(
        `the blueprint given is "${blueprint.type}" but the config selects "${blueprintType}"`,
      );
    if (provider.type !== providerType)
      throw new RunSetupError(
        `the provider given is "${provider.type}" but the config selects "${providerType}"`,
      );
  }

  async #findTask(name: string): Promise<Task | undefined> {
    return (await this.#store.findTasks({ name }))[0];
  }

  /** Find-or-create, safe against another process creating the same task at the same moment. */
  async #createTask(name: string, taskType: string): Promise<Task> {
    try {
      return await this.#store.createTask({ name, taskType });
    } catch (error) {
      const found = error instanceof AlreadyExistsError ? await this.#findTask(name) : undefined;
      if (found) return found;
      throw error;
    }
  }

  /**
   * The requester the run bills (Mephisto: `provider.requester_name`). Local providers get one created
   * on first use; others must have been registered.
   */
  async #requester(config: TaskConfig, provider: CrowdProvider): Promise<Requester> {
    const named = config.mephisto.provider.requester_name;
    const local = LOCAL_PROVIDERS[provider.type];
    if (named !== undefined) {
      const found = (await this.#store.findRequesters({ name: named }))[0];
      if (found) {
        if (found.providerType !== provider.type) {
          throw new RunSetupError(
            `requester "${named}" belongs to the ${found.providerType} provider, not ${provider.type}`,
          );
        }
        return found;
      }
      if (local === undefined) {
        throw new NotFoundError(
          'requester',
          named,
          `requester "${named}" is not registered; register it for the ${provider.type} provider first`,
        );
      }
      return this.#createRequester(named, provider.type);
    }
    const registered = await this.#store.findRequesters({ providerType: provider.type });
    const last = registered.at(-1);
    if (last) return last;
    if (local === undefined) {
      throw new NotFoundError(
        'requester',
        provider.type,
        `no requester is registered for the ${provider.type} provider; register one, or name it in mephisto.provider.requester_name`,
      );
    }
    return this.#createRequester(local, provider.type);
  }

  async #createRequester(name: string, providerType: string): Promise<Requester> {
    try {
      return await this.#store.createRequester({ name, providerType });
    } catch (error) {
      const found =
        error instanceof AlreadyExistsError ? (await this.#store.findRequesters({ name }))[0] : undefined;
      if (found) return found;
      throw error;
    }
  }
}

export type { RunSettings };
