/**
 * The run harness and simulated workers as a user's test sees them. They import `mephisto-ts` as a
 * package, i.e. its build, so without `npm run build` this file is skipped.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const built = existsSync(fileURLToPath(new URL('../../mephisto/dist/index.js', import.meta.url)));
const EXAMPLE = fileURLToPath(
  new URL('../../../examples/mock-task/hydra_configs/conf/example.yaml', import.meta.url),
);

describe.skipIf(!built)(
  built
    ? 'withRun and simulated workers'
    : 'withRun and simulated workers (SKIPPED: run `npm run build` first)',
  () => {
    it('launches a YAML config on a throwaway store; simulated workers complete it', async () => {
      const { withRun } = await import('../src/index.js');
      const submitted: string[] = [];
      await withRun(
        {
          configPath: EXAMPLE,
          hooks: {
            onUnitSubmitted: ({ unit }) => {
              submitted.push(unit.id);
            },
          },
        },
        async ({ run, simulate, store }) => {
          const records = await simulate({ count: 2 }).done;
          const end = await run.ended;
          expect(end.reason).toBe('completed');
          expect(records.flatMap((record) => record.units)).toHaveLength(4);
          expect(await store.countUnits({ taskRunId: run.taskRun.id, status: 'completed' })).toBe(4);
        },
      );
      expect(submitted).toHaveLength(4);
    });

    it('drives the mock blueprint (live update first) from a config object', async () => {
      const { mockTaskConfig, withRun } = await import('../src/index.js');
      await withRun({ config: mockTaskConfig(2) }, async ({ run, simulate }) => {
        // Two assignments of two units; one worker may take only one unit per assignment.
        const records = await simulate({ count: 2 }).done;
        expect((await run.ended).reason).toBe('completed');
        for (const record of records)
          expect(record.units.map((unit) => unit.outcome)).toEqual(['submit', 'submit']);
      });
    });

    it('think time passes on the manual clock; a returned unit is offered again', async () => {
      const { SimulatedWorker, mockTaskConfig, withRun } = await import('../src/index.js');
      await withRun({ config: mockTaskConfig(1) }, async ({ run, clock }) => {
        const returner = new SimulatedWorker(run, {
          workerName: 'returner',
          behaviour: { outcome: 'return' },
        });
        const first = await returner.takeUnit();
        expect(first).toMatchObject({ taken: true, outcome: 'return' });

        const slow = new SimulatedWorker(run, {
          workerName: 'slow',
          behaviour: { thinkTimeMs: 60_000 },
          scheduler: clock,
        });
        const working = slow.takeUnit();
        let finished = false;
        void working.then(() => (finished = true));
        await clock.tick(59_000);
        expect(finished).toBe(false);
        await clock.tick(1_000);
        expect(await working).toMatchObject({ taken: true, outcome: 'submit' });
        expect(run.progress().units.completed).toBe(1);
      });
    });

    it('refuses a config for another provider', async () => {
      const { withRun } = await import('../src/index.js');
      await expect(
        withRun({ configPath: EXAMPLE, overrides: ['mephisto/provider=inhouse'] }, () => Promise.resolve()),
      ).rejects.toThrow(/withRun launches with the mock provider; this config selects "inhouse"/);
    });
  },
);
