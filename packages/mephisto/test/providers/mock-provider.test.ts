import { describe, expect, it } from 'vitest';
import { MockProvider } from '../../src/providers/mock/mock-provider.js';
import { testRunContext, testTaskRun, testUnits, testWorker } from './provider-fixtures.js';

describe('mock provider', () => {
  it('records the run context every setup and teardown receives', async () => {
    const provider = new MockProvider();
    const context = testRunContext({ providerArgs: { _provider_type: 'mock' } });
    await provider.setupRun(context);
    expect(provider.setupCalls).toHaveLength(1);
    expect(provider.setupCalls[0]?.taskArgs).toMatchObject({
      task_title: 'Rate sentences',
      task_description: 'Say whether each sentence reads well.',
      task_reward: 0.3,
      task_tags: 'rating,sentences',
    });
    expect(provider.setupCalls[0]).toBe(context);
    expect([...provider.activeRunIds]).toEqual(['1500001']);
    await provider.teardownRun(context);
    expect(provider.teardownCalls).toEqual([context]);
    expect(provider.activeRunIds.size).toBe(0);
  });

  it('links every unit as Mephisto logs it: <server>/?worker_id=x&assignment_id=<unit id>', async () => {
    const provider = new MockProvider();
    const context = testRunContext({ serverUrl: 'http://localhost:3000/' });
    const [unit] = testUnits(1, context);
    const links = await provider.launchUnits(context, unit ? [unit] : []);
    expect(links.get(unit?.id ?? '')).toBe(`http://localhost:3000/?worker_id=x&assignment_id=${unit?.id}`);
  });

  it('puts the worker id chosen by linkWorkerId in the link, URI-encoded', async () => {
    const provider = new MockProvider(undefined, { linkWorkerId: (unit) => `worker ${unit.unitIndex}` });
    const context = testRunContext();
    const units = testUnits(2, context);
    const links = await provider.launchUnits(context, units);
    expect([...links.values()]).toEqual(
      units.map((u) => `${context.serverUrl}/?worker_id=worker%20${u.unitIndex}&assignment_id=${u.id}`),
    );
  });

  it('records launched and expired units; a relaunch puts an expired unit back on offer', async () => {
    const provider = new MockProvider();
    const context = testRunContext();
    const [a, b] = testUnits(2, context) as [
      ReturnType<typeof testUnits>[number],
      ReturnType<typeof testUnits>[number],
    ];
    await provider.launchUnits(context, [a, b]);
    await provider.expireUnits(context, [a]);
    expect([...provider.launchedUnitIds]).toEqual([a.id, b.id]);
    expect([...provider.expiredUnitIds]).toEqual([a.id]);
    expect([...provider.offeredUnitIds]).toEqual([b.id]);
    await provider.launchUnits(context, [a]);
    expect(provider.expiredUnitIds.has(a.id)).toBe(false);
    expect([...provider.offeredUnitIds].sort()).toEqual([a.id, b.id].sort());
  });

  it('blocks a worker only when a test blocks it, by store name', async () => {
    const provider = new MockProvider();
    const alice = testWorker(provider.workerName('alice'));
    expect(alice.name).toBe('alice_sandbox');
    expect(await provider.isWorkerBlocked(alice)).toBe(false);
    provider.blockWorker('alice_sandbox');
    expect(await provider.isWorkerBlocked(alice)).toBe(true);
    expect(await provider.isWorkerBlocked(testWorker('bob_sandbox'))).toBe(false);
    provider.unblockWorker('alice_sandbox');
    expect(await provider.isWorkerBlocked(alice)).toBe(false);
  });

  it('fails the next call of a method once when told to, without recording it', async () => {
    const provider = new MockProvider();
    const context = testRunContext();
    const units = testUnits(1, context);
    provider.failNext('launchUnits', new Error('service down'));
    await expect(provider.launchUnits(context, units)).rejects.toThrow('service down');
    expect(provider.launchedUnitIds.size).toBe(0);
    await expect(provider.launchUnits(context, units)).resolves.toHaveProperty('size', 1);

    for (const method of ['setupRun', 'expireUnits', 'teardownRun'] as const) {
      provider.failNext(method);
      const call =
        method === 'expireUnits' ? provider.expireUnits(context, units) : provider[method](testRunContext());
      await expect(call).rejects.toThrow(`mock provider: ${method} failed`);
    }
    expect(provider.setupCalls).toHaveLength(0);
    expect(provider.expiredUnitIds.size).toBe(0);
    expect(provider.teardownCalls).toHaveLength(0);
  });

  it('returns a rejected promise rather than throwing synchronously', () => {
    const provider = new MockProvider();
    provider.failNext('setupRun');
    const result = provider.setupRun(testRunContext({ taskRun: testTaskRun('1500009') }));
    expect(result).toBeInstanceOf(Promise);
    return expect(result).rejects.toThrow();
  });
});
