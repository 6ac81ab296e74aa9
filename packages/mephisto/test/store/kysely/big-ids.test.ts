/**
 * Ids are 63-bit integers exposed as decimal strings: one above 2^53 (where a JavaScript number starts
 * losing digits) and the largest possible one must come back digit for digit, through every column
 * that holds an id, on every database.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, type IdGenerator } from '../../../src/core/index.js';
import { Databases, TARGETS } from './targets.js';

/** Hands out the given ids in order. */
class ListedIds implements IdGenerator {
  constructor(private readonly ids: string[]) {}
  next(): string {
    const id = this.ids.shift();
    if (id === undefined) throw new Error('out of listed ids');
    return id;
  }
}

const ABOVE_2_53 = (2n ** 53n + 1n).toString(); // 9007199254740993: a number would round it to …992
const MAX_ID = (2n ** 63n - 1n).toString(); // 9223372036854775807

/** Ids near the top of the range, every one of which a double cannot represent. */
function bigIds(count: number): string[] {
  const ids = [ABOVE_2_53, MAX_ID];
  for (let i = 1n; ids.length < count; i++) ids.push((2n ** 63n - 1n - i * 1_000_003n).toString());
  return ids;
}

for (const target of TARGETS) {
  describe.skipIf(!target.available)(`big ids [${target.name}]`, () => {
    const dbs = new Databases();
    afterEach(() => dbs.cleanup());

    it('ids above 2^53, up to 2^63-1, round-trip exactly through every id column', async () => {
      const store = await dbs.open(target, { clock: new ManualClock(), ids: new ListedIds(bigIds(20)) });
      const project = await store.createProject('p');
      expect(project.id).toBe(ABOVE_2_53);
      const task = await store.createTask({ name: 't', taskType: 'static_task', projectId: project.id });
      expect(task.id).toBe(MAX_ID);
      const requester = await store.createRequester({ name: 'r', providerType: 'mock' });
      const run = await store.createTaskRun({
        taskId: task.id,
        requesterId: requester.id,
        initParams: '{}',
        providerType: 'mock',
        taskType: 'static_task',
      });
      const { assignments, units } = await store.createAssignmentsWithUnits(run.id, [
        { data: { shared: {} }, units: [{ payAmount: 1 }, { payAmount: 1 }] },
      ]);
      const unit = units[0];
      if (!unit) throw new Error('no unit');
      const worker = await store.createWorker({ name: 'w', providerType: 'mock' });
      await store.transitionUnit(unit.id, { from: 'created', to: 'launched' });
      const agent = await store.createAgent({ workerId: worker.id, unitId: unit.id });

      expect(await store.getProject(project.id)).toEqual(project);
      expect((await store.getTask(task.id)).projectId).toBe(ABOVE_2_53);
      expect(await store.getTaskRun(run.id)).toMatchObject({ taskId: MAX_ID, requesterId: requester.id });
      expect(await store.getAssignment(assignments[0]?.id ?? '')).toEqual(assignments[0]);
      expect(await store.getUnit(unit.id)).toMatchObject({
        taskId: MAX_ID,
        taskRunId: run.id,
        requesterId: requester.id,
        assignmentId: assignments[0]?.id,
        agentId: agent.id,
        workerId: worker.id,
      });
      expect(await store.getAgent(agent.id)).toEqual(agent);
      expect(agent).toMatchObject({ taskId: MAX_ID, unitId: unit.id, workerId: worker.id });
      // Filters compare ids exactly too: a neighbour that a double would confuse matches nothing.
      expect(await store.findTasks({ projectId: ABOVE_2_53 })).toEqual([await store.getTask(task.id)]);
      expect(await store.findTasks({ projectId: (2n ** 53n).toString() })).toEqual([]);
      expect(await store.findUnits({ taskId: MAX_ID })).toHaveLength(2);
      expect(await store.findAgents({ workerId: worker.id })).toEqual([agent]);
    });

    it('an id of 2^63 or more names no row', async () => {
      const store = await dbs.open(target, { clock: new ManualClock() });
      await expect(store.getProject((2n ** 63n).toString())).rejects.toMatchObject({
        code: 'MEPHISTO_ERR_PROJECT_NOT_FOUND',
      });
    });
  });
}
