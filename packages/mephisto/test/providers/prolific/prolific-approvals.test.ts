/**
 * Submissions approved on Prolific outside a review (auto-approval, the researcher's Prolific app) are
 * recorded in the payments ledger by reconcileRun: once, never on top of a review's reward, and a
 * review approving them afterwards adds nothing. The review service approves through the same provider.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProviderRunContext, ReviewedWork } from '../../../src/providers/crowd-provider.js';
import { ReviewService } from '../../../src/review/review-service.js';
import { openProlificHarness, type ProlificHarness } from './prolific-harness.js';

let h: ProlificHarness;

beforeEach(async () => {
  h = await openProlificHarness();
});
afterEach(async () => {
  await h.close();
});

interface Taken {
  readonly work: ReviewedWork;
  readonly submissionId: string;
}

async function completedRun(count: number): Promise<{ context: ProviderRunContext; taken: Taken[] }> {
  const context = await h.newRun();
  await h.provider.setupRun(context);
  const units = await h.newUnits(context, count);
  await h.provider.launchUnits(context, units);
  const taken: Taken[] = [];
  for (const [i, unit] of units.entries())
    taken.push(await h.takeUnit(context, unit, `participant${String(i)}`, { complete: true }));
  return { context, taken };
}

function review(): ReviewService {
  return new ReviewService({
    store: h.store,
    providers: { forRun: () => h.provider, forWorker: () => h.provider },
  });
}

async function ledger(runId: string): Promise<string[]> {
  return (await h.store.findPayments({ taskRunId: runId }))
    .map(
      (p) =>
        `${p.kind} ${p.unitId ?? '-'} ${String(p.amountCents)} ${p.status} ${p.providerReference ?? '-'}`,
    )
    .sort();
}

const reconcileOf = (context: ProviderRunContext) => ({
  ...context,
  liveUnitIds: new Set<string>(),
  runOver: false,
});

describe('Prolific reconcile: approvals made on Prolific go to the ledger', () => {
  it('records them once, skips work approved through a review, and a later review adds nothing', async () => {
    const { context, taken } = await completedRun(3);
    const [reviewed, onPlatform, late] = taken;
    if (reviewed === undefined || onPlatform === undefined || late === undefined) throw new Error('no work');
    const runId = context.taskRun.id;
    const before = h.fake.balance().total;

    await review().actOnUnit(reviewed.work.unit.id, { action: 'approve', idempotency_key: 'approve-first' });
    h.fake.reviewOnPlatform(onPlatform.submissionId, 'APPROVE');
    h.fake.reviewOnPlatform(late.submissionId, 'APPROVE');

    const report = await h.provider.reconcileRun(reconcileOf(context));
    expect(report.recorded).toBe(2);
    expect(report.notes.join('\n')).toContain(
      `submission ${onPlatform.submissionId} was approved on Prolific outside mephisto-ts`,
    );
    const expected = [reviewed, onPlatform, late]
      .flatMap((t) => [
        `fee ${t.work.unit.id} 10 paid ${t.submissionId}`,
        `reward ${t.work.unit.id} 30 paid ${t.submissionId}`,
      ])
      .sort();
    expect(await ledger(runId)).toEqual(expected);
    const entry = (await h.store.findPayments({ unitId: onPlatform.work.unit.id })).find(
      (p) => p.kind === 'reward',
    );
    expect(entry).toMatchObject({
      idempotencyKey: `prolific:approved:${onPlatform.submissionId}:reward`,
      workerId: onPlatform.work.worker.id,
      note: "approved on Prolific outside mephisto-ts (auto-approval or the researcher's Prolific app)",
    });

    // Again: nothing new (the platform_review records and the ledger entries are there).
    expect((await h.newProvider().reconcileRun(reconcileOf(context))).recorded).toBe(0);

    // The reviewer approves work Prolific already approved: done, not counted twice.
    const answer = await review().actOnUnit(late.work.unit.id, {
      action: 'approve',
      idempotency_key: 'approve-late',
    });
    expect(answer).toMatchObject({ applied: true, provider: { state: 'done' } });
    expect(await ledger(runId)).toEqual(expected);

    const [totals] = await h.store.sumPayments([runId]);
    expect(totals).toMatchObject({ paidCents: 120, rewardCents: 90, feeCents: 30, pendingCents: 0 });
    // What Prolific took from the workspace: the same.
    expect(before - h.fake.balance().total).toBe(120);
  });

  it('records nothing for a rejection on Prolific (no money moved), only the review finding', async () => {
    const { context, taken } = await completedRun(1);
    const [only] = taken;
    if (only === undefined) throw new Error('no work');
    h.fake.reviewOnPlatform(only.submissionId, 'REJECT');
    const report = await h.provider.reconcileRun(reconcileOf(context));
    expect(report.recorded).toBe(1);
    expect(await ledger(context.taskRun.id)).toEqual([]);
  });
});
