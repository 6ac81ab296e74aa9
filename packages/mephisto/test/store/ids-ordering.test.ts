/**
 * Store conformance: ids come from the injected generator and survive exactly beyond 2^53; dates come
 * from the injected clock; every find orders by creation date, then id (as a number).
 */
import { describe, expect, it } from 'vitest';
import { SequentialIdGenerator } from '../../src/core/index.js';
import type { IdGenerator, Unit, Worker } from '../../src/core/index.js';
import type { Store } from '../../src/store/store.js';
import { Fixtures } from './fixtures.js';
import { STORE_TARGETS, useStore } from './store-targets.js';
import type { StoreHarness } from './store-targets.js';

/** Hands out ids downwards, so a later row gets a smaller id. */
class CountdownIdGenerator implements IdGenerator {
  #next: bigint;
  constructor(start: bigint) {
    this.#next = start;
  }
  next(): string {
    return (this.#next--).toString();
  }
}

interface Kind {
  name: string;
  /** Creates whatever the rows need (parents), returning a creator of one row and the finder of them all. */
  setup(
    store: Store,
    f: Fixtures,
  ): Promise<{ create: (i: number) => Promise<{ id: string }>; find: () => Promise<{ id: string }[]> }>;
}

const KINDS: Kind[] = [
  {
    name: 'projects',
    setup: (s) => Promise.resolve({ create: (i) => s.createProject(`p${i}`), find: () => s.findProjects() }),
  },
  {
    name: 'requesters',
    setup: (s) =>
      Promise.resolve({
        create: (i) => s.createRequester({ name: `r${i}`, providerType: 'mock' }),
        find: () => s.findRequesters(),
      }),
  },
  {
    name: 'workers',
    setup: (s) =>
      Promise.resolve({
        create: (i) => s.createWorker({ name: `w${i}`, providerType: 'mock' }),
        find: () => s.findWorkers(),
      }),
  },
  {
    name: 'qualifications',
    setup: (s) =>
      Promise.resolve({
        create: (i) => s.createQualification({ name: `q${i}` }),
        find: () => s.findQualifications(),
      }),
  },
  {
    name: 'tasks',
    setup: (s) =>
      Promise.resolve({
        create: (i) => s.createTask({ name: `t${i}`, taskType: 'x' }),
        find: () => s.findTasks(),
      }),
  },
  {
    name: 'task runs',
    async setup(s, f) {
      const task = await f.task();
      const requester = await f.requester();
      return {
        create: () => f.taskRun({ taskId: task.id, requesterId: requester.id }),
        find: () => s.findTaskRuns(),
      };
    },
  },
  {
    name: 'assignments',
    async setup(s, f) {
      const run = await f.taskRun();
      return { create: () => s.createAssignment(run.id), find: () => s.findAssignments() };
    },
  },
  {
    name: 'units',
    async setup(s, f) {
      const a = await f.assignment();
      return {
        create: (i) => s.createUnit({ assignmentId: a.id, unitIndex: i, payAmount: 1 }),
        find: () => s.findUnits(),
      };
    },
  },
  {
    name: 'agents',
    async setup(s, f) {
      const a = await f.assignment();
      const units: Unit[] = [];
      const workers: Worker[] = [];
      for (let i = 0; i < 3; i++) {
        units.push(await f.launchedUnit({ assignmentId: a.id, unitIndex: i }));
        workers.push(await f.worker());
      }
      return {
        create: (i) => s.createAgent({ workerId: workers[i]?.id ?? '', unitId: units[i]?.id ?? '' }),
        find: () => s.findAgents(),
      };
    },
  },
  {
    name: 'onboarding agents',
    async setup(s, f) {
      const run = await f.taskRun();
      const worker = await f.worker();
      return {
        create: () => s.createOnboardingAgent({ workerId: worker.id, taskRunId: run.id }),
        find: () => s.findOnboardingAgents(),
      };
    },
  },
  {
    name: 'granted qualifications',
    async setup(s, f) {
      const q = await f.qualification();
      const workers = [await f.worker(), await f.worker(), await f.worker()];
      return {
        create: (i) => s.grantQualification({ qualificationId: q.id, workerId: workers[i]?.id ?? '' }),
        find: () => s.findGrantedQualifications(),
      };
    },
  },
  {
    name: 'worker reviews',
    async setup(s, f) {
      const w = await f.worker();
      return { create: () => s.createWorkerReview({ workerId: w.id }), find: () => s.findWorkerReviews() };
    },
  },
];

/** Builds one row of every kind, linked together, and checks every id and link reads back exactly. */
async function roundTripEverything(h: StoreHarness, f: Fixtures): Promise<string[]> {
  const s = h.store;
  const project = await f.project();
  const task = await f.task({ projectId: project.id });
  const child = await f.task({ parentTaskId: task.id });
  const requester = await f.requester();
  const run = await f.taskRun({ taskId: task.id, requesterId: requester.id });
  const { assignments, units } = await s.createAssignmentsWithUnits(run.id, [
    { units: [{ payAmount: 1 }, { payAmount: 1 }] },
  ]);
  const assignment = assignments[0];
  const unit = units[0];
  if (!assignment || !unit) throw new Error('nothing created');
  await s.transitionUnit(unit.id, { from: 'created', to: 'launched' });
  const worker = await f.worker();
  const agent = await s.createAgent({ workerId: worker.id, unitId: unit.id });
  const onboarding = await s.createOnboardingAgent({ workerId: worker.id, taskRunId: run.id });
  const q = await f.qualification();
  const grant = await s.grantQualification({ qualificationId: q.id, workerId: worker.id });
  const review = await s.createWorkerReview({
    workerId: worker.id,
    unitId: unit.id,
    taskId: task.id,
    qualificationId: q.id,
    value: 1,
  });

  expect(await s.getProject(project.id)).toEqual(project);
  expect(await s.getTask(task.id)).toEqual(task);
  expect((await s.getTask(child.id)).parentTaskId).toBe(task.id);
  expect((await s.getTask(task.id)).projectId).toBe(project.id);
  expect(await s.getRequester(requester.id)).toEqual(requester);
  expect(await s.getTaskRun(run.id)).toEqual(run);
  expect(await s.getAssignment(assignment.id)).toEqual(assignment);
  expect(await s.getUnit(unit.id)).toMatchObject({
    id: unit.id,
    assignmentId: assignment.id,
    taskId: task.id,
    taskRunId: run.id,
    requesterId: requester.id,
    agentId: agent.id,
    workerId: worker.id,
  });
  expect(await s.getAgent(agent.id)).toMatchObject({
    workerId: worker.id,
    unitId: unit.id,
    taskId: task.id,
    taskRunId: run.id,
    assignmentId: assignment.id,
  });
  expect(await s.getOnboardingAgent(onboarding.id)).toEqual(onboarding);
  expect(await s.getQualification(q.id)).toEqual(q);
  expect(await s.getGrantedQualification(q.id, worker.id)).toEqual(grant);
  expect(await s.findWorkerReviews({ unitId: unit.id })).toEqual([review]);
  expect(review).toMatchObject({ workerId: worker.id, taskId: task.id, updatedQualificationId: q.id });

  // Every id filter finds the row by its big id.
  expect(await s.findTasks({ projectId: project.id })).toEqual([task]);
  expect(await s.findTaskRuns({ taskId: task.id, requesterId: requester.id })).toEqual([run]);
  expect(await s.findAssignments({ taskRunId: run.id, taskId: task.id, requesterId: requester.id })).toEqual([
    assignment,
  ]);
  expect(
    (await s.findUnits({ assignmentId: assignment.id, agentId: agent.id, workerId: worker.id })).map(
      (u) => u.id,
    ),
  ).toEqual([unit.id]);
  expect(
    (await s.findAgents({ unitId: unit.id, workerId: worker.id, assignmentId: assignment.id })).map(
      (a) => a.id,
    ),
  ).toEqual([agent.id]);
  expect(await s.findOnboardingAgents({ workerId: worker.id, taskRunId: run.id, taskId: task.id })).toEqual([
    onboarding,
  ]);
  expect(await s.findGrantedQualifications({ qualificationId: q.id, workerId: worker.id })).toEqual([grant]);
  expect(await s.findWorkerReviews({ workerId: worker.id, taskId: task.id })).toEqual([review]);

  return [
    project,
    task,
    child,
    requester,
    run,
    assignment,
    ...units,
    worker,
    agent,
    onboarding,
    q,
    grant,
    review,
  ].map((r) => r.id);
}

for (const target of STORE_TARGETS) {
  describe.skipIf(!target.available)(`store conformance [${target.name}]: ids and order`, () => {
    describe('ids from the injected generator, dates from the injected clock', () => {
      const h = useStore(target);
      const f = new Fixtures(() => h.store);

      it('the first rows get the generator’s first ids, in order', async () => {
        const p = await h.store.createProject('a');
        const w = await h.store.createWorker({ name: 'b', providerType: 'mock' });
        expect([p.id, w.id]).toEqual(['1000001', '1000002']);
        expect(h.ids.issued.slice(0, 2)).toEqual(['1000001', '1000002']);
      });

      it('every creation date is the clock’s time, to the millisecond', async () => {
        h.clock.set(Date.UTC(2031, 4, 6, 7, 8, 9, 123));
        const ids = await roundTripEverything(h, f);
        expect(ids.length).toBe(14);
        const now = new Date(Date.UTC(2031, 4, 6, 7, 8, 9, 123));
        const dates = [
          ...(await h.store.findProjects()),
          ...(await h.store.findTasks()),
          ...(await h.store.findRequesters()),
          ...(await h.store.findTaskRuns()),
          ...(await h.store.findAssignments()),
          ...(await h.store.findUnits()),
          ...(await h.store.findWorkers()),
          ...(await h.store.findAgents()),
          ...(await h.store.findOnboardingAgents()),
          ...(await h.store.findQualifications()),
          ...(await h.store.findGrantedQualifications()),
          ...(await h.store.findWorkerReviews()),
        ].map((r) => r.creationDate);
        expect(dates).toHaveLength(14);
        for (const d of dates) expect(d).toEqual(now);
      });

      it('dates before 1970 and far in the future survive', async () => {
        h.clock.set(Date.UTC(1969, 6, 20, 20, 17, 40, 1));
        const old = await h.store.createProject('apollo');
        h.clock.set(Date.UTC(2200, 0, 1, 0, 0, 0, 999));
        const future = await h.store.createProject('future');
        expect((await h.store.getProject(old.id)).creationDate.getTime()).toBe(
          Date.UTC(1969, 6, 20, 20, 17, 40, 1),
        );
        expect((await h.store.getProject(future.id)).creationDate.getTime()).toBe(
          Date.UTC(2200, 0, 1, 0, 0, 0, 999),
        );
      });
    });

    describe('ids beyond Number.MAX_SAFE_INTEGER (from 2^62)', () => {
      const h = useStore(target, { ids: () => new SequentialIdGenerator(2n ** 62n) });
      const f = new Fixtures(() => h.store);

      it('round-trip exactly through every entity, link and filter', async () => {
        const ids = await roundTripEverything(h, f);
        for (const id of ids) {
          expect(BigInt(id) >= 2n ** 62n, id).toBe(true);
          expect(h.ids.issued).toContain(id);
        }
        expect(ids[0]).toBe('4611686018427387904');
        expect(new Set(ids).size).toBe(ids.length);
      });

      it('neighbouring big ids stay distinct (no rounding to a double)', async () => {
        const a = await h.store.createProject('a');
        const b = await h.store.createProject('b');
        expect(BigInt(b.id) - BigInt(a.id)).toBe(1n);
        expect((await h.store.getProject(a.id)).name).toBe('a');
        expect((await h.store.getProject(b.id)).name).toBe('b');
      });
    });

    describe('ids at the top of the range (2^63 - 1)', () => {
      const h = useStore(target, { ids: () => new SequentialIdGenerator(2n ** 63n - 64n) });
      const f = new Fixtures(() => h.store);

      it('round-trip exactly', async () => {
        const ids = await roundTripEverything(h, f);
        for (const id of ids) expect(BigInt(id) >= 2n ** 63n - 64n && BigInt(id) < 2n ** 63n, id).toBe(true);
      });
    });

    describe('order: creation date, then id', () => {
      const h = useStore(target, { ids: () => new CountdownIdGenerator(9_000_000n) });
      const f = new Fixtures(() => h.store);

      it.each(KINDS)('$name', async (kind) => {
        const { create, find } = await kind.setup(h.store, f);
        const t = h.clock.now() + 10_000;
        h.clock.set(t);
        const first = await create(0);
        h.clock.set(t - 1000);
        const second = await create(1);
        h.clock.set(t);
        const third = await create(2);
        expect(BigInt(first.id) > BigInt(third.id)).toBe(true);
        // second is the oldest; first and third share a date and sort by id, and third's is smaller.
        const found = (await find()).map((r) => r.id);
        expect(found.slice(-3)).toEqual([second.id, third.id, first.id]);
      });
    });

    describe('order: ids compare as numbers, not as text', () => {
      const h = useStore(target, { ids: () => new CountdownIdGenerator(10_000_001n) });

      it('9999999 sorts before 10000000', async () => {
        const a = await h.store.createProject('a'); // 10000001
        const b = await h.store.createProject('b'); // 10000000
        const c = await h.store.createProject('c'); // 9999999
        expect([a.id, b.id, c.id]).toEqual(['10000001', '10000000', '9999999']);
        expect((await h.store.findProjects()).map((p) => p.name)).toEqual(['c', 'b', 'a']);
      });
    });
  });
}
