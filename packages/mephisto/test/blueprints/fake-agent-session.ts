/**
 * An AgentSession driven by the test: the test plays the worker (live updates, submit, leaving) and
 * reads what the blueprint sent back.
 */
import type { AgentSession } from '../../src/blueprints/blueprint.js';
import type { Agent, Assignment, Unit } from '../../src/core/index.js';

const CREATED = new Date(Date.UTC(2026, 0, 1));

export const TEST_ASSIGNMENT: Assignment = {
  id: '2000001',
  taskId: '1000001',
  taskRunId: '1500001',
  requesterId: '1100001',
  taskType: 'static_task',
  providerType: 'mock',
  sandbox: true,
  data: null,
  creationDate: CREATED,
};

export const TEST_UNIT: Unit = {
  id: '3000001',
  assignmentId: TEST_ASSIGNMENT.id,
  unitIndex: 0,
  payAmount: 0.5,
  providerType: 'mock',
  status: 'assigned',
  agentId: '4000001',
  workerId: '5000001',
  taskType: 'static_task',
  taskId: TEST_ASSIGNMENT.taskId,
  taskRunId: TEST_ASSIGNMENT.taskRunId,
  sandbox: true,
  requesterId: TEST_ASSIGNMENT.requesterId,
  creationDate: CREATED,
};

export const TEST_AGENT: Agent = {
  id: '4000001',
  workerId: '5000001',
  unitId: TEST_UNIT.id,
  taskId: TEST_UNIT.taskId,
  taskRunId: TEST_UNIT.taskRunId,
  assignmentId: TEST_ASSIGNMENT.id,
  taskType: 'static_task',
  providerType: 'mock',
  status: 'in task',
  creationDate: CREATED,
};

/** Stands in for the engine's AgentGoneError. */
export class FakeAgentGone extends Error {}

interface Waiter {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class FakeAgentSession implements AgentSession {
  readonly agent = TEST_AGENT;
  readonly unit = TEST_UNIT;
  readonly assignment = TEST_ASSIGNMENT;
  readonly #abort = new AbortController();
  readonly signal = this.#abort.signal;
  /** What the blueprint sent to the worker, in order. */
  readonly sent: Readonly<Record<string, unknown>>[] = [];
  /** How many times each wait was entered. */
  readonly calls = { awaitSubmit: 0, nextLiveUpdate: 0 };

  readonly #updates: unknown[] = [];
  readonly #updateWaiters: Waiter[] = [];
  readonly #submitWaiters: Waiter[] = [];
  #submitted: { data: unknown } | undefined;
  #gone: Error | undefined;

  awaitSubmit(): Promise<unknown> {
    this.calls.awaitSubmit++;
    if (this.#gone) return Promise.reject(this.#gone);
    if (this.#submitted) return Promise.resolve(this.#submitted.data);
    return new Promise((resolve, reject) => this.#submitWaiters.push({ resolve, reject }));
  }

  nextLiveUpdate(): Promise<unknown> {
    this.calls.nextLiveUpdate++;
    if (this.#gone) return Promise.reject(this.#gone);
    if (this.#updates.length > 0) return Promise.resolve(this.#updates.shift());
    return new Promise((resolve, reject) => this.#updateWaiters.push({ resolve, reject }));
  }

  sendLiveUpdate(data: Readonly<Record<string, unknown>>): void {
    this.sent.push(data);
  }

  /** The worker sends a live update. */
  workerSends(data: unknown): void {
    const waiter = this.#updateWaiters.shift();
    if (waiter) waiter.resolve(data);
    else this.#updates.push(data);
  }

  /** The worker submits. */
  workerSubmits(data: unknown): void {
    this.#submitted = { data };
    for (const waiter of this.#submitWaiters.splice(0)) waiter.resolve(data);
  }

  /** The worker disconnects: every wait, pending or later, rejects. */
  workerLeaves(error: Error = new FakeAgentGone('agent gone')): void {
    this.#gone = error;
    this.#abort.abort(error);
    for (const waiter of [...this.#updateWaiters.splice(0), ...this.#submitWaiters.splice(0)]) {
      waiter.reject(error);
    }
  }
}

/** Whether `promise` has settled, without waiting for it. */
export async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  const pending = Symbol('pending');
  const result = await Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise((resolve) => {
      setImmediate(() => {
        resolve(pending);
      });
    }),
  ]);
  return result !== pending;
}

/** Collects every item of a sync or async iterable. */
export async function collect<T>(source: Iterable<T> | AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}
