/**
 * A run with units in every stage, built through the public Store API (so each row is one the engine
 * could have made), and a review service over it with a MockProvider that records every provider duty.
 */
import type { Store } from '../../src/store/store.js';
import type { TaskRun, Unit, Worker } from '../../src/core/index.js';
import { MockProvider } from '../../src/providers/mock/mock-provider.js';
import { ReviewService, type ReviewServiceOptions } from '../../src/review/review-service.js';

export interface SeededRun {
  run: TaskRun;
  taskName: string;
  /** Every unit, in creation order. */
  units: Unit[];
  /** The first `completed` units, submitted (status `completed`). */
  completed: Unit[];
  /** Units taken and not submitted (status `assigned`). */
  assigned: Unit[];
  workers: Worker[];
}

let seq = 0;

export interface SeedOptions {
  /** @default 10 */
  units?: number;
  /** Units submitted, from the first. @default 5 */
  completed?: number;
  /** Units taken after those, not submitted. @default 1 */
  assigned?: number;
  /** Worker names; units go to them in turn. @default ['alice', 'bob', 'carol'] (made unique) */
  workers?: readonly string[];
  /** @default 0.5 */
  pay?: number;
  /** What each submission is, from its index. @default `{ answer: i }` */
  data?: (i: number) => unknown;
  /** @default 'mock' */
  providerType?: string;
  /** More of the run's `mephisto.provider` section (a budget, …). */
  providerArgs?: Record<string, unknown>;
}

export async function seedRun(store: Store, options: SeedOptions = {}): Promise<SeededRun> {
  const n = ++seq;
  const providerType = options.providerType ?? 'mock';
  const taskName = `review-task-${n}-${Math.random().toString(36).slice(2, 8)}`;
  const task = await store.createTask({ name: taskName, taskType: 'static_task' });
  const requester = await store.createRequester({ name: `requester-${taskName}`, providerType });
  const run = await store.createTaskRun({
    taskId: task.id,
    requesterId: requester.id,
    initParams: JSON.stringify({
      mephisto: { provider: { ...options.providerArgs, _provider_type: providerType } },
    }),
    providerType,
    taskType: 'static_task',
  });
  const count = options.units ?? 10;
  const { units: created } = await store.createAssignmentsWithUnits(
    run.id,
    Array.from({ length: count }, (_, i) => ({
      data: { item: i },
      units: [{ payAmount: options.pay ?? 0.5 }],
    })),
  );
  const units = await store.transitionUnits(
    created.map((u) => u.id),
    { from: 'created', to: 'launched' },
  );
  const names = options.workers ?? ['alice', 'bob', 'carol'];
  const workers: Worker[] = [];
  for (const name of names)
    workers.push(await store.createWorker({ name: `${name}-${taskName}`, providerType }));
  const completedCount = options.completed ?? 5;
  const assignedCount = options.assigned ?? 1;
  const completed: Unit[] = [];
  const assigned: Unit[] = [];
  for (let i = 0; i < completedCount + assignedCount && i < units.length; i++) {
    const unit = units[i];
    const worker = workers[i % workers.length];
    if (!unit || !worker) break;
    const agent = await store.createAgent({ workerId: worker.id, unitId: unit.id, status: 'in task' });
    if (i < completedCount) {
      const { unit: done } = await store.submitAgent(
        agent.id,
        options.data ? options.data(i) : { answer: i },
      );
      completed.push(done);
    } else {
      assigned.push(await store.getUnit(unit.id));
    }
  }
  return { run, taskName, units: await store.findUnits({ taskRunId: run.id }), completed, assigned, workers };
}

/** A review service whose every run and worker uses `provider`. */
export function reviewServiceWith(
  store: Store,
  provider: MockProvider = new MockProvider(),
  options: Partial<ReviewServiceOptions> = {},
): { service: ReviewService; provider: MockProvider } {
  const service = new ReviewService({
    store,
    providers: { forRun: () => provider, forWorker: () => provider },
    ...options,
  });
  return { service, provider };
}

let keys = 0;
/** A fresh idempotency key, as a client makes one per click. */
export function newKey(): string {
  return `key-${Date.now().toString(36)}-${++keys}`;
}
