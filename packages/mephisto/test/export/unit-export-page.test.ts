/**
 * Store conformance for the export's reads: readUnitExportPage (selection, keyset paging, the joined
 * columns) and sumAwaitingReview, on every store target.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/index.js';
import type { UnitExportPage } from '../../src/store/store.js';
import { MISSING_ID, expectNotFound, rejectionOf } from '../store/fixtures.js';
import { STORE_TARGETS, useStore } from '../store/store-targets.js';
import { seedRun, seedWorkers, submitUnit } from './export-fixtures.js';

for (const target of STORE_TARGETS) {
  describe.skipIf(!target.available)(`store conformance [${target.name}]: export reads`, () => {
    const h = useStore(target);

    it('a page joins the unit with its agent, worker, submission, input, bonuses and latest review', async () => {
      const { run, units } = await seedRun(h.store, {
        units: 2,
        payAmount: 0.75,
        input: (i) => ({ shared: { lang: 'en' }, unit_data: [{ text: `item ${i}` }] }),
      });
      const [worker] = await seedWorkers(h.store, 1);
      const [unit, idle] = units;
      if (!worker || !unit || !idle) throw new Error('seed failed');
      const assignedAt = h.clock.now();
      const agent = await submitUnit(h.store, h.clock, unit, worker, { answer: 'yes', n: [1, 2] }, 42);
      await h.store.transitionAgent(agent.id, { from: 'completed', to: 'approved' });
      h.clock.advance(1000);
      await h.store.createWorkerReview({
        workerId: worker.id,
        unitId: unit.id,
        status: 'approved',
        reviewNote: 'good work',
        bonus: 0.1,
      });
      h.clock.advance(1000);
      // A later bonus-only row adds to the total but is not a decision: the latest review stays.
      await h.store.createWorkerReview({
        workerId: worker.id,
        unitId: unit.id,
        bonus: 0.2,
        reviewNote: 'extra',
      });

      const page = await h.store.readUnitExportPage({ taskRunId: run.id });
      expect(page.next).toBeNull();
      expect(page.rows).toHaveLength(1);
      const [row] = page.rows;
      if (!row) throw new Error('no row');
      const { bonusTotal, ...rest } = row;
      expect(bonusTotal).toBeCloseTo(0.3, 9);
      expect(rest).toEqual({
        unitId: unit.id,
        assignmentId: unit.assignmentId,
        taskRunId: run.id,
        taskId: run.taskId,
        unitIndex: 0,
        status: 'accepted',
        payAmount: 0.75,
        agentId: agent.id,
        agentStatus: 'approved',
        workerId: worker.id,
        workerName: worker.name,
        assignedAt: new Date(assignedAt),
        submittedAt: new Date(assignedAt + 42_000),
        submission: { answer: 'yes', n: [1, 2] },
        inputData: { shared: { lang: 'en' }, unit_data: [{ text: 'item 0' }] },
        latestReview: {
          status: 'approved',
          feedback: 'good work',
          reviewedAt: new Date(assignedAt + 43_000),
        },
      });
    });

    it('selects units with an agent by default; every unit with includeUnassigned; statuses filter', async () => {
      const { run, units } = await seedRun(h.store, { units: 4 });
      const [worker] = await seedWorkers(h.store, 1);
      const [a, b, c, d] = units;
      if (!worker || !a || !b || !c || !d) throw new Error('seed failed');
      await submitUnit(h.store, h.clock, a, worker, { v: 'a' });
      const taken = await h.store.createAgent({ workerId: worker.id, unitId: b.id, status: 'in task' });
      await h.store.transitionUnit(d.id, { from: 'launched', to: 'expired' });

      const ids = async (query: Parameters<typeof h.store.readUnitExportPage>[0]): Promise<string[]> =>
        (await h.store.readUnitExportPage(query)).rows.map((row) => row.unitId);
      expect(await ids({ taskRunId: run.id })).toEqual([a.id, b.id]);
      expect(await ids({ taskRunId: run.id, includeUnassigned: true })).toEqual([a.id, b.id, c.id, d.id]);
      expect(await ids({ taskRunId: run.id, statuses: ['completed'] })).toEqual([a.id]);
      expect(await ids({ taskRunId: run.id, statuses: ['assigned', 'completed'] })).toEqual([a.id, b.id]);
      expect(await ids({ taskRunId: run.id, statuses: ['expired'] })).toEqual([]);
      expect(await ids({ taskRunId: run.id, statuses: ['expired'], includeUnassigned: true })).toEqual([
        d.id,
      ]);
      expect(await ids({ taskRunId: run.id, statuses: [] })).toEqual([]);

      const {
        rows: [inTask],
      } = await h.store.readUnitExportPage({ taskRunId: run.id, statuses: ['assigned'] });
      expect(inTask).toMatchObject({
        agentId: taken.id,
        agentStatus: 'in task',
        submittedAt: null,
        submission: null,
        bonusTotal: 0,
        latestReview: null,
      });
      const {
        rows: [never],
      } = await h.store.readUnitExportPage({
        taskRunId: run.id,
        statuses: ['launched'],
        includeUnassigned: true,
      });
      expect(never).toMatchObject({
        unitId: c.id,
        agentId: null,
        agentStatus: null,
        workerId: null,
        workerName: null,
        assignedAt: null,
      });
    });

    /** Every page of the run's units (all of them), with the sizes of the pages. */
    async function readAll(
      taskRunId: string,
      limit: number,
      between?: () => Promise<void>,
    ): Promise<{ ids: string[]; sizes: number[] }> {
      const ids: string[] = [];
      const sizes: number[] = [];
      let cursor: string | null = null;
      do {
        const page: UnitExportPage = await h.store.readUnitExportPage({
          taskRunId,
          includeUnassigned: true,
          cursor,
          limit,
        });
        sizes.push(page.rows.length);
        ids.push(...page.rows.map((row) => row.unitId));
        cursor = page.next;
        await between?.();
      } while (cursor !== null);
      return { ids, sizes };
    }

    const byId = (ids: string[]): string[] => [...ids].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1));

    it('pages by unit id with a cursor; a full last page says there is no next one', async () => {
      const before = await seedRun(h.store, { units: 3 });
      const { run, units } = await seedRun(h.store, { units: 5 });
      const after = await seedRun(h.store, { units: 2 });
      const five = await readAll(run.id, 2);
      expect(five.sizes).toEqual([2, 2, 1]);
      expect(five.ids).toEqual(byId(units.map((u) => u.id)));
      expect(five.ids).not.toContain(before.units[2]?.id);
      expect(five.ids).not.toContain(after.units[0]?.id);
      // Exactly full: the last page knows it reached the run's last unit.
      expect((await readAll(run.id, 5)).sizes).toEqual([5]);
      expect((await readAll(before.run.id, 1)).sizes).toEqual([1, 1, 1]);
      const empty = await seedRun(h.store, { units: 0 });
      expect(await h.store.readUnitExportPage({ taskRunId: empty.run.id })).toEqual({ rows: [], next: null });
    });

    it('returns each unit once while statuses change between pages; later units are not added', async () => {
      const { run, units } = await seedRun(h.store, { units: 6 });
      const [worker] = await seedWorkers(h.store, 1);
      if (!worker) throw new Error('seed failed');
      let step = 0;
      const read = await readAll(run.id, 2, async () => {
        // Units move between statuses and a unit is added to the run while the export runs.
        const unit = units[5 - step];
        if (unit && step < 2) await submitUnit(h.store, h.clock, unit, worker, { step });
        if (step === 0) await h.store.createAssignmentsWithUnits(run.id, [{ units: [{ payAmount: 1 }] }]);
        step++;
      });
      expect(read.ids).toEqual(byId(units.map((u) => u.id)));
    });

    it('refuses a missing run, a malformed cursor, a bad limit or status', async () => {
      await expectNotFound(h.store.readUnitExportPage({ taskRunId: MISSING_ID }), 'task_run', MISSING_ID);
      await expectNotFound(h.store.readUnitExportPage({ taskRunId: 'nope' }), 'task_run', 'nope');
      await expectNotFound(h.store.readUnitExportPage({ taskRunId: MISSING_ID, statuses: [] }), 'task_run');
      const { run } = await seedRun(h.store, { units: 1 });
      for (const query of [
        { taskRunId: run.id, cursor: 'x1' },
        { taskRunId: run.id, cursor: '5' },
        { taskRunId: run.id, cursor: '0.0' },
        { taskRunId: run.id, cursor: '5.x', statuses: [] },
        { taskRunId: run.id, limit: 0 },
        { taskRunId: run.id, limit: 10_001 },
        { taskRunId: run.id, limit: 1.5 },
        { taskRunId: run.id, statuses: ['done' as 'completed'] },
      ]) {
        expect(await rejectionOf(h.store.readUnitExportPage(query))).toBeInstanceOf(InvalidArgumentError);
      }
    });

    it('sums the work awaiting review: completed units and their rewards, per run', async () => {
      const { run, units } = await seedRun(h.store, { units: 6, payAmount: 0.25 });
      const other = await seedRun(h.store, { units: 1, payAmount: 9 });
      const workers = await seedWorkers(h.store, 2);
      const [w1, w2] = workers;
      if (!w1 || !w2) throw new Error('seed failed');
      const agents = [];
      for (const [i, unit] of units.slice(0, 5).entries()) {
        agents.push(await submitUnit(h.store, h.clock, unit, i % 2 === 0 ? w1 : w2, { i }));
      }
      const [, accepted, rejected, soft] = agents;
      if (!accepted || !rejected || !soft) throw new Error('seed failed');
      await h.store.transitionAgent(accepted.id, { from: 'completed', to: 'approved' });
      await h.store.transitionAgent(rejected.id, { from: 'completed', to: 'rejected' });
      await h.store.transitionAgent(soft.id, { from: 'completed', to: 'soft_rejected' });
      // units[0] and units[4] stay completed; units[5] is only launched; bonuses are not counted.
      await h.store.createWorkerReview({ workerId: w1.id, unitId: accepted.unitId, bonus: 1.5 });
      const [ow] = await seedWorkers(h.store, 1);
      if (!ow || !other.units[0]) throw new Error('seed failed');
      await submitUnit(h.store, h.clock, other.units[0], ow, {});
      const empty = await seedRun(h.store, { units: 0 });

      const mine = { taskRunId: run.id, units: 2, rewards: 0.5 };
      const others = { taskRunId: other.run.id, units: 1, rewards: 9 };
      expect(await h.store.sumAwaitingReview([run.id])).toEqual([mine]);
      expect(await h.store.sumAwaitingReview([other.run.id, run.id, empty.run.id, MISSING_ID, 'x'])).toEqual([
        mine,
        others,
      ]);
      expect(await h.store.sumAwaitingReview()).toEqual([mine, others]);
      expect(await h.store.sumAwaitingReview([])).toEqual([]);
      expect(await h.store.sumAwaitingReview([empty.run.id])).toEqual([]);
    });
  });
}
