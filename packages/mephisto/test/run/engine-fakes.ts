/**
 * Test doubles of the two ports the engine drives (CrowdProvider, Blueprint), a config builder and a
 * launcher helper, so engine tests need neither the real providers/blueprints nor a server.
 */
import type { Logger } from 'pino';
import type {
  AgentSession,
  Blueprint,
  InitializationData,
  TaskDataSource,
} from '../../src/blueprints/blueprint.js';
import { parseTaskConfig, type TaskConfig } from '../../src/core/config/task-config.js';
import type { ManualClock, Unit, Worker } from '../../src/core/index.js';
import type {
  CrowdProvider,
  ProviderDutyResult,
  ProviderRunContext,
} from '../../src/providers/crowd-provider.js';
import {
  Operator,
  type LiveRun,
  type RunEventMap,
  type RunEventName,
  type RunHooks,
} from '../../src/run/index.js';
import type { Store } from '../../src/store/store.js';

export class FakeProvider implements CrowdProvider {
  readonly sandbox = true;
  readonly setupCalls: ProviderRunContext[] = [];
  readonly teardownCalls: ProviderRunContext[] = [];
  /** Units on offer at the provider right now. */
  readonly onOffer = new Set<string>();
  readonly launchCalls: string[][] = [];
  readonly expireCalls: string[][] = [];
  readonly blockedNames = new Set<string>();
  failLaunches = 0;

  constructor(readonly type = 'mock') {}

  workerName(providerWorkerId: string): string {
    return `${providerWorkerId}_sandbox`;
  }
  setupRun(context: ProviderRunContext): Promise<void> {
    this.setupCalls.push(context);
    return Promise.resolve();
  }
  launchUnits(context: ProviderRunContext, units: readonly Unit[]): Promise<ReadonlyMap<string, string>> {
    if (this.failLaunches > 0) {
      this.failLaunches--;
      return Promise.reject(new Error('provider is down'));
    }
    this.launchCalls.push(units.map((u) => u.id));
    for (const u of units) this.onOffer.add(u.id);
    return Promise.resolve(new Map(units.map((u) => [u.id, `${context.serverUrl}/?assignment_id=${u.id}`])));
  }
  expireUnits(_context: ProviderRunContext, units: readonly Unit[]): Promise<void> {
    this.expireCalls.push(units.map((u) => u.id));
    for (const u of units) this.onOffer.delete(u.id);
    return Promise.resolve();
  }
  isWorkerBlocked(worker: Worker): Promise<boolean> {
    return Promise.resolve(this.blockedNames.has(worker.name));
  }
  teardownRun(context: ProviderRunContext): Promise<void> {
    this.teardownCalls.push(context);
    return Promise.resolve();
  }
  /** Review duties: the engine never calls them; review tests use the mock provider's records. */
  approveWork(): Promise<ProviderDutyResult> {
    return Promise.resolve({ status: 'done' });
  }
  rejectWork(): Promise<ProviderDutyResult> {
    return Promise.resolve({ status: 'done' });
  }
  payBonus(): Promise<ProviderDutyResult> {
    return Promise.resolve({ status: 'done' });
  }
  blockWorker(): Promise<ProviderDutyResult> {
    return Promise.resolve({ status: 'done' });
  }
  unblockWorker(): Promise<ProviderDutyResult> {
    return Promise.resolve({ status: 'done' });
  }
}

/** A static-task-like blueprint: the page gets the assignment's shared data; runUnit awaits the submit. */
export class FakeBlueprint implements Blueprint {
  readonly sessions: AgentSession[] = [];
  constructor(
    readonly type = 'static_task',
    private readonly data: TaskDataSource = items(3),
    /** Replaces the default runUnit (await the submit). */
    private readonly run?: (session: AgentSession) => Promise<void>,
  ) {}
  initializationData(): TaskDataSource {
    return this.data;
  }
  initDataForUnit(data: InitializationData, unit: Unit): unknown {
    return { ...data.shared, unit: data.unitData[unit.unitIndex] ?? {} };
  }
  frontendArgs(): Readonly<Record<string, unknown>> {
    return {};
  }
  async runUnit(session: AgentSession): Promise<void> {
    this.sessions.push(session);
    if (this.run) return this.run(session);
    await session.awaitSubmit();
  }
}

/** `n` assignments of `unitsPerAssignment` units each; `shared.i` numbers them. */
export function items(n: number, unitsPerAssignment = 1): InitializationData[] {
  return Array.from({ length: n }, (_, i) => ({
    shared: { i },
    unitData: Array.from({ length: unitsPerAssignment }, (_u, k) => ({ k })),
  }));
}

export interface ConfigOptions {
  task?: Record<string, unknown>;
  blueprint?: Record<string, unknown>;
  blueprintType?: string;
  provider?: Record<string, unknown>;
  providerType?: string;
}

/** A validated config: a static_task on the mock provider with the required task fields set. */
export function makeConfig(options: ConfigOptions = {}): TaskConfig {
  const blueprintType = options.blueprintType ?? 'static_task';
  return parseTaskConfig({
    mephisto: {
      blueprint: {
        _blueprint_type: blueprintType,
        ...(blueprintType === 'mock' ? { num_assignments: 1 } : { task_source: '/tmp/task.html' }),
        ...options.blueprint,
      },
      architect: { _architect_type: 'local' },
      provider: { _provider_type: options.providerType ?? 'mock', ...options.provider },
      task: {
        task_name: 'engine-test',
        task_title: 'A title',
        task_description: 'A description',
        task_reward: 0.5,
        task_tags: 'a,b',
        ...options.task,
      },
    },
    task_dir: '/tmp',
  });
}

export interface Launched {
  operator: Operator;
  run: LiveRun;
  provider: FakeProvider;
  blueprint: FakeBlueprint;
}

export async function launch(
  store: Store,
  clock: ManualClock,
  options: {
    config?: TaskConfig;
    data?: TaskDataSource;
    hooks?: RunHooks;
    blueprint?: FakeBlueprint;
    provider?: FakeProvider;
    logger?: Logger;
  } = {},
): Promise<Launched> {
  const config = options.config ?? makeConfig();
  const blueprint =
    options.blueprint ?? new FakeBlueprint(config.mephisto.blueprint._blueprint_type, options.data);
  const provider = options.provider ?? new FakeProvider(config.mephisto.provider._provider_type);
  const operator = new Operator({
    store,
    clock,
    scheduler: clock,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const run = await operator.launch({
    config,
    taskDir: '/tmp',
    blueprint,
    provider,
    ...(options.hooks ? { hooks: options.hooks } : {}),
  });
  return { operator, run, provider, blueprint };
}

/** Asks for a unit as worker `name`; fails the test unless one was given. */
export async function take(
  run: LiveRun,
  name: string,
): Promise<{ agentId: string; unitId: string; workerId: string }> {
  const details = await run.requestAgent({ worker_name: name });
  if (details.agent_id === null || details.unit_id === null || details.worker_id === null)
    throw new Error(
      `worker ${name} was refused: ${details.failure_code ?? '?'} ${details.failure_reason ?? ''}`,
    );
  return { agentId: details.agent_id, unitId: details.unit_id, workerId: details.worker_id };
}

/** Lets queued promise work (refills, completion checks) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** The next `name` event of the run (subscribe before causing it). */
export function nextEvent<K extends RunEventName>(run: LiveRun, name: K): Promise<RunEventMap[K]> {
  return new Promise((resolve) => {
    run.events.once(name, resolve);
  });
}
