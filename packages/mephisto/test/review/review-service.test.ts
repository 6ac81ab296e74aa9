/**
 * The review service on every store: each action's effect on the unit, agent, `worker_review` and the
 * provider; the decision table's refusals; idempotency (retries, a key reused for another request,
 * concurrent duplicates); bulk actions; the provider call's order and its recovery after a crash.
 */
import { describe, expect, it } from 'vitest';
import { MephistoError } from '../../src/core/index.js';
import type { ProviderChargeKind } from '../../src/providers/crowd-provider.js';
import { InhouseProvider } from '../../src/providers/inhouse/inhouse-provider.js';
import { MockProvider } from '../../src/providers/mock/mock-provider.js';
import { providerIdempotencyKey } from '../../src/review/provider-delivery.js';
import { ReviewService } from '../../src/review/review-service.js';
import { STORE_TARGETS, useStore } from '../store/store-targets.js';
import { newKey, reviewServiceWith, seedRun } from './review-fixtures.js';

/** A mock charging MTurk's 20% fee. */
class FeeChargingProvider extends MockProvider {
  feeFor(amount: number, _kind: ProviderChargeKind): number {
    return Math.round(amount * 20) / 100;
  }
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MephistoError) return error.code;
    throw error;
  }
  throw new Error('expected a MephistoError');
}

for (const target of STORE_TARGETS) {
  describe.skipIf(!target.available)(`review service [${target.name}]`, () => {
    const h = useStore(target, { poolSize: 8 });

    it('approve: completed → accepted with the agent approved, a worker_review row, one provider call', async () => {
      const { service, provider } = reviewServiceWith(h.store);
      const seeded = await seedRun(h.store);
      const unit = seeded.completed[0];
      if (!unit) throw new Error('no unit');
      const key = newKey();
      const result = await service.actOnUnit(unit.id, {
        action: 'approve',
        feedback: 'nice',
        idempotency_key: key,
      });
      expect(result.applied).toBe(true);
      expect(result.unit.status).toBe('accepted');
      expect(result.unit.review).toMatchObject({ status: 'accepted', feedback: 'nice', bonus: 0 });
      expect(result.unit.review.reviewedAt).not.toBeNull();
      expect(result.provider).toEqual({ state: 'done', message: null });
      expect((await h.store.getAgent(unit.agentId ?? '')).status).toBe('approved');
      const reviews = await h.store.findWorkerReviews({ unitId: unit.id });
      expect(reviews).toHaveLength(1);
      expect(reviews[0]).toMatchObject({ status: 'approved', reviewNote: 'nice', workerId: unit.workerId });
      expect(provider.reviewCalls.map((c) => [c.duty, c.request.idempotencyKey])).toEqual([
        ['approveWork', providerIdempotencyKey(key, `unit:${unit.id}`)],
      ]);

      // The same key again: the first answer, nothing new.
      const again = await service.actOnUnit(unit.id, {
        action: 'approve',
        feedback: 'nice',
        idempotency_key: key,
      });
      expect(again.applied).toBe(false);
      expect(again.unit.status).toBe('accepted');
      expect(await h.store.findWorkerReviews({ unitId: unit.id })).toHaveLength(1);
      expect(provider.reviewCalls).toHaveLength(1);

      // A new key on an accepted unit: skipped, not an error.
      const skipped = await service.actOnUnit(unit.id, { action: 'approve', idempotency_key: newKey() });
      expect(skipped.applied).toBe(false);
      expect(await h.store.findWorkerReviews({ unitId: unit.id })).toHaveLength(1);
      expect(provider.reviewCalls).toHaveLength(1);
    });

    it('refuses what the decision table forbids, with its code, changing nothing', async () => {
      const { service, provider } = reviewServiceWith(h.store);
      const seeded = await seedRun(h.store);
      const [accepted, softened, completed] = seeded.completed;
      const launched = seeded.units.find((u) => u.status === 'launched');
      const assigned = seeded.assigned[0];
      if (!accepted || !softened || !completed || !launched || !assigned) throw new Error('seed');
      await service.actOnUnit(accepted.id, { action: 'approve', idempotency_key: newKey() });
      await service.actOnUnit(softened.id, { action: 'soft_reject', idempotency_key: newKey() });
      const calls = provider.reviewCalls.length;

      expect(
        await codeOf(
          service.actOnUnit(accepted.id, { action: 'reject', feedback: 'no', idempotency_key: newKey() }),
        ),
      ).toBe('MEPHISTO_ERR_REVIEW_CONFLICT');
      expect(
        await codeOf(service.actOnUnit(accepted.id, { action: 'soft_reject', idempotency_key: newKey() })),
      ).toBe('MEPHISTO_ERR_REVIEW_CONFLICT');
      expect(
        await codeOf(service.actOnUnit(softened.id, { action: 'approve', idempotency_key: newKey() })),
      ).toBe('MEPHISTO_ERR_REVIEW_CONFLICT');
      for (const unit of [launched, assigned])
        expect(
          await codeOf(service.actOnUnit(unit.id, { action: 'approve', idempotency_key: newKey() })),
        ).toBe('MEPHISTO_ERR_REVIEW_NOT_SUBMITTED');
      expect(
        await codeOf(
          service.actOnUnit(launched.id, {
            action: 'bonus',
            amount: 1,
            reason: 'x',
            idempotency_key: newKey(),
          }),
        ),
      ).toBe('MEPHISTO_ERR_REVIEW_NOT_SUBMITTED');
      expect(
        await codeOf(service.actOnUnit('999999999', { action: 'approve', idempotency_key: newKey() })),
      ).toBe('MEPHISTO_ERR_UNIT_NOT_FOUND');
      expect((await h.store.getUnit(accepted.id)).status).toBe('accepted');
      expect((await h.store.getUnit(softened.id)).status).toBe('soft_rejected');
      expect((await h.store.getUnit(completed.id)).status).toBe('completed');
      expect(provider.reviewCalls.length).toBe(calls);

      // A refusal is an answer too: the same key gets it again.
      const key = newKey();
      const first = await codeOf(
        service.actOnUnit(accepted.id, { action: 'reject', feedback: 'no', idempotency_key: key }),
      );
      expect(
        await codeOf(
          service.actOnUnit(accepted.id, { action: 'reject', feedback: 'no', idempotency_key: key }),
        ),
      ).toBe(first);
    });

    it('reject needs feedback; a rejection can be overturned by approving; soft-reject pays (approveWork)', async () => {
      const { service, provider } = reviewServiceWith(h.store);
      const seeded = await seedRun(h.store);
      const [a, b] = seeded.completed;
      if (!a || !b) throw new Error('seed');
      expect(
        await codeOf(
          service.actOnUnit(a.id, { action: 'reject', feedback: '  ', idempotency_key: newKey() }),
        ),
      ).toBe('MEPHISTO_ERR_REVIEW_INVALID_REQUEST');
      const rejected = await service.actOnUnit(a.id, {
        action: 'reject',
        feedback: 'off topic',
        idempotency_key: newKey(),
      });
      expect(rejected.unit.status).toBe('rejected');
      expect(rejected.unit.review.feedback).toBe('off topic');
      const overturned = await service.actOnUnit(a.id, {
        action: 'approve',
        feedback: 'sorry',
        idempotency_key: newKey(),
      });
      expect(overturned.applied).toBe(true);
      expect(overturned.unit.status).toBe('accepted');
      expect((await h.store.getAgent(a.agentId ?? '')).status).toBe('approved');
      const soft = await service.actOnUnit(b.id, { action: 'soft_reject', idempotency_key: newKey() });
      expect(soft.unit.status).toBe('soft_rejected');
      expect(provider.reviewCalls.map((c) => c.duty)).toEqual(['rejectWork', 'approveWork', 'approveWork']);
      const detail = await service.getUnit(a.id);
      expect(detail.history.map((e) => [e.action, e.feedback])).toEqual([
        ['reject', 'off topic'],
        ['approve', 'sorry'],
      ]);
    });

    it('bonus: positive whole cents with a reason; each key pays once; on completed and reviewed units', async () => {
      const { service, provider } = reviewServiceWith(h.store);
      const seeded = await seedRun(h.store);
      const [a, b] = seeded.completed;
      if (!a || !b) throw new Error('seed');
      for (const bad of [0, -1, 0.001, Number.NaN, 5000])
        expect(
          await codeOf(
            service.actOnUnit(a.id, { action: 'bonus', amount: bad, reason: 'x', idempotency_key: newKey() }),
          ),
        ).toBe('MEPHISTO_ERR_REVIEW_INVALID_REQUEST');
      expect(
        await codeOf(
          service.actOnUnit(a.id, { action: 'bonus', amount: 1, reason: '', idempotency_key: newKey() }),
        ),
      ).toBe('MEPHISTO_ERR_REVIEW_INVALID_REQUEST');
      const key = newKey();
      const first = await service.actOnUnit(a.id, {
        action: 'bonus',
        amount: 0.75,
        reason: 'great',
        idempotency_key: key,
      });
      expect(first.applied).toBe(true);
      expect(first.unit.status).toBe('completed');
      expect(first.unit.review.bonus).toBe(0.75);
      await service.actOnUnit(a.id, { action: 'bonus', amount: 0.75, reason: 'great', idempotency_key: key });
      await service.actOnUnit(a.id, { action: 'approve', idempotency_key: newKey() });
      const second = await service.actOnUnit(a.id, {
        action: 'bonus',
        amount: 0.5,
        reason: 'more',
        idempotency_key: newKey(),
      });
      expect(second.unit.review.bonus).toBe(1.25);
      const bonuses = provider.reviewCalls.flatMap((c) => (c.duty === 'payBonus' ? [c.request.amount] : []));
      expect(bonuses).toEqual([0.75, 0.5]);
      const rows = (await h.store.findWorkerReviews({ unitId: a.id })).filter((r) => r.bonus !== null);
      expect(rows.map((r) => r.bonus)).toEqual([0.75, 0.5]);
    });

    it('a key reused for another request is refused and changes nothing', async () => {
      const { service } = reviewServiceWith(h.store);
      const seeded = await seedRun(h.store);
      const [a, b] = seeded.completed;
      if (!a || !b) throw new Error('seed');
      const key = newKey();
      await service.actOnUnit(a.id, { action: 'approve', idempotency_key: key });
      expect(
        await codeOf(
          service.actOnUnit(a.id, { action: 'approve', feedback: 'changed', idempotency_key: key }),
        ),
      ).toBe('MEPHISTO_ERR_REVIEW_KEY_REUSED');
      expect(await codeOf(service.actOnUnit(b.id, { action: 'approve', idempotency_key: key }))).toBe(
        'MEPHISTO_ERR_REVIEW_KEY_REUSED',
      );
      expect((await h.store.getUnit(b.id)).status).toBe('completed');
    });

    it('each unit of a bulk action gets its own provider key (a bulk bonus pays every unit)', async () => {
      const { service, provider } = reviewServiceWith(h.store);
      const seeded = await seedRun(h.store);
      const key = newKey();
      const ids = seeded.completed.map((u) => u.id);
      const result = await service.bulkAct({
        action: 'bonus',
        amount: 1,
        reason: 'all',
        unit_ids: ids,
        idempotency_key: key,
      });
      expect(result.applied).toBe(ids.length);
      const keys = provider.reviewCalls.map((c) => c.request.idempotencyKey);
      // Delivered several at a time, so in any order.
      expect([...keys].sort()).toEqual(ids.map((id) => providerIdempotencyKey(key, `unit:${id}`)).sort());
      expect(new Set(keys).size).toBe(ids.length);
      expect(keys.every((k) => k.length <= 64)).toBe(true);
    });

    it('20 concurrent identical requests: exactly one applies, one provider call, one worker_review row', async () => {
      const { service, provider } = reviewServiceWith(h.store);
      const seeded = await seedRun(h.store);
      const [a, b] = seeded.completed;
      if (!a || !b) throw new Error('seed');
      const key = newKey();
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          service.actOnUnit(a.id, { action: 'reject', feedback: 'dup', idempotency_key: key }),
        ),
      );
      expect(results.filter((r) => r.applied)).toHaveLength(1);
      expect(results.every((r) => r.unit.status === 'rejected')).toBe(true);
      expect(await h.store.findWorkerReviews({ unitId: a.id })).toHaveLength(1);
      expect(provider.reviewCalls.filter((c) => c.duty === 'rejectWork')).toHaveLength(1);

      const bonusKey = newKey();
      const bonuses = await Promise.all(
        Array.from({ length: 20 }, () =>
          service.actOnUnit(b.id, { action: 'bonus', amount: 2, reason: 'dup', idempotency_key: bonusKey }),
        ),
      );
      expect(bonuses.filter((r) => r.applied)).toHaveLength(1);
      expect(bonuses.every((r) => r.unit.review.bonus === 2)).toBe(true);
      expect(
        (await h.store.findWorkerReviews({ unitId: b.id })).filter((r) => r.bonus !== null),
      ).toHaveLength(1);
      expect(provider.reviewCalls.filter((c) => c.duty === 'payBonus')).toHaveLength(1);
    });

    it('bulk: applied, skipped and failed per unit; a retry with the key applies nothing more', async () => {
      const { service, provider } = reviewServiceWith(h.store);
      const seeded = await seedRun(h.store, { units: 8, completed: 5, assigned: 1 });
      const [c1, c2, c3, c4, c5] = seeded.completed;
      const launched = seeded.units.find((u) => u.status === 'launched');
      if (!c1 || !c2 || !c3 || !c4 || !c5 || !launched) throw new Error('seed');
      await service.actOnUnit(c4.id, { action: 'approve', idempotency_key: newKey() });
      await service.actOnUnit(c5.id, { action: 'reject', feedback: 'x', idempotency_key: newKey() });
      const key = newKey();
      const request = {
        action: 'approve' as const,
        unit_ids: [c1.id, c2.id, c3.id, c4.id, launched.id, c1.id],
        idempotency_key: key,
      };
      const result = await service.bulkAct(request);
      expect(result).toMatchObject({ applied: 3, skipped: 1 });
      expect(result.failed).toEqual([
        {
          unitId: launched.id,
          code: 'MEPHISTO_ERR_REVIEW_NOT_SUBMITTED',
          message: expect.any(String) as string,
        },
      ]);
      const calls = provider.reviewCalls.length;
      const retry = await service.bulkAct(request);
      expect(retry).toEqual({ applied: 0, skipped: 4, failed: result.failed });
      expect(provider.reviewCalls.length).toBe(calls);
      // Overturning a rejection in bulk, and concurrent duplicate bulks.
      const key2 = newKey();
      const many = await Promise.all(
        Array.from({ length: 10 }, () =>
          service.bulkAct({ action: 'approve', unit_ids: [c5.id, c4.id], idempotency_key: key2 }),
        ),
      );
      expect(many.reduce((n, r) => n + r.applied, 0)).toBe(1);
      expect((await h.store.getUnit(c5.id)).status).toBe('accepted');
      // The same key over other units is another request.
      expect(await codeOf(service.bulkAct({ ...request, unit_ids: [c1.id] }))).toBe(
        'MEPHISTO_ERR_REVIEW_KEY_REUSED',
      );
    });

    it('provider calls come after the record: a failure is recorded and retried with the same key; a crash left pending is resumed', async () => {
      const provider = new MockProvider();
      const { service } = reviewServiceWith(h.store, provider);
      const seeded = await seedRun(h.store);
      const [a, b] = seeded.completed;
      if (!a || !b) throw new Error('seed');
      provider.failNext('payBonus', new Error('insufficient funds'));
      const key = newKey();
      const failed = await service.actOnUnit(a.id, {
        action: 'bonus',
        amount: 1,
        reason: 'r',
        idempotency_key: key,
      });
      expect(failed.applied).toBe(true);
      expect(failed.provider).toEqual({ state: 'failed', message: 'insufficient funds' });
      expect(provider.reviewCalls).toHaveLength(0);
      const retried = await service.actOnUnit(a.id, {
        action: 'bonus',
        amount: 1,
        reason: 'r',
        idempotency_key: key,
      });
      expect(retried.applied).toBe(false);
      expect(retried.provider?.state).toBe('done');
      expect(provider.reviewCalls).toHaveLength(1);

      // A crash between the record and the provider call: the action is left pending.
      const [answer] = await h.store.review.applyUnitReviews({
        idempotencyKey: 'crashed-key',
        requestHash: 'h',
        action: 'approve',
        unitIds: [b.id],
        feedback: null,
        decide: () => ({ kind: 'transition', to: 'accepted' }),
      });
      expect(answer?.record.delivery).toBe('pending');
      expect(await service.resumePendingDeliveries()).toBe(1);
      expect(provider.reviewCalls.at(-1)).toMatchObject({
        duty: 'approveWork',
        request: { idempotencyKey: providerIdempotencyKey('crashed-key', `unit:${b.id}`) },
      });
      expect(await service.resumePendingDeliveries()).toBe(0);
    });

    it('in-house bonuses are recorded as owed (manual)', async () => {
      const { InhouseProvider } = await import('../../src/providers/inhouse/inhouse-provider.js');
      const { InhouseProviderArgsSchema } = await import('../../src/core/config/provider-args.js');
      const inhouse = new InhouseProvider(InhouseProviderArgsSchema.parse({}));
      const { ReviewService } = await import('../../src/review/review-service.js');
      const service = new ReviewService({
        store: h.store,
        providers: { forRun: () => inhouse, forWorker: () => inhouse },
      });
      const seeded = await seedRun(h.store, { providerType: 'inhouse' });
      const unit = seeded.completed[0];
      if (!unit) throw new Error('seed');
      const result = await service.actOnUnit(unit.id, {
        action: 'bonus',
        amount: 3,
        reason: 'thanks',
        idempotency_key: newKey(),
      });
      expect(result.provider).toEqual({ state: 'manual', message: null });
      const bulk = await service.bulkAct({
        action: 'bonus',
        amount: 1,
        reason: 'all',
        unit_ids: seeded.completed.map((u) => u.id),
        idempotency_key: newKey(),
      });
      expect(bulk.manual).toBe(seeded.completed.length);
    });

    it('block, unblock, grant and revoke: idempotent by key, "already so" is skipped', async () => {
      const { service, provider } = reviewServiceWith(h.store);
      const seeded = await seedRun(h.store);
      const worker = seeded.workers[0];
      if (!worker) throw new Error('seed');
      const key = newKey();
      const blocked = await Promise.all(
        Array.from({ length: 10 }, () =>
          service.blockWorker(worker.id, { reason: 'spam', idempotency_key: key }),
        ),
      );
      expect(blocked.filter((b) => b.applied)).toHaveLength(1);
      expect(await h.store.isWorkerBlocked(worker.id)).toBe(true);
      expect(
        (await service.blockWorker(worker.id, { reason: 'spam', idempotency_key: newKey() })).applied,
      ).toBe(false);
      const detail = await service.getWorker(worker.id);
      expect(detail).toMatchObject({ blocked: true, blockReason: 'spam' });
      expect((await service.unblockWorker(worker.id, { idempotency_key: newKey() })).applied).toBe(true);
      expect((await service.unblockWorker(worker.id, { idempotency_key: newKey() })).applied).toBe(false);
      expect(await h.store.isWorkerBlocked(worker.id)).toBe(false);
      expect(provider.reviewCalls.map((c) => c.duty)).toEqual(['blockWorker', 'unblockWorker']);
      expect(await provider.isWorkerBlocked(worker)).toBe(false);

      const { created } = await service.createQualification({
        name: `q-${seeded.taskName}`,
        description: 'good',
      });
      expect(created).toBe(true);
      expect((await service.createQualification({ name: `q-${seeded.taskName}` })).created).toBe(false);
      expect(
        await codeOf(service.createQualification({ name: `q-${seeded.taskName}`, description: 'other' })),
      ).toBe('MEPHISTO_ERR_QUALIFICATION_ALREADY_EXISTS');
      const grantKey = newKey();
      const grant = await service.grantQualification(`q-${seeded.taskName}`, {
        worker_id: worker.id,
        value: 3,
        idempotency_key: grantKey,
      });
      expect(grant).toMatchObject({ applied: true, summary: { granted: 1 } });
      expect(
        (
          await service.grantQualification(`q-${seeded.taskName}`, {
            worker_id: worker.id,
            value: 3,
            idempotency_key: grantKey,
          })
        ).applied,
      ).toBe(false);
      expect(
        (
          await service.grantQualification(`q-${seeded.taskName}`, {
            worker_id: worker.id,
            value: 3,
            idempotency_key: newKey(),
          })
        ).applied,
      ).toBe(false);
      expect((await service.getWorker(worker.id)).qualifications).toEqual([
        { name: `q-${seeded.taskName}`, value: 3 },
      ]);
      const revoked = await service.revokeQualification(`q-${seeded.taskName}`, {
        worker_id: worker.id,
        idempotency_key: newKey(),
      });
      expect(revoked).toMatchObject({ applied: true, summary: { granted: 0 } });
      expect(
        await codeOf(service.grantQualification('nope', { worker_id: worker.id, idempotency_key: newKey() })),
      ).toBe('MEPHISTO_ERR_QUALIFICATION_NOT_FOUND');
      expect(await codeOf(service.blockWorker('999999999', { reason: 'x', idempotency_key: newKey() }))).toBe(
        'MEPHISTO_ERR_WORKER_NOT_FOUND',
      );
    });

    it('lists a run page by page with filters; the total counts every page', async () => {
      const { service } = reviewServiceWith(h.store);
      const seeded = await seedRun(h.store, {
        units: 45,
        completed: 20,
        assigned: 5,
        workers: ['ann', 'bert', 'Cleo'],
      });
      // Spread creation dates so the keyset crosses ties and differences.
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await service.listRunUnits(seeded.run.id, { limit: 10, ...(cursor ? { cursor } : {}) });
        expect(page.total).toBe(45);
        seen.push(...page.units.map((u) => u.unitId));
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor !== undefined);
      expect(pages).toBe(5);
      expect(seen).toEqual(seeded.units.map((u) => u.id));

      const completed = await service.listRunUnits(seeded.run.id, { statuses: ['completed'], limit: 100 });
      expect(completed.total).toBe(20);
      expect(completed.units.map((u) => u.unitId)).toEqual(seeded.completed.map((u) => u.id));
      const two = await service.listRunUnits(seeded.run.id, {
        statuses: ['completed', 'assigned'],
        limit: 7,
      });
      expect(two.total).toBe(25);
      expect(two.units).toHaveLength(7);
      const cleo = seeded.workers[2];
      if (!cleo) throw new Error('seed');
      const byWorker = await service.listRunUnits(seeded.run.id, { workerId: cleo.id });
      expect(byWorker.total).toBe(8);
      expect(byWorker.units.every((u) => u.workerName === cleo.name)).toBe(true);
      const search = await service.listRunUnits(seeded.run.id, { q: 'cLEO' });
      expect(search.units.map((u) => u.unitId)).toEqual(byWorker.units.map((u) => u.unitId));
      const first = seeded.units[0];
      if (!first) throw new Error('seed');
      expect((await service.listRunUnits(seeded.run.id, { q: first.id })).units.map((u) => u.unitId)).toEqual(
        [first.id],
      );
      expect((await service.listRunUnits(seeded.run.id, { q: '%' })).total).toBe(0);
      expect((await service.listRunUnits(seeded.run.id, { statuses: ['mixed'] })).total).toBe(0);
      expect(await codeOf(service.listRunUnits(seeded.run.id, { cursor: 'bogus!' }))).toBe(
        'MEPHISTO_ERR_REVIEW_INVALID_REQUEST',
      );
      expect(await codeOf(service.listRunUnits('999999999'))).toBe('MEPHISTO_ERR_TASK_RUN_NOT_FOUND');
      const row = completed.units[0];
      expect(row).toMatchObject({ runId: seeded.run.id, pay: 0.5, review: { status: null, bonus: 0 } });
      expect(row?.assignedAt).not.toBeNull();
      expect(row?.submittedAt).not.toBeNull();
    });

    it('a unit in full: the submission and input data as data, uploads listed, a worker across tasks', async () => {
      const { service } = reviewServiceWith(h.store);
      const evil = '<script>alert(1)</script>';
      const seeded = await seedRun(h.store, {
        data: (i) => ({
          answer: evil,
          files: [
            { filename: `1-abc-f-${i}.txt`, originalname: '<img src=x onerror=alert(1)>.txt', size: 12 },
            { filename: '../../etc/passwd', originalname: 'p', size: 1 },
          ],
        }),
      });
      const unit = seeded.completed[0];
      if (!unit) throw new Error('seed');
      const detail = await service.getUnit(unit.id);
      expect(detail.submission).toMatchObject({ answer: evil });
      expect(detail.inputData).toEqual({ item: 0 });
      expect(detail.files).toEqual([
        {
          name: '<img src=x onerror=alert(1)>.txt',
          size: 12,
          url: `/api/units/${unit.id}/files/1-abc-f-0.txt`,
        },
      ]);
      // Another task's run, so the worker's history is shown as one task among others.
      await seedRun(h.store, { workers: ['zed'] });
      const worker = seeded.workers[0];
      if (!worker) throw new Error('seed');
      const history = await service.getWorker(worker.id);
      expect(history.units.map((u) => u.taskName)).toEqual(history.units.map(() => seeded.taskName));
      expect(history.totals).toMatchObject({ units: 2, accepted: 0, earned: 0 });
    });

    it('the monitor snapshot: counts, active workers, spend, submissions per minute, activity', async () => {
      const provider = new FeeChargingProvider();
      const { service } = reviewServiceWith(h.store, provider);
      const seeded = await seedRun(h.store, {
        units: 6,
        completed: 3,
        assigned: 2,
        pay: 0.25,
        providerArgs: { budget_in_dollars: 40 },
      });
      const [a] = seeded.completed;
      if (!a) throw new Error('seed');
      await service.actOnUnit(a.id, { action: 'approve', idempotency_key: newKey() });
      await service.actOnUnit(a.id, { action: 'bonus', amount: 1, reason: 'r', idempotency_key: newKey() });
      // Refused by the provider: in the ledger as failed, not spend.
      provider.failNext('payBonus', new Error('insufficient funds'));
      const refused = await service.actOnUnit(a.id, {
        action: 'bonus',
        amount: 5,
        reason: 'r',
        idempotency_key: newKey(),
      });
      expect(refused.provider?.state).toBe('failed');
      // The monitor's probe sees the ledger: reward, bonus and their fees paid; the refused bonus and fee.
      expect((await h.store.review.probeRun(seeded.run.id)).payments).toEqual({
        pending: 0,
        paid: 4,
        manual: 0,
        failed: 2,
      });
      await h.store.review.recordRunActivity(
        [
          {
            taskRunId: seeded.run.id,
            kind: 'refusal',
            code: 'no_units',
            message: 'none left',
            workerName: 'w1',
          },
          { taskRunId: seeded.run.id, kind: 'error', code: 'MEPHISTO_ERR_PROVIDER_LAUNCH', message: 'down' },
        ],
        { keep: 100 },
      );
      const snapshot = await service.monitorSnapshot(seeded.run.id);
      expect(snapshot).toMatchObject({
        runId: seeded.run.id,
        taskName: seeded.taskName,
        ended: false,
        unitsByStatus: { launched: 1, assigned: 2, completed: 2, accepted: 1 },
        activeWorkers: 2,
        // 0.25 reward + 1.00 bonus, each with its 20% fee.
        spend: 1.5,
        spendDetail: {
          paid: 1.5,
          pending: 0,
          owed: 0,
          rewards: 0.25,
          bonuses: 1,
          fees: 0.25,
          total: 1.5,
          budget: 40,
          awaitingReview: 0.5,
          awaitingReviewUnits: 2,
        },
        recentErrors: [{ code: 'MEPHISTO_ERR_PROVIDER_LAUNCH', message: 'down' }],
        recentRefusals: [{ workerName: 'w1', code: 'no_units', message: 'none left' }],
      });
      expect(snapshot.submissionsPerMinute).toHaveLength(60);
      expect(snapshot.submissionsPerMinute.at(-1)?.count).toBe(3);
      const tasks = await service.listTasks();
      const mine = tasks.find((t) => t.name === seeded.taskName);
      expect(mine?.runs).toEqual([
        expect.objectContaining({
          id: seeded.run.id,
          ended: false,
          spend: 1.5,
          spendDetail: snapshot.spendDetail,
          unitsByStatus: snapshot.unitsByStatus,
        }),
      ]);
      // Pruning keeps the newest entries per kind.
      await h.store.review.recordRunActivity(
        Array.from({ length: 5 }, (_, i) => ({
          taskRunId: seeded.run.id,
          kind: 'refusal' as const,
          code: 'no_units',
          message: `m${i}`,
        })),
        { keep: 3 },
      );
      expect((await h.store.review.findRunActivity(seeded.run.id, 'refusal', 50)).length).toBe(3);
    });

    it('spend of an in-house run is owed: recorded in the ledger, paid by hand', async () => {
      const provider = new InhouseProvider({ _provider_type: 'inhouse', ui_base_url: '' });
      const service = new ReviewService({
        store: h.store,
        providers: { forRun: () => provider, forWorker: () => provider },
      });
      const seeded = await seedRun(h.store, { units: 3, completed: 2, pay: 0.5, providerType: 'inhouse' });
      const [a] = seeded.completed;
      if (!a) throw new Error('seed');
      await service.actOnUnit(a.id, { action: 'approve', idempotency_key: newKey() });
      await service.actOnUnit(a.id, { action: 'bonus', amount: 2, reason: 'r', idempotency_key: newKey() });
      const owed = {
        paid: 0,
        pending: 0,
        owed: 2.5,
        rewards: 0.5,
        bonuses: 2,
        fees: 0,
        total: 2.5,
        budget: null,
        awaitingReview: 0.5,
        awaitingReviewUnits: 1,
      };
      expect(await service.monitorSnapshot(seeded.run.id)).toMatchObject({ spend: 2.5, spendDetail: owed });
      const mine = (await service.listTasks()).find((t) => t.name === seeded.taskName);
      expect(mine?.runs[0]).toMatchObject({ spend: 2.5, spendDetail: owed });
    });
  });
}
