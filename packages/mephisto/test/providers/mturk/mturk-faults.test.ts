/**
 * MTurk failing under the provider: throttling, ServiceFault (5xx) and replies so slow the client times
 * out, during launch, approval and bonus payment, including failures after MTurk did act (the reply
 * was lost). The provider retries with backoff and never creates a second HIT or pays twice: the fake's
 * HIT list, bonus list and balance are the proof.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Unit } from '../../../src/core/index.js';
import type { ProviderRunContext } from '../../../src/providers/crowd-provider.js';
import { testRunContext, testTaskRun, testUnits, testWorker } from '../provider-fixtures.js';
import { startMturkHarness, submitWork, type MturkHarness } from './mturk-test-kit.js';
import { errorOf } from '../../store/fixtures.js';

let harnesses: MturkHarness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.map((h) => h.close()));
  harnesses = [];
});

async function harness(requestTimeoutMs = 3000): Promise<MturkHarness> {
  const h = await startMturkHarness({ providerOptions: { requestTimeoutMs } });
  harnesses.push(h);
  return h;
}

function context(): ProviderRunContext {
  return testRunContext({ taskRun: testTaskRun('1500001', { providerType: 'mturk_sandbox' }) });
}

async function launched(h: MturkHarness, count: number): Promise<{ ctx: ProviderRunContext; units: Unit[] }> {
  const ctx = context();
  const units = testUnits(count, ctx);
  await h.provider.setupRun(ctx);
  await h.provider.launchUnits(ctx, units);
  return { ctx, units };
}

async function reviewable(h: MturkHarness) {
  const { ctx, units } = await launched(h, 1);
  const [unit] = units;
  if (unit === undefined) throw new Error('no unit');
  const worker = testWorker(h.provider.workerName('A1FAULT'), 'mturk_sandbox');
  const agent = {
    id: '4000900',
    workerId: worker.id,
    unitId: unit.id,
    taskId: unit.taskId,
    taskRunId: unit.taskRunId,
    assignmentId: unit.assignmentId,
    taskType: unit.taskType,
    providerType: unit.providerType,
    status: 'completed' as const,
    creationDate: unit.creationDate,
  };
  const work = { unit: { ...unit, status: 'completed' as const }, agent, worker };
  const assignmentId = await submitWork(h, ctx, work);
  return { work, worker, unit, agent, assignmentId };
}

describe('MTurk provider under faults: launch', () => {
  it('retries throttled CreateHIT calls with growing delays', async () => {
    const h = await harness();
    const ctx = context();
    await h.provider.setupRun(ctx);
    h.fake.failNext('CreateHITWithHITType', 'throttling', { times: 3 });
    await h.provider.launchUnits(ctx, testUnits(1, ctx));
    expect(h.fake.hits()).toHaveLength(1);
    expect(h.sleeps).toHaveLength(3);
    // Exponential: each ceiling doubles (10, 20, 40 ms), jittered into [ceiling/2, ceiling].
    expect(h.sleeps.map((ms, i) => ms >= (10 * 2 ** i) / 2 && ms <= 10 * 2 ** i)).toEqual([true, true, true]);
  });

  it('a 5xx after MTurk created the HIT: the retry finds it by its token; one HIT', async () => {
    const h = await harness();
    const ctx = context();
    await h.provider.setupRun(ctx);
    h.fake.failNext('CreateHITWithHITType', 'serviceFault', { afterEffect: true });
    const links = await h.provider.launchUnits(ctx, testUnits(2, ctx));
    expect(h.fake.hits()).toHaveLength(2);
    expect(new Set(h.fake.hits().map((hit) => hit.uniqueRequestToken)).size).toBe(2);
    expect(links.size).toBe(2);
  });

  it('a reply so slow the client gives up: the retry finds the HIT the slow call created', async () => {
    const h = await harness(300);
    const ctx = context();
    await h.provider.setupRun(ctx);
    h.fake.failNext('CreateHITWithHITType', 'slow', { delayMs: 2000 });
    await h.provider.launchUnits(ctx, testUnits(1, ctx));
    expect(h.fake.hits()).toHaveLength(1);
    expect(h.fake.calls('CreateHITWithHITType').map((c) => c.errorName)).toEqual([
      'held back',
      'RequestError',
    ]);
  });

  it('gives up after the last attempt with MTurk’s words, and a later launch succeeds with one HIT', async () => {
    const h = await harness();
    const ctx = context();
    const units = testUnits(1, ctx);
    await h.provider.setupRun(ctx);
    h.fake.failNext('CreateHITWithHITType', 'serviceFault', { times: 4 });
    const error = await errorOf(h.provider.launchUnits(ctx, units));
    expect(error.code).toBe('MEPHISTO_ERR_PROVIDER_API');
    expect(error.message).toMatch(
      /CreateHITWithHITType failed after 4 attempts: ServiceFault: The service is unable/,
    );
    expect(h.fake.hits()).toHaveLength(0);
    await h.provider.launchUnits(ctx, units);
    expect(h.fake.hits()).toHaveLength(1);
  });

  it('does not retry what MTurk refused as invalid', async () => {
    const h = await harness();
    const ctx = testRunContext({
      taskRun: testTaskRun('1500002', { providerType: 'mturk_sandbox' }),
      taskArgs: { ...context().taskArgs, task_reward: 0.001 },
    });
    const error = await errorOf(h.provider.setupRun(ctx));
    expect(error.code).toBe('MEPHISTO_ERR_RUN_SETUP');
    expect(h.sleeps).toEqual([]);
  });
});

describe('MTurk provider under faults: approval and bonus never pay twice', () => {
  it('approval: a 5xx after MTurk approved is retried and found done; paid once', async () => {
    const h = await harness();
    const { work, assignmentId } = await reviewable(h);
    h.fake.failNext('ApproveAssignment', 'serviceFault', { afterEffect: true });
    h.fake.failNext('GetAssignment', 'throttling');
    await h.provider.approveWork({ work, feedback: null, idempotencyKey: 'approve-1' });
    expect(h.fake.assignment(assignmentId).state).toBe('Approved');
    expect(h.fake.ledger().filter((e) => e.kind === 'reward')).toHaveLength(1);
    expect(h.fake.balance).toBeCloseTo(10000 - 0.36, 6);
  });

  it('approval: a timed-out reply is retried; paid once', async () => {
    const h = await harness(300);
    const { work, assignmentId } = await reviewable(h);
    h.fake.failNext('ApproveAssignment', 'slow', { delayMs: 2000 });
    await h.provider.approveWork({ work, feedback: 'ok', idempotencyKey: 'approve-2' });
    expect(h.fake.assignment(assignmentId).state).toBe('Approved');
    expect(h.fake.balance).toBeCloseTo(10000 - 0.36, 6);
  });

  it('bonus: throttling, a 5xx after paying and a timed-out reply, in turn: one bonus', async () => {
    const h = await harness(300);
    const { worker, unit, agent } = await reviewable(h);
    const request = { worker, unit, agent, amount: 2, reason: 'thanks', idempotencyKey: 'bonus-faults' };
    h.fake.failNext('SendBonus', 'throttling');
    h.fake.failNext('SendBonus', 'serviceFault', { afterEffect: true });
    h.fake.failNext('SendBonus', 'slow', { delayMs: 2000 });
    const result = await h.provider.payBonus(request);
    expect(result.status).toBe('done');
    expect(h.fake.bonuses()).toHaveLength(1);
    expect(h.fake.balance).toBeCloseTo(10000 - 2.4, 6);
    expect(h.fake.calls('SendBonus').map((c) => c.errorName)).toEqual([
      'ThrottlingException',
      'ServiceFault',
      'held back',
      'RequestError',
    ]);
  });

  it('bonus: out of attempts → an error quoting MTurk; the same key later pays exactly once', async () => {
    const h = await harness(300);
    const { worker, unit, agent } = await reviewable(h);
    const request = { worker, unit, agent, amount: 0.5, reason: 'thanks', idempotencyKey: 'bonus-later' };
    h.fake.failNext('SendBonus', 'slow', { delayMs: 1500, times: 4 });
    const error = await errorOf(h.provider.payBonus(request));
    expect(error.code).toBe('MEPHISTO_ERR_PROVIDER_API');
    expect(error.message).toMatch(/SendBonus failed after 4 attempts: TimeoutError/);
    // The first slow call paid (its reply was lost); the retries were refused by the token or held.
    await new Promise((resolve) => setTimeout(resolve, 1600));
    await h.provider.payBonus(request);
    await h.provider.payBonus(request);
    expect(h.fake.bonuses()).toHaveLength(1);
    expect(h.fake.balance).toBeCloseTo(10000 - 0.6, 6);
  });
});
