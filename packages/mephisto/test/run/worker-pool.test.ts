/**
 * Who gets which unit, and what a worker is told: refusal codes and messages, reconnects, disconnects
 * and returns, blocks, qualifications, worker_can_do_unit, live updates, and what a shutdown leaves.
 */
import { describe, expect, it } from 'vitest';
import { AgentNotLiveError, REFUSAL_CODES, refusalMessage, type AgentDetails } from '../../src/run/index.js';
import { STORE_TARGETS, useStore } from '../store/store-targets.js';
import { FakeBlueprint, FakeProvider, items, launch, makeConfig, nextEvent, take } from './engine-fakes.js';

function refusal(details: AgentDetails): { code: string | null; reason: string | null } {
  expect(details.agent_id).toBeNull();
  return { code: details.failure_code, reason: details.failure_reason };
}

describe('refusal messages', () => {
  it('are specific and plain for every code', () => {
    expect(refusalMessage('too_many_concurrent', { held: 1 })).toBe(
      'You are already working on 1 unit of this task; finish it before taking another.',
    );
    expect(refusalMessage('max_for_task', { limit: 3 })).toBe(
      'You have reached the maximum of 3 units for this task.',
    );
    const messages = REFUSAL_CODES.map((code) => refusalMessage(code, { held: 2, limit: 2 }));
    expect(new Set(messages).size).toBe(REFUSAL_CODES.length);
    for (const message of messages)
      expect(message).not.toMatch(/no available work, please try again later\.\.\./);
  });
});

for (const target of STORE_TARGETS) {
  describe.skipIf(!target.available)(`engine worker pool [${target.name}]`, () => {
    const h = useStore(target);

    it('no_units: a worker gets none when every unit is taken, and never two units of one assignment', async () => {
      const { run, operator } = await launch(h.store, h.clock, { data: items(1, 2) });
      const first = await take(run, 'w1');
      // The other unit of the same assignment: "cannot pair with self" (the registration id differs).
      const again = await run.requestAgent({ worker_name: 'w1', agent_registration_id: 'other-tab' });
      expect(refusal(again)).toEqual({ code: 'no_units', reason: refusalMessage('no_units') });
      await take(run, 'w2');
      expect(refusal(await run.requestAgent({ worker_name: 'w3' })).code).toBe('no_units');
      expect(first.unitId).toBeDefined();
      await operator.shutdown();
    });

    it('reconnect: asking again while holding a unit returns the same agent and init data', async () => {
      const { run, operator } = await launch(h.store, h.clock, { data: items(3) });
      const a = await run.requestAgent({ worker_name: 'w', agent_registration_id: 'reg-1' });
      const reload = await run.requestAgent({ worker_name: 'w', agent_registration_id: 'reg-1' });
      expect(reload).toEqual(a);
      const noId = await run.requestAgent({ worker_name: 'w' });
      expect(noId.agent_id).toBe(a.agent_id);
      expect(a.init_task_data).toEqual({ i: 0, unit: { k: 0 } });
      expect(await h.store.findAgents({ taskRunId: run.taskRun.id })).toHaveLength(1);
      await operator.shutdown();
    });

    it('disconnect and return free the unit for the next worker', async () => {
      const { run, operator } = await launch(h.store, h.clock, { data: items(1) });
      const a = await take(run, 'w1');
      const freed = nextEvent(run, 'unit-freed');
      await run.reportDisconnect(a.agentId);
      expect(await freed).toMatchObject({ reason: 'disconnect', unit: { status: 'launched' } });
      expect((await h.store.getAgent(a.agentId)).status).toBe('disconnect');
      const b = await take(run, 'w2');
      expect(b.unitId).toBe(a.unitId);
      await run.returnUnit(b.agentId);
      expect((await h.store.getAgent(b.agentId)).status).toBe('returned');
      expect((await h.store.getUnit(a.unitId)).status).toBe('launched');
      // Reporting again, or for an unknown agent, does nothing.
      await run.reportDisconnect(a.agentId);
      await run.returnUnit('999999999');
      const c = await take(run, 'w3');
      await run.submitUnit(c.agentId, { ok: true });
      expect((await run.ended).reason).toBe('completed');
      await operator.shutdown();
    });

    it('submit resolves once the data is stored; a second submit is refused', async () => {
      const { run, operator } = await launch(h.store, h.clock, { data: items(2) });
      const a = await take(run, 'w1');
      await run.submitUnit(a.agentId, { answer: 42 });
      expect(await h.store.getAgentSubmission(a.agentId)).toMatchObject({ data: { answer: 42 } });
      expect((await h.store.getUnit(a.unitId)).status).toBe('completed');
      const second = await run.submitUnit(a.agentId, { answer: 43 }).catch((e: unknown) => e);
      expect(second).toBeInstanceOf(AgentNotLiveError);
      expect((second as AgentNotLiveError).code).toBe('MEPHISTO_ERR_AGENT_NOT_LIVE');
      await operator.shutdown();
    });

    it('blocked: store blocks, provider blocks and the block_qualification all refuse with "blocked"', async () => {
      const config = makeConfig({ blueprint: { block_qualification: 'bad-worker' } });
      const provider = new FakeProvider();
      const { run, operator } = await launch(h.store, h.clock, { config, provider, data: items(5) });
      const storeBlocked = await h.store.createWorker({ name: 'sb_sandbox', providerType: 'mock' });
      await h.store.blockWorker({ workerId: storeBlocked.id, reason: 'spam' });
      provider.blockedNames.add('pb_sandbox');
      const qualBlocked = await h.store.createWorker({ name: 'qb_sandbox', providerType: 'mock' });
      const qual = await h.store.createQualification({ name: 'bad-worker' });
      await h.store.grantQualification({ qualificationId: qual.id, workerId: qualBlocked.id });
      for (const name of ['sb', 'pb', 'qb']) {
        expect(refusal(await run.requestAgent({ worker_name: name }))).toEqual({
          code: 'blocked',
          reason: refusalMessage('blocked'),
        });
      }
      expect((await run.requestAgent({ worker_name: 'fine' })).agent_id).not.toBeNull();
      await operator.shutdown();
    });

    it('not_qualified: qualification requirements of the run are checked against grants', async () => {
      const qual = await h.store.createQualification({ name: 'skill' });
      const { run, operator } = await launch(h.store, h.clock, {
        data: items(5),
        hooks: {
          qualifications: [{ qualification_name: 'skill', comparator: 'GreaterThanOrEqualTo', value: 3 }],
        },
      });
      const low = await h.store.createWorker({ name: 'low_sandbox', providerType: 'mock' });
      const high = await h.store.createWorker({ name: 'high_sandbox', providerType: 'mock' });
      await h.store.grantQualification({ qualificationId: qual.id, workerId: low.id, value: 2 });
      await h.store.grantQualification({ qualificationId: qual.id, workerId: high.id, value: 3 });
      expect(refusal(await run.requestAgent({ worker_name: 'low' })).code).toBe('not_qualified');
      expect(refusal(await run.requestAgent({ worker_name: 'nobody' })).code).toBe('not_qualified');
      expect((await run.requestAgent({ worker_name: 'high' })).agent_id).not.toBeNull();
      await operator.shutdown();
    });

    it('worker_can_do_unit and onUnitSubmitted hooks are called', async () => {
      const submitted: unknown[] = [];
      const { run, operator } = await launch(h.store, h.clock, {
        data: items(3),
        hooks: {
          // picky takes nothing until someone submitted.
          workerCanDoUnit: (worker) => worker.name !== 'picky_sandbox' || submitted.length > 0,
          onUnitSubmitted: ({ data }) => {
            submitted.push(data);
          },
        },
      });
      expect(refusal(await run.requestAgent({ worker_name: 'picky' })).code).toBe('no_units');
      const a = await take(run, 'w');
      await run.submitUnit(a.agentId, { x: 1 });
      const b = await take(run, 'picky');
      await run.reportDisconnect(b.agentId);
      await run.shutdown();
      expect(submitted).toEqual([{ x: 1 }, undefined]);
      await operator.shutdown();
    });

    it('live updates reach the blueprint, and its messages reach the page (buffered until it subscribes)', async () => {
      const blueprint = new FakeBlueprint('static_task', items(1), async (session) => {
        session.sendLiveUpdate({ hello: 'page' });
        const update = await session.nextLiveUpdate();
        session.sendLiveUpdate({ echo: update });
        await session.awaitSubmit();
      });
      const { run, operator } = await launch(h.store, h.clock, { blueprint });
      const a = await take(run, 'w');
      const received: unknown[] = [];
      const echoed = new Promise<void>((resolve) => {
        run.onClientBoundUpdate(a.agentId, (data) => {
          received.push(data);
          if ('echo' in data) resolve();
        });
      });
      await run.sendLiveUpdate(a.agentId, { update_id: 'u1', text: 'hi' });
      await run.sendLiveUpdate(a.agentId, { update_id: 'u1', text: 'hi' }); // a resend is dropped
      await echoed;
      expect(received).toEqual([{ hello: 'page' }, { echo: { update_id: 'u1', text: 'hi' } }]);
      await run.submitUnit(a.agentId, {});
      await expect(run.sendLiveUpdate(a.agentId, {})).rejects.toBeInstanceOf(AgentNotLiveError);
      await operator.shutdown();
    });

    it('shutdown leaves nothing launched: units on offer and agents still working expire, the end is recorded', async () => {
      const config = makeConfig({ task: { max_num_concurrent_units: 3 } });
      const { run, provider, operator } = await launch(h.store, h.clock, { config, data: items(6) });
      const working = await take(run, 'w1');
      const done = await take(run, 'w2');
      await run.submitUnit(done.agentId, {});
      await operator.shutdown('interrupted by SIGINT');
      const end = await run.ended;
      expect(end).toMatchObject({ reason: 'shutdown', detail: 'interrupted by SIGINT' });
      const counts = await h.store.countUnitsByStatus({ taskRunId: run.taskRun.id });
      // Work is read from the source lazily: 4 units exist (3 launched at first, 1 refilled).
      expect(counts).toMatchObject({ created: 0, launched: 0, assigned: 0, completed: 1, expired: 3 });
      expect((await h.store.getAgent(working.agentId)).status).toBe('expired');
      // Everything launched and not taken was withdrawn at the provider.
      expect([...provider.onOffer].every((id) => id === working.unitId || id === done.unitId)).toBe(true);
      expect(provider.teardownCalls).toHaveLength(1);
      expect((await h.store.getTaskRunState(run.taskRun.id)).end).toMatchObject({
        reason: 'shutdown',
        detail: 'interrupted by SIGINT',
      });
      expect(refusal(await run.requestAgent({ worker_name: 'late' })).code).toBe('run_over');
      // A second shutdown is a no-op with the same end.
      expect(await run.shutdown('again')).toBe(end);
      expect(provider.teardownCalls).toHaveLength(1);
    });

    it('a provider that fails to launch leaves the units created and surfaces the error', async () => {
      const provider = new FakeProvider();
      provider.failLaunches = 1;
      const error = await launch(h.store, h.clock, { provider, data: items(2) }).catch((e: unknown) => e);
      expect((error as { code?: string }).code).toBe('MEPHISTO_ERR_PROVIDER_LAUNCH');
      const [run] = await h.store.findTaskRuns();
      expect(run).toBeDefined();
      const counts = await h.store.countUnitsByStatus({ taskRunId: run?.id ?? '' });
      expect(counts.launched).toBe(0);
      expect((await h.store.getTaskRunState(run?.id ?? '')).end?.reason).toBe('error');
    });
  });
}
