/**
 * Row builders and assertions shared by the store conformance files. Every builder goes through the
 * public Store API only, so a row "in status X" is one the API itself put there.
 */
import { expect } from 'vitest';
import {
  AGENT_TRANSITIONS,
  AlreadyExistsError,
  InvalidArgumentError,
  InvalidTransitionError,
  NotFoundError,
  ONBOARDING_AGENT_TRANSITIONS,
  TransitionConflictError,
  UNIT_STATUS_FOR_AGENT,
} from '../../src/core/index.js';
import type {
  Agent,
  AgentStatus,
  Assignment,
  EntityKind,
  OnboardingAgent,
  OnboardingAgentStatus,
  Project,
  Qualification,
  Requester,
  Task,
  TaskRun,
  TransitionTable,
  Unit,
  UnitStatus,
  Worker,
} from '../../src/core/index.js';
import type { NewAgent, NewTask, NewTaskRun, Store, TableCounts } from '../../src/store/store.js';

/** The statuses `createAgent` may start an agent in. */
export const AGENT_START_STATUSES = [
  'none',
  'accepted',
  'waiting',
  'in task',
] as const satisfies readonly NonNullable<NewAgent['status']>[];
type AgentStart = (typeof AGENT_START_STATUSES)[number];

/**
 * Shortest paths through a transition table from a set of start statuses: `paths.get(s)` is
 * `[start, …, s]`, absent when `s` cannot be reached.
 */
export function shortestPaths<S extends string>(
  table: TransitionTable<S>,
  starts: readonly S[],
): Map<S, S[]> {
  const paths = new Map<S, S[]>(starts.map((s) => [s, [s]]));
  const queue = [...starts];
  for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
    const path = paths.get(s) ?? [s];
    for (const next of table[s]) {
      if (!paths.has(next)) {
        paths.set(next, [...path, next]);
        queue.push(next);
      }
    }
  }
  return paths;
}

export const AGENT_PATHS = shortestPaths<AgentStatus>(AGENT_TRANSITIONS, AGENT_START_STATUSES);
export const ONBOARDING_PATHS = shortestPaths<OnboardingAgentStatus>(ONBOARDING_AGENT_TRANSITIONS, ['none']);

/** Unit statuses a unit reaches through transitionUnit alone, and how. */
const UNIT_PATHS_WITHOUT_AGENT: Partial<Record<UnitStatus, UnitStatus[]>> = {
  created: ['created'],
  launched: ['created', 'launched'],
  expired: ['created', 'launched', 'expired'],
};

/** The agent status a unit with an agent is put in `status` by (the first reachable one). */
export function agentStatusFor(status: UnitStatus): AgentStatus | undefined {
  for (const [agentStatus] of AGENT_PATHS)
    if (UNIT_STATUS_FOR_AGENT[agentStatus] === status) return agentStatus;
  return undefined;
}

export interface AgentRows {
  agent: Agent;
  unit: Unit;
  worker: Worker;
}

/** Builds rows through the public API. Names are unique per builder, so tests can share a store. */
export class Fixtures {
  #n = 0;
  readonly #shared = new WeakMap<Store, { runId: string; assignmentId: string; nextIndex: number }>();
  /**
   * @param options.shareAssignment new units go into one assignment per store (at increasing
   *   indices) instead of a new task, requester, run and assignment each: fewer writes, for blocks that
   *   build many units and do not count rows. Only for a store that is not emptied between tests
   *   (`useStore(target, { scope: 'describe' })`): the shared assignment is remembered per Store object.
   */
  constructor(
    private readonly get: () => Store,
    private readonly options: { shareAssignment?: boolean } = {},
  ) {}

  get store(): Store {
    return this.get();
  }

  name(prefix: string): string {
    return `${prefix}-${++this.#n}`;
  }

  project(name = this.name('project')): Promise<Project> {
    return this.store.createProject(name);
  }

  requester(over: { name?: string; providerType?: string } = {}): Promise<Requester> {
    return this.store.createRequester({
      name: over.name ?? this.name('requester'),
      providerType: over.providerType ?? 'mock',
    });
  }

  worker(over: { name?: string; providerType?: string } = {}): Promise<Worker> {
    return this.store.createWorker({
      name: over.name ?? this.name('worker'),
      providerType: over.providerType ?? 'mock',
    });
  }

  task(over: Partial<NewTask> = {}): Promise<Task> {
    return this.store.createTask({ name: this.name('task'), taskType: 'static_task', ...over });
  }

  qualification(over: { name?: string; description?: string | null } = {}): Promise<Qualification> {
    return this.store.createQualification({ ...over, name: over.name ?? this.name('qual') });
  }

  async taskRun(over: Partial<NewTaskRun> = {}): Promise<TaskRun> {
    const taskId = over.taskId ?? (await this.task()).id;
    const requesterId = over.requesterId ?? (await this.requester()).id;
    return this.store.createTaskRun({
      initParams: JSON.stringify({ task: { task_title: 'A task' } }),
      providerType: 'mock',
      taskType: 'static_task',
      ...over,
      taskId,
      requesterId,
    });
  }

  async assignment(over: { taskRunId?: string; data?: unknown } = {}): Promise<Assignment> {
    const runId = over.taskRunId ?? (await this.taskRun()).id;
    return this.store.createAssignment(runId, { data: over.data });
  }

  /** A unit in `created` in a new assignment (of a new run unless one is given). */
  async unit(over: { assignmentId?: string; unitIndex?: number; payAmount?: number } = {}): Promise<Unit> {
    const payAmount = over.payAmount ?? 0.5;
    if (over.assignmentId === undefined && this.options.shareAssignment) {
      const shared = await this.#sharedRows();
      return this.store.createUnit({
        assignmentId: shared.assignmentId,
        unitIndex: shared.nextIndex++,
        payAmount,
      });
    }
    const assignmentId = over.assignmentId ?? (await this.assignment()).id;
    return this.store.createUnit({ assignmentId, unitIndex: over.unitIndex ?? 0, payAmount });
  }

  async #sharedRows(): Promise<{ runId: string; assignmentId: string; nextIndex: number }> {
    const store = this.store;
    let shared = this.#shared.get(store);
    if (!shared) {
      const assignment = await this.assignment();
      shared = { runId: assignment.taskRunId, assignmentId: assignment.id, nextIndex: 0 };
      this.#shared.set(store, shared);
    }
    return shared;
  }

  async launchedUnit(over: { assignmentId?: string; unitIndex?: number } = {}): Promise<Unit> {
    const unit = await this.unit(over);
    return this.store.transitionUnit(unit.id, { from: 'created', to: 'launched' });
  }

  /** An agent in `status`, reached from a status createAgent accepts by allowed transitions. */
  async agentIn(status: AgentStatus, over: { unit?: Unit; worker?: Worker } = {}): Promise<AgentRows> {
    const path = AGENT_PATHS.get(status);
    if (!path) throw new Error(`agent status "${status}" cannot be reached through the API`);
    const [start, ...rest] = path as [AgentStart, ...AgentStatus[]];
    const unit = over.unit ?? (await this.launchedUnit());
    const worker = over.worker ?? (await this.worker());
    let agent = await this.store.createAgent({ workerId: worker.id, unitId: unit.id, status: start });
    let current = await this.store.getUnit(unit.id);
    let from: AgentStatus = start;
    for (const to of rest) {
      const result = await this.store.transitionAgent(agent.id, { from, to });
      agent = result.agent;
      current = result.unit;
      from = to;
    }
    expect(agent.status).toBe(status);
    return { agent, unit: current, worker };
  }

  /** A unit in `status`, through transitionUnit or through an agent. */
  async unitIn(status: UnitStatus): Promise<Unit> {
    const plain = UNIT_PATHS_WITHOUT_AGENT[status];
    if (plain) {
      let unit = await this.unit();
      for (let i = 1; i < plain.length; i++) {
        unit = await this.store.transitionUnit(unit.id, {
          from: plain[i - 1] as UnitStatus,
          to: plain[i] as UnitStatus,
        });
      }
      expect(unit.status).toBe(status);
      return unit;
    }
    const agentStatus = agentStatusFor(status);
    if (agentStatus === undefined)
      throw new Error(`unit status "${status}" cannot be reached through the API`);
    const { unit } = await this.agentIn(agentStatus);
    expect(unit.status).toBe(status);
    return unit;
  }

  async onboardingAgentIn(status: OnboardingAgentStatus): Promise<OnboardingAgent> {
    const path = ONBOARDING_PATHS.get(status);
    if (!path) throw new Error(`onboarding agent status "${status}" cannot be reached`);
    const worker = await this.worker();
    const taskRunId = this.options.shareAssignment
      ? (await this.#sharedRows()).runId
      : (await this.taskRun()).id;
    let agent = await this.store.createOnboardingAgent({ workerId: worker.id, taskRunId });
    for (let i = 1; i < path.length; i++) {
      agent = await this.store.transitionOnboardingAgent(agent.id, {
        from: path[i - 1] as OnboardingAgentStatus,
        to: path[i] as OnboardingAgentStatus,
      });
    }
    expect(agent.status).toBe(status);
    return agent;
  }
}

/** An id no row has: the default SequentialIdGenerator never reaches it. */
export const MISSING_ID = '999999999999';

/** The rejection of `promise`; fails the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  let value: unknown;
  try {
    value = await promise;
  } catch (error) {
    return error;
  }
  return expect.fail(`expected a rejection, but the call resolved with ${JSON.stringify(value)}`);
}

/** The rejection of `promise`, which must be an Error (its `code`, when it has one, is typed). */
export async function errorOf(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  const error = await rejectionOf(promise);
  if (error instanceof Error) return error;
  return expect.fail(`expected an Error, but the call rejected with ${String(error)}`);
}

export async function expectNotFound(
  promise: Promise<unknown>,
  entity: EntityKind,
  key?: string,
): Promise<NotFoundError> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(NotFoundError);
  const e = error as NotFoundError;
  expect({ entity: e.entity, code: e.code }).toEqual({
    entity,
    code: `MEPHISTO_ERR_${entity.toUpperCase()}_NOT_FOUND`,
  });
  if (key !== undefined) expect(e.key).toBe(key);
  return e;
}

export async function expectAlreadyExists(
  promise: Promise<unknown>,
  entity: EntityKind,
): Promise<AlreadyExistsError> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(AlreadyExistsError);
  const e = error as AlreadyExistsError;
  expect({ entity: e.entity, code: e.code }).toEqual({
    entity,
    code: `MEPHISTO_ERR_${entity.toUpperCase()}_ALREADY_EXISTS`,
  });
  return e;
}

export async function expectInvalidArgument(promise: Promise<unknown>): Promise<InvalidArgumentError> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(InvalidArgumentError);
  expect((error as InvalidArgumentError).code).toBe('MEPHISTO_ERR_INVALID_ARGUMENT');
  return error as InvalidArgumentError;
}

export async function expectInvalidTransition(
  promise: Promise<unknown>,
  expected: { entity: EntityKind; from: string; to: string },
): Promise<InvalidTransitionError> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(InvalidTransitionError);
  const e = error as InvalidTransitionError;
  expect({ code: e.code, entity: e.entity, from: e.from, to: e.to }).toEqual({
    code: 'MEPHISTO_ERR_INVALID_TRANSITION',
    ...expected,
  });
  return e;
}

export async function expectConflict(
  promise: Promise<unknown>,
  expected: { entity: EntityKind; id?: string; actual: string; expected?: readonly string[] },
): Promise<TransitionConflictError> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(TransitionConflictError);
  const e = error as TransitionConflictError;
  expect(e.code).toBe('MEPHISTO_ERR_TRANSITION_CONFLICT');
  expect(e.entity).toBe(expected.entity);
  expect(e.actual).toBe(expected.actual);
  if (expected.id !== undefined) expect(e.id).toBe(expected.id);
  if (expected.expected !== undefined) expect([...e.expected].sort()).toEqual([...expected.expected].sort());
  return e;
}

/** Total rows over all tables, from countRows. */
export function totalRows(counts: TableCounts): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
