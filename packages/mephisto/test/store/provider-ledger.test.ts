/**
 * Store conformance: providers' own records and the payments ledger (migration 0006). The ledger's
 * promises are what keep a payment from being counted or sent twice: one entry per idempotency key, a
 * budget checked and written in one transaction, and concurrent reservations that never pass it.
 */
import { describe, expect, it } from 'vitest';
import { BudgetExceededError } from '../../src/core/index.js';
import type { NewPayment } from '../../src/store/store.js';
import { expectInvalidArgument, expectNotFound, Fixtures, MISSING_ID, rejectionOf } from './fixtures.js';
import { STORE_TARGETS, useStore } from './store-targets.js';

function reward(key: string, cents: number, over: Partial<NewPayment> = {}): NewPayment {
  return { kind: 'reward', amountCents: cents, idempotencyKey: key, ...over };
}

for (const target of STORE_TARGETS) {
  describe.skipIf(!target.available)(`store conformance [${target.name}]: provider records`, () => {
    const h = useStore(target);
    const f = new Fixtures(() => h.store);

    it('put inserts, then replaces the data under the same key; get and find read it back', async () => {
      const run = await f.taskRun();
      const unit = await f.unit();
      const first = await h.store.putProviderRecord({
        providerType: 'mturk',
        kind: 'hit',
        key: 'HIT1',
        taskRunId: run.id,
        unitId: unit.id,
        data: { status: 'Assignable', n: 1 },
      });
      expect(first).toMatchObject({ providerType: 'mturk', kind: 'hit', key: 'HIT1', taskRunId: run.id });
      h.clock.advance(1000);
      const second = await h.store.putProviderRecord({
        providerType: 'mturk',
        kind: 'hit',
        key: 'HIT1',
        taskRunId: run.id,
        unitId: unit.id,
        data: { status: 'Disposed' },
      });
      expect(second.data).toEqual({ status: 'Disposed' });
      expect(second.createdAt).toEqual(first.createdAt);
      expect(second.updatedAt.getTime()).toBe(first.createdAt.getTime() + 1000);
      expect(await h.store.getProviderRecord('mturk', 'hit', 'HIT1')).toEqual(second);
      expect(await h.store.getProviderRecord('mturk', 'hit', 'other')).toBeNull();
      expect(await h.store.getProviderRecord('prolific', 'hit', 'HIT1')).toBeNull();
      await h.store.putProviderRecord({ providerType: 'mturk', kind: 'hit', key: 'HIT2', data: [1, 'x'] });
      await h.store.putProviderRecord({
        providerType: 'mturk',
        kind: 'hit_type',
        key: 'T',
        taskRunId: run.id,
        data: 'T',
      });
      expect(
        (await h.store.findProviderRecords({ providerType: 'mturk', kind: 'hit' })).map((r) => r.key),
      ).toEqual(['HIT1', 'HIT2']);
      expect(
        (await h.store.findProviderRecords({ providerType: 'mturk', taskRunId: run.id })).map((r) => r.key),
      ).toEqual(['HIT1', 'T']);
      expect(
        (await h.store.findProviderRecords({ providerType: 'mturk', unitId: unit.id })).map((r) => r.key),
      ).toEqual(['HIT1']);
      expect(await h.store.findProviderRecords({ providerType: 'mturk', taskRunId: 'bogus' })).toEqual([]);
      expect(await h.store.deleteProviderRecord('mturk', 'hit', 'HIT2')).toBe(true);
      expect(await h.store.deleteProviderRecord('mturk', 'hit', 'HIT2')).toBe(false);
    });

    it('insert claims a key once: 20 concurrent inserts of one key, exactly one creates', async () => {
      const attempts = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          h.store.insertProviderRecord({
            providerType: 'prolific',
            kind: 'bonus',
            key: 'k1',
            data: { attempt: i },
          }),
        ),
      );
      expect(attempts.filter((a) => a.created)).toHaveLength(1);
      const winner = attempts.find((a) => a.created)?.record.data;
      expect(winner).toBeDefined();
      for (const a of attempts) expect(a.record.data).toEqual(winner);
    });

    it('refuses empty names, null data and bad references', async () => {
      await expectInvalidArgument(
        h.store.putProviderRecord({ providerType: '', kind: 'k', key: 'x', data: 1 }),
      );
      await expectInvalidArgument(
        h.store.putProviderRecord({ providerType: 'p', kind: 'k', key: 'x', data: null }),
      );
      await expectInvalidArgument(
        h.store.putProviderRecord({ providerType: 'p', kind: 'k', key: 'x', taskRunId: 'run-1', data: 1 }),
      );
      await expectNotFound(
        h.store.putProviderRecord({ providerType: 'p', kind: 'k', key: 'x', taskRunId: MISSING_ID, data: 1 }),
        'task_run',
      );
      await expectNotFound(
        h.store.insertProviderRecord({
          providerType: 'p',
          kind: 'k',
          key: 'x',
          taskRunId: MISSING_ID,
          data: 1,
        }),
        'task_run',
      );
      expect(await h.store.findProviderRecords({ providerType: 'p' })).toEqual([]);
    });
  });

  describe.skipIf(!target.available)(`store conformance [${target.name}]: payments ledger`, () => {
    const h = useStore(target);
    const f = new Fixtures(() => h.store);

    it('reserves pending entries, settles them, and sums them per run and kind', async () => {
      const run = await f.taskRun();
      const worker = await f.worker();
      const unit = await f.unit();
      const reserved = await h.store.reservePayments({
        taskRunId: run.id,
        providerType: 'mturk',
        budgetCents: null,
        entries: [
          reward('r1', 150, { unitId: unit.id, workerId: worker.id }),
          { kind: 'fee', amountCents: 30, idempotencyKey: 'r1:fee', unitId: unit.id, workerId: worker.id },
        ],
      });
      expect(reserved.map((p) => [p.idempotencyKey, p.status, p.amountCents, p.kind])).toEqual([
        ['r1', 'pending', 150, 'reward'],
        ['r1:fee', 'pending', 30, 'fee'],
      ]);
      const settled = await h.store.settlePayments(['r1', 'r1:fee', 'unknown'], {
        status: 'paid',
        providerReference: 'ASSIGN-1',
      });
      expect(settled.map((p) => [p.status, p.providerReference])).toEqual([
        ['paid', 'ASSIGN-1'],
        ['paid', 'ASSIGN-1'],
      ]);
      await h.store.reservePayments({
        taskRunId: run.id,
        providerType: 'mturk',
        budgetCents: null,
        entries: [
          { kind: 'bonus', amountCents: 50, idempotencyKey: 'b1', workerId: worker.id, unitId: unit.id },
        ],
      });
      await h.store.reservePayments({
        taskRunId: run.id,
        providerType: 'mturk',
        budgetCents: null,
        entries: [{ kind: 'bonus', amountCents: 70, idempotencyKey: 'b2', workerId: worker.id }],
      });
      await h.store.settlePayments(['b2'], { status: 'failed', note: 'insufficient funds' });
      expect(await h.store.sumPayments([run.id])).toEqual([
        {
          taskRunId: run.id,
          paidCents: 180,
          pendingCents: 50,
          manualCents: 0,
          failedCents: 70,
          rewardCents: 150,
          bonusCents: 50,
          feeCents: 30,
        },
      ]);
      expect(
        (await h.store.findPayments({ workerId: worker.id, status: 'failed' })).map((p) => p.note),
      ).toEqual(['insufficient funds']);
      expect((await h.store.findPayments({ unitId: unit.id })).map((p) => p.idempotencyKey)).toEqual([
        'r1',
        'r1:fee',
        'b1',
      ]);
      expect(await h.store.findPayments({ taskRunId: 'bogus' })).toEqual([]);
    });

    it('is idempotent by key: a repeated reservation returns the entry and adds nothing', async () => {
      const run = await f.taskRun();
      const first = await h.store.reservePayments({
        taskRunId: run.id,
        providerType: 'mock',
        budgetCents: 100,
        entries: [reward('same', 100)],
      });
      // The budget is full, yet the same key is accepted again: it is not a second payment.
      const again = await h.store.reservePayments({
        taskRunId: run.id,
        providerType: 'mock',
        budgetCents: 100,
        entries: [reward('same', 100)],
      });
      expect(again).toEqual(first);
      expect(await h.store.findPayments({ taskRunId: run.id })).toHaveLength(1);
      // The same key for another amount is a caller's bug, refused.
      await expectInvalidArgument(
        h.store.reservePayments({
          taskRunId: run.id,
          providerType: 'mock',
          budgetCents: null,
          entries: [reward('same', 5)],
        }),
      );
    });

    it('refuses a reservation over the budget and writes nothing; a failed entry is released', async () => {
      const run = await f.taskRun();
      await h.store.reservePayments({
        taskRunId: run.id,
        providerType: 'mock',
        budgetCents: 1000,
        entries: [reward('a', 600)],
      });
      const error = await rejectionOf(
        h.store.reservePayments({
          taskRunId: run.id,
          providerType: 'mock',
          budgetCents: 1000,
          entries: [reward('b', 300), reward('c', 200)],
        }),
      );
      expect(error).toBeInstanceOf(BudgetExceededError);
      expect(error).toMatchObject({
        code: 'MEPHISTO_ERR_BUDGET_EXCEEDED',
        spentCents: 600,
        requestedCents: 500,
      });
      expect((error as Error).message).toContain('$10.00');
      expect(await h.store.findPayments({ taskRunId: run.id })).toHaveLength(1);
      await h.store.settlePayments(['a'], { status: 'failed', note: 'refused' });
      await h.store.reservePayments({
        taskRunId: run.id,
        providerType: 'mock',
        budgetCents: 1000,
        entries: [reward('b', 300), reward('c', 200)],
      });
      // Retrying the failed key reserves it again, and so counts against the budget again.
      await expect(
        h.store.reservePayments({
          taskRunId: run.id,
          providerType: 'mock',
          budgetCents: 1000,
          entries: [reward('a', 600)],
        }),
      ).rejects.toBeInstanceOf(BudgetExceededError);
      const [retried] = await h.store.reservePayments({
        taskRunId: run.id,
        providerType: 'mock',
        budgetCents: 1100,
        entries: [reward('a', 600)],
      });
      expect(retried).toMatchObject({ status: 'pending', note: null });
    });

    it('never passes the budget under 30 concurrent reservations', async () => {
      const run = await f.taskRun();
      const results = await Promise.allSettled(
        Array.from({ length: 30 }, (_, i) =>
          h.store.reservePayments({
            taskRunId: run.id,
            providerType: 'mock',
            budgetCents: 1000,
            entries: [{ kind: 'bonus', amountCents: 100, idempotencyKey: `bonus-${i}` }],
          }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
      for (const r of results)
        if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(BudgetExceededError);
      const [totals] = await h.store.sumPayments([run.id]);
      expect(totals?.pendingCents).toBe(1000);
    });

    it('refuses bad entries and a missing run', async () => {
      const run = await f.taskRun();
      const base = { taskRunId: run.id, providerType: 'mock', budgetCents: null };
      await expectInvalidArgument(h.store.reservePayments({ ...base, entries: [reward('x', 0)] }));
      await expectInvalidArgument(h.store.reservePayments({ ...base, entries: [reward('x', 1.5)] }));
      await expectInvalidArgument(h.store.reservePayments({ ...base, entries: [reward('', 1)] }));
      await expectInvalidArgument(
        h.store.reservePayments({ ...base, entries: [reward('x', 1), reward('x', 1)] }),
      );
      await expectInvalidArgument(
        h.store.reservePayments({
          ...base,
          entries: [{ kind: 'tip' as 'bonus', amountCents: 1, idempotencyKey: 'x' }],
        }),
      );
      await expectNotFound(
        h.store.reservePayments({ ...base, taskRunId: MISSING_ID, entries: [reward('x', 1)] }),
        'task_run',
      );
      await expectNotFound(
        h.store.reservePayments({ ...base, entries: [reward('x', 1, { unitId: 'u' })] }),
        'unit',
      );
      expect(await h.store.findPayments()).toEqual([]);
    });
  });
}
