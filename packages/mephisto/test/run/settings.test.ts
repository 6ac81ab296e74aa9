/**
 * One scenario per `mephisto.task` setting (spec §3): each test's name carries the setting's name and
 * asserts what the setting does to a run, with the ManualClock wherever time matters. Runs on every
 * store target.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { ConfigInvalidError } from '../../src/core/config/config-errors.js';
import { AgentNotLiveError, Operator } from '../../src/run/index.js';
import { STORE_TARGETS, useStore } from '../store/store-targets.js';
import {
  FakeBlueprint,
  FakeProvider,
  items,
  launch,
  makeConfig,
  nextEvent,
  settle,
  take,
} from './engine-fakes.js';

const SECOND = 1000;

function capturedLogger(): { logger: pino.Logger; lines: () => string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines: () => lines };
}

for (const target of STORE_TARGETS) {
  describe.skipIf(!target.available)(`engine settings [${target.name}]`, () => {
    const h = useStore(target);

    it('task_name: runs with the same task_name share one task; without it the blueprint type is used, with a notice', async () => {
      const first = await launch(h.store, h.clock, {
        config: makeConfig({ task: { task_name: 'shared-name' } }),
      });
      const second = await launch(h.store, h.clock, {
        config: makeConfig({ task: { task_name: 'shared-name' } }),
      });
      expect(second.run.task.id).toBe(first.run.task.id);
      expect(first.run.task.name).toBe('shared-name');
      expect(second.run.taskRun.id).not.toBe(first.run.taskRun.id);

      const { logger, lines } = capturedLogger();
      const config = makeConfig({ task: { task_name: undefined } });
      const unnamed = await launch(h.store, h.clock, { config, logger });
      expect(unnamed.run.task.name).toBe('static_task');
      expect((await h.store.findTasks({ name: 'static_task' })).map((t) => t.id)).toEqual([
        unnamed.run.task.id,
      ]);
      const messages = lines().map((line) => (JSON.parse(line) as { msg: string }).msg);
      expect(messages).toContainEqual(
        expect.stringMatching(/task_name is not set: using the blueprint type "static_task"/),
      );
      for (const l of [first, second, unnamed]) await l.operator.shutdown();
    });

    it('task_title, task_description and task_tags: stored in init_params and given to the provider setupRun', async () => {
      const config = makeConfig({
        task: {
          task_title: 'Label cats',
          task_description: 'Is there a cat?',
          task_tags: ['cats', 'images'],
        },
      });
      const { run, provider, operator } = await launch(h.store, h.clock, { config });
      const stored = JSON.parse((await h.store.getTaskRun(run.taskRun.id)).initParams) as typeof config;
      expect(stored.mephisto.task).toMatchObject({
        task_title: 'Label cats',
        task_description: 'Is there a cat?',
        task_tags: 'cats,images',
      });
      expect(provider.setupCalls).toHaveLength(1);
      expect(provider.setupCalls[0]?.taskArgs).toMatchObject({
        task_title: 'Label cats',
        task_description: 'Is there a cat?',
        task_tags: 'cats,images',
      });
      expect(provider.setupCalls[0]?.taskRun.id).toBe(run.taskRun.id);
      await operator.shutdown();
    });

    it("task_reward: every unit's pay amount is the reward", async () => {
      const config = makeConfig({ task: { task_reward: 1.25 } });
      const { run, operator } = await launch(h.store, h.clock, { config, data: items(3, 2) });
      const units = await h.store.findUnits({ taskRunId: run.taskRun.id });
      expect(units).toHaveLength(6);
      expect(new Set(units.map((u) => u.payAmount))).toEqual(new Set([1.25]));
      await operator.shutdown();
    });

    it('task_lifetime_in_seconds: at the deadline units on offer expire, no more work is given, and the run ends once held units resolve', async () => {
      const config = makeConfig({ task: { task_lifetime_in_seconds: 100 } });
      const { run, provider } = await launch(h.store, h.clock, { config, data: items(4) });
      const held = await take(run, 'w1');
      await h.clock.tick(99 * SECOND);
      expect(run.progress().phase).toBe('running');
      await h.clock.tick(1 * SECOND);
      await vi.waitFor(async () => {
        const units = await h.store.countUnitsByStatus({ taskRunId: run.taskRun.id });
        expect(units).toMatchObject({ launched: 0, assigned: 1, expired: 3 });
      });
      // Withdrawn at the provider too; the held unit stays with its worker.
      expect([...provider.onOffer]).toEqual([held.unitId]);
      const refused = await run.requestAgent({ worker_name: 'late' });
      expect(refused.failure_code).toBe('run_over');
      await run.submitUnit(held.agentId, { answer: 1 });
      const end = await run.ended;
      expect(end.reason).toBe('task_lifetime');
      expect(end.counts).toMatchObject({ completed: 1, expired: 3 });
      expect((await h.store.getTaskRunState(run.taskRun.id)).end?.reason).toBe('task_lifetime');
    });

    it('task_lifetime_in_seconds: enforced for every provider, ending at once when nobody holds a unit', async () => {
      const config = makeConfig({ providerType: 'inhouse', task: { task_lifetime_in_seconds: 30 } });
      const { run, provider } = await launch(h.store, h.clock, { config, data: items(2) });
      await h.clock.tick(30 * SECOND);
      const end = await run.ended;
      expect(end.reason).toBe('task_lifetime');
      expect(end.counts.expired).toBe(2);
      expect(provider.teardownCalls).toHaveLength(1);
    });

    it('assignment_duration_in_seconds: an agent that has not submitted times out and its unit is offered again', async () => {
      const config = makeConfig({ task: { assignment_duration_in_seconds: 60 } });
      const { run, operator } = await launch(h.store, h.clock, { config, data: items(1) });
      const first = await take(run, 'slow');
      await h.clock.tick(59 * SECOND);
      expect((await h.store.getAgent(first.agentId)).status).toBe('in task');
      const freed = nextEvent(run, 'unit-freed');
      await h.clock.tick(1 * SECOND);
      expect((await freed).reason).toBe('timeout');
      expect((await h.store.getAgent(first.agentId)).status).toBe('timeout');
      expect((await h.store.getUnit(first.unitId)).status).toBe('launched');
      await expect(run.submitUnit(first.agentId, { late: true })).rejects.toBeInstanceOf(AgentNotLiveError);
      const second = await take(run, 'fast');
      expect(second.unitId).toBe(first.unitId);
      await run.submitUnit(second.agentId, { ok: true });
      expect((await run.ended).reason).toBe('completed');
      expect((run as unknown as { pendingAgentTimers: number }).pendingAgentTimers).toBe(0);
      await operator.shutdown();
    });

    it('no_submission_patience: a run with no submission for that long shuts down, recording why, units expired', async () => {
      const config = makeConfig({ task: { no_submission_patience: 100 } });
      const { run } = await launch(h.store, h.clock, { config, data: items(3) });
      await h.clock.tick(90 * SECOND);
      const t = await take(run, 'w1');
      await run.submitUnit(t.agentId, { ok: 1 }); // a submit re-arms the patience
      await h.clock.tick(99 * SECOND);
      expect(run.progress().phase).toBe('running');
      const held = await take(run, 'w2');
      await h.clock.tick(1 * SECOND);
      const end = await run.ended;
      expect(end.reason).toBe('no_submission_patience');
      expect(end.detail).toBe('no unit was submitted for 100 seconds');
      expect(end.counts).toMatchObject({ completed: 1, expired: 2, launched: 0, assigned: 0 });
      expect((await h.store.getAgent(held.agentId)).status).toBe('expired');
      expect((await h.store.getTaskRunState(run.taskRun.id)).end).toMatchObject({
        reason: 'no_submission_patience',
        detail: 'no unit was submitted for 100 seconds',
      });
    });

    it('allowed_concurrent: a worker holds at most that many units of the run at once', async () => {
      const config = makeConfig({ task: { allowed_concurrent: 2 } });
      const { run, operator } = await launch(h.store, h.clock, { config, data: items(5) });
      const a = await run.requestAgent({ worker_name: 'w', agent_registration_id: 'r1' });
      const b = await run.requestAgent({ worker_name: 'w', agent_registration_id: 'r2' });
      expect([a.agent_id, b.agent_id].every((id) => id !== null)).toBe(true);
      const c = await run.requestAgent({ worker_name: 'w', agent_registration_id: 'r3' });
      expect(c.failure_code).toBe('too_many_concurrent');
      expect(c.failure_reason).toBe(
        'You are already working on 2 units of this task; finish one before taking another.',
      );
      await run.submitUnit(a.agent_id ?? '', { ok: 1 });
      const d = await run.requestAgent({ worker_name: 'w', agent_registration_id: 'r3' });
      expect(d.agent_id).not.toBeNull();
      await operator.shutdown();
    });

    it('maximum_units_per_worker: counts held and submitted units across every run of the task_name', async () => {
      const config = makeConfig({ task: { maximum_units_per_worker: 2, task_name: 'capped' } });
      const first = await launch(h.store, h.clock, { config, data: items(5) });
      for (let i = 0; i < 2; i++) {
        const t = await take(first.run, 'w');
        await first.run.submitUnit(t.agentId, { i });
      }
      const third = await first.run.requestAgent({ worker_name: 'w' });
      expect(third.failure_code).toBe('max_for_task');
      expect(third.failure_reason).toBe('You have reached the maximum of 2 units for this task.');
      // Another run of the same task_name: the cap carries over (counted from the store).
      const second = await launch(h.store, h.clock, { config, data: items(5) });
      expect((await second.run.requestAgent({ worker_name: 'w' })).failure_code).toBe('max_for_task');
      expect((await second.run.requestAgent({ worker_name: 'other' })).agent_id).not.toBeNull();
      // A different task_name is a different count.
      const other = await launch(h.store, h.clock, {
        config: makeConfig({ task: { maximum_units_per_worker: 2, task_name: 'other' } }),
      });
      expect((await other.run.requestAgent({ worker_name: 'w' })).agent_id).not.toBeNull();
      for (const l of [first, second, other]) await l.operator.shutdown();
    });

    it('max_num_concurrent_units: bounds launched-or-assigned units, and a freed slot is refilled at once', async () => {
      const config = makeConfig({ task: { max_num_concurrent_units: 2 } });
      const { run, provider, operator } = await launch(h.store, h.clock, { config, data: items(5) });
      const slots = async (): Promise<number> =>
        h.store.countUnits({ taskRunId: run.taskRun.id, status: ['launched', 'assigned'] });
      expect(await slots()).toBe(2);
      expect(provider.onOffer.size).toBe(2);
      const t = await take(run, 'w1');
      expect(await slots()).toBe(2);
      const launched = nextEvent(run, 'unit-launched');
      await run.submitUnit(t.agentId, {});
      expect((await launched).units).toHaveLength(1);
      expect(await slots()).toBe(2);
      expect(provider.launchCalls.map((c) => c.length)).toEqual([2, 1]);
      // A disconnect keeps the slot (the unit is on offer again): nothing new is launched.
      const u = await take(run, 'w2');
      await run.reportDisconnect(u.agentId);
      expect(await slots()).toBe(2);
      expect(provider.launchCalls).toHaveLength(2);
      await operator.shutdown();
    });

    it('submission_timeout: after the task logic finished, the worker has that long to submit, then the unit is freed', async () => {
      const config = makeConfig({ task: { submission_timeout: 30 } });
      // Task logic that ends without waiting for the submit (like the mock blueprint after its echo).
      const blueprint = new FakeBlueprint('static_task', items(2), () => Promise.resolve());
      const { run, operator } = await launch(h.store, h.clock, { config, blueprint });
      const onTime = await take(run, 'w1');
      await settle();
      await h.clock.tick(29 * SECOND);
      await run.submitUnit(onTime.agentId, { ok: 1 });
      const late = await take(run, 'w2');
      await settle();
      const freed = nextEvent(run, 'unit-freed');
      await h.clock.tick(30 * SECOND);
      expect(await freed).toMatchObject({ reason: 'timeout' });
      expect((await h.store.getAgent(late.agentId)).status).toBe('timeout');
      expect((await h.store.getUnit(late.unitId)).status).toBe('launched');
      expect(run.progress().activeWorkers).toBe(0);
      expect((run as unknown as { pendingAgentTimers: number }).pendingAgentTimers).toBe(0);
      await operator.shutdown();
    });

    it('post_install_script: validated by the config schema and stored with the run (used by the webapp build)', async () => {
      expect(() => makeConfig({ task: { post_install_script: ['not', 'a', 'string'] } })).toThrow(
        ConfigInvalidError,
      );
      const config = makeConfig({ task: { post_install_script: 'link-local.sh' } });
      const { run, operator } = await launch(h.store, h.clock, { config });
      const stored = JSON.parse((await h.store.getTaskRun(run.taskRun.id)).initParams) as typeof config;
      expect(stored.mephisto.task.post_install_script).toBe('link-local.sh');
      await operator.shutdown();
    });

    it('force_rebuild: validated by the config schema and stored with the run (used by the webapp build)', async () => {
      expect(() => makeConfig({ task: { force_rebuild: 'sometimes' } })).toThrow(ConfigInvalidError);
      const config = makeConfig({ task: { force_rebuild: true } });
      const { run, operator } = await launch(h.store, h.clock, { config });
      const stored = JSON.parse((await h.store.getTaskRun(run.taskRun.id)).initParams) as typeof config;
      expect(stored.mephisto.task.force_rebuild).toBe(true);
      await operator.shutdown();
    });

    it('resume_incomplete_run: continues the last run after a crash, keeping completed work and re-offering the rest', async () => {
      const config = makeConfig({ task: { task_name: 'resumable', task_reward: 0.5 } });
      const data = items(4);
      const crashed = await launch(h.store, h.clock, { config, data });
      const done = await take(crashed.run, 'w1');
      await crashed.run.submitUnit(done.agentId, { kept: true });
      const stranded = await take(crashed.run, 'w2');
      // The process dies here: no shutdown, nothing recorded. A new process resumes with new caps.
      const resumedConfig = makeConfig({
        task: {
          task_name: 'resumable',
          task_reward: 0.75,
          resume_incomplete_run: true,
          allowed_concurrent: 1,
        },
      });
      const provider = new FakeProvider();
      const operator = new Operator({ store: h.store, clock: h.clock, scheduler: h.clock });
      const run = await operator.launch({
        config: resumedConfig,
        taskDir: '/tmp',
        blueprint: new FakeBlueprint('static_task', data),
        provider,
      });
      expect(run.resumed).toBe(true);
      expect(run.taskRun.id).toBe(crashed.run.taskRun.id);
      expect(await h.store.getAgentSubmission(done.agentId)).toMatchObject({ data: { kept: true } });
      expect((await h.store.getAgent(stranded.agentId)).status).toBe('disconnect');
      expect((await h.store.findAssignments({ taskRunId: run.taskRun.id })).length).toBe(4);
      // Launched units were launched again at the (new) provider.
      expect(provider.onOffer.size).toBe(3);
      expect(JSON.parse(run.taskRun.initParams)).toMatchObject({ mephisto: { task: { task_reward: 0.75 } } });
      for (const name of ['a', 'b', 'c']) {
        const t = await take(run, name);
        await run.submitUnit(t.agentId, { name });
      }
      const end = await run.ended;
      expect(end).toMatchObject({ reason: 'completed', counts: { completed: 4 } });
    });
  });
}
