/**
 * The run-script API on the example task: config beside the script, overrides from argv, task data
 * from the script, hooks, and the store chosen by the script.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { SequentialIdGenerator } from '../../src/core/ids.js';
import { runTask, defineTaskScript } from '../../src/script/run-task.js';
import { simulateWorkers } from '../../src/script/simulate-workers.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';

const EXAMPLE_DIR = fileURLToPath(new URL('../../../../examples/mock-task/', import.meta.url));

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mephisto-ts-script-'));
  store = await openStore({ kind: 'sqlite', path: join(dir, 'db.sqlite') });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function collector() {
  let text = '';
  return { write: (chunk: string) => (text += chunk), text: () => text };
}

describe('runTask', () => {
  it('loads hydra_configs/conf/example.yaml beside the script, applies argv overrides, runs to the end', async () => {
    const submitted: unknown[] = [];
    const output = collector();
    const result = await runTask({
      script: new URL('run-task.ts', `file://${EXAMPLE_DIR}`),
      argv: ['mephisto.task.task_name=script-test'],
      store,
      output,
      onUnitSubmitted: ({ data }) => {
        submitted.push(data);
      },
      onLaunched: (run) => {
        void simulateWorkers(run, { count: 2 }).done;
      },
    });
    expect(result.exitCode).toBe(0);
    expect(result.end.reason).toBe('completed');
    expect(result.config.mephisto.task.task_name).toBe('script-test');
    expect(result.config.task_dir).toBe(EXAMPLE_DIR.replace(/\/$/, ''));
    expect(submitted).toHaveLength(4);
    expect(output.text()).toContain('Task: script-test\n');
    expect(output.text()).toContain('Run ended: completed');
    expect(await store.countUnits({ taskRunId: result.taskRunId, status: 'completed' })).toBe(4);
  });

  it('takes the data from the script when the config names no data file, and a generator is fine', async () => {
    function* items() {
      for (let i = 0; i < 3; i++) yield { sentence: `generated ${i}` };
    }
    const seen: unknown[] = [];
    const script = defineTaskScript({
      script: EXAMPLE_DIR,
      argv: ['~mephisto.blueprint.data_csv'],
      taskData: items(),
      output: collector(),
      onLaunched: (run) => {
        void simulateWorkers(run, {
          count: 1,
          behaviour: { submission: (unit) => ({ got: unit.details.init_task_data }) },
        }).done;
      },
      onUnitSubmitted: ({ data }) => {
        seen.push(data);
      },
    });
    const result = await script.run({ store });
    expect(result.exitCode).toBe(0);
    expect(await store.countUnits({ taskRunId: result.taskRunId })).toBe(3);
    expect(JSON.stringify(seen)).toContain('generated 2');
  });

  it('opens the store named by --db in argv, and closes it', async () => {
    const path = join(dir, 'from-argv.db');
    const result = await runTask({
      script: EXAMPLE_DIR,
      argv: ['--db', path],
      env: {},
      output: collector(),
      onLaunched: (run) => {
        void simulateWorkers(run, { count: 4 }).done;
      },
    });
    expect(result.exitCode).toBe(0);
    const reopened = await openStore({ kind: 'sqlite', path });
    try {
      expect(await reopened.countUnits({ taskRunId: result.taskRunId, status: 'completed' })).toBe(4);
    } finally {
      await reopened.close();
    }
  });

  it('passes workerCanDoUnit to the engine', async () => {
    const clock = new ManualClock();
    const own = await openStore(
      { kind: 'sqlite', path: join(dir, 'caps.db') },
      { clock, ids: new SequentialIdGenerator() },
    );
    try {
      const result = await runTask({
        script: EXAMPLE_DIR,
        argv: [],
        store: own,
        output: collector(),
        workerCanDoUnit: (worker) => !worker.name.startsWith('sim_worker_0'),
        onLaunched: async (run) => {
          const simulation = simulateWorkers(run, { count: 2 });
          await simulation.done.then((records) => {
            expect(records[0]?.units).toHaveLength(0);
            expect(records[1]?.units).toHaveLength(4);
          });
        },
      });
      expect(result.exitCode).toBe(0);
    } finally {
      await own.close();
    }
  });

  it('reports a missing config with the places it looked', async () => {
    await expect(runTask({ script: dir, argv: [], store, output: collector() })).rejects.toThrow(
      /config file example in .* was not found/,
    );
  });
});
