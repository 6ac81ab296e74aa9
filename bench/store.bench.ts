/**
 * Store benchmark: how fast the store creates, reads and transitions a large run's units, on SQLite and
 * on PostgreSQL. One task, requester and run; `units` assignments of one unit each created in one
 * `createAssignmentsWithUnits` call; all units read back with `findUnits`; then every unit moved
 * `created → launched` with a guarded transition, `concurrency` at a time so PostgreSQL's pool is busy.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { formatCount, formatTable, type TextSink } from '../packages/mephisto/src/cli/output.js';
import { openStore } from '../packages/mephisto/src/store/open-store.js';
import { resolveStoreConfig, type StoreConfig } from '../packages/mephisto/src/store/store-config.js';
import type { Store } from '../packages/mephisto/src/store/store.js';
import { BenchUsageError } from './usage-error.js';

export const DEFAULT_BENCH_PG_URL = 'postgres://root@127.0.0.1:5432/test';

export interface StoreBenchOptions {
  /** @default 100_000 */
  units?: number;
  /** Guarded transitions in flight at once. @default 64 */
  concurrency?: number;
  /** PostgreSQL server to use, or null to skip PostgreSQL. @default MEPHISTO_BENCH_PG_URL or DEFAULT_BENCH_PG_URL */
  pgUrl?: string | null;
  /** Progress and notices. */
  log?: TextSink;
}

export type BenchDatabase = 'sqlite' | 'postgres';
export type BenchStep = 'create units' | 'read units' | 'guarded transitions';

export interface StepResult {
  database: BenchDatabase;
  step: BenchStep;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  /** Rows per second the step should reach, if it has a target. */
  target: number | null;
  /** The process's peak resident set size so far, in bytes. */
  peakRssBytes: number;
}

export interface DatabaseResult {
  database: BenchDatabase;
  /** Empty when the database was skipped. */
  steps: StepResult[];
  /** Units found `launched` at the end: should equal the unit count. */
  launchedUnits: number;
  /** Why the database was skipped, if it was. */
  skipped?: string;
}

/** The figures the issue asks for; a step without an entry has no target. */
export const TARGETS: Readonly<Record<BenchDatabase, Partial<Record<BenchStep, number>>>> = {
  sqlite: { 'create units': 100_000, 'guarded transitions': 20_000 },
  postgres: { 'create units': 20_000 },
};

export async function runStoreBench(options: StoreBenchOptions = {}): Promise<DatabaseResult[]> {
  const units = options.units ?? 100_000;
  const concurrency = options.concurrency ?? 64;
  const log = options.log ?? { write: () => true };
  const results: DatabaseResult[] = [];

  const dir = await mkdtemp(join(tmpdir(), 'mephisto-ts-bench-'));
  try {
    log.write(`sqlite: ${units} units…\n`);
    const config: StoreConfig = { kind: 'sqlite', path: join(dir, 'bench.db') };
    results.push(await benchDatabase('sqlite', config, units, concurrency));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const pgUrl =
    options.pgUrl === undefined ? (process.env.MEPHISTO_BENCH_PG_URL ?? DEFAULT_BENCH_PG_URL) : options.pgUrl;
  if (pgUrl === null) {
    results.push({ database: 'postgres', steps: [], launchedUnits: 0, skipped: 'no PostgreSQL URL given' });
    return results;
  }
  const reason = await unreachable(pgUrl);
  if (reason !== null) {
    log.write(`postgres: SKIPPED, ${reason} (set MEPHISTO_BENCH_PG_URL to run it)\n`);
    results.push({ database: 'postgres', steps: [], launchedUnits: 0, skipped: reason });
    return results;
  }
  // A throwaway schema, so the benchmark never touches real data and leaves nothing behind.
  const base = resolveStoreConfig(pgUrl);
  if (base.kind !== 'postgres') throw new Error(`not a PostgreSQL URL: ${pgUrl}`);
  const schema = `mephisto_bench_${process.pid}_${Date.now()}`;
  try {
    log.write(`postgres: ${units} units in schema ${schema}…\n`);
    results.push(await benchDatabase('postgres', { ...base, schema }, units, concurrency));
  } finally {
    await dropSchema(base.url, schema);
  }
  return results;
}

async function benchDatabase(
  database: BenchDatabase,
  config: StoreConfig,
  units: number,
  concurrency: number,
): Promise<DatabaseResult> {
  const store = await openStore(config);
  try {
    const steps: StepResult[] = [];
    const measure = async (step: BenchStep, rows: number, work: () => Promise<void>): Promise<void> => {
      const start = performance.now();
      await work();
      const seconds = (performance.now() - start) / 1000;
      steps.push({
        database,
        step,
        rows,
        seconds,
        rowsPerSecond: rows / seconds,
        target: TARGETS[database][step] ?? null,
        peakRssBytes: process.resourceUsage().maxRSS * 1024,
      });
    };

    const run = await createRun(store);
    await measure('create units', units, async () => {
      const created = await store.createAssignmentsWithUnits(
        run,
        Array.from({ length: units }, () => ({ units: [{ payAmount: 0.5 }] })),
      );
      expectCount('created units', created.units.length, units);
    });

    let ids: string[] = [];
    await measure('read units', units, async () => {
      ids = (await store.findUnits({ taskRunId: run })).map((unit) => unit.id);
      expectCount('units read back', ids.length, units);
    });

    await measure('guarded transitions', units, () =>
      forEachConcurrently(ids, concurrency, async (id) => {
        await store.transitionUnit(id, { from: 'created', to: 'launched' });
      }),
    );

    const launchedUnits = await store.countUnits({ taskRunId: run, status: 'launched' });
    return { database, steps, launchedUnits };
  } finally {
    await store.close();
  }
}

/** A task, a requester and a run to hang the units on; returns the run's id. */
async function createRun(store: Store): Promise<string> {
  const task = await store.createTask({ name: 'bench-task', taskType: 'mock' });
  const requester = await store.createRequester({ name: 'bench-requester', providerType: 'mock' });
  const run = await store.createTaskRun({
    taskId: task.id,
    requesterId: requester.id,
    initParams: '{}',
    providerType: 'mock',
    taskType: 'mock',
  });
  return run.id;
}

function expectCount(what: string, actual: number, expected: number): void {
  if (actual !== expected) throw new Error(`benchmark broken: ${actual} ${what}, expected ${expected}`);
}

/** Runs `work` on every item with at most `limit` calls pending; the first failure stops the lot. */
async function forEachConcurrently<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** Null when the server answers, else why not. */
async function unreachable(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: resolvePgUrl(url), connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (error) {
    return `PostgreSQL unreachable at ${url}: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** The URL without mephisto-ts's own `schema` parameter, which pg would not understand. */
function resolvePgUrl(url: string): string {
  const config = resolveStoreConfig(url);
  return config.kind === 'postgres' ? config.url : url;
}

export function formatStoreBench(
  results: readonly DatabaseResult[],
  options: { units: number; concurrency: number },
) {
  const rows = results.flatMap((result) =>
    result.skipped !== undefined
      ? [[result.database, 'SKIPPED', '', '', '', '', '', '']]
      : result.steps.map((step) => [
          step.database,
          step.step,
          formatCount(step.rows),
          step.seconds.toFixed(3),
          formatCount(Math.round(step.rowsPerSecond)),
          step.target === null ? '' : `≥${formatCount(step.target)}/s`,
          step.target === null ? '' : step.rowsPerSecond >= step.target ? 'MET' : 'MISSED',
          `${Math.round(step.peakRssBytes / 2 ** 20)} MB`,
        ]),
  );
  let text =
    `store benchmark: ${formatCount(options.units)} units, ${options.concurrency} transitions in flight\n\n` +
    formatTable(['database', 'step', 'rows', 'seconds', 'rows/s', 'target', 'result', 'peak RSS'], rows, [
      'left',
      'left',
      'right',
      'right',
      'right',
      'left',
      'left',
      'right',
    ]);
  for (const result of results) {
    if (result.skipped !== undefined) text += `\n${result.database} skipped: ${result.skipped}\n`;
  }
  text += '\npeak RSS is the whole process so far (it includes the databases benchmarked before).\n';
  return text;
}

/** `npm run bench -- store [--units N] [--concurrency N]`. */
export async function main(argv: readonly string[], out: TextSink): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: { units: { type: 'string' }, concurrency: { type: 'string' } },
    strict: true,
  });
  const units = positiveInteger('--units', values.units ?? '100000');
  const concurrency = positiveInteger('--concurrency', values.concurrency ?? '64');
  const results = await runStoreBench({ units, concurrency, log: out });
  out.write(`\n${formatStoreBench(results, { units, concurrency })}`);
  const broken = results.filter((result) => result.skipped === undefined && result.launchedUnits !== units);
  for (const result of broken) {
    out.write(`${result.database}: only ${result.launchedUnits} of ${units} units ended launched\n`);
  }
  return broken.length === 0 ? 0 : 1;
}

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new BenchUsageError(`${flag} must be a positive integer, got "${text}"`);
  }
  return value;
}
