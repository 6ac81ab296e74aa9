/**
 * Work MTurk approved outside a review (auto-approval after `auto_approve_delay_in_seconds`, the
 * requester's MTurk UI) is recorded in the payments ledger by reconcileRun: once, never on top of a
 * review's reward, and a review approving it afterwards adds nothing. On a real SQLite store, with the
 * review service (its ledger reservation and settlement) approving through the same provider, and the
 * MTurk fake's clock moved past the auto-approval delay.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Agent, TaskRun, Unit, Worker } from '../../../src/core/index.js';
import type { ProviderReconcileContext } from '../../../src/providers/crowd-provider.js';
import { ReviewService } from '../../../src/review/review-service.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { Fixtures } from '../../store/fixtures.js';
import { TEST_SERVER_URL } from '../provider-fixtures.js';
import { startMturkHarness, submitWork, TestClock, type MturkHarness } from './mturk-test-kit.js';

const AUTO_APPROVE_SECONDS = 3600;

let dir: string;
let store: Store;
let h: MturkHarness;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mephisto-ts-mturk-approvals-'));
  store = await openStore({ kind: 'sqlite', path: join(dir, 'database.db') });
  h = await startMturkHarness({
    store,
    clock: new TestClock(),
    providerArgs: { auto_approve_delay_in_seconds: AUTO_APPROVE_SECONDS },
  });
});
afterEach(async () => {
  await h.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Work {
  readonly unit: Unit;
  readonly agent: Agent;
  readonly worker: Worker;
  readonly assignmentId: string;
}

/** A run of `count` units launched on the fake, each taken, registered and submitted by its own worker. */
async function submittedRun(count: number): Promise<{ context: ProviderReconcileContext; work: Work[] }> {
  const fixtures = new Fixtures(() => store);
  const run: TaskRun = await fixtures.taskRun({ providerType: 'mturk_sandbox' });
  const assignment = await fixtures.assignment({ taskRunId: run.id });
  const context: ProviderReconcileContext = {
    taskRun: run,
    providerArgs: {},
    taskArgs: { task_title: 'Rate', task_description: 'Rate sentences', task_reward: 0.3, task_tags: 'rate' },
    serverUrl: TEST_SERVER_URL,
    liveUnitIds: new Set(),
    runOver: false,
  };
  await h.provider.setupRun(context);
  const units: Unit[] = [];
  for (let i = 0; i < count; i++) {
    const unit = await store.createUnit({ assignmentId: assignment.id, unitIndex: i, payAmount: 0.3 });
    units.push(await store.transitionUnit(unit.id, { from: 'created', to: 'launched' }));
  }
  await h.provider.launchUnits(context, units);
  const work: Work[] = [];
  for (const [i, unit] of units.entries()) {
    const worker = await store.createWorker({
      name: `A${String(i)}APPROVE_sandbox`,
      providerType: 'mturk_sandbox',
    });
    const agent = await store.createAgent({ workerId: worker.id, unitId: unit.id, status: 'in task' });
    const assignmentId = await submitWork(h, context, { unit, agent, worker });
    const submitted = await store.submitAgent(agent.id, { answer: i });
    work.push({ unit: submitted.unit, agent: submitted.agent, worker, assignmentId });
  }
  return { context, work };
}

function review(): ReviewService {
  return new ReviewService({ store, providers: { forRun: () => h.provider, forWorker: () => h.provider } });
}

/** The run's ledger as `kind unit cents status reference`, sorted. */
async function ledger(runId: string): Promise<string[]> {
  return (await store.findPayments({ taskRunId: runId }))
    .map(
      (p) =>
        `${p.kind} ${p.unitId ?? '-'} ${String(p.amountCents)} ${p.status} ${p.providerReference ?? '-'}`,
    )
    .sort();
}

/** What the fake charged the account, cents (rewards and commissions; its ledger counts debits negative). */
function charged(): number {
  return -h.fake.ledger().reduce((sum, entry) => sum + entry.cents, 0);
}

describe('MTurk reconcile: approvals made on MTurk go to the ledger', () => {
  it('records auto-approved work once, skips work approved through a review, and a later review adds nothing', async () => {
    const { context, work } = await submittedRun(3);
    const [reviewed, auto, late] = work;
    if (reviewed === undefined || auto === undefined || late === undefined) throw new Error('no work');
    const runId = context.taskRun.id;

    // Before the delay nothing is approved on MTurk, and reconcile records nothing.
    expect(await h.provider.reconcileRun(context)).toMatchObject({ recorded: 0 });
    expect(await ledger(runId)).toEqual([]);

    // One unit is approved through a review (the ledger gets its reward and fee from the review).
    await review().actOnUnit(reviewed.unit.id, { action: 'approve', idempotency_key: 'approve-first' });
    expect(await ledger(runId)).toEqual([
      `fee ${reviewed.unit.id} 6 paid ${reviewed.assignmentId}`,
      `reward ${reviewed.unit.id} 30 paid ${reviewed.assignmentId}`,
    ]);

    // MTurk approves the other two by itself once the delay has passed.
    h.clock.advance(AUTO_APPROVE_SECONDS + 1);
    const report = await h.provider.reconcileRun(context);
    expect(report.recorded).toBe(2);
    const notes = report.notes.join('\n');
    expect(notes).toContain(`assignment ${auto.assignmentId}`);
    expect(notes).toContain('approved automatically by MTurk after the auto-approval delay');
    expect(notes).not.toContain(reviewed.assignmentId);
    const expected = [
      `fee ${auto.unit.id} 6 paid ${auto.assignmentId}`,
      `fee ${late.unit.id} 6 paid ${late.assignmentId}`,
      `fee ${reviewed.unit.id} 6 paid ${reviewed.assignmentId}`,
      `reward ${auto.unit.id} 30 paid ${auto.assignmentId}`,
      `reward ${late.unit.id} 30 paid ${late.assignmentId}`,
      `reward ${reviewed.unit.id} 30 paid ${reviewed.assignmentId}`,
    ].sort();
    expect(await ledger(runId)).toEqual(expected);
    const entry = (await store.findPayments({ unitId: auto.unit.id })).find((p) => p.kind === 'reward');
    expect(entry).toMatchObject({
      idempotencyKey: `mturk_sandbox:approved:${auto.assignmentId}:reward`,
      workerId: auto.worker.id,
      providerType: 'mturk_sandbox',
      note: 'approved automatically by MTurk after the auto-approval delay',
    });

    // A second reconcile records nothing, and asks MTurk nothing about work the ledger already names.
    const lists = h.fake.calls('ListAssignmentsForHIT').length;
    expect(await h.provider.reconcileRun(context)).toMatchObject({ recorded: 0 });
    expect(h.fake.calls('ListAssignmentsForHIT')).toHaveLength(lists);

    // The reviewer approves auto-approved work afterwards: done, and the ledger does not count it again.
    const answer = await review().actOnUnit(late.unit.id, {
      action: 'approve',
      idempotency_key: 'approve-late',
    });
    expect(answer).toMatchObject({ applied: true, provider: { state: 'done' } });
    expect(await ledger(runId)).toEqual(expected);

    // The ledger's totals are what MTurk charged: 3 × (30¢ + 6¢).
    const [totals] = await store.sumPayments([runId]);
    expect(totals).toMatchObject({ paidCents: 108, rewardCents: 90, feeCents: 18, pendingCents: 0 });
    expect(charged()).toBe(108);
  });

  it("records work the requester approved in MTurk's own UI, once", async () => {
    const { context, work } = await submittedRun(1);
    const [only] = work;
    if (only === undefined) throw new Error('no work');
    // Approved on MTurk directly (the requester's UI calls ApproveAssignment too), not through mephisto-ts.
    await h.provider.api.call('ApproveAssignment', async (client) => {
      const { ApproveAssignmentCommand } = await import('@aws-sdk/client-mturk');
      return client.send(new ApproveAssignmentCommand({ AssignmentId: only.assignmentId }));
    });
    const report = await h.provider.reconcileRun(context);
    expect(report.recorded).toBe(1);
    expect(report.notes.join('\n')).toContain("the requester's MTurk UI");
    expect(await h.provider.reconcileRun(context)).toMatchObject({ recorded: 0 });
    expect(await ledger(context.taskRun.id)).toEqual([
      `fee ${only.unit.id} 6 paid ${only.assignmentId}`,
      `reward ${only.unit.id} 30 paid ${only.assignmentId}`,
    ]);
  });

  it('leaves a review still pending alone: its reward is the payment', async () => {
    const { context, work } = await submittedRun(1);
    const [only] = work;
    if (only === undefined) throw new Error('no work');
    // A review reserved the reward, then its process died before calling MTurk.
    await store.reservePayments({
      taskRunId: context.taskRun.id,
      providerType: 'mturk_sandbox',
      budgetCents: null,
      entries: [
        {
          unitId: only.unit.id,
          workerId: only.worker.id,
          kind: 'reward',
          amountCents: 30,
          idempotencyKey: 'rv1-x:reward',
        },
        {
          unitId: only.unit.id,
          workerId: only.worker.id,
          kind: 'fee',
          amountCents: 6,
          idempotencyKey: 'rv1-x:fee',
        },
      ],
    });
    h.clock.advance(AUTO_APPROVE_SECONDS + 1);
    expect(await h.provider.reconcileRun(context)).toMatchObject({ recorded: 0 });
    const [totals] = await store.sumPayments([context.taskRun.id]);
    expect(totals).toMatchObject({ pendingCents: 36, paidCents: 0 });
  });

  it('teardown records nothing, and a provider over provider records alone (no ledger) skips the ledger', async () => {
    const { context } = await submittedRun(1);
    h.clock.advance(AUTO_APPROVE_SECONDS + 1);
    await h.provider.teardownRun(context);
    expect(await store.findPayments({ taskRunId: context.taskRun.id })).toEqual([]);
    const recordsOnly = h.restart(
      {},
      {
        putProviderRecord: (r) => store.putProviderRecord(r),
        insertProviderRecord: (r) => store.insertProviderRecord(r),
        getProviderRecord: (t, k, key) => store.getProviderRecord(t, k, key),
        findProviderRecords: (f) => store.findProviderRecords(f),
        deleteProviderRecord: (t, k, key) => store.deleteProviderRecord(t, k, key),
      },
    );
    expect(await recordsOnly.reconcileRun(context)).toMatchObject({ recorded: 0 });
    expect(h.fake.calls('ListAssignmentsForHIT')).toHaveLength(0);
  });
});
