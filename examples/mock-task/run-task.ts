/**
 * The run script of the example task (the counterpart of a Mephisto `run_task.py`):
 *
 *   npx tsx examples/mock-task/run-task.ts                          # hydra_configs/conf/example.yaml
 *   npx tsx examples/mock-task/run-task.ts mephisto.task.task_reward=0.1 --db ./pilot.db
 *
 * It launches the task with the data of data/sentences.csv, logs each submission as it arrives and
 * waits for the run to end; Ctrl-C shuts it down cleanly. Until the worker-facing server exists, finish
 * the run without a browser with `mephisto run … --simulate-workers N` (see the README).
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineTaskScript } from 'mephisto-ts';

export const script = defineTaskScript({
  // The script's folder is the task directory; the config is hydra_configs/conf/example.yaml beside it.
  script: import.meta.url,
  defaultConfigName: 'example',
  onUnitSubmitted: ({ unit, data }) => {
    console.log(`unit ${unit.id} submitted:`, JSON.stringify(data));
  },
  // Mephisto's worker_can_do_unit: keep workers whose name marks them as blocked away from every unit.
  workerCanDoUnit: (worker) => !worker.name.startsWith('blocked_'),
});

// Run only when executed, not when a test imports the script to run it with its own store.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await script.main();
}
