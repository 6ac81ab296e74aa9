/**
 * Store conformance: qualifications and their grants.
 */
import { describe, expect, it } from 'vitest';
import {
  Fixtures,
  MISSING_ID,
  expectAlreadyExists,
  expectInvalidArgument,
  expectNotFound,
} from './fixtures.js';
import { STORE_TARGETS, useStore } from './store-targets.js';

for (const target of STORE_TARGETS) {
  describe.skipIf(!target.available)(`store conformance [${target.name}]: qualifications`, () => {
    const h = useStore(target);
    const f = new Fixtures(() => h.store);

    describe('qualifications', () => {
      it('create, get and find', async () => {
        h.clock.advance(3);
        const q = await h.store.createQualification({ name: 'onboarded' });
        expect(q).toEqual({
          id: q.id,
          name: 'onboarded',
          description: null,
          creationDate: new Date(h.clock.now()),
        });
        expect(h.ids.issued).toContain(q.id);
        const d = await h.store.createQualification({
          name: 'expert',
          description: 'Passed the « expert » test ✓',
        });
        expect(d.description).toBe('Passed the « expert » test ✓');
        expect(await h.store.getQualification(q.id)).toEqual(q);
        expect(await h.store.getQualification(d.id)).toEqual(d);
        expect(await h.store.findQualifications()).toEqual([q, d]);
        expect(await h.store.findQualifications({ name: 'expert' })).toEqual([d]);
        expect(await h.store.findQualifications({ name: 'novice' })).toEqual([]);
      });

      it('a taken name → AlreadyExists(qualification), nothing written', async () => {
        const q = await h.store.createQualification({ name: 'dup' });
        const before = await h.store.countRows();
        await expectAlreadyExists(
          h.store.createQualification({ name: 'dup', description: 'again' }),
          'qualification',
        );
        expect(await h.store.countRows()).toEqual(before);
        expect(await h.store.findQualifications()).toEqual([q]);
      });

      it('refuses an empty name (InvalidArgument)', async () => {
        await expectInvalidArgument(h.store.createQualification({ name: '' }));
        expect(await h.store.findQualifications()).toEqual([]);
      });

      it('a missing id → NotFound(qualification)', async () => {
        await expectNotFound(h.store.getQualification(MISSING_ID), 'qualification', MISSING_ID);
        await expectNotFound(
          h.store.updateQualification(MISSING_ID, { name: 'x' }),
          'qualification',
          MISSING_ID,
        );
        await expectNotFound(h.store.deleteQualification(MISSING_ID), 'qualification', MISSING_ID);
      });

      it('updateQualification renames and redescribes', async () => {
        const q = await h.store.createQualification({ name: 'old', description: 'first' });
        const renamed = await h.store.updateQualification(q.id, { name: 'new' });
        expect(renamed).toEqual({ ...q, name: 'new' });
        const described = await h.store.updateQualification(q.id, { description: 'second' });
        expect(described).toEqual({ ...q, name: 'new', description: 'second' });
        const cleared = await h.store.updateQualification(q.id, { description: null });
        expect(cleared).toEqual({ ...q, name: 'new', description: null });
        expect(await h.store.getQualification(q.id)).toEqual(cleared);
        expect(await h.store.findQualifications({ name: 'old' })).toEqual([]);
      });

      it('updateQualification: a name clash → AlreadyExists, an empty name → InvalidArgument; unchanged', async () => {
        await h.store.createQualification({ name: 'taken' });
        const q = await h.store.createQualification({ name: 'mine', description: 'd' });
        await expectAlreadyExists(h.store.updateQualification(q.id, { name: 'taken' }), 'qualification');
        await expectInvalidArgument(h.store.updateQualification(q.id, { name: '' }));
        expect(await h.store.getQualification(q.id)).toEqual(q);
      });
    });

    describe('grants', () => {
      it('grant with the default value 1; get and find by each filter', async () => {
        const q = await f.qualification();
        const q2 = await f.qualification();
        const w = await f.worker();
        const w2 = await f.worker();
        h.clock.advance(100);
        const g = await h.store.grantQualification({ qualificationId: q.id, workerId: w.id });
        const now = new Date(h.clock.now());
        expect(g).toEqual({
          id: g.id,
          workerId: w.id,
          qualificationId: q.id,
          value: 1,
          creationDate: now,
          updateDate: now,
        });
        expect(typeof g.id).toBe('string');
        const g2 = await h.store.grantQualification({ qualificationId: q2.id, workerId: w.id, value: 0 });
        const g3 = await h.store.grantQualification({ qualificationId: q.id, workerId: w2.id, value: 7 });
        expect(await h.store.getGrantedQualification(q.id, w.id)).toEqual(g);
        expect(await h.store.getGrantedQualification(q2.id, w.id)).toEqual(g2);
        expect(await h.store.findGrantedQualifications()).toEqual([g, g2, g3]);
        expect(await h.store.findGrantedQualifications({ qualificationId: q.id })).toEqual([g, g3]);
        expect(await h.store.findGrantedQualifications({ qualificationId: MISSING_ID })).toEqual([]);
        expect(await h.store.findGrantedQualifications({ workerId: w.id })).toEqual([g, g2]);
        expect(await h.store.findGrantedQualifications({ workerId: MISSING_ID })).toEqual([]);
        expect(await h.store.findGrantedQualifications({ value: 0 })).toEqual([g2]);
        expect(await h.store.findGrantedQualifications({ value: 7 })).toEqual([g3]);
        expect(await h.store.findGrantedQualifications({ value: 2 })).toEqual([]);
        expect(await h.store.findGrantedQualifications({ qualificationId: q.id, workerId: w2.id })).toEqual([
          g3,
        ]);
        expect(await h.store.findGrantedQualifications({ qualificationId: q2.id, value: 1 })).toEqual([]);
      });

      it('re-granting another value updates the grant in place and advances updateDate', async () => {
        const q = await f.qualification();
        const w = await f.worker();
        const g = await h.store.grantQualification({ qualificationId: q.id, workerId: w.id });
        h.clock.advance(60_000);
        const g3 = await h.store.grantQualification({ qualificationId: q.id, workerId: w.id, value: 3 });
        expect(g3).toEqual({ ...g, value: 3, updateDate: new Date(h.clock.now()) });
        expect(g3.updateDate.getTime() - g.creationDate.getTime()).toBe(60_000);
        expect(await h.store.getGrantedQualification(q.id, w.id)).toEqual(g3);
        expect(await h.store.findGrantedQualifications()).toEqual([g3]);
      });

      it('re-granting the same value changes nothing (not even updateDate)', async () => {
        const q = await f.qualification();
        const w = await f.worker();
        const g = await h.store.grantQualification({ qualificationId: q.id, workerId: w.id, value: 5 });
        h.clock.advance(1000);
        const again = await h.store.grantQualification({ qualificationId: q.id, workerId: w.id, value: 5 });
        expect(again).toEqual(g);
        expect(await h.store.findGrantedQualifications()).toEqual([g]);
      });

      it('grant values keep their sign and size', async () => {
        const q = await f.qualification();
        for (const value of [0, -1, 2_147_483_647, -2_147_483_648]) {
          const w = await f.worker();
          expect(
            (await h.store.grantQualification({ qualificationId: q.id, workerId: w.id, value })).value,
          ).toBe(value);
          expect((await h.store.getGrantedQualification(q.id, w.id)).value).toBe(value);
        }
      });

      it('revoke removes the grant: true, then false', async () => {
        const q = await f.qualification();
        const w = await f.worker();
        const w2 = await f.worker();
        await h.store.grantQualification({ qualificationId: q.id, workerId: w.id });
        const kept = await h.store.grantQualification({ qualificationId: q.id, workerId: w2.id });
        expect(await h.store.revokeQualification(q.id, w.id)).toBe(true);
        expect(await h.store.revokeQualification(q.id, w.id)).toBe(false);
        await expectNotFound(h.store.getGrantedQualification(q.id, w.id), 'granted_qualification');
        expect(await h.store.findGrantedQualifications()).toEqual([kept]);
        const regrant = await h.store.grantQualification({ qualificationId: q.id, workerId: w.id, value: 2 });
        expect(regrant.value).toBe(2);
      });

      it('a worker without the grant → NotFound(granted_qualification)', async () => {
        const q = await f.qualification();
        const w = await f.worker();
        await expectNotFound(h.store.getGrantedQualification(q.id, w.id), 'granted_qualification');
        expect(await h.store.revokeQualification(q.id, w.id)).toBe(false);
      });

      it('a missing worker or qualification → NotFound for it, no grant written', async () => {
        const q = await f.qualification();
        const w = await f.worker();
        const before = await h.store.countRows();
        await expectNotFound(
          h.store.grantQualification({ qualificationId: q.id, workerId: MISSING_ID }),
          'worker',
        );
        await expectNotFound(
          h.store.grantQualification({ qualificationId: MISSING_ID, workerId: w.id }),
          'qualification',
        );
        expect(await h.store.countRows()).toEqual(before);
        expect(await h.store.findGrantedQualifications()).toEqual([]);
      });

      it('deleting a qualification deletes every grant of it, and only those', async () => {
        const q = await f.qualification();
        const other = await f.qualification();
        const w1 = await f.worker();
        const w2 = await f.worker();
        await h.store.grantQualification({ qualificationId: q.id, workerId: w1.id });
        await h.store.grantQualification({ qualificationId: q.id, workerId: w2.id, value: 4 });
        const kept = await h.store.grantQualification({ qualificationId: other.id, workerId: w1.id });
        await h.store.deleteQualification(q.id);
        await expectNotFound(h.store.getQualification(q.id), 'qualification');
        expect(await h.store.findQualifications()).toEqual([other]);
        expect(await h.store.findGrantedQualifications({ qualificationId: q.id })).toEqual([]);
        expect(await h.store.findGrantedQualifications()).toEqual([kept]);
        await expectNotFound(h.store.getGrantedQualification(q.id, w1.id), 'granted_qualification');
        await expectNotFound(h.store.deleteQualification(q.id), 'qualification');
        // The name is free again.
        const back = await h.store.createQualification({ name: q.name });
        expect(back.id).not.toBe(q.id);
        expect(await h.store.findGrantedQualifications({ qualificationId: back.id })).toEqual([]);
      });
    });
  });
}
