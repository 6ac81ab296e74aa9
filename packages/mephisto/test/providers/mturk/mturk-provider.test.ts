/**
 * The MTurk provider against the MTurk fake: what a run's settings become on MTurk, one HIT per unit
 * with crash-safe request tokens, expiry, agent registration (HIT remapping and refusals), review
 * duties and their idempotency, blocks, qualifications, fees, balance and credentials.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseQuestionFormAnswers } from '@mephisto-ts/testing/mturk-fake';
import type { Agent, Unit, Worker } from '../../../src/core/index.js';
import { MturkSandboxProviderArgsSchema } from '../../../src/core/config/provider-args.js';
import type { ProviderRunContext, ReviewedWork } from '../../../src/providers/crowd-provider.js';
import { parseAnnotation } from '../../../src/providers/mturk/hit-annotation.js';
import { resolveMturkCredentials } from '../../../src/providers/mturk/mturk-credentials.js';
import { MturkProvider } from '../../../src/providers/mturk/mturk-provider.js';
import { testRunContext, testTaskRun, testUnits, testWorker } from '../provider-fixtures.js';
import { MemoryProviderRecords } from './memory-provider-records.js';
import { hitOf, startMturkHarness, submitWork, TestClock, type MturkHarness } from './mturk-test-kit.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { errorOf } from '../../store/fixtures.js';

let harnesses: MturkHarness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.map((h) => h.close()));
  harnesses = [];
});

async function harness(...args: Parameters<typeof startMturkHarness>): Promise<MturkHarness> {
  const h = await startMturkHarness(...args);
  harnesses.push(h);
  return h;
}

function context(overrides: Partial<ProviderRunContext> = {}): ProviderRunContext {
  return testRunContext({
    taskRun: testTaskRun('1500001', { providerType: 'mturk_sandbox' }),
    taskArgs: {
      task_title: 'Rate sentences',
      task_description: 'Say whether each sentence reads well.',
      task_reward: 0.3,
      task_tags: 'rating,sentences',
      task_lifetime_in_seconds: 7200,
      assignment_duration_in_seconds: 900,
    },
    ...overrides,
  });
}

function agentFor(unit: Unit, worker: Worker, id: string): Agent {
  return {
    id,
    workerId: worker.id,
    unitId: unit.id,
    taskId: unit.taskId,
    taskRunId: unit.taskRunId,
    assignmentId: unit.assignmentId,
    taskType: unit.taskType,
    providerType: unit.providerType,
    status: 'in task',
    creationDate: unit.creationDate,
  };
}

function workOf(unit: Unit, worker: Worker, agentId: string): ReviewedWork {
  return {
    unit: { ...unit, status: 'completed', workerId: worker.id },
    agent: agentFor(unit, worker, agentId),
    worker,
  };
}

describe('MTurk provider: setup and launch', () => {
  it("makes the run's settings the HIT type: title, description, keywords, reward, durations, qualifications", async () => {
    const h = await harness({ providerArgs: { auto_approve_delay_in_seconds: 86400, frame_height: 800 } });
    const ctx = context({
      qualifications: [
        { qualification_name: 'skill', comparator: 'GreaterThanOrEqualTo', value: 3 },
        { qualification_name: 'prolific-only', comparator: 'Exists', applicable_providers: ['prolific'] },
      ],
      blockQualification: 'blocked-raters',
    });
    await h.provider.setupRun(ctx);
    await h.provider.setupRun(ctx);
    expect(h.fake.calls('CreateHITType')).toHaveLength(1);
    const [type] = h.fake.hitTypes();
    expect(type).toMatchObject({
      title: 'Rate sentences',
      description: 'Say whether each sentence reads well.',
      keywords: 'rating,sentences',
      rewardCents: 30,
      assignmentDurationInSeconds: 900,
      autoApprovalDelayInSeconds: 86400,
    });
    const names = new Map(h.fake.qualificationTypes().map((q) => [q.id, q.name]));
    expect(
      type?.qualificationRequirements.map((r) => [
        names.get(r.QualificationTypeId),
        r.Comparator,
        r.IntegerValues,
      ]),
    ).toEqual([
      ['skill_sandbox', 'GreaterThanOrEqualTo', [3]],
      ['blocked-raters_sandbox', 'DoesNotExist', undefined],
    ]);
    expect(
      type?.qualificationRequirements.every((r) => r.ActionsGuarded === 'DiscoverPreviewAndAccept'),
    ).toBe(true);

    // Changed settings: a new HIT type.
    await h.provider.setupRun({ ...ctx, taskArgs: { ...ctx.taskArgs, task_reward: 0.5 } });
    expect(h.fake.hitTypes()).toHaveLength(2);
  });

  it("reads the block qualification from the run's stored config when the context has none", async () => {
    const h = await harness();
    const ctx = context({
      taskRun: testTaskRun('1500002', {
        initParams: JSON.stringify({ mephisto: { blueprint: { block_qualification: 'nope' } } }),
      }),
    });
    await h.provider.setupRun(ctx);
    expect(h.fake.qualificationTypes().map((q) => q.name)).toEqual(['nope_sandbox']);
  });

  it('refuses a server address MTurk will not frame (AWS endpoints need https), before any call', async () => {
    const args = MturkSandboxProviderArgsSchema.parse({});
    const provider = new MturkProvider(args, {
      store: new MemoryProviderRecords(),
      env: { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' },
    });
    const insecure = await errorOf(provider.setupRun(context({ serverUrl: 'http://203.0.113.5:3000' })));
    expect(insecure.code).toBe('MEPHISTO_ERR_RUN_SETUP');
    expect(insecure.message).toMatch(/https.*public_url/);
    const none = await errorOf(provider.setupRun(context({ serverUrl: '' })));
    expect(none.message).toMatch(/needs a server workers can reach/);
    provider.close();
  });

  it('creates one HIT per unit framing the server, with a token from the unit id; a repeat launch calls nothing', async () => {
    const h = await harness({ providerArgs: { frame_height: 720 } });
    const ctx = context();
    const units = testUnits(2, ctx);
    await h.provider.setupRun(ctx);
    const links = await h.provider.launchUnits(ctx, units);
    const hits = h.fake.hits();
    expect(hits).toHaveLength(2);
    for (const [index, hit] of hits.entries()) {
      const unit = units[index];
      expect(hit.maxAssignments).toBe(1);
      expect(hit.externalUrl).toBe(ctx.serverUrl);
      expect(hit.frameHeight).toBe(720);
      expect(hit.expiration - hit.creationTime).toBe(7200 * 1000);
      expect(hit.uniqueRequestToken).toMatch(new RegExp(`^mts-${unit?.id}-1-[0-9a-f]{8}$`));
      expect(parseAnnotation(hit.requesterAnnotation)).toEqual({
        taskRunId: ctx.taskRun.id,
        unitId: unit?.id,
        token: hit.uniqueRequestToken,
      });
      expect(links.get(unit?.id ?? '')).toBe(
        `https://workersandbox.mturk.com/mturk/preview?groupId=${hit.groupId}`,
      );
    }
    const calls = h.fake.calls().length;
    expect(await h.provider.launchUnits(ctx, units)).toEqual(links);
    expect(h.fake.calls()).toHaveLength(calls);
  });

  it('a launch interrupted after MTurk created the HIT finds that HIT next time (never a second one)', async () => {
    const h = await harness({ providerOptions: { retry: { maxAttempts: 1 } } });
    const ctx = context();
    const [unit] = testUnits(1, ctx);
    if (unit === undefined) throw new Error('no unit');
    await h.provider.setupRun(ctx);
    h.fake.failNext('CreateHITWithHITType', 'serviceFault', { afterEffect: true });
    const error = await errorOf(h.provider.launchUnits(ctx, [unit]));
    expect(error.code).toBe('MEPHISTO_ERR_PROVIDER_API');
    expect(error.message).toMatch(/CreateHITWithHITType failed: ServiceFault/);
    expect(h.fake.hits()).toHaveLength(1);
    // A new process (same records) launches the unit again: same token, MTurk says the HIT exists.
    const again = h.restart();
    const links = await again.launchUnits(ctx, [unit]);
    expect(h.fake.hits()).toHaveLength(1);
    expect(h.fake.calls('CreateHITWithHITType').map((c) => c.errorName)).toEqual([
      'ServiceFault',
      'RequestError',
    ]);
    expect(links.get(unit.id)).toContain(h.fake.hits()[0]?.groupId);
    expect(await hitOf(again, unit.id)).toBe(h.fake.hits()[0]?.id);
  });

  it('expires HITs once; units with submitted work and units never launched cost no call', async () => {
    const h = await harness();
    const ctx = context();
    const units = testUnits(3, ctx);
    const [first, second, third] = units;
    if (first === undefined || second === undefined || third === undefined) throw new Error('no units');
    await h.provider.setupRun(ctx);
    await h.provider.launchUnits(ctx, [first, second]);
    const worker = testWorker(h.provider.workerName('A1DONE'), 'mturk_sandbox');
    await submitWork(h, ctx, workOf(second, worker, '4000002'));
    await h.provider.expireUnits(ctx, [first, { ...second, status: 'completed' }, third]);
    expect(h.fake.calls('UpdateExpirationForHIT')).toHaveLength(1);
    expect(h.fake.hit(await hitOf(h.provider, first.id)).status).toBe('Reviewable');
    await h.provider.expireUnits(ctx, [first]);
    expect(h.fake.calls('UpdateExpirationForHIT')).toHaveLength(1);
    // Launched again after expiry: a new HIT (a new generation, a new token).
    await h.provider.launchUnits(ctx, [first]);
    expect(h.fake.hits()).toHaveLength(3);
    expect(h.fake.hits()[2]?.uniqueRequestToken).toMatch(new RegExp(`^mts-${first.id}-2-`));
  });
});

describe('MTurk provider: agents', () => {
  it('maps the HIT a worker accepted to the unit the engine gave, and that unit’s HIT to the other unit', async () => {
    const h = await harness();
    const ctx = context();
    const units = testUnits(3, ctx);
    const [u1, u2, u3] = units;
    if (u1 === undefined || u2 === undefined || u3 === undefined) throw new Error('no units');
    await h.provider.setupRun(ctx);
    await h.provider.launchUnits(ctx, units);
    const [h1, h2, h3] = await Promise.all(units.map((u) => hitOf(h.provider, u.id)));
    const worker = testWorker(h.provider.workerName('A1SWAP'), 'mturk_sandbox');
    // The worker accepted u1's HIT, but the engine gave them u2.
    const accepted = h.fake.acceptHit(h1 ?? '', 'A1SWAP');
    const registration = {
      unit: u2,
      agent: agentFor(u2, worker, '4000010'),
      worker,
      providerData: { assignment_id: accepted.assignmentId, hit_id: h1, worker_name: 'A1SWAP' },
    };
    await h.provider.registerAgent(ctx, registration);
    await h.provider.registerAgent(ctx, registration);
    expect(await hitOf(h.provider, u2.id)).toBe(h1);
    expect(await hitOf(h.provider, u1.id)).toBe(h2);
    expect(await hitOf(h.provider, u3.id)).toBe(h3);
    expect((await h.provider.records.getHit(h1 ?? ''))?.unitId).toBe(u2.id);
    expect((await h.provider.records.getHit(h2 ?? ''))?.unitId).toBe(u1.id);

    // Withdrawing u1 withdraws the HIT that offers it, not the one the worker is on.
    await h.provider.expireUnits(ctx, [u1]);
    expect(h.fake.hit(h2 ?? '').status).toBe('Reviewable');
    expect(h.fake.hit(h1 ?? '').status).toBe('Unassignable');

    // Reviewing u2 acts on the worker's assignment.
    h.fake.submitAssignment(accepted.assignmentId, { rating: '4' });
    const result = await h.provider.approveWork({
      work: workOf(u2, worker, '4000010'),
      feedback: null,
      idempotencyKey: 'approve-u2',
    });
    expect(result).toEqual({ status: 'done', reference: accepted.assignmentId });
    expect(h.fake.assignment(accepted.assignmentId).state).toBe('Approved');
    expect(parseQuestionFormAnswers(h.fake.assignment(accepted.assignmentId).answer ?? '')).toEqual([
      ['rating', '4'],
    ]);
  });

  it('refuses a preview, a page without an assignment or HIT, another run’s HIT and a HIT not made by mephisto-ts', async () => {
    const h = await harness();
    const runA = context();
    const runB = context({
      taskRun: testTaskRun('1500009', { providerType: 'mturk_sandbox' }),
      taskArgs: { ...context().taskArgs, task_title: 'Another task' },
    });
    const [unitA] = testUnits(1, runA);
    const [unitB] = testUnits(1, runB, '2000009');
    if (unitA === undefined || unitB === undefined) throw new Error('no units');
    await h.provider.setupRun(runA);
    await h.provider.setupRun(runB);
    await h.provider.launchUnits(runA, [unitA]);
    await h.provider.launchUnits(runB, [unitB]);
    const worker = testWorker(h.provider.workerName('A1X'), 'mturk_sandbox');
    const register = (providerData: Record<string, unknown>) =>
      errorOf(
        h.provider.registerAgent(runA, {
          unit: unitA,
          agent: agentFor(unitA, worker, '4000020'),
          worker,
          providerData,
        }),
      );
    const hitA = await hitOf(h.provider, unitA.id);
    const hitB = await hitOf(h.provider, unitB.id);
    for (const data of [
      { hit_id: hitA },
      { hit_id: hitA, assignment_id: 'ASSIGNMENT_ID_NOT_AVAILABLE' },
      { hit_id: hitA, assignment_id: null },
      { assignment_id: '3ABC' },
      { hit_id: hitB, assignment_id: h.fake.acceptHit(hitB, 'A1X').assignmentId },
      { hit_id: 'NOTAHITOFOURS00000000000000000', assignment_id: '3ABC' },
    ]) {
      const error = await register(data);
      expect(error.code, JSON.stringify(data)).toBe('MEPHISTO_ERR_PROVIDER_REGISTRATION');
    }
    expect((await register({ hit_id: hitB, assignment_id: 'x' })).message).toMatch(/belongs to another run/);
  });

  it('adopts a HIT of this run whose record was lost (its annotation names the run)', async () => {
    const h = await harness();
    const ctx = context();
    const [unit] = testUnits(1, ctx);
    if (unit === undefined) throw new Error('no unit');
    await h.provider.setupRun(ctx);
    await h.provider.launchUnits(ctx, [unit]);
    const hitId = await hitOf(h.provider, unit.id);
    await h.store.deleteProviderRecord('mturk_sandbox', 'hit', hitId);
    const worker = testWorker(h.provider.workerName('A1LOST'), 'mturk_sandbox');
    const accepted = h.fake.acceptHit(hitId, 'A1LOST');
    await h.provider.registerAgent(ctx, {
      unit,
      agent: agentFor(unit, worker, '4000030'),
      worker,
      providerData: { hit_id: hitId, assignment_id: accepted.assignmentId },
    });
    expect((await h.provider.records.getHit(hitId))?.unitId).toBe(unit.id);
  });
});

describe('MTurk provider: review duties', () => {
  async function submitted(h: MturkHarness, count = 1) {
    const ctx = context();
    const units = testUnits(count, ctx);
    await h.provider.setupRun(ctx);
    await h.provider.launchUnits(ctx, units);
    const worker = testWorker(h.provider.workerName('A1REVIEWED'), 'mturk_sandbox');
    const works = units.map((unit, i) => workOf(unit, worker, String(4000100 + i)));
    const assignments: string[] = [];
    for (const work of works) assignments.push(await submitWork(h, ctx, work));
    return { ctx, works, worker, assignments };
  }

  it('approves and pays reward + 20%; a second approval (another key) and MTurk’s auto-approval count as done', async () => {
    const h = await harness();
    const { works, assignments } = await submitted(h, 2);
    const [work, auto] = works;
    if (work === undefined || auto === undefined) throw new Error('no works');
    expect(await h.provider.approveWork({ work, feedback: 'thanks', idempotencyKey: 'k1' })).toMatchObject({
      status: 'done',
    });
    expect(h.fake.balance).toBeCloseTo(10000 - 0.36, 6);
    const calls = h.fake.calls('ApproveAssignment').length;
    await h.provider.approveWork({ work, feedback: 'thanks', idempotencyKey: 'k1' });
    expect(h.fake.calls('ApproveAssignment')).toHaveLength(calls);
    await h.provider.approveWork({ work, feedback: null, idempotencyKey: 'k2' });
    expect(h.fake.balance).toBeCloseTo(10000 - 0.36, 6);

    h.clock.advance(2_592_000 + 1);
    expect(h.fake.assignment(assignments[1] ?? '').autoApproved).toBe(true);
    await h.provider.approveWork({ work: auto, feedback: null, idempotencyKey: 'k3' });
    const late = await errorOf(h.provider.rejectWork({ work: auto, feedback: 'bad', idempotencyKey: 'k4' }));
    expect(late.code).toBe('MEPHISTO_ERR_PROVIDER_API');
    expect(late.message).toMatch(/already approved .*cannot be rejected/);
  });

  it('rejects (with default feedback when none is given), idempotently; approving later overrides the rejection', async () => {
    const h = await harness();
    const { works, assignments } = await submitted(h);
    const [work] = works;
    if (work === undefined) throw new Error('no work');
    await h.provider.rejectWork({ work, feedback: null, idempotencyKey: 'r1' });
    await h.provider.rejectWork({ work, feedback: 'again', idempotencyKey: 'r2' });
    const assignment = h.fake.assignment(assignments[0] ?? '');
    expect(assignment.state).toBe('Rejected');
    expect(assignment.requesterFeedback).toBe("Your work did not meet the task's requirements.");
    expect(h.fake.balance).toBe(10000);
    await h.provider.approveWork({ work, feedback: null, idempotencyKey: 'a1' });
    expect(h.fake.assignment(assignments[0] ?? '').state).toBe('Approved');
    expect(h.fake.balance).toBeCloseTo(10000 - 0.36, 6);
  });

  it('pays a bonus once per key: repeats, restarts and a forgotten record never pay twice', async () => {
    const h = await harness();
    const { works, worker, assignments } = await submitted(h);
    const [work] = works;
    if (work === undefined) throw new Error('no work');
    const request = {
      worker,
      unit: work.unit,
      agent: work.agent,
      amount: 1.25,
      reason: 'great',
      idempotencyKey: 'bonus-1',
    };
    const first = await h.provider.payBonus(request);
    expect(first).toEqual({ status: 'done', reference: `${assignments[0]}/bonus-1` });
    expect(await h.provider.payBonus(request)).toEqual(first);
    expect(await h.restart().payBonus(request)).toEqual(first);
    expect(h.fake.calls('SendBonus')).toHaveLength(1);
    // The provider lost its record (a restored database): MTurk refuses the token, the bonus is found.
    await h.store.deleteProviderRecord('mturk_sandbox', 'bonus', 'bonus-1');
    expect(await h.provider.payBonus(request)).toEqual(first);
    expect(h.fake.calls('SendBonus').map((c) => c.errorName)).toEqual([undefined, 'RequestError']);
    expect(h.fake.bonuses()).toHaveLength(1);
    expect(h.fake.bonuses()[0]).toMatchObject({
      workerId: 'A1REVIEWED',
      amountCents: 125,
      feeCents: 25,
      reason: 'great',
    });
    expect(h.fake.balance).toBeCloseTo(10000 - 1.5, 6);

    // Without an agent the bonus goes against the worker's assignment on the unit.
    await h.provider.payBonus({ ...request, agent: null, amount: 0.1, idempotencyKey: 'bonus-2' });
    expect(h.fake.bonuses().map((b) => b.assignmentId)).toEqual([assignments[0], assignments[0]]);
    const nobody = testWorker(h.provider.workerName('A1NOBODY'), 'mturk_sandbox');
    const none = await errorOf(
      h.provider.payBonus({ ...request, worker: nobody, agent: null, idempotencyKey: 'bonus-3' }),
    );
    expect(none.message).toMatch(/has none recorded/);
  });

  it('a bonus key left `sending` for more than a day is looked up before it is sent again (MTurk forgot the token)', async () => {
    const h = await harness({ providerOptions: { retry: { maxAttempts: 1 } } });
    const { works, worker } = await submitted(h);
    const [work] = works;
    if (work === undefined) throw new Error('no work');
    const request = {
      worker,
      unit: work.unit,
      agent: work.agent,
      amount: 0.5,
      reason: 'late',
      idempotencyKey: 'bonus-late',
    };
    h.fake.failNext('SendBonus', 'serviceFault', { afterEffect: true });
    await errorOf(h.provider.payBonus(request));
    expect((await h.provider.records.getBonus('bonus-late'))?.data.status).toBe('sending');
    h.clock.advance(25 * 3600);
    await h.provider.payBonus(request);
    expect(h.fake.bonuses()).toHaveLength(1);
    expect(h.fake.calls('SendBonus')).toHaveLength(1);
  });

  it('blocks on MTurk and answers isWorkerBlocked from its records alone; an old key never re-blocks', async () => {
    const h = await harness();
    const worker = testWorker(h.provider.workerName('A1SPAM'), 'mturk_sandbox');
    expect(await h.provider.isWorkerBlocked(worker)).toBe(false);
    await h.provider.blockWorker({ worker, reason: 'spam', idempotencyKey: 'b1' });
    expect(h.fake.blocks()).toEqual([{ workerId: 'A1SPAM', reason: 'spam' }]);
    const calls = h.fake.calls().length;
    expect(await h.provider.isWorkerBlocked(worker)).toBe(true);
    expect(h.fake.calls()).toHaveLength(calls);
    await h.provider.unblockWorker({ worker, idempotencyKey: 'u1' });
    await h.provider.blockWorker({ worker, reason: 'spam', idempotencyKey: 'b1' });
    expect(h.fake.blocks()).toEqual([]);
    expect(await h.provider.isWorkerBlocked(worker)).toBe(false);
  });

  it('grants and revokes qualifications, creating the MTurk type (`_sandbox`) once', async () => {
    const h = await harness();
    const worker = testWorker(h.provider.workerName('A1QUAL'), 'mturk_sandbox');
    await h.provider.grantQualification({
      worker,
      qualificationName: 'expert',
      value: 7,
      idempotencyKey: 'g1',
    });
    await h.provider.grantQualification({
      worker,
      qualificationName: 'expert',
      value: 8,
      idempotencyKey: 'g2',
    });
    expect(h.fake.qualificationTypes().map((q) => q.name)).toEqual(['expert_sandbox']);
    expect(h.fake.qualificationScores('A1QUAL').map((s) => s.integerValue)).toEqual([8]);
    await h.provider.revokeQualification({
      worker,
      qualificationName: 'expert',
      value: null,
      idempotencyKey: 'v1',
    });
    await h.provider.revokeQualification({
      worker,
      qualificationName: 'expert',
      value: null,
      idempotencyKey: 'v2',
    });
    expect(h.fake.qualificationScores('A1QUAL')).toEqual([]);
    // A type made elsewhere (another database) is found by name, not created twice.
    const other = h.restart();
    await other.records.store.deleteProviderRecord('mturk_sandbox', 'qualification', 'expert');
    await other.grantQualification({ worker, qualificationName: 'expert', value: 1, idempotencyKey: 'g3' });
    expect(h.fake.qualificationTypes()).toHaveLength(1);
  });
});

describe('MTurk provider: money and credentials', () => {
  it("charges MTurk's 20% commission in whole cents, at least a cent, and reads the balance", async () => {
    const h = await harness({ fake: { balance: 123.45 } });
    expect(h.provider.feeFor(0.3, 'reward')).toBe(0.06);
    expect(h.provider.feeFor(1.25, 'bonus')).toBe(0.25);
    expect(h.provider.feeFor(0.01, 'reward')).toBe(0.01);
    expect(h.provider.feeFor(0.07, 'reward')).toBe(0.01);
    expect(h.provider.feeFor(0.08, 'reward')).toBe(0.02);
    expect(h.provider.feeFor(0, 'bonus')).toBe(0);
    expect(await h.provider.availableBudget()).toBe(123.45);
  });

  it('reports refused credentials and an empty account with their own codes', async () => {
    const clock = new TestClock();
    const h = await harness({ clock, fake: { balance: 0.1 } });
    const wrong = new MturkProvider(
      MturkSandboxProviderArgsSchema.parse({ endpoint: h.fake.endpoint }),
      {
        store: new MemoryProviderRecords(),
        env: { AWS_ACCESS_KEY_ID: 'AKIDWRONG', AWS_SECRET_ACCESS_KEY: 'x' },
      },
      { sleep: () => Promise.resolve() },
    );
    const refused = await errorOf(wrong.availableBudget());
    wrong.close();
    expect(refused.code).toBe('MEPHISTO_ERR_PROVIDER_CREDENTIALS');
    expect(refused.message).toMatch(/AKIDWRONG.*UnrecognizedClientException/);
    const ctx = context();
    await h.provider.setupRun(ctx);
    const poor = await errorOf(h.provider.launchUnits(ctx, testUnits(1, ctx)));
    expect(poor.code).toBe('MEPHISTO_ERR_BUDGET_EXCEEDED');
    expect(h.sleeps).toEqual([]);
  });

  it('finds credentials in the environment, AWS_PROFILE, a profile named like the requester, else the default chain', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mturk-creds-'));
    try {
      const file = join(dir, 'credentials');
      writeFileSync(file, '[default]\naws_access_key_id=x\n\n[my_requester]\naws_access_key_id=y\n');
      const env = { HOME: dir, AWS_SHARED_CREDENTIALS_FILE: file, AWS_CONFIG_FILE: join(dir, 'config') };
      expect(
        resolveMturkCredentials(
          { ...env, AWS_ACCESS_KEY_ID: 'K', AWS_SECRET_ACCESS_KEY: 'S' },
          'my_requester',
        ),
      ).toEqual({
        kind: 'keys',
        accessKeyId: 'K',
        secretAccessKey: 'S',
      });
      expect(resolveMturkCredentials({ ...env, AWS_PROFILE: 'work' }, 'my_requester')).toEqual({
        kind: 'profile',
        profile: 'work',
        from: 'AWS_PROFILE',
      });
      expect(resolveMturkCredentials(env, 'my_requester')).toEqual({
        kind: 'profile',
        profile: 'my_requester',
        from: 'requester_name',
      });
      expect(resolveMturkCredentials(env, 'someone_else')).toEqual({ kind: 'default-chain' });
      expect(resolveMturkCredentials(env, undefined)).toEqual({ kind: 'default-chain' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves a wrap_crowd_source.js that parses and names the provider', async () => {
    const h = await harness();
    const script = h.provider.wrapCrowdSourceScript();
    expect(() => new Script(script)).not.toThrow();
    expect(script).toContain('"mturk_sandbox"');
    expect(script).toContain('/mturk/externalSubmit');
  });
});
