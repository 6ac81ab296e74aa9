/**
 * runSpend and runSpends, on every store target: a run's spend from the payments ledger (paid,
 * pending, owed, fees; failed entries left out), its budget from the stored provider args, and the
 * estimate of the work awaiting review, kept out of the total.
 */
import { describe, expect, it } from 'vitest';
import { runSpend, runSpends } from '../../src/export/run-spend.js';
import { MISSING_ID, expectNotFound } from '../store/fixtures.js';
import { STORE_TARGETS, useStore } from '../store/store-targets.js';
import { seedPayments, seedRun, seedWorkers, submitUnit } from './export-fixtures.js';

for (const target of STORE_TARGETS) {
  describe.skipIf(!target.available)(`run spend from the ledger [${target.name}]`, () => {
    const h = useStore(target);

    it('adds up the ledger by status and kind, with the budget and the unreviewed estimate apart', async () => {
      const { run, units } = await seedRun(h.store, {
        units: 4,
        payAmount: 0.4,
        providerArgs: { budget_in_dollars: 25.5 },
      });
      const [worker] = await seedWorkers(h.store, 1);
      if (!worker) throw new Error('seed failed');
      const agents = [];
      for (const unit of units.slice(0, 3)) agents.push(await submitUnit(h.store, h.clock, unit, worker, {}));
      await h.store.transitionAgent(agents[0]?.id ?? '', { from: 'completed', to: 'approved' });
      const unitId = agents[0]?.unitId ?? null;
      await seedPayments(h.store, run.id, [
        { kind: 'reward', cents: 40, status: 'paid', unitId },
        { kind: 'fee', cents: 8, status: 'paid', unitId },
        { kind: 'bonus', cents: 300, status: 'failed', unitId },
        { kind: 'fee', cents: 60, status: 'failed', unitId },
        { kind: 'bonus', cents: 100, status: 'pending', unitId },
        { kind: 'fee', cents: 20, status: 'pending', unitId },
        { kind: 'bonus', cents: 1, status: 'manual', unitId },
      ]);
      const expected = {
        paid: 0.48,
        pending: 1.2,
        owed: 0.01,
        rewards: 0.4,
        bonuses: 1.01,
        fees: 0.28,
        total: 1.69,
        budget: 25.5,
        awaitingReview: 0.8,
        awaitingReviewUnits: 2,
      };
      expect(await runSpend(h.store, run.id)).toEqual(expected);
      expect(await runSpend(h.store, run)).toEqual(expected);

      // A run with nothing in the ledger and no budget; another with an in-house run's owed entries.
      const idle = await seedRun(h.store, { units: 2 });
      const inhouse = await seedRun(h.store, { units: 1, providerType: 'inhouse', providerArgs: {} });
      await seedPayments(
        h.store,
        inhouse.run.id,
        [{ kind: 'reward', cents: 50, status: 'manual' }],
        'inhouse',
      );
      const spends = await runSpends(h.store, [inhouse.run, idle.run, run]);
      expect([...spends.keys()]).toEqual([inhouse.run.id, idle.run.id, run.id]);
      expect(spends.get(run.id)).toEqual(expected);
      expect(spends.get(idle.run.id)).toEqual({
        paid: 0,
        pending: 0,
        owed: 0,
        rewards: 0,
        bonuses: 0,
        fees: 0,
        total: 0,
        budget: null,
        awaitingReview: 0,
        awaitingReviewUnits: 0,
      });
      expect(spends.get(inhouse.run.id)).toMatchObject({ owed: 0.5, paid: 0, total: 0.5, budget: null });
      expect(await runSpends(h.store, [])).toEqual(new Map());
    });

    it('a missing run is NotFound(task_run)', async () => {
      await expectNotFound(runSpend(h.store, MISSING_ID), 'task_run', MISSING_ID);
    });
  });
}
