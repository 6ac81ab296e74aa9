/**
 * A double click or a retried request over real HTTP, on every store: 20 concurrent identical
 * requests (same idempotency key) apply exactly once, pay exactly once, and all get the same unit back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { BulkReviewResult, ReviewActionResult, WorkerDetail } from '../../src/review/review-api.js';
import { STORE_TARGETS, useStore } from '../store/store-targets.js';
import { serveReview, type ServedReview } from './review-api-client.js';
import { newKey, seedRun } from './review-fixtures.js';

const N = 20;

for (const target of STORE_TARGETS) {
  describe.skipIf(!target.available)(
    `review API idempotency under concurrent duplicates [${target.name}]`,
    () => {
      const h = useStore(target, { poolSize: 8 });
      let served: ServedReview | undefined;
      afterEach(async () => {
        await served?.close();
        served = undefined;
      });

      it(`${N} identical approve, reject and bonus requests: one applies each`, async () => {
        served = await serveReview(h.store);
        const { client, provider } = served;
        const seeded = await seedRun(h.store, { units: 4, completed: 3, assigned: 0 });
        const [a, b, c] = seeded.completed;
        if (!a || !b || !c) throw new Error('seed');
        for (const [unitId, body, status] of [
          [a.id, { action: 'approve', idempotency_key: newKey() }, 'accepted'],
          [b.id, { action: 'reject', feedback: 'no', idempotency_key: newKey() }, 'rejected'],
          [c.id, { action: 'bonus', amount: 2.5, reason: 'thanks', idempotency_key: newKey() }, 'completed'],
        ] as const) {
          const answers = await Promise.all(
            Array.from({ length: N }, () =>
              client.post<ReviewActionResult>(`/api/units/${unitId}/actions`, body),
            ),
          );
          expect(answers.map((r) => r.status)).toEqual(Array.from({ length: N }, () => 200));
          expect(answers.filter((r) => r.body.applied)).toHaveLength(1);
          expect(new Set(answers.map((r) => r.body.unit.status))).toEqual(new Set([status]));
          expect(await h.store.findWorkerReviews({ unitId })).toHaveLength(1);
        }
        expect(provider.reviewCalls.map((call) => call.duty).sort()).toEqual([
          'approveWork',
          'payBonus',
          'rejectWork',
        ]);
        expect((await client.get<ReviewActionResult['unit']>(`/api/units/${c.id}`)).body.review.bonus).toBe(
          2.5,
        );
      });

      it(`${N} identical bulk and block requests: one applies`, async () => {
        served = await serveReview(h.store);
        const { client, provider } = served;
        const seeded = await seedRun(h.store, { units: 6, completed: 5, assigned: 0 });
        const body = {
          action: 'soft_reject',
          unit_ids: seeded.completed.map((u) => u.id),
          idempotency_key: newKey(),
        };
        const answers = await Promise.all(
          Array.from({ length: N }, () => client.post<BulkReviewResult>('/api/units/bulk-actions', body)),
        );
        expect(answers.map((r) => r.status)).toEqual(Array.from({ length: N }, () => 200));
        expect(answers.reduce((sum, r) => sum + r.body.applied, 0)).toBe(5);
        expect(
          answers.every((r) => r.body.applied + r.body.skipped === 5 && r.body.failed.length === 0),
        ).toBe(true);
        expect(provider.reviewCalls.filter((call) => call.duty === 'approveWork')).toHaveLength(5);
        for (const unit of seeded.completed)
          expect(await h.store.findWorkerReviews({ unitId: unit.id })).toHaveLength(1);

        const worker = seeded.workers[0];
        if (!worker) throw new Error('seed');
        const block = { reason: 'spam', idempotency_key: newKey() };
        const blocks = await Promise.all(
          Array.from({ length: N }, () =>
            client.post<WorkerDetail>(`/api/workers/${worker.id}/block`, block),
          ),
        );
        expect(blocks.every((r) => r.status === 200 && r.body.blocked)).toBe(true);
        expect((await h.store.findWorkerBlocks({ workerId: worker.id })).length).toBe(1);
        expect(
          (await h.store.findWorkerReviews({ workerId: worker.id })).filter((r) => r.blockedWorker),
        ).toHaveLength(1);
        expect(provider.reviewCalls.filter((call) => call.duty === 'blockWorker')).toHaveLength(1);
      });
    },
  );
}
