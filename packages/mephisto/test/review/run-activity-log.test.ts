/**
 * The run's refusals and errors reach the store's activity log, batched on the run's scheduler and
 * capped, without a worker's request ever waiting for it; the monitor then shows them.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { MephistoError } from '../../src/core/index.js';
import { MAX_PER_FLUSH, RunActivityLog } from '../../src/run/run-activity-log.js';
import { FakeBlueprint, items, launch, makeConfig, take } from '../run/engine-fakes.js';
import { STORE_TARGETS, useStore } from '../store/store-targets.js';
import { reviewServiceWith } from './review-fixtures.js';

const silent = pino({ level: 'silent' });

for (const target of STORE_TARGETS) {
  describe.skipIf(!target.available)(`run activity log [${target.name}]`, () => {
    const h = useStore(target);

    it('a run records its refusals and launch errors; the monitor shows them, newest first', async () => {
      const { run, operator } = await launch(h.store, h.clock, {
        config: makeConfig(),
        blueprint: new FakeBlueprint('static_task', items(1)),
      });
      await take(run, 'w1');
      const refused = await run.requestAgent({ worker_name: 'w2' });
      expect(refused.failure_code).toBe('no_units');
      const { service } = reviewServiceWith(h.store);
      // Not written yet: the request did not wait for the log.
      expect((await service.monitorSnapshot(run.taskRun.id)).recentRefusals).toEqual([]);
      await h.clock.tick(1000);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const snapshot = await service.monitorSnapshot(run.taskRun.id);
      expect(snapshot.recentRefusals).toEqual([
        {
          at: expect.any(String) as string,
          workerName: 'w2',
          code: 'no_units',
          message: refused.failure_reason,
        },
      ]);
      await operator.shutdown('test over');
    });

    it('caps each flush per kind and keeps the newest; close writes the rest and stops', async () => {
      const { run, operator } = await launch(h.store, h.clock, {
        blueprint: new FakeBlueprint('static_task', items(1)),
      });
      await operator.shutdown('test over');
      const log = new RunActivityLog(h.store, h.clock, h.clock, run.taskRun.id, silent);
      for (let i = 0; i < MAX_PER_FLUSH + 30; i++) log.refusal('no_units', `refusal ${i}`, `w${i}`);
      log.error(
        'the provider failed to launch 2 unit(s)',
        new MephistoError('MEPHISTO_ERR_PROVIDER_LAUNCH', 'down'),
      );
      log.error('the blueprint failed on unit 1', new TypeError('boom'));
      await log.close();
      log.refusal('no_units', 'after close', null);
      await log.flush();
      const refusals = await h.store.review.findRunActivity(run.taskRun.id, 'refusal', 1000);
      const mine = refusals.filter((r) => r.message.startsWith('refusal '));
      expect(mine).toHaveLength(MAX_PER_FLUSH);
      expect(mine[0]?.message).toBe(`refusal ${MAX_PER_FLUSH + 29}`);
      expect(refusals.some((r) => r.message === 'after close')).toBe(false);
      const errors = await h.store.review.findRunActivity(run.taskRun.id, 'error', 10);
      expect(errors.map((e) => [e.code, e.message])).toEqual(
        expect.arrayContaining([
          ['MEPHISTO_ERR_PROVIDER_LAUNCH', 'the provider failed to launch 2 unit(s): down'],
          ['MEPHISTO_ERR_INTERNAL', 'the blueprint failed on unit 1: boom'],
        ]),
      );
    });
  });
}
