/**
 * resume_incomplete_run after a crash (the LiveRun is dropped without shutdown, as `kill -9` leaves it)
 * or an interruption (shutdown): completed work is kept, what was launched or assigned is reconciled
 * and offered again, and the resume never aborts on such units (Mephisto's quirk 7).
 */
import { describe, expect, it } from 'vitest';
import type { InitializationData } from '../../src/blueprints/blueprint.js';
import { Operator, ResumeConflictError } from '../../src/run/index.js';
import { STORE_TARGETS, useStore } from '../store/store-targets.js';
import { FakeBlueprint, FakeProvider, items, launch, makeConfig, nextEvent, take } from './engine-fakes.js';

function resumeConfig(task: Record<string, unknown> = {}, blueprint: Record<string, unknown> = {}) {
  return makeConfig({ task: { task_name: 'resumable', resume_incomplete_run: true, ...task }, blueprint });
}

for (const target of STORE_TARGETS) {
  describe.skipIf(!target.available)(`engine resume [${target.name}]`, () => {
    const h = useStore(target);

    async function resume(config = resumeConfig(), data: Iterable<InitializationData> = items(4)) {
      const operator = new Operator({ store: h.store, clock: h.clock, scheduler: h.clock });
      const provider = new FakeProvider();
      const run = await operator.launch({
        config,
        taskDir: '/tmp',
        blueprint: new FakeBlueprint('static_task', data),
        provider,
      });
      return { operator, run, provider };
    }

    it('resume_incomplete_run after an interruption: expired units are offered again, completed ones kept', async () => {
      const first = await launch(h.store, h.clock, {
        config: resumeConfig({ resume_incomplete_run: false }),
        data: items(4),
      });
      const done = await take(first.run, 'w1');
      await first.run.submitUnit(done.agentId, { kept: 1 });
      const working = await take(first.run, 'w2');
      await first.operator.shutdown('SIGTERM');
      expect((await h.store.getAgent(working.agentId)).status).toBe('expired');

      const { run, provider } = await resume();
      expect(run.resumed).toBe(true);
      expect(run.taskRun.id).toBe(first.run.taskRun.id);
      expect((await h.store.getTaskRunState(run.taskRun.id)).end).toBeNull();
      expect(await h.store.countUnitsByStatus({ taskRunId: run.taskRun.id })).toMatchObject({
        completed: 1,
        launched: 3,
        expired: 0,
      });
      expect(provider.onOffer.size).toBe(3);
      for (const name of ['a', 'b', 'c']) await run.submitUnit((await take(run, name)).agentId, {});
      expect((await run.ended).reason).toBe('completed');
      expect((await h.store.getTaskRun(run.taskRun.id)).isCompleted).toBe(true);
    });

    it('resume_incomplete_run with an unfinished data source continues reading it after the existing assignments', async () => {
      const data = items(5);
      const config = resumeConfig({ max_num_concurrent_units: 1, resume_incomplete_run: false });
      const first = await launch(h.store, h.clock, { config, data });
      const refilled = nextEvent(first.run, 'unit-launched');
      await first.run.submitUnit((await take(first.run, 'w1')).agentId, {});
      await refilled; // the launcher fills the freed slot from the source
      await take(first.run, 'w2'); // crash while this one is held
      expect(await h.store.findAssignments({ taskRunId: first.run.taskRun.id })).toHaveLength(2);

      const { run } = await resume(resumeConfig({ max_num_concurrent_units: 1 }), data);
      for (let i = 0; i < 4; i++) {
        const refill = i < 3 ? nextEvent(run, 'unit-launched') : undefined;
        await run.submitUnit((await take(run, `r${i}`)).agentId, {});
        await refill;
      }
      const end = await run.ended;
      expect(end.reason).toBe('completed');
      const assignments = await h.store.findAssignments({ taskRunId: run.taskRun.id });
      expect(assignments.map((a) => (a.data as { shared: { i: number } }).shared.i)).toEqual([0, 1, 2, 3, 4]);
    });

    it('resume_incomplete_run refuses a config that changes what the run is (data source, blueprint type)', async () => {
      const first = await launch(h.store, h.clock, {
        config: resumeConfig({ resume_incomplete_run: false }, { data_json: '/data/a.json' }),
      });
      const error = await resume(resumeConfig({}, { data_json: '/data/b.json' })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ResumeConflictError);
      expect((error as ResumeConflictError).code).toBe('MEPHISTO_ERR_RESUME_CONFLICT');
      expect((error as Error).message).toMatch(
        /mephisto\.blueprint\.data_json was "\/data\/a\.json".*"\/data\/b\.json"/,
      );

      const operator = new Operator({ store: h.store, clock: h.clock, scheduler: h.clock });
      const wrongType = await operator
        .launch({
          config: makeConfig({
            blueprintType: 'static_react_task',
            task: { task_name: 'resumable', resume_incomplete_run: true },
          }),
          taskDir: '/tmp',
          blueprint: new FakeBlueprint('static_react_task'),
          provider: new FakeProvider(),
        })
        .catch((e: unknown) => e);
      expect((wrongType as Error).message).toMatch(
        /blueprint type is "static_task", the config's is "static_react_task"/,
      );
      // Nothing was changed by the refused resumes.
      expect((await h.store.getTaskRunState(first.run.taskRun.id)).end).toBeNull();
      await first.operator.shutdown();
    });

    it('resume_incomplete_run with nothing to resume starts a new run; a completed run is not resumed', async () => {
      const fresh = await resume();
      expect(fresh.run.resumed).toBe(false);
      for (let i = 0; i < 4; i++) await fresh.run.submitUnit((await take(fresh.run, `w${i}`)).agentId, {});
      expect((await fresh.run.ended).reason).toBe('completed');
      const next = await resume();
      expect(next.run.resumed).toBe(false);
      expect(next.run.taskRun.id).not.toBe(fresh.run.taskRun.id);
      await next.operator.shutdown();
    });
  });
}
