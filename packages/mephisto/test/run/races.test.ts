/**
 * Caps under races: 200 simulated workers (plain async functions calling LiveRun.requestAgent and
 * submitUnit) ask for units at the same moment, each firing several requests at once, for each cap
 * and for all caps together. After every successful claim the test reads the store and checks that no
 * cap is exceeded at that moment; at the end it checks the final state. On every store target,
 * PostgreSQL with a pool of 10 connections so claims really overlap in the server.
 */
import { describe, expect, it } from 'vitest';
import type { LiveRun } from '../../src/run/index.js';
import type { Store } from '../../src/store/store.js';
import { STORE_TARGETS, useStore } from '../store/store-targets.js';
import { items, launch, makeConfig, nextEvent } from './engine-fakes.js';

const WORKERS = 200;
/** Requests each worker fires at once per round: more than any per-worker cap tested. */
const REQUESTS_AT_ONCE = 3;
const COUNTED = ['assigned', 'completed', 'accepted', 'rejected', 'soft_rejected'] as const;

interface Caps {
  allowed_concurrent: number;
  maximum_units_per_worker: number;
  max_num_concurrent_units: number;
}

const CASES: { name: string; caps: Caps; units: number }[] = [
  {
    name: 'allowed_concurrent',
    caps: { allowed_concurrent: 1, maximum_units_per_worker: 0, max_num_concurrent_units: 0 },
    units: 300,
  },
  {
    name: 'maximum_units_per_worker',
    caps: { allowed_concurrent: 0, maximum_units_per_worker: 2, max_num_concurrent_units: 0 },
    units: 300,
  },
  {
    name: 'max_num_concurrent_units',
    caps: { allowed_concurrent: 0, maximum_units_per_worker: 0, max_num_concurrent_units: 10 },
    units: 60,
  },
  {
    name: 'all three caps',
    caps: { allowed_concurrent: 1, maximum_units_per_worker: 2, max_num_concurrent_units: 10 },
    units: 60,
  },
];

async function violations(store: Store, run: LiveRun, caps: Caps, workerId: string): Promise<string[]> {
  const found: string[] = [];
  const [held, counted, slots] = await Promise.all([
    store.countUnits({ taskRunId: run.taskRun.id, workerId, status: 'assigned' }),
    store.countUnits({ taskId: run.task.id, workerId, status: COUNTED }),
    store.countUnits({ taskRunId: run.taskRun.id, status: ['launched', 'assigned'] }),
  ]);
  if (caps.allowed_concurrent > 0 && held > caps.allowed_concurrent)
    found.push(`worker ${workerId} holds ${held}`);
  if (caps.maximum_units_per_worker > 0 && counted > caps.maximum_units_per_worker)
    found.push(`worker ${workerId} counted ${counted}`);
  if (caps.max_num_concurrent_units > 0 && slots > caps.max_num_concurrent_units)
    found.push(`${slots} units launched or assigned`);
  return found;
}

for (const target of STORE_TARGETS) {
  describe.skipIf(!target.available)(`engine races [${target.name}]`, () => {
    const h = useStore(target, { poolSize: 10 });

    for (const { name, caps, units } of CASES) {
      it(
        `${WORKERS} workers at once never exceed ${name} (${JSON.stringify(caps)})`,
        { timeout: 120_000 },
        async () => {
          const config = makeConfig({ task: { task_name: `race-${name.replace(/ /g, '-')}`, ...caps } });
          const { run, operator } = await launch(h.store, h.clock, { config, data: items(units) });
          const problems: string[] = [];
          // An object, so the compiler does not narrow the flag across the awaits below.
          const state = { ended: false };
          void run.ended.then(() => {
            state.ended = true;
          });
          // Slots are also checked every time units are launched.
          run.events.on('unit-launched', () => {
            void h.store
              .countUnits({ taskRunId: run.taskRun.id, status: ['launched', 'assigned'] })
              .then((slots) => {
                if (caps.max_num_concurrent_units > 0 && slots > caps.max_num_concurrent_units)
                  problems.push(`${slots} launched or assigned after a launch`);
              });
          });

          const workerNames = Array.from({ length: WORKERS }, (_, i) => `racer_${i}`);
          let round = 0;
          while (!state.ended) {
            expect(round++, 'rounds').toBeLessThan(400);
            const launchedMeanwhile = nextEvent(run, 'unit-launched');
            const results = await Promise.all(
              workerNames.flatMap((worker) =>
                Array.from({ length: REQUESTS_AT_ONCE }, async (_, j) => {
                  const details = await run.requestAgent({
                    worker_name: worker,
                    agent_registration_id: `${worker}-${round}-${j}`,
                  });
                  if (details.agent_id === null || details.worker_id === null) return undefined;
                  problems.push(...(await violations(h.store, run, caps, details.worker_id)));
                  return details.agent_id;
                }),
              ),
            );
            const taken = results.filter((id): id is string => id !== undefined);
            await Promise.all(taken.map((agentId) => run.submitUnit(agentId, { round })));
            // Nothing could be taken: wait for the launcher to put more on offer (or the end).
            if (taken.length === 0) await Promise.race([launchedMeanwhile, run.ended]);
          }
          const end = await run.ended;
          expect(problems).toEqual([]);
          expect(end.reason).toBe('completed');
          expect(end.counts.completed).toBe(units);
          if (caps.maximum_units_per_worker > 0) {
            const perWorker = new Map<string, number>();
            for (const unit of await h.store.findUnits({ taskRunId: run.taskRun.id }))
              perWorker.set(unit.workerId ?? '', (perWorker.get(unit.workerId ?? '') ?? 0) + 1);
            expect(Math.max(...perWorker.values())).toBeLessThanOrEqual(caps.maximum_units_per_worker);
          }
          await operator.shutdown();
        },
      );
    }
  });
}
