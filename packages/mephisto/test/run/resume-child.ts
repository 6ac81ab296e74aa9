/**
 * The process resume-after-kill.test.ts kills. It runs the example mock task (examples/mock-task, its
 * run script's API) on the store and data file given, with real time, and drives it with simulated
 * workers: the first HOLDERS workers take a unit and sit on it (a think time far longer than the test),
 * the others complete units slowly. It reports on stdout, one JSON line each:
 *
 * - `{"type":"launched","taskRunId":…}` once the run is on offer;
 * - `{"type":"assigned","unitId":…,"agentId":…,"worker":…}` after each agent is created;
 * - `{"type":"completed","unitId":…,"agentId":…,"data":…}` after each submission is committed.
 *
 * It never ends by itself before the test kills it (the holders never submit).
 *
 * Usage: node --import tsx resume-child.ts <db designation> <data csv> <task name>
 */
import { fileURLToPath } from 'node:url';
import { runTask } from '../../src/script/run-task.js';
import { simulateWorkers } from '../../src/script/simulate-workers.js';

/** Workers that take one unit each and hold it until the process is killed. */
const HOLDERS = 2;
/** Workers that complete units, slowly. */
const FINISHERS = 4;
/** The cap on launched + assigned units, so part of the data file is still unread at the kill. */
const MAX_CONCURRENT = 10;

const EXAMPLE_DIR = fileURLToPath(new URL('../../../../examples/mock-task/', import.meta.url));

const [db, dataCsv, taskName] = process.argv.slice(2);
if (db === undefined || dataCsv === undefined || taskName === undefined) {
  throw new Error('usage: resume-child.ts <db designation> <data csv> <task name>');
}

const say = (line: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

await runTask({
  script: EXAMPLE_DIR,
  argv: [
    '--db',
    db,
    `mephisto.task.task_name=${taskName}`,
    `mephisto.blueprint.data_csv=${dataCsv}`,
    `mephisto.task.max_num_concurrent_units=${MAX_CONCURRENT}`,
  ],
  env: {},
  output: { write: () => true },
  onLaunched: (run) => {
    run.events.on('agent-assigned', ({ agent, unit }) => {
      say({ type: 'assigned', unitId: unit.id, agentId: agent.id, worker: agent.workerId });
    });
    run.events.on('unit-submitted', ({ agent, unit, data }) => {
      say({ type: 'completed', unitId: unit.id, agentId: agent.id, data });
    });
    say({ type: 'launched', taskRunId: run.taskRun.id });
    void simulateWorkers(run, {
      count: HOLDERS + FINISHERS,
      behaviour: (index) =>
        index < HOLDERS
          ? { thinkTimeMs: 600_000, maxUnits: 1 }
          : {
              thinkTimeMs: () => 40 + Math.floor(Math.random() * 80),
              submission: (unit) => ({
                by: unit.workerName,
                attempt: unit.attempt,
                sentence: (unit.details.init_task_data as { sentence?: string } | null)?.sentence,
              }),
            },
    }).done.catch((error: unknown) => {
      process.stderr.write(`simulated workers failed: ${String(error)}\n`);
      process.exit(3);
    });
  },
});
