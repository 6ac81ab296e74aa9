/**
 * Store conformance: agents (creation assigns the unit; a unit follows its agent) and onboarding agents.
 */
import { describe, expect, it } from 'vitest';
import { MephistoError, UNIT_STATUS_FOR_AGENT } from '../../src/core/index.js';
import type { AgentStatus, OnboardingAgentStatus, UnitStatus } from '../../src/core/index.js';
import type { AgentFilter } from '../../src/store/store.js';
import {
  AGENT_START_STATUSES,
  Fixtures,
  MISSING_ID,
  expectConflict,
  expectNotFound,
  rejectionOf,
  totalRows,
} from './fixtures.js';
import { STORE_TARGETS, useStore } from './store-targets.js';

for (const target of STORE_TARGETS) {
  describe.skipIf(!target.available)(`store conformance [${target.name}]: agents`, () => {
    const h = useStore(target);
    const f = new Fixtures(() => h.store);

    describe('createAgent', () => {
      it('creates the agent (status none) and assigns the unit to it and its worker, at once', async () => {
        const unit = await f.launchedUnit();
        const worker = await f.worker();
        h.clock.advance(42);
        const agent = await h.store.createAgent({ workerId: worker.id, unitId: unit.id });
        expect(agent).toEqual({
          id: agent.id,
          workerId: worker.id,
          unitId: unit.id,
          taskId: unit.taskId,
          taskRunId: unit.taskRunId,
          assignmentId: unit.assignmentId,
          taskType: unit.taskType,
          providerType: unit.providerType,
          status: 'none',
          creationDate: new Date(h.clock.now()),
        });
        expect(h.ids.issued).toContain(agent.id);
        expect(await h.store.getAgent(agent.id)).toEqual(agent);
        expect(await h.store.getUnit(unit.id)).toEqual({
          ...unit,
          status: 'assigned',
          agentId: agent.id,
          workerId: worker.id,
        });
      });

      it.each(AGENT_START_STATUSES)('can start the agent in %s', async (status) => {
        const unit = await f.launchedUnit();
        const worker = await f.worker();
        const agent = await h.store.createAgent({ workerId: worker.id, unitId: unit.id, status });
        expect(agent.status).toBe(status);
        expect(await h.store.getAgent(agent.id)).toEqual(agent);
        expect(await h.store.getUnit(unit.id)).toMatchObject({
          status: 'assigned',
          agentId: agent.id,
          workerId: worker.id,
        });
      });

      it('copies the run’s provider and task type', async () => {
        const run = await f.taskRun({
          providerType: 'prolific',
          taskType: 'remote_procedure',
          sandbox: false,
        });
        const a = await h.store.createAssignment(run.id);
        const unit = await f.launchedUnit({ assignmentId: a.id });
        const { agent } = await f.agentIn('none', { unit });
        expect(agent).toMatchObject({
          providerType: 'prolific',
          taskType: 'remote_procedure',
          taskRunId: run.id,
          taskId: run.taskId,
        });
      });

      it('a missing unit → NotFound(unit), nothing written', async () => {
        const worker = await f.worker();
        const before = await h.store.countRows();
        await expectNotFound(h.store.createAgent({ workerId: worker.id, unitId: MISSING_ID }), 'unit');
        expect(await h.store.countRows()).toEqual(before);
      });

      it('a missing worker → NotFound(worker), no agent and the unit still launched', async () => {
        const unit = await f.launchedUnit();
        const before = await h.store.countRows();
        await expectNotFound(h.store.createAgent({ workerId: MISSING_ID, unitId: unit.id }), 'worker');
        expect(await h.store.countRows()).toEqual(before);
        expect(await h.store.getUnit(unit.id)).toEqual(unit);
        expect(await h.store.findAgents()).toEqual([]);
      });

      it.each<UnitStatus>(['created', 'assigned', 'completed', 'expired', 'accepted', 'rejected'])(
        'a unit in %s → TransitionConflict(unit) with the status found, no agent written',
        async (status) => {
          const unit = await f.unitIn(status);
          const worker = await f.worker();
          const agentsBefore = await h.store.findAgents();
          const before = await h.store.countRows();
          await expectConflict(h.store.createAgent({ workerId: worker.id, unitId: unit.id }), {
            entity: 'unit',
            id: unit.id,
            actual: status,
          });
          expect(await h.store.countRows()).toEqual(before);
          expect(await h.store.findAgents()).toEqual(agentsBefore);
          expect(await h.store.getUnit(unit.id)).toEqual(unit);
        },
      );

      it('a missing id → NotFound(agent)', async () => {
        await expectNotFound(h.store.getAgent(MISSING_ID), 'agent', MISSING_ID);
        await expectNotFound(
          h.store.transitionAgent(MISSING_ID, { from: 'none', to: 'accepted' }),
          'agent',
          MISSING_ID,
        );
      });
    });

    describe('findAgents', () => {
      it('matches each filter, alone and combined; a wrong value matches nothing', async () => {
        const w1 = await f.worker();
        const w2 = await f.worker();
        const runB = await f.taskRun({ providerType: 'prolific', taskType: 'remote_procedure' });
        const a1 = await f.agentIn('none', { worker: w1 });
        const a2 = await f.agentIn('in task', { worker: w2 });
        const unitB = await f.launchedUnit({ assignmentId: (await h.store.createAssignment(runB.id)).id });
        const a3 = await f.agentIn('completed', { worker: w1, unit: unitB });
        const [x1, x2, x3] = [a1.agent, a2.agent, a3.agent];
        const cases: [AgentFilter, (typeof x1)[]][] = [
          [{}, [x1, x2, x3]],
          [{ status: 'none' }, [x1]],
          [{ status: 'approved' }, []],
          [{ status: ['in task', 'completed'] }, [x2, x3]],
          [{ status: ['waiting'] }, []],
          [{ unitId: a2.unit.id }, [x2]],
          [{ unitId: MISSING_ID }, []],
          [{ workerId: w1.id }, [x1, x3]],
          [{ workerId: MISSING_ID }, []],
          [{ taskId: a1.unit.taskId }, [x1]],
          [{ taskId: MISSING_ID }, []],
          [{ taskRunId: runB.id }, [x3]],
          [{ taskRunId: MISSING_ID }, []],
          [{ assignmentId: a2.unit.assignmentId }, [x2]],
          [{ assignmentId: MISSING_ID }, []],
          [{ taskType: 'remote_procedure' }, [x3]],
          [{ taskType: 'nope' }, []],
          [{ providerType: 'mock' }, [x1, x2]],
          [{ providerType: 'mturk' }, []],
          [{ workerId: w1.id, status: 'completed' }, [x3]],
          [{ workerId: w2.id, providerType: 'prolific' }, []],
        ];
        for (const [filter, expected] of cases)
          expect(await h.store.findAgents(filter), JSON.stringify(filter)).toEqual(expected);
      });
    });

    describe('a unit follows its agent', () => {
      it('agent completed → unit completed, still with its agent', async () => {
        const { agent, unit, worker } = await f.agentIn('in task');
        const r = await h.store.transitionAgent(agent.id, { from: 'in task', to: 'completed' });
        expect(r.agent).toEqual({ ...agent, status: 'completed' });
        expect(r.unit).toEqual({ ...unit, status: 'completed', agentId: agent.id, workerId: worker.id });
        expect(await h.store.getAgent(agent.id)).toEqual(r.agent);
        expect(await h.store.getUnit(unit.id)).toEqual(r.unit);
      });

      it.each<AgentStatus>(['disconnect', 'timeout', 'returned'])(
        'agent %s → unit back on offer (launched, no agent, no worker) and another worker can take it',
        async (status) => {
          const { agent, unit } = await f.agentIn('in task');
          const r = await h.store.transitionAgent(agent.id, { from: 'in task', to: status });
          expect(r.agent).toEqual({ ...agent, status });
          expect(r.unit).toEqual({ ...unit, status: 'launched', agentId: null, workerId: null });
          expect(await h.store.getUnit(unit.id)).toEqual(r.unit);
          expect(await h.store.findUnits({ status: 'launched', agentId: null })).toEqual([r.unit]);
          const other = await f.worker();
          const next = await h.store.createAgent({ workerId: other.id, unitId: unit.id });
          expect(await h.store.getUnit(unit.id)).toMatchObject({
            status: 'assigned',
            agentId: next.id,
            workerId: other.id,
          });
          expect((await h.store.findAgents({ unitId: unit.id })).map((a) => [a.id, a.status])).toEqual([
            [agent.id, status],
            [next.id, 'none'],
          ]);
        },
      );

      it('agent expired → unit expired, keeping its agent', async () => {
        const { agent, unit, worker } = await f.agentIn('waiting');
        const r = await h.store.transitionAgent(agent.id, { from: 'waiting', to: 'expired' });
        expect(r.agent.status).toBe('expired');
        expect(r.unit).toEqual({ ...unit, status: 'expired', agentId: agent.id, workerId: worker.id });
        expect(await h.store.getUnit(unit.id)).toEqual(r.unit);
      });

      it.each([
        ['approved', 'accepted'],
        ['rejected', 'rejected'],
        ['soft_rejected', 'soft_rejected'],
      ] as const)('review: agent completed → %s puts the unit in %s', async (agentStatus, unitStatus) => {
        const { agent, unit, worker } = await f.agentIn('completed');
        const r = await h.store.transitionAgent(agent.id, { from: 'completed', to: agentStatus });
        expect(r.agent).toEqual({ ...agent, status: agentStatus });
        expect(r.unit).toEqual({ ...unit, status: unitStatus, agentId: agent.id, workerId: worker.id });
        expect(await h.store.getUnit(unit.id)).toEqual(r.unit);
      });

      it('an overturned rejection: agent rejected → approved accepts the unit', async () => {
        const { agent, unit } = await f.agentIn('rejected');
        const r = await h.store.transitionAgent(agent.id, { from: 'rejected', to: 'approved' });
        expect([r.agent.status, r.unit.status]).toEqual(['approved', 'accepted']);
        expect(await h.store.getUnit(unit.id)).toEqual(r.unit);
      });

      it.each<AgentStatus>(['waiting', 'in task'])(
        'partner disconnect (from %s) keeps the unit assigned to the agent',
        async (from) => {
          const { agent, unit } = await f.agentIn(from);
          const r = await h.store.transitionAgent(agent.id, { from, to: 'partner disconnect' });
          expect(r.agent.status).toBe('partner disconnect');
          expect(r.unit).toEqual(unit);
          expect(await h.store.getUnit(unit.id)).toEqual(unit);
          const done = await h.store.transitionAgent(agent.id, {
            from: 'partner disconnect',
            to: 'completed',
          });
          expect(done.unit).toMatchObject({ status: 'completed', agentId: agent.id });
        },
      );

      it('a change within assigned (none → accepted → in task) leaves the unit as it is', async () => {
        const { agent, unit } = await f.agentIn('none');
        const r1 = await h.store.transitionAgent(agent.id, { from: 'none', to: 'accepted' });
        const r2 = await h.store.transitionAgent(agent.id, { from: 'accepted', to: 'in task' });
        expect(r1.unit).toEqual(unit);
        expect(r2.unit).toEqual(unit);
        expect(r2.agent.status).toBe('in task');
      });

      it('accepts several expected statuses', async () => {
        const { agent } = await f.agentIn('waiting');
        const r = await h.store.transitionAgent(agent.id, {
          from: ['accepted', 'waiting', 'in task'],
          to: 'disconnect',
        });
        expect([r.agent.status, r.unit.status]).toEqual(['disconnect', 'launched']);
      });

      it('an agent that is no longer its unit’s agent moves alone', async () => {
        // A rejected unit re-offered by a resumed run has no agent; its old agent's review is overturned.
        const { agent, unit } = await f.agentIn('rejected');
        const reset = await h.store.transitionUnit(unit.id, { from: 'rejected', to: 'created' });
        expect(reset).toMatchObject({ status: 'created', agentId: null, workerId: null });
        const r = await h.store.transitionAgent(agent.id, { from: 'rejected', to: 'approved' });
        expect(r.agent.status).toBe('approved');
        expect(r.unit).toEqual(reset);
        expect(await h.store.getUnit(unit.id)).toEqual(reset);
      });

      it.skipIf(!target.persistent)(
        'when the unit cannot follow, the whole change fails (TransitionConflict for the unit) and nothing moves',
        async () => {
          const { agent, unit } = await f.agentIn('in task');
          // Another program (or an older version) expired the unit behind the store's back.
          await h.rawExec(`update units set status = 'expired' where unit_id = ${unit.id}`);
          const expired = await h.store.getUnit(unit.id);
          expect(expired).toEqual({ ...unit, status: 'expired' });
          await expectConflict(h.store.transitionAgent(agent.id, { from: 'in task', to: 'completed' }), {
            entity: 'unit',
            id: unit.id,
            actual: 'expired',
          });
          expect(await h.store.getAgent(agent.id)).toEqual(agent);
          expect(await h.store.getUnit(unit.id)).toEqual(expired);
        },
      );

      it('a stale expected status → TransitionConflict(agent) with the status found; nothing moves', async () => {
        const { agent, unit } = await f.agentIn('completed');
        await expectConflict(h.store.transitionAgent(agent.id, { from: 'in task', to: 'disconnect' }), {
          entity: 'agent',
          id: agent.id,
          actual: 'completed',
          expected: ['in task'],
        });
        await expectConflict(
          h.store.transitionAgent(agent.id, { from: ['none', 'accepted'], to: 'timeout' }),
          {
            entity: 'agent',
            id: agent.id,
            actual: 'completed',
            expected: ['none', 'accepted'],
          },
        );
        expect(await h.store.getAgent(agent.id)).toEqual(agent);
        expect(await h.store.getUnit(unit.id)).toEqual(unit);
      });

      it('an unknown status string is refused with a MephistoError; nothing moves', async () => {
        const { agent, unit } = await f.agentIn('in task');
        for (const change of [
          { from: 'in task', to: 'bogus' },
          { from: 'bogus', to: 'completed' },
          { from: 'in task', to: 'In Task' },
        ]) {
          const error = await rejectionOf(
            h.store.transitionAgent(agent.id, change as { from: AgentStatus; to: AgentStatus }),
          );
          expect(error, JSON.stringify(change)).toBeInstanceOf(MephistoError);
          expect(['MEPHISTO_ERR_INVALID_ARGUMENT', 'MEPHISTO_ERR_INVALID_TRANSITION']).toContain(
            (error as MephistoError).code,
          );
        }
        expect(await h.store.getAgent(agent.id)).toEqual(agent);
        expect(await h.store.getUnit(unit.id)).toEqual(unit);
      });

      it('UNIT_STATUS_FOR_AGENT holds for every reachable agent status', async () => {
        for (const status of [
          'none',
          'accepted',
          'waiting',
          'in task',
          'partner disconnect',
          'completed',
          'approved',
        ] as const) {
          const { unit } = await f.agentIn(status);
          expect((await h.store.getUnit(unit.id)).status, status).toBe(UNIT_STATUS_FOR_AGENT[status]);
        }
      });
    });

    describe('onboarding agents', () => {
      it('create (status none, task and type from the run), get and find by each filter', async () => {
        const worker = await f.worker();
        const w2 = await f.worker();
        const run = await f.taskRun({ taskType: 'static_react_task' });
        const runB = await f.taskRun();
        h.clock.advance(11);
        const o = await h.store.createOnboardingAgent({ workerId: worker.id, taskRunId: run.id });
        expect(o).toEqual({
          id: o.id,
          workerId: worker.id,
          taskId: run.taskId,
          taskRunId: run.id,
          taskType: 'static_react_task',
          status: 'none',
          creationDate: new Date(h.clock.now()),
        });
        expect(h.ids.issued).toContain(o.id);
        expect(await h.store.getOnboardingAgent(o.id)).toEqual(o);
        const o2 = await h.store.createOnboardingAgent({ workerId: w2.id, taskRunId: runB.id });
        const o2w = await h.store.transitionOnboardingAgent(o2.id, { from: 'none', to: 'onboarding' });
        const cases: [Parameters<typeof h.store.findOnboardingAgents>[0], (typeof o)[]][] = [
          [undefined, [o, o2w]],
          [{}, [o, o2w]],
          [{ status: 'none' }, [o]],
          [{ status: ['onboarding', 'waiting'] }, [o2w]],
          [{ status: 'approved' }, []],
          [{ workerId: worker.id }, [o]],
          [{ workerId: MISSING_ID }, []],
          [{ taskId: runB.taskId }, [o2w]],
          [{ taskId: MISSING_ID }, []],
          [{ taskRunId: run.id }, [o]],
          [{ taskRunId: MISSING_ID }, []],
          [{ taskType: 'static_react_task' }, [o]],
          [{ taskType: 'nope' }, []],
          [{ workerId: w2.id, status: 'none' }, []],
        ];
        for (const [filter, expected] of cases) {
          expect(await h.store.findOnboardingAgents(filter), JSON.stringify(filter)).toEqual(expected);
        }
      });

      it('does not touch units or agents', async () => {
        const unit = await f.launchedUnit();
        const worker = await f.worker();
        await h.store.createOnboardingAgent({ workerId: worker.id, taskRunId: unit.taskRunId });
        expect(await h.store.getUnit(unit.id)).toEqual(unit);
        expect(await h.store.findAgents()).toEqual([]);
      });

      it('follows none → onboarding → waiting → approved, compare-and-set', async () => {
        const o = await f.onboardingAgentIn('none');
        const steps: [OnboardingAgentStatus, OnboardingAgentStatus][] = [
          ['none', 'onboarding'],
          ['onboarding', 'waiting'],
          ['waiting', 'approved'],
        ];
        for (const [from, to] of steps) {
          const next = await h.store.transitionOnboardingAgent(o.id, { from, to });
          expect(next).toEqual({ ...o, status: to });
          expect(await h.store.getOnboardingAgent(o.id)).toEqual(next);
        }
        await expectConflict(h.store.transitionOnboardingAgent(o.id, { from: 'waiting', to: 'rejected' }), {
          entity: 'onboarding_agent',
          id: o.id,
          actual: 'approved',
          expected: ['waiting'],
        });
        expect((await h.store.getOnboardingAgent(o.id)).status).toBe('approved');
      });

      it('a missing worker or run → NotFound for it, nothing written', async () => {
        const worker = await f.worker();
        const run = await f.taskRun();
        const before = await h.store.countRows();
        await expectNotFound(
          h.store.createOnboardingAgent({ workerId: MISSING_ID, taskRunId: run.id }),
          'worker',
        );
        await expectNotFound(
          h.store.createOnboardingAgent({ workerId: worker.id, taskRunId: MISSING_ID }),
          'task_run',
        );
        expect(await h.store.countRows()).toEqual(before);
        expect(totalRows(before)).toBe(4);
      });

      it('a missing id → NotFound(onboarding_agent)', async () => {
        await expectNotFound(h.store.getOnboardingAgent(MISSING_ID), 'onboarding_agent', MISSING_ID);
        await expectNotFound(
          h.store.transitionOnboardingAgent(MISSING_ID, { from: 'none', to: 'onboarding' }),
          'onboarding_agent',
          MISSING_ID,
        );
      });
    });
  });
}
