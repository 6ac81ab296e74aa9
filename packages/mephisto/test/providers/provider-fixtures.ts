/** Entities and run contexts for provider tests (plain records; providers never need a database row). */
import type { TaskRun, Unit, Worker } from '../../src/core/index.js';
import type { ProviderRunContext } from '../../src/providers/crowd-provider.js';
import type { Store } from '../../src/store/store.js';

const CREATED = new Date(Date.UTC(2026, 0, 1));

/** The address a run's server is reached at in these tests. */
export const TEST_SERVER_URL = 'http://127.0.0.1:43123';

/**
 * The mock and inhouse providers never touch the store they are built with; a stub that fails loudly
 * proves it (a provider that needs the store gets a real one in its own tests).
 */
export const UNUSED_STORE = new Proxy({} as Store, {
  get(_target, property) {
    throw new Error(`the provider unexpectedly used the store (${String(property)})`);
  },
});

export function testTaskRun(id = '1500001', fields: Partial<TaskRun> = {}): TaskRun {
  return {
    id,
    taskId: '1000001',
    requesterId: '1100001',
    initParams: '{}',
    isCompleted: false,
    providerType: 'mock',
    taskType: 'mock',
    sandbox: true,
    creationDate: CREATED,
    ...fields,
  };
}

export function testRunContext(overrides: Partial<ProviderRunContext> = {}): ProviderRunContext {
  return {
    taskRun: testTaskRun(),
    providerArgs: {},
    taskArgs: {
      task_title: 'Rate sentences',
      task_description: 'Say whether each sentence reads well.',
      task_reward: 0.3,
      task_tags: 'rating,sentences',
    },
    serverUrl: TEST_SERVER_URL,
    ...overrides,
  };
}

let nextUnitId = 3_000_001;

/** `count` units of one assignment, with fresh ids. */
export function testUnits(count: number, context: ProviderRunContext, assignmentId = '2000001'): Unit[] {
  return Array.from({ length: count }, (_, unitIndex) => ({
    id: String(nextUnitId++),
    assignmentId,
    unitIndex,
    payAmount: 0.3,
    providerType: context.taskRun.providerType,
    status: 'launched',
    agentId: null,
    workerId: null,
    taskType: context.taskRun.taskType,
    taskId: context.taskRun.taskId,
    taskRunId: context.taskRun.id,
    sandbox: context.taskRun.sandbox,
    requesterId: context.taskRun.requesterId,
    creationDate: CREATED,
  }));
}

export function testWorker(name: string, providerType = 'mock'): Worker {
  return { id: '5000001', name, providerType, creationDate: CREATED };
}
