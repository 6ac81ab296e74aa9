/**
 * Bulk creation across the writers' batch sizes (SQLite: 128 rows per statement; PostgreSQL: 5,000 rows
 * per unnest): every row written once, in order, with its data, and a failure after batches were
 * already written still leaves nothing behind.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, SequentialIdGenerator } from '../../../src/core/index.js';
import type { NewAssignmentWithUnits, Store } from '../../../src/store/store.js';
import { Databases, TARGETS } from './targets.js';

async function newRun(store: Store): Promise<string> {
  const task = await store.createTask({ name: 'bulk', taskType: 'static_task' });
  const requester = await store.createRequester({ name: 'bulk', providerType: 'mock' });
  const run = await store.createTaskRun({
    taskId: task.id,
    requesterId: requester.id,
    initParams: '{}',
    providerType: 'mock',
    taskType: 'static_task',
    sandbox: false,
  });
  return run.id;
}

/** 6,001 assignments of 1 to 3 units: 12,001 units, not a multiple of any batch size. */
function request(): NewAssignmentWithUnits[] {
  return Array.from({ length: 6001 }, (_, i) => ({
    data: i % 3 === 0 ? undefined : { shared: { i, text: `it's "quoted" \\ {${i}}` }, unit_data: [] },
    units: Array.from({ length: (i % 3) + 1 }, (_, u) => ({
      payAmount: 0.25 * (u + 1),
      ...(i % 5 === 0 ? { unitIndex: -1 - u } : {}),
    })),
  }));
}

for (const target of TARGETS) {
  describe.skipIf(!target.available)(`bulk creation [${target.name}]`, () => {
    const dbs = new Databases();
    afterEach(() => dbs.cleanup());

    it('writes every assignment and unit exactly as returned', async () => {
      const store = await dbs.open(target, { clock: new ManualClock(), ids: new SequentialIdGenerator() });
      const runId = await newRun(store);
      const created = await store.createAssignmentsWithUnits(runId, request());
      expect(created.assignments).toHaveLength(6001);
      expect(created.units).toHaveLength(12_001);
      expect(await store.findAssignments({ taskRunId: runId })).toEqual(created.assignments);
      expect(await store.findUnits({ taskRunId: runId })).toEqual(created.units);
      expect(await store.countUnits({ taskRunId: runId, status: 'created', sandbox: false })).toBe(12_001);
      expect(created.assignments[1]?.data).toEqual({
        shared: { i: 1, text: `it's "quoted" \\ {1}` },
        unit_data: [],
      });
      expect(created.assignments[0]?.data).toBeNull();
      expect(created.units.slice(0, 1).map((u) => u.unitIndex)).toEqual([-1]);
    });

    it('a bad item after several written batches rolls everything back', async () => {
      const store = await dbs.open(target, { clock: new ManualClock(), ids: new SequentialIdGenerator() });
      const runId = await newRun(store);
      const items = request();
      items[5999] = { units: [{ payAmount: Number.NaN }] };
      await expect(store.createAssignmentsWithUnits(runId, items)).rejects.toMatchObject({
        code: 'MEPHISTO_ERR_INVALID_ARGUMENT',
      });
      expect(await store.findAssignments()).toEqual([]);
      expect(await store.countUnits()).toBe(0);
      // And the store is still usable for the same run.
      const again = await store.createAssignmentsWithUnits(runId, [{ units: [{ payAmount: 1 }] }]);
      expect(await store.countUnits()).toBe(again.units.length);
    });
  });
}
