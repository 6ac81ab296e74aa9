/**
 * Store conformance: worker reviews.
 */
import { describe, expect, it } from 'vitest';
import { Fixtures, MISSING_ID, expectNotFound } from './fixtures.js';
import { STORE_TARGETS, useStore } from './store-targets.js';

for (const target of STORE_TARGETS) {
  describe.skipIf(!target.available)(`store conformance [${target.name}]: worker reviews`, () => {
    const h = useStore(target);
    const f = new Fixtures(() => h.store);

    it('a bare review: everything optional is null, not blocked', async () => {
      const w = await f.worker();
      h.clock.advance(9);
      const r = await h.store.createWorkerReview({ workerId: w.id });
      expect(r).toEqual({
        id: r.id,
        unitId: null,
        workerId: w.id,
        taskId: null,
        status: null,
        reviewNote: null,
        bonus: null,
        blockedWorker: false,
        updatedQualificationId: null,
        updatedQualificationValue: null,
        revokedQualificationId: null,
        creationDate: new Date(h.clock.now()),
      });
      expect(h.ids.issued).toContain(r.id);
      expect(await h.store.findWorkerReviews()).toEqual([r]);
    });

    it('a full review round-trips, the qualification in the updated columns', async () => {
      const { unit, worker } = await f.agentIn('completed');
      const q = await f.qualification();
      const r = await h.store.createWorkerReview({
        workerId: worker.id,
        unitId: unit.id,
        taskId: unit.taskId,
        status: 'approved',
        reviewNote: 'Très bien — 👍\nsecond line',
        bonus: 1.25,
        blockedWorker: true,
        qualificationId: q.id,
        value: 3,
      });
      expect(r).toEqual({
        id: r.id,
        unitId: unit.id,
        workerId: worker.id,
        taskId: unit.taskId,
        status: 'approved',
        reviewNote: 'Très bien — 👍\nsecond line',
        bonus: 1.25,
        blockedWorker: true,
        updatedQualificationId: q.id,
        updatedQualificationValue: 3,
        revokedQualificationId: null,
        creationDate: new Date(h.clock.now()),
      });
      expect(await h.store.findWorkerReviews({ unitId: unit.id })).toEqual([r]);
    });

    it('with revoke, the qualification goes to the revoked column instead', async () => {
      const w = await f.worker();
      const q = await f.qualification();
      const r = await h.store.createWorkerReview({
        workerId: w.id,
        status: 'rejected',
        qualificationId: q.id,
        revoke: true,
      });
      expect(r.revokedQualificationId).toBe(q.id);
      expect(r.updatedQualificationId).toBeNull();
      const stored = (await h.store.findWorkerReviews({ workerId: w.id }))[0];
      expect(stored).toEqual(r);
      const notRevoked = await h.store.createWorkerReview({
        workerId: w.id,
        qualificationId: q.id,
        value: 1,
        revoke: false,
      });
      expect([
        notRevoked.updatedQualificationId,
        notRevoked.updatedQualificationValue,
        notRevoked.revokedQualificationId,
      ]).toEqual([q.id, 1, null]);
    });

    it('creating a review changes no grant', async () => {
      const w = await f.worker();
      const q = await f.qualification();
      const g = await h.store.grantQualification({ qualificationId: q.id, workerId: w.id });
      await h.store.createWorkerReview({ workerId: w.id, qualificationId: q.id, revoke: true });
      await h.store.createWorkerReview({ workerId: w.id, qualificationId: q.id, value: 9 });
      expect(await h.store.findGrantedQualifications()).toEqual([g]);
    });

    it('find by each filter; a wrong value matches nothing', async () => {
      const a = await f.agentIn('completed');
      const b = await f.agentIn('completed');
      const r1 = await h.store.createWorkerReview({
        workerId: a.worker.id,
        unitId: a.unit.id,
        taskId: a.unit.taskId,
      });
      const r2 = await h.store.createWorkerReview({
        workerId: b.worker.id,
        unitId: b.unit.id,
        taskId: b.unit.taskId,
      });
      const r3 = await h.store.createWorkerReview({
        workerId: a.worker.id,
        blockedWorker: true,
        reviewNote: 'blocked',
      });
      expect(await h.store.findWorkerReviews()).toEqual([r1, r2, r3]);
      expect(await h.store.findWorkerReviews({})).toEqual([r1, r2, r3]);
      expect(await h.store.findWorkerReviews({ workerId: a.worker.id })).toEqual([r1, r3]);
      expect(await h.store.findWorkerReviews({ workerId: MISSING_ID })).toEqual([]);
      expect(await h.store.findWorkerReviews({ unitId: b.unit.id })).toEqual([r2]);
      expect(await h.store.findWorkerReviews({ unitId: MISSING_ID })).toEqual([]);
      expect(await h.store.findWorkerReviews({ taskId: a.unit.taskId })).toEqual([r1]);
      expect(await h.store.findWorkerReviews({ taskId: MISSING_ID })).toEqual([]);
      expect(await h.store.findWorkerReviews({ workerId: b.worker.id, unitId: a.unit.id })).toEqual([]);
    });

    it('bonuses keep cents exactly', async () => {
      const w = await f.worker();
      const amounts = [0, 0.01, 0.1, 0.35, 1.05, 19.99, 250.5];
      for (const bonus of amounts) await h.store.createWorkerReview({ workerId: w.id, bonus });
      expect((await h.store.findWorkerReviews({ workerId: w.id })).map((r) => r.bonus)).toEqual(amounts);
    });

    it('a missing worker, unit or task → NotFound for it, nothing written', async () => {
      const w = await f.worker();
      const before = await h.store.countRows();
      await expectNotFound(h.store.createWorkerReview({ workerId: MISSING_ID }), 'worker');
      await expectNotFound(h.store.createWorkerReview({ workerId: w.id, unitId: MISSING_ID }), 'unit');
      await expectNotFound(h.store.createWorkerReview({ workerId: w.id, taskId: MISSING_ID }), 'task');
      expect(await h.store.countRows()).toEqual(before);
      expect(await h.store.findWorkerReviews()).toEqual([]);
    });
  });
}
