/**
 * Store conformance: the engine's other store operations. submitAgent / getAgentSubmission,
 * transitionUnits, countUnitsByStatus, worker blocks and the run state (source exhausted, end).
 */
import { describe, expect, it } from 'vitest';
import {
  expectConflict,
  expectInvalidArgument,
  expectInvalidTransition,
  expectNotFound,
  Fixtures,
  MISSING_ID,
} from './fixtures.js';
import { STORE_TARGETS, useStore } from './store-targets.js';

for (const target of STORE_TARGETS) {
  describe.skipIf(!target.available)(`store conformance [${target.name}]: engine state`, () => {
    const h = useStore(target);
    const f = new Fixtures(() => h.store);

    it('submitAgent completes the agent and its unit with the data, in one step', async () => {
      const { agent, unit } = await f.agentIn('in task');
      const result = await h.store.submitAgent(agent.id, { answer: [1, 'two'] });
      expect(result.agent.status).toBe('completed');
      expect(result.unit).toMatchObject({ id: unit.id, status: 'completed', agentId: agent.id });
      expect(await h.store.getAgentSubmission(agent.id)).toEqual({
        agentId: agent.id,
        data: { answer: [1, 'two'] },
        submittedAt: new Date(h.clock.now()),
      });
    });

    it('submitAgent refuses an agent that is not in task, and stores nothing', async () => {
      const { agent } = await f.agentIn('timeout');
      await expectConflict(h.store.submitAgent(agent.id, { late: true }), {
        entity: 'agent',
        actual: 'timeout',
      });
      expect(await h.store.getAgentSubmission(agent.id)).toBeNull();
      await expectNotFound(h.store.submitAgent(MISSING_ID, {}), 'agent');
      await expectNotFound(h.store.getAgentSubmission(MISSING_ID), 'agent');
      const { agent: live } = await f.agentIn('in task');
      await expectInvalidArgument(h.store.submitAgent(live.id, () => 1));
      expect((await h.store.getAgent(live.id)).status).toBe('in task');
    });

    it('transitionUnits moves the units in the expected status and skips the others', async () => {
      const a = await f.unit();
      const b = await f.launchedUnit();
      const c = await f.unit();
      const moved = await h.store.transitionUnits([c.id, a.id, b.id, MISSING_ID, 'bogus'], {
        from: 'created',
        to: 'launched',
      });
      expect(moved.map((u) => [u.id, u.status])).toEqual([
        [c.id, 'launched'],
        [a.id, 'launched'],
      ]);
      expect(await h.store.transitionUnits([], { from: 'created', to: 'launched' })).toEqual([]);
      await expectInvalidTransition(h.store.transitionUnits([a.id], { from: 'created', to: 'completed' }), {
        entity: 'unit',
        from: 'created',
        to: 'completed',
      });
      await expectInvalidArgument(h.store.transitionUnits([a.id], { from: 'assigned', to: 'expired' }));
    });

    it('countUnitsByStatus counts every status of the filtered units', async () => {
      const run = await f.taskRun();
      const { units } = await h.store.createAssignmentsWithUnits(run.id, [
        { units: [{ payAmount: 1 }, { payAmount: 1 }] },
        { units: [{ payAmount: 1 }] },
      ]);
      await h.store.transitionUnit(units[0]?.id ?? '', { from: 'created', to: 'launched' });
      expect(await h.store.countUnitsByStatus({ taskRunId: run.id })).toEqual({
        created: 2,
        launched: 1,
        assigned: 0,
        completed: 0,
        accepted: 0,
        rejected: 0,
        soft_rejected: 0,
        expired: 0,
      });
      expect((await h.store.countUnitsByStatus({ taskRunId: MISSING_ID })).created).toBe(0);
    });

    it('blocks: for every requester or one, idempotent, removable', async () => {
      const worker = await f.worker();
      const r1 = await f.requester();
      const r2 = await f.requester();
      expect(await h.store.isWorkerBlocked(worker.id, r1.id)).toBe(false);
      const block = await h.store.blockWorker({ workerId: worker.id, requesterId: r1.id, reason: 'spam' });
      expect(block).toMatchObject({ workerId: worker.id, requesterId: r1.id, reason: 'spam' });
      expect(await h.store.blockWorker({ workerId: worker.id, requesterId: r1.id })).toEqual(block);
      expect(await h.store.isWorkerBlocked(worker.id, r1.id)).toBe(true);
      expect(await h.store.isWorkerBlocked(worker.id, r2.id)).toBe(false);
      expect(await h.store.isWorkerBlocked(worker.id)).toBe(false);
      await h.store.blockWorker({ workerId: worker.id });
      expect(await h.store.isWorkerBlocked(worker.id, r2.id)).toBe(true);
      expect(await h.store.findWorkerBlocks({ workerId: worker.id })).toHaveLength(2);
      expect(await h.store.findWorkerBlocks({ requesterId: null })).toHaveLength(1);
      expect(await h.store.unblockWorker(worker.id)).toBe(true);
      expect(await h.store.unblockWorker(worker.id)).toBe(false);
      expect(await h.store.isWorkerBlocked(worker.id, r2.id)).toBe(false);
      await expectNotFound(h.store.blockWorker({ workerId: MISSING_ID }), 'worker');
      await expectNotFound(
        h.store.blockWorker({ workerId: worker.id, requesterId: MISSING_ID }),
        'requester',
      );
    });

    it('run state: source exhausted, end recorded and cleared, init params replaced', async () => {
      const run = await f.taskRun();
      expect(await h.store.getTaskRunState(run.id)).toEqual({
        taskRunId: run.id,
        sourceExhausted: false,
        end: null,
      });
      await h.store.updateTaskRunState(run.id, { sourceExhausted: true });
      h.clock.set(h.clock.now() + 5000);
      const ended = await h.store.updateTaskRunState(run.id, {
        end: { reason: 'shutdown', detail: 'SIGINT' },
      });
      expect(ended).toEqual({
        taskRunId: run.id,
        sourceExhausted: true,
        end: { reason: 'shutdown', detail: 'SIGINT', endedAt: new Date(h.clock.now()) },
      });
      const resumed = await h.store.updateTaskRunState(run.id, { end: null, initParams: '{"resumed":true}' });
      expect(resumed.end).toBeNull();
      expect((await h.store.getTaskRun(run.id)).initParams).toBe('{"resumed":true}');
      await expectNotFound(h.store.getTaskRunState(MISSING_ID), 'task_run');
      await expectNotFound(h.store.updateTaskRunState(MISSING_ID, { sourceExhausted: true }), 'task_run');
      await expectInvalidArgument(h.store.updateTaskRunState(run.id, { end: { reason: '' } }));
    });
  });
}
