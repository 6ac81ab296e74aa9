/**
 * A generated id that is already taken (two processes drawing the same one) is retried with a fresh
 * id; any other unique key taken is reported at once, without drawing more ids.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AlreadyExistsError, ManualClock, type IdGenerator } from '../../../src/core/index.js';
import { Databases, TARGETS } from './targets.js';

/** Hands out the listed ids, then counts up from the last; records every id drawn. */
class ScriptedIds implements IdGenerator {
  readonly drawn: string[] = [];
  #next: bigint;
  constructor(readonly script: string[]) {
    this.#next = 5_000_000n;
  }
  next(): string {
    const id = this.script.shift() ?? (this.#next++).toString();
    this.drawn.push(id);
    return id;
  }
}

for (const target of TARGETS) {
  describe.skipIf(!target.available)(`id collisions [${target.name}]`, () => {
    const dbs = new Databases();
    afterEach(() => dbs.cleanup());

    it('a taken primary key is retried with the next id', async () => {
      const ids = new ScriptedIds(['1000001', '1000001', '1000001']);
      const store = await dbs.open(target, { clock: new ManualClock(), ids });
      expect((await store.createProject('a')).id).toBe('1000001');
      const b = await store.createProject('b');
      expect(b.id).toBe('5000000');
      expect(ids.drawn).toEqual(['1000001', '1000001', '1000001', '5000000']);
      expect((await store.findProjects()).map((p) => p.name)).toEqual(['a', 'b']);
    });

    it('a bulk creation whose ids collide is redone whole with fresh ids', async () => {
      const ids = new ScriptedIds([]);
      const store = await dbs.open(target, { clock: new ManualClock(), ids });
      const task = await store.createTask({ name: 't', taskType: 'static_task' });
      const requester = await store.createRequester({ name: 'r', providerType: 'mock' });
      const run = await store.createTaskRun({
        taskId: task.id,
        requesterId: requester.id,
        initParams: '{}',
        providerType: 'mock',
        taskType: 'static_task',
      });
      const first = await store.createAssignmentsWithUnits(run.id, [{ units: [{ payAmount: 1 }] }]);
      // The next call's unit would take the first call's unit id.
      ids.script.push('7000001', first.units[0]?.id ?? '');
      const second = await store.createAssignmentsWithUnits(run.id, [
        { data: { n: 2 }, units: [{ payAmount: 2 }] },
      ]);
      expect(second.assignments[0]?.id).not.toBe('7000001');
      expect(await store.findAssignments()).toEqual([...first.assignments, ...second.assignments]);
      expect(await store.findUnits()).toEqual([...first.units, ...second.units]);
    });

    it('a taken name is AlreadyExists at once: no retry, no second id', async () => {
      const ids = new ScriptedIds([]);
      const store = await dbs.open(target, { clock: new ManualClock(), ids });
      await store.createWorker({ name: 'w', providerType: 'mock' });
      await expect(store.createWorker({ name: 'w', providerType: 'mock' })).rejects.toBeInstanceOf(
        AlreadyExistsError,
      );
      expect(ids.drawn).toHaveLength(2);
    });
  });
}
