/**
 * Export benchmark: how long `mephisto export` takes to write a large run to a file, and the most
 * memory the process holds meanwhile. One run of `units` units (default 100,000), every unit
 * submitted and completed, on SQLite (a temporary file); the run is exported (JSONL by default)
 * through the same path as `mephisto export RUN --out FILE`.
 *
 * The run is written with SQL (recursive CTEs, no JavaScript objects per unit); the export then runs in
 * a fresh child process (export-child.ts), as `mephisto export` runs in its own, so the peak resident
 * set size sampled there is the export's own and not what seeding left in this process.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { formatCount, formatTable, type TextSink } from '../../packages/mephisto/src/cli/output.js';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  EXPORT_FORMATS,
  isExportFormat,
  type ExportFormat,
} from '../../packages/mephisto/src/export/export-format.js';
import type { ExportChildRequest, ExportChildResult } from './export-child.js';
import { openStore } from '../../packages/mephisto/src/store/open-store.js';
import { verdict } from '../stats.js';
import { BenchUsageError } from '../usage-error.js';

export interface ExportBenchOptions {
  /** Units in the run, all exported. @default 100_000 */
  units?: number;
  /** @default 'jsonl' */
  format?: ExportFormat;
  /** Progress. */
  log?: TextSink;
}

export interface ExportBenchResult {
  /** Wall-clock seconds of the export (resolving the run, reading, encoding, writing, renaming). */
  seconds: number;
  /** The largest resident set size sampled during the export (every 10 ms and after every page). */
  peakRssBytes: number;
  /** The resident set size when the export started (the store open, nothing read yet). */
  startRssBytes: number;
  /** Rows written. */
  rows: number;
}

/** A submission of a realistic size (~300 bytes) with text that CSV must quote. */
const SUBMISSION = JSON.stringify({
  answer: 'yes',
  confidence: 4,
  comment: 'Looks right, though "the cat" could be read two ways,\nso I picked the literal one. ✓',
  tags: ['animal', 'indoor', 'unambiguous'],
});

const CHILD_SCRIPT = fileURLToPath(new URL('./export-child.ts', import.meta.url));

/** Runs the export in a fresh process (with the same module conditions as this one). */
function exportInChild(request: ExportChildRequest): Promise<ExportChildResult> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD_SCRIPT, [], {
      execArgv: ['--conditions=mephisto-source', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let answered = false;
    child.once(
      'message',
      (message: { ok: true; result: ExportChildResult } | { ok: false; error: string }) => {
        answered = true;
        if (message.ok) resolve(message.result);
        else reject(new Error(`the export failed: ${message.error}`));
      },
    );
    child.once('exit', (code) => {
      if (!answered) reject(new Error(`the export process exited (code ${String(code)}) without a result`));
    });
    child.send(request);
  });
}

export async function runExportBench(options: ExportBenchOptions = {}): Promise<ExportBenchResult> {
  const units = options.units ?? 100_000;
  const format = options.format ?? 'jsonl';
  const log = options.log ?? { write: () => true };
  const dir = await mkdtemp(join(tmpdir(), 'mephisto-ts-export-bench-'));
  try {
    const path = join(dir, 'bench.db');
    log.write(`seeding ${formatCount(units)} submitted units…\n`);
    const runId = await seedRun(path, units);
    log.write(`exporting (${format}) in a fresh process…\n`);
    const outPath = join(dir, `export.${format}`);
    const result = await exportInChild({ dbPath: path, runId, format, outPath });
    const { size } = await stat(outPath);
    log.write(`wrote ${formatCount(size)} bytes\n`);
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Creates the database (through the store, for the schema and the few catalog rows), then the run's
 * assignments, units and submitted agents with SQL. Returns the run's id.
 */
async function seedRun(path: string, units: number): Promise<string> {
  const store = await openStore({ kind: 'sqlite', path });
  let ids: { task: string; requester: string; run: string; worker: string };
  try {
    const task = await store.createTask({ name: 'export-bench', taskType: 'static_task' });
    const requester = await store.createRequester({ name: 'export-bench', providerType: 'mock' });
    const run = await store.createTaskRun({
      taskId: task.id,
      requesterId: requester.id,
      initParams: '{}',
      providerType: 'mock',
      taskType: 'static_task',
    });
    const worker = await store.createWorker({ name: 'export-bench-worker', providerType: 'mock' });
    ids = { task: task.id, requester: requester.id, run: run.id, worker: worker.id };
  } finally {
    await store.close();
  }
  const db = new Database(path);
  try {
    // Ids above every id the store drew: assignment 2i, unit 2i + 1, agent = unit (ids are unique per
    // table). Dates a second apart, the agent created a minute after its unit, submitted 90 s later.
    const base = `(select max(task_run_id) + 1000000 from task_runs)`;
    const now = Date.now();
    db.exec(`
create temporary table seq as
  with recursive s(i) as (select 0 union all select i + 1 from s where i + 1 < ${units}) select i from s;
insert into assignments (assignment_id, task_id, task_run_id, requester_id, task_type, provider_type, sandbox,
  data, creation_date)
select ${base} + 2 * i, ${ids.task}, ${ids.run}, ${ids.requester}, 'static_task', 'mock', 1,
  json_object('shared', json_object('text', 'Sentence number ' || i || ', to label.'), 'unit_data', json_array(json_object())),
  ${now} + i * 1000
from seq;
insert into units (unit_id, assignment_id, unit_index, pay_amount, provider_type, status, agent_id, worker_id,
  task_type, task_id, task_run_id, sandbox, requester_id, creation_date)
select ${base} + 2 * i + 1, ${base} + 2 * i, 0, 0.5, 'mock', 'completed', null, ${ids.worker}, 'static_task',
  ${ids.task}, ${ids.run}, 1, ${ids.requester}, ${now} + i * 1000
from seq;
insert into agents (agent_id, worker_id, unit_id, task_id, task_run_id, assignment_id, task_type, provider_type,
  status, creation_date, data, submitted_at)
select unit_id, worker_id, unit_id, task_id, task_run_id, assignment_id, task_type, provider_type, 'completed',
  creation_date + 60000, '${SUBMISSION.replace(/'/g, "''")}', creation_date + 150000
from units where task_run_id = ${ids.run};
update units set agent_id = unit_id where task_run_id = ${ids.run};
drop table seq;`);
  } finally {
    db.close();
  }
  return ids.run;
}

/** Issue 5's targets for a 100,000-unit export. */
export const EXPORT_TARGETS = { seconds: 5, peakRssBytes: 200_000_000 } as const;

export function formatExportBench(
  result: ExportBenchResult,
  options: { units: number; format: ExportFormat },
): string {
  const table = formatTable(
    ['Units', 'Format', 'Rows', 'Seconds', 'Rows/s', 'RSS at start', 'Peak RSS'],
    [
      [
        formatCount(options.units),
        options.format,
        formatCount(result.rows),
        result.seconds.toFixed(2),
        formatCount(Math.round(result.rows / result.seconds)),
        mebibytes(result.startRssBytes),
        mebibytes(result.peakRssBytes),
      ],
    ],
    ['right', 'left', 'right', 'right', 'right', 'right', 'right'],
  );
  if (options.units !== 100_000) return table;
  const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(0)} MB`;
  return [
    table,
    'targets for 100,000 units (in a fresh process, as `mephisto export` runs):',
    `  export < ${EXPORT_TARGETS.seconds} s: ${result.seconds.toFixed(2)} s ${verdict(result.seconds < EXPORT_TARGETS.seconds)}`,
    `  peak memory < ${mb(EXPORT_TARGETS.peakRssBytes)}: ${mb(result.peakRssBytes)} ${verdict(result.peakRssBytes < EXPORT_TARGETS.peakRssBytes)}`,
    '',
  ].join('\n');
}

function mebibytes(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MiB`;
}

/** `npm run bench -- <name> [--units N] [--format jsonl|csv]` once wired in bench/benchmarks.ts. */
export async function main(argv: readonly string[], out: TextSink): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: { units: { type: 'string' }, format: { type: 'string' } },
    strict: true,
  });
  const units = Number(values.units ?? '100000');
  if (!Number.isSafeInteger(units) || units < 1) {
    throw new BenchUsageError(`--units must be a positive integer, got "${values.units ?? ''}"`);
  }
  const format = values.format ?? 'jsonl';
  if (!isExportFormat(format)) {
    throw new BenchUsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}, got "${format}"`);
  }
  const result = await runExportBench({ units, format, log: out });
  out.write(`\n${formatExportBench(result, { units, format })}`);
  return result.rows === units ? 0 : 1;
}
