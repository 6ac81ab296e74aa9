/**
 * Store conformance: claimUnit, the one transaction that chooses a unit for a worker. Every refusal in
 * its order, "cannot pair with self", creation order, `accept`, and races: concurrent claims of one
 * worker never exceed its caps, concurrent claims of many workers never share a unit.
 */
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { expectInvalidArgument, expectNotFound, Fixtures, MISSING_ID } from './fixtures.js';
import { STORE_TARGETS, useStore } from './store-targets.js';

const NO_CAPS = { allowedConcurrent: 0, maximumUnitsPerWorker: 0 };

/** A run with `assignments` assignments of `units` launched units each. */
async function launchedRun(store: Store, f: Fixtures, assignments: number, units = 1) {
  const run = await f.taskRun();
  const created = await store.createAssignmentsWithUnits(
    run.id,
    Array.from({ length: assignments }, () => ({
      units: Array.from({ length: units }, () => ({ payAmount: 1 })),
    })),
  );
  await store.transitionUnits(
    created.units.map((u) => u.id),
    { from: 'created', to: 'launched' },
  );
  return { run, units: created.units };
}

for (const target of STORE_TARGETS) {
  describe.skipIf(!target.available)(`store conformance [${target.name}]: engine claims`, () => {
    const h = useStore(target, { poolSize: 10 });
    const f = new Fixtures(() => h.store);

    it('gives the first launched unit in creation order and creates its agent (unit assigned)', async () => {
      const { run, units } = await launchedRun(h.store, f, 3);
      const worker = await f.worker();
      const result = await h.store.claimUnit({ taskRunId: run.id, workerId: worker.id, ...NO_CAPS });
      if (!result.ok) throw new Error(result.code);
      expect(result.unit).toMatchObject({
        id: units[0]?.id,
        status: 'assigned',
        workerId: worker.id,
        agentId: result.agent.id,
      });
      expect(result.agent).toMatchObject({
        status: 'in task',
        workerId: worker.id,
        unitId: units[0]?.id,
        taskRunId: run.id,
      });
      expect(await h.store.getAgent(result.agent.id)).toEqual(result.agent);
      const second = await h.store.claimUnit({
        taskRunId: run.id,
        workerId: worker.id,
        ...NO_CAPS,
        agentStatus: 'accepted',
      });
      expect(second.ok && second.unit.id).toBe(units[1]?.id);
      expect(second.ok && second.agent.status).toBe('accepted');
    });

    it('never gives a worker two units of one assignment, nor negative-index units', async () => {
      const { run } = await launchedRun(h.store, f, 1, 2);
      const special = await h.store.createUnit({
        assignmentId: (await f.assignment({ taskRunId: run.id })).id,
        unitIndex: -1,
        payAmount: 0,
      });
      await h.store.transitionUnit(special.id, { from: 'created', to: 'launched' });
      const worker = await f.worker();
      expect((await h.store.claimUnit({ taskRunId: run.id, workerId: worker.id, ...NO_CAPS })).ok).toBe(true);
      expect(await h.store.claimUnit({ taskRunId: run.id, workerId: worker.id, ...NO_CAPS })).toEqual({
        ok: false,
        code: 'no_units',
        held: 1,
        counted: 1,
      });
    });

    it('refuses with too_many_concurrent, then max_for_task, counting submitted units across the task', async () => {
      const { run } = await launchedRun(h.store, f, 4);
      const worker = await f.worker();
      const claim = (caps: { allowedConcurrent: number; maximumUnitsPerWorker: number }) =>
        h.store.claimUnit({ taskRunId: run.id, workerId: worker.id, ...caps });
      const first = await claim({ allowedConcurrent: 1, maximumUnitsPerWorker: 2 });
      expect(await claim({ allowedConcurrent: 1, maximumUnitsPerWorker: 2 })).toMatchObject({
        ok: false,
        code: 'too_many_concurrent',
        held: 1,
      });
      if (!first.ok) throw new Error('no unit');
      await h.store.submitAgent(first.agent.id, { a: 1 });
      expect((await claim({ allowedConcurrent: 1, maximumUnitsPerWorker: 2 })).ok).toBe(true);
      expect(await claim({ allowedConcurrent: 0, maximumUnitsPerWorker: 2 })).toMatchObject({
        ok: false,
        code: 'max_for_task',
        counted: 2,
      });
      // Another run of the same task shares the count.
      const other = await f.taskRun({ taskId: run.taskId });
      await h.store.createAssignmentsWithUnits(other.id, [{ units: [{ payAmount: 1 }] }]);
      const [unit] = await h.store.findUnits({ taskRunId: other.id });
      await h.store.transitionUnit(unit?.id ?? '', { from: 'created', to: 'launched' });
      expect(
        await h.store.claimUnit({
          taskRunId: other.id,
          workerId: worker.id,
          allowedConcurrent: 0,
          maximumUnitsPerWorker: 2,
        }),
      ).toMatchObject({
        ok: false,
        code: 'max_for_task',
        held: 0,
        counted: 2,
      });
    });

    it("refuses blocked workers (every requester, or the run's) and applies eligibility and accept", async () => {
      const { run } = await launchedRun(h.store, f, 3);
      const worker = await f.worker();
      await h.store.blockWorker({ workerId: worker.id, requesterId: run.requesterId });
      expect(await h.store.claimUnit({ taskRunId: run.id, workerId: worker.id, ...NO_CAPS })).toMatchObject({
        ok: false,
        code: 'blocked',
      });
      expect(
        (await h.store.claimUnit({ taskRunId: run.id, workerId: worker.id, ...NO_CAPS, checkBlocks: false }))
          .ok,
      ).toBe(true);

      const other = await f.worker();
      const qual = await f.qualification({ name: 'q-engine' });
      await h.store.grantQualification({ qualificationId: qual.id, workerId: other.id, value: 7 });
      let seen: [Map<string, number>, Set<string>] | undefined;
      const refused = await h.store.claimUnit({
        taskRunId: run.id,
        workerId: other.id,
        ...NO_CAPS,
        eligibility: {
          names: ['q-engine', 'missing-qual'],
          refusal: (grants, known) => {
            seen = [new Map(grants), new Set(known)];
            return 'not_qualified';
          },
        },
      });
      expect(refused).toMatchObject({ ok: false, code: 'not_qualified' });
      expect(seen).toEqual([new Map([['q-engine', 7]]), new Set(['q-engine'])]);
      const units = await h.store.findUnits({ taskRunId: run.id, status: 'launched' });
      const picked = await h.store.claimUnit({
        taskRunId: run.id,
        workerId: other.id,
        ...NO_CAPS,
        accept: (unit) => unit.id === units.at(-1)?.id,
      });
      expect(picked.ok && picked.unit.id).toBe(units.at(-1)?.id);
    });

    it('checks its arguments and references', async () => {
      const { run } = await launchedRun(h.store, f, 1);
      const worker = await f.worker();
      await expectNotFound(
        h.store.claimUnit({ taskRunId: MISSING_ID, workerId: worker.id, ...NO_CAPS }),
        'task_run',
      );
      await expectNotFound(
        h.store.claimUnit({ taskRunId: run.id, workerId: MISSING_ID, ...NO_CAPS }),
        'worker',
      );
      await expectInvalidArgument(
        h.store.claimUnit({
          taskRunId: run.id,
          workerId: worker.id,
          allowedConcurrent: -1,
          maximumUnitsPerWorker: 0,
        }),
      );
    });

    it('races: 40 concurrent claims of one worker with allowed_concurrent 2 give exactly 2 units', async () => {
      const { run } = await launchedRun(h.store, f, 40);
      const worker = await f.worker();
      const results = await Promise.all(
        Array.from({ length: 40 }, () =>
          h.store.claimUnit({
            taskRunId: run.id,
            workerId: worker.id,
            allowedConcurrent: 2,
            maximumUnitsPerWorker: 0,
          }),
        ),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(2);
      expect(await h.store.countUnits({ taskRunId: run.id, workerId: worker.id, status: 'assigned' })).toBe(
        2,
      );
    });

    it('races: 60 workers claiming 20 units at once get 20 distinct units', async () => {
      const { run } = await launchedRun(h.store, f, 20);
      const workers = await Promise.all(Array.from({ length: 60 }, () => f.worker()));
      const results = await Promise.all(
        workers.map((w) => h.store.claimUnit({ taskRunId: run.id, workerId: w.id, ...NO_CAPS })),
      );
      const won = results.flatMap((r) => (r.ok ? [r.unit.id] : []));
      expect(won).toHaveLength(20);
      expect(new Set(won).size).toBe(20);
      expect(await h.store.findAgents({ taskRunId: run.id })).toHaveLength(20);
    });
  });
}
