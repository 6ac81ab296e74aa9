/**
 * The payments ledger as review actions fill it, on every store: an approval pays the reward, a bonus
 * its amount, each beside the platform's fee; in-house payments are owed; the run's budget refuses a
 * payment that would pass it before the provider is called; a failed or interrupted payment is retried
 * under its key and paid once.
 */
import { describe, expect, it } from 'vitest';
import type {
  ProviderChargeKind,
  ProviderDutyResult,
  ProviderBonusRequest,
} from '../../src/providers/crowd-provider.js';
import { InhouseProvider } from '../../src/providers/inhouse/inhouse-provider.js';
import { MockProvider } from '../../src/providers/mock/mock-provider.js';
import { ReviewService } from '../../src/review/review-service.js';
import { STORE_TARGETS, useStore } from '../store/store-targets.js';
import { newKey, reviewServiceWith, seedRun } from './review-fixtures.js';

/** A mock charging MTurk's 20% fee. */
class FeeChargingProvider extends MockProvider {
  feeFor(amount: number, _kind: ProviderChargeKind): number {
    return Math.round(amount * 20) / 100;
  }
}

/** Pays through the mock, then fails once as if the process died before recording the answer. */
class DiesAfterPaying extends MockProvider {
  died = false;
  override async payBonus(request: ProviderBonusRequest): Promise<ProviderDutyResult> {
    const result = await super.payBonus(request);
    if (!this.died) {
      this.died = true;
      throw new Error('connection reset after the bonus was sent');
    }
    return result;
  }
}

for (const target of STORE_TARGETS) {
  describe.skipIf(!target.available)(`payments ledger through review [${target.name}]`, () => {
    const h = useStore(target, { poolSize: 8 });

    it('approve and soft-reject pay the reward with its fee; reject pays nothing; a repeat adds nothing', async () => {
      const { service } = reviewServiceWith(h.store, new FeeChargingProvider());
      const seeded = await seedRun(h.store, { pay: 1.25 });
      const [a, b, c] = seeded.completed;
      if (!a || !b || !c) throw new Error('seed');
      const key = newKey();
      await service.actOnUnit(a.id, { action: 'approve', idempotency_key: key });
      await service.actOnUnit(a.id, { action: 'approve', idempotency_key: key });
      await service.actOnUnit(b.id, { action: 'soft_reject', idempotency_key: newKey() });
      await service.actOnUnit(c.id, { action: 'reject', feedback: 'empty', idempotency_key: newKey() });
      const ledger = await h.store.findPayments({ taskRunId: seeded.run.id });
      expect(ledger.map((p) => [p.unitId, p.kind, p.amountCents, p.status])).toEqual([
        [a.id, 'reward', 125, 'paid'],
        [a.id, 'fee', 25, 'paid'],
        [b.id, 'reward', 125, 'paid'],
        [b.id, 'fee', 25, 'paid'],
      ]);
      expect(ledger[0]?.providerReference).toMatch(/^mock-/);
      expect(ledger[0]?.workerId).toBe(a.workerId);
      const [totals] = await h.store.sumPayments([seeded.run.id]);
      expect(totals).toMatchObject({ paidCents: 300, rewardCents: 250, feeCents: 50, bonusCents: 0 });
    });

    it('in-house rewards and bonuses are recorded as owed', async () => {
      const provider = new InhouseProvider({ _provider_type: 'inhouse', ui_base_url: '' });
      const service = new ReviewService({
        store: h.store,
        providers: { forRun: () => provider, forWorker: () => provider },
      });
      const seeded = await seedRun(h.store, { pay: 0.5, providerType: 'inhouse' });
      const [a] = seeded.completed;
      if (!a) throw new Error('seed');
      await service.actOnUnit(a.id, { action: 'approve', idempotency_key: newKey() });
      await service.actOnUnit(a.id, {
        action: 'bonus',
        amount: 2,
        reason: 'thanks',
        idempotency_key: newKey(),
      });
      const ledger = await h.store.findPayments({ taskRunId: seeded.run.id });
      expect(ledger.map((p) => [p.kind, p.amountCents, p.status])).toEqual([
        ['reward', 50, 'manual'],
        ['bonus', 200, 'manual'],
      ]);
    });

    it('refuses a payment over the run budget without calling the provider', async () => {
      const { service, provider } = reviewServiceWith(h.store);
      const seeded = await seedRun(h.store, { pay: 0.5, providerArgs: { budget_in_dollars: 1.2 } });
      const [a, b, c] = seeded.completed;
      if (!a || !b || !c) throw new Error('seed');
      await service.actOnUnit(a.id, { action: 'approve', idempotency_key: newKey() });
      await service.actOnUnit(b.id, { action: 'approve', idempotency_key: newKey() });
      const over = await service.actOnUnit(c.id, { action: 'approve', idempotency_key: newKey() });
      expect(over.provider?.state).toBe('failed');
      expect(over.provider?.message).toMatch(/over its budget of \$1\.20/);
      const bonus = await service.actOnUnit(a.id, {
        action: 'bonus',
        amount: 0.25,
        reason: 'x',
        idempotency_key: newKey(),
      });
      expect(bonus.provider?.state).toBe('failed');
      const small = await service.actOnUnit(a.id, {
        action: 'bonus',
        amount: 0.2,
        reason: 'x',
        idempotency_key: newKey(),
      });
      expect(small.provider?.state).toBe('done');
      expect(provider.reviewCalls.map((call) => call.duty)).toEqual([
        'approveWork',
        'approveWork',
        'payBonus',
      ]);
      const [totals] = await h.store.sumPayments([seeded.run.id]);
      expect(totals?.paidCents).toBe(120);
    });

    it('a failed bonus is released, and its retry under the same key pays once', async () => {
      const { service, provider } = reviewServiceWith(h.store);
      const seeded = await seedRun(h.store, { providerArgs: { budget_in_dollars: 3 } });
      const [a] = seeded.completed;
      if (!a) throw new Error('seed');
      const key = newKey();
      provider.failNext('payBonus', new Error('ServiceFault: try again'));
      const first = await service.actOnUnit(a.id, {
        action: 'bonus',
        amount: 3,
        reason: 'great',
        idempotency_key: key,
      });
      expect(first.provider).toEqual({ state: 'failed', message: 'ServiceFault: try again' });
      expect((await h.store.findPayments({ taskRunId: seeded.run.id })).map((p) => p.status)).toEqual([
        'failed',
      ]);
      // The whole budget is free again, so the retry fits it.
      const retry = await service.actOnUnit(a.id, {
        action: 'bonus',
        amount: 3,
        reason: 'great',
        idempotency_key: key,
      });
      expect(retry.provider?.state).toBe('done');
      expect(provider.reviewCalls.filter((c) => c.duty === 'payBonus')).toHaveLength(1);
      expect(
        (await h.store.findPayments({ taskRunId: seeded.run.id })).map((p) => [p.status, p.amountCents]),
      ).toEqual([['paid', 300]]);
    });

    it('a payment whose outcome is unknown stays pending and counted, and its retry settles it once', async () => {
      const { service, provider } = reviewServiceWith(h.store);
      const seeded = await seedRun(h.store, { pay: 0.5, providerArgs: { budget_in_dollars: 2 } });
      const [a, b] = seeded.completed;
      if (!a || !b) throw new Error('seed');
      const key = newKey();
      provider.failNext(
        'payBonus',
        Object.assign(new Error('SendBonus timed out'), { outcomeUnknown: true }),
      );
      const first = await service.actOnUnit(a.id, {
        action: 'bonus',
        amount: 1.7,
        reason: 'r',
        idempotency_key: key,
      });
      expect(first.provider?.state).toBe('failed');
      expect((await h.store.findPayments({ taskRunId: seeded.run.id })).map((p) => p.status)).toEqual([
        'pending',
      ]);
      // Still counted: the platform may have paid it, so an approval that fits only without it is refused.
      const approve = await service.actOnUnit(b.id, { action: 'approve', idempotency_key: newKey() });
      expect(approve.provider?.message).toMatch(/over its budget/);
      const retry = await service.actOnUnit(a.id, {
        action: 'bonus',
        amount: 1.7,
        reason: 'r',
        idempotency_key: key,
      });
      expect(retry.provider?.state).toBe('done');
      expect(provider.reviewCalls.filter((c) => c.duty === 'payBonus')).toHaveLength(1);
      expect(
        (await h.store.findPayments({ taskRunId: seeded.run.id })).map((p) => [p.kind, p.status]),
      ).toEqual([['bonus', 'paid']]);
    });

    it('a bonus sent but not recorded (the call died after paying) is paid once on retry', async () => {
      const provider = new DiesAfterPaying();
      const { service } = reviewServiceWith(h.store, provider);
      const seeded = await seedRun(h.store);
      const [a] = seeded.completed;
      if (!a) throw new Error('seed');
      const key = newKey();
      const first = await service.actOnUnit(a.id, {
        action: 'bonus',
        amount: 1,
        reason: 'r',
        idempotency_key: key,
      });
      expect(first.provider?.state).toBe('failed');
      const retry = await service.actOnUnit(a.id, {
        action: 'bonus',
        amount: 1,
        reason: 'r',
        idempotency_key: key,
      });
      expect(retry.provider?.state).toBe('done');
      // The platform honours the key: one payment, whatever the number of calls.
      expect(provider.reviewCalls.filter((c) => c.duty === 'payBonus')).toHaveLength(1);
      expect(provider.reviewCallCount).toBe(2);
      const ledger = await h.store.findPayments({ taskRunId: seeded.run.id });
      expect(ledger.map((p) => [p.kind, p.status, p.amountCents])).toEqual([['bonus', 'paid', 100]]);
    });

    it('grant and revoke reach the provider with the qualification name and value', async () => {
      const { service, provider } = reviewServiceWith(h.store);
      const seeded = await seedRun(h.store);
      const worker = seeded.workers[0];
      if (!worker) throw new Error('seed');
      await service.createQualification({ name: `skilled-${seeded.taskName}` });
      await service.grantQualification(`skilled-${seeded.taskName}`, {
        worker_id: worker.id,
        value: 7,
        idempotency_key: newKey(),
      });
      await service.revokeQualification(`skilled-${seeded.taskName}`, {
        worker_id: worker.id,
        idempotency_key: newKey(),
      });
      expect(
        provider.reviewCalls.map((c) =>
          c.duty === 'grantQualification' || c.duty === 'revokeQualification'
            ? [c.duty, c.request.qualificationName, c.request.value, c.request.worker.id]
            : [c.duty],
        ),
      ).toEqual([
        ['grantQualification', `skilled-${seeded.taskName}`, 7, worker.id],
        ['revokeQualification', `skilled-${seeded.taskName}`, null, worker.id],
      ]);
    });
  });
}
