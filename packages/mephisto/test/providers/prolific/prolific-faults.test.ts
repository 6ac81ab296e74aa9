/**
 * The Prolific provider when Prolific misbehaves or the process dies: 5xx, 429 and timeouts during a
 * launch, approvals retried, bonuses never paid twice (a lost reply, a crash between "pay sent" and
 * "recorded", a refused payment, concurrent tries), and reconciling a run after a crash.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Unit } from '../../../src/core/index.js';
import type {
  ProviderBonusRequest,
  ProviderRunContext,
  ReviewedWork,
} from '../../../src/providers/crowd-provider.js';
import { ProlificApiClient } from '../../../src/providers/prolific/prolific-api-client.js';
import { openProlificHarness, type ProlificHarness } from './prolific-harness.js';

let h: ProlificHarness;

beforeEach(async () => {
  h = await openProlificHarness();
});
afterEach(async () => {
  await h.close();
});

/** A run set up, with `count` units launched. */
async function launched(count: number): Promise<{ context: ProviderRunContext; units: Unit[] }> {
  const context = await h.newRun();
  await h.provider.setupRun(context);
  const units = await h.newUnits(context, count);
  await h.provider.launchUnits(context, units);
  return { context, units };
}

/** A unit taken and completed by `participant`, ready for review. */
async function completedWork(
  participant = 'p1',
): Promise<{ context: ProviderRunContext; work: ReviewedWork; submissionId: string }> {
  const { context, units } = await launched(1);
  const [unit] = units;
  if (unit === undefined) throw new Error('no unit');
  const taken = await h.takeUnit(context, unit, participant, { complete: true });
  return { context, work: taken.work, submissionId: taken.submissionId };
}

function bonus(work: ReviewedWork, key: string, amount = 0.5): ProviderBonusRequest {
  return {
    worker: work.worker,
    unit: work.unit,
    agent: work.agent,
    amount,
    reason: 'well done',
    idempotencyKey: key,
  };
}

/** A client that sends `pay` and then dies before the provider can record it. */
class CrashAfterPay extends ProlificApiClient {
  override async payBulkBonus(id: string): Promise<void> {
    await super.payBulkBonus(id);
    throw new Error('process killed after the pay request was sent');
  }
}

describe('ProlificProvider under faults', () => {
  it('launches through 5xx, 429 and timeouts on idempotent calls', async () => {
    const context = await h.newRun();
    await h.provider.setupRun(context);
    const studyId = await h.provider.currentStudyId(context.taskRun.id);
    const units = await h.newUnits(context, 3);
    h.fake.failNext('studies.get', 'timeout', { delayMs: 300 });
    h.fake.failNext('studies.update', 'server_error');
    h.fake.failNext('studies.transition', 'rate_limit', { retryAfterSeconds: 1 });
    const provider = h.newProvider({ clientOptions: { sleep: () => Promise.resolve(), timeoutMs: 100 } });
    await provider.launchUnits(context, units);
    expect(h.fake.study(studyId ?? '')).toMatchObject({ status: 'ACTIVE', total_available_places: 3 });
    expect(h.fake.requestsTo('studies.update').map((r) => r.status)).toEqual([500, 200]);
    expect(h.fake.requestsTo('studies.transition').map((r) => r.status)).toEqual([429, 200]);
  });

  it('fails a launch whose PUBLISH got a 5xx and did not happen; the retry publishes once', async () => {
    const context = await h.newRun();
    await h.provider.setupRun(context);
    const studyId = await h.provider.currentStudyId(context.taskRun.id);
    const units = await h.newUnits(context, 2);
    h.fake.failNext('studies.transition', 'server_error');
    await expect(h.provider.launchUnits(context, units)).rejects.toMatchObject({
      code: 'MEPHISTO_ERR_PROVIDER_API',
    });
    expect(h.fake.study(studyId ?? '')?.status).toBe('UNPUBLISHED');
    await h.provider.launchUnits(context, units);
    expect(h.fake.study(studyId ?? '')).toMatchObject({ status: 'ACTIVE', total_available_places: 2 });
  });

  it('takes a PUBLISH whose reply was lost as done once Prolific shows the study published', async () => {
    const context = await h.newRun();
    await h.provider.setupRun(context);
    const units = await h.newUnits(context, 2);
    h.fake.failNext('studies.transition', 'lost_reply');
    await h.provider.launchUnits(context, units);
    expect(h.fake.studies()[0]).toMatchObject({ status: 'ACTIVE', total_available_places: 2 });
    expect(h.fake.requestsTo('studies.transition')).toHaveLength(1);
  });

  it('retries an approval through 5xx (Prolific ignores a repeated transition)', async () => {
    const { work } = await completedWork();
    h.fake.failNext('submissions.transition', 'server_error');
    h.fake.failNext('submissions.transition', 'lost_reply');
    await h.provider.approveWork({ work, feedback: null, idempotencyKey: 'approve' });
    expect(h.fake.submissions()[0]?.status).toBe('APPROVED');
    expect(h.fake.requestsTo('submissions.transition').map((r) => r.status)).toEqual([500, 0, 200]);
  });
});

describe('ProlificProvider bonuses: never paid twice', () => {
  it('pays once per key: a repeat does not even call Prolific', async () => {
    const { work } = await completedWork();
    const first = await h.provider.payBonus(bonus(work, 'bonus-1'));
    expect(first.status).toBe('done');
    const calls = h.fake.requests.length;
    expect(await h.newProvider().payBonus(bonus(work, 'bonus-1'))).toEqual(first);
    expect(h.fake.requests.length).toBe(calls);
    expect(h.fake.requestsTo('bonuses.pay')).toHaveLength(1);
    expect(h.fake.bonusPaidTo('p1')).toBe(50);
    expect(h.fake.bulkBonuses()[0]).toMatchObject({ amount: 50, fees: 16.67, payCount: 1 });
  });

  it('confirms a payment whose reply was lost, without paying again', async () => {
    const { work } = await completedWork();
    h.fake.failNext('bonuses.pay', 'lost_reply');
    await expect(h.provider.payBonus(bonus(work, 'bonus-lost'))).rejects.toThrow(/may have been sent/);
    expect(await h.provider.payBonus(bonus(work, 'bonus-lost'))).toMatchObject({ status: 'done' });
    expect(h.fake.bulkBonuses().map((b) => b.payCount)).toEqual([1]);
    expect(h.fake.bonusPaidTo('p1')).toBe(50);
  });

  it('survives a crash between "pay sent" and "recorded": a fresh provider confirms, never pays twice', async () => {
    const { work } = await completedWork();
    const crashing = h.newProvider({
      client: new CrashAfterPay({ token: h.fake.token, baseUrl: h.fake.url, sleep: () => Promise.resolve() }),
    });
    await expect(crashing.payBonus(bonus(work, 'bonus-crash'))).rejects.toThrow(/may have been sent/);
    expect(h.fake.bonusPaidTo('p1')).toBe(50);
    const restarted = h.newProvider();
    expect(await restarted.payBonus(bonus(work, 'bonus-crash'))).toMatchObject({ status: 'done' });
    expect(await restarted.payBonus(bonus(work, 'bonus-crash'))).toMatchObject({ status: 'done' });
    expect(h.fake.requestsTo('bonuses.pay')).toHaveLength(1);
    expect(h.fake.bonusPaidTo('p1')).toBe(50);
  });

  it('pays again after a payment Prolific refused outright (it did not happen)', async () => {
    const { work } = await completedWork();
    h.fake.setBalance(0);
    await expect(h.provider.payBonus(bonus(work, 'bonus-broke'))).rejects.toThrow(/Insufficient balance/);
    h.fake.setBalance(1_000_000);
    expect(await h.provider.payBonus(bonus(work, 'bonus-broke'))).toMatchObject({ status: 'done' });
    expect(h.fake.bonusPaidTo('p1')).toBe(50);
    expect(h.fake.requestsTo('bonuses.pay').map((r) => r.status)).toEqual([400, 202]);
  });

  it('sends one payment when the same key is paid concurrently', async () => {
    const { work } = await completedWork();
    const results = await Promise.allSettled([
      h.provider.payBonus(bonus(work, 'bonus-race')),
      h.newProvider().payBonus(bonus(work, 'bonus-race')),
      h.newProvider().payBonus(bonus(work, 'bonus-race')),
    ]);
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
    expect(h.fake.requestsTo('bonuses.pay')).toHaveLength(1);
    expect(h.fake.bonusPaidTo('p1')).toBe(50);
    expect(await h.provider.payBonus(bonus(work, 'bonus-race'))).toMatchObject({ status: 'done' });
  });

  it('refuses to reuse a key for another amount', async () => {
    const { work } = await completedWork();
    await h.provider.payBonus(bonus(work, 'bonus-k'));
    await expect(h.provider.payBonus(bonus(work, 'bonus-k', 0.75))).rejects.toThrow(/cannot be reused/);
  });
});

describe('ProlificProvider reconcile', () => {
  it('stops a study left recruiting for a run that is over, once', async () => {
    const { context } = await launched(2);
    const studyId = await h.provider.currentStudyId(context.taskRun.id);
    const restarted = h.newProvider();
    const alive = await restarted.reconcileRun({ ...context, liveUnitIds: new Set(), runOver: false });
    expect(alive.withdrawn).toBe(0);
    const report = await restarted.reconcileRun({ ...context, liveUnitIds: new Set(), runOver: true });
    expect(report.withdrawn).toBe(1);
    expect(report.notes.join('\n')).toContain(`study ${studyId} was still ACTIVE`);
    expect(h.fake.study(studyId ?? '')?.status).toBe('COMPLETED');
    expect(
      (await restarted.reconcileRun({ ...context, liveUnitIds: new Set(), runOver: true })).withdrawn,
    ).toBe(0);
  });

  it('reports reviews done on Prolific but not in the store, and completions without a submit', async () => {
    const context = await h.newRun();
    await h.provider.setupRun(context);
    const units = await h.newUnits(context, 2);
    await h.provider.launchUnits(context, units);
    const [reviewedUnit, sneakyUnit] = units;
    if (reviewedUnit === undefined || sneakyUnit === undefined) throw new Error('no units');
    const reviewed = await h.takeUnit(context, reviewedUnit, 'p1', { complete: true });
    h.fake.reviewOnPlatform(reviewed.submissionId, 'APPROVE');
    const sneaky = await h.takeUnit(context, sneakyUnit, 'p2');
    h.fake.completeSubmission(
      sneaky.submissionId,
      (await h.provider.completionCode(context.taskRun.id)) ?? '',
    );
    const live = new Set([sneakyUnit.id]);
    const report = await h.newProvider().reconcileRun({ ...context, liveUnitIds: live, runOver: false });
    expect(report.recorded).toBe(1);
    const notes = report.notes.join('\n');
    expect(notes).toContain(
      `submission ${reviewed.submissionId} of participant p1 is APPROVED on Prolific but agent ${reviewed.work.agent.id} is completed`,
    );
    expect(notes).toContain(
      `submission ${sneaky.submissionId} of participant p2 was completed on Prolific without a submit`,
    );
    expect(
      await h.store.getProviderRecord('prolific', 'platform_review', reviewed.submissionId),
    ).toMatchObject({
      data: { status: 'APPROVED', agentId: reviewed.work.agent.id, storeStatus: 'completed' },
    });
    // Reported again, recorded once.
    expect((await h.provider.reconcileRun({ ...context, liveUnitIds: live, runOver: false })).recorded).toBe(
      0,
    );
  });

  it('confirms a bonus payment a crash left unrecorded', async () => {
    const { context, work } = await completedWork();
    const crashing = h.newProvider({
      client: new CrashAfterPay({ token: h.fake.token, baseUrl: h.fake.url, sleep: () => Promise.resolve() }),
    });
    await expect(crashing.payBonus(bonus(work, 'bonus-reconcile'))).rejects.toThrow();
    const restarted = h.newProvider();
    const report = await restarted.reconcileRun({ ...context, liveUnitIds: new Set(), runOver: false });
    expect(report.recorded).toBe(1);
    expect(report.notes.join('\n')).toContain('bonus bonus-reconcile: its payment');
    const record = await h.store.getProviderRecord('prolific', 'bonus_pay', 'bonus-reconcile');
    expect(record?.data).toMatchObject({ state: 'paid' });
    expect(await restarted.payBonus(bonus(work, 'bonus-reconcile'))).toMatchObject({ status: 'done' });
    expect(h.fake.requestsTo('bonuses.pay')).toHaveLength(1);
  });
});
