/**
 * Review benchmark: how the review service lists, counts, reads and acts on a large run. One run of
 * `units` units (default 100,000), the first `completed` of them submitted by 500 workers; then, timed:
 * unit pages without a filter (first, consecutive, deep), by status, by worker, by search; the total
 * count; a unit's detail; single approvals, 20 concurrent duplicates of one, bulk approve and bulk
 * bonus of 1,000 units; the monitor's probe and snapshot; the task list. On SQLite (a temporary file),
 * and on PostgreSQL in a throwaway schema when `pgUrl` is given.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { formatTable, type TextSink } from '../../packages/mephisto/src/cli/output.js';
import { MockProvider } from '../../packages/mephisto/src/providers/mock/mock-provider.js';
import { ReviewService } from '../../packages/mephisto/src/review/review-service.js';
import { encodeUnitCursor } from '../../packages/mephisto/src/review/unit-cursor.js';
import { openStore } from '../../packages/mephisto/src/store/open-store.js';
import { resolveStoreConfig, type StoreConfig } from '../../packages/mephisto/src/store/store-config.js';
import type { Store } from '../../packages/mephisto/src/store/store.js';
import type { Unit, Worker } from '../../packages/mephisto/src/core/index.js';
import { BenchUsageError } from '../usage-error.js';

export interface ReviewListBenchOptions {
  /** Units in the run. @default 100_000 */
  units?: number;
  /**
   * Units submitted (from the first), the ones approvals and bonuses act on. @default an eighth of the
   * units, at least 12,500 (enough for the 10,000-unit bulk approve)
   */
  completed?: number;
  /** PostgreSQL to run on as well, or null/omitted for SQLite only. */
  pgUrl?: string | null;
  /** Progress. */
  log?: TextSink;
}

export interface ReviewBenchStep {
  step: string;
  /** Milliseconds per operation (the average when `count` > 1). */
  ms: number;
  /** Operations timed. */
  count: number;
}

export interface ReviewBenchResult {
  database: 'sqlite' | 'postgres';
  units: number;
  completed: number;
  /** Seeding the run (not part of what is measured). */
  seedSeconds: number;
  steps: ReviewBenchStep[];
}

export async function runReviewListBench(options: ReviewListBenchOptions = {}): Promise<ReviewBenchResult[]> {
  const units = options.units ?? 100_000;
  const completed = Math.min(units, options.completed ?? Math.max(12_500, Math.floor(units / 8)));
  if (completed < 2_200)
    throw new BenchUsageError('the review benchmark needs at least 2,200 completed units');
  const log = options.log ?? { write: () => true };
  const results: ReviewBenchResult[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'mephisto-ts-review-bench-'));
  try {
    log.write(`sqlite: ${units} units, ${completed} completed…\n`);
    results.push(
      await benchDatabase('sqlite', { kind: 'sqlite', path: join(dir, 'review.db') }, units, completed),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  if (options.pgUrl) {
    const base = resolveStoreConfig(options.pgUrl);
    if (base.kind !== 'postgres') throw new BenchUsageError(`not a PostgreSQL URL: ${options.pgUrl}`);
    const schema = `mephisto_review_bench_${process.pid}_${Date.now()}`;
    try {
      log.write(`postgres: ${units} units in schema ${schema}…\n`);
      results.push(await benchDatabase('postgres', { ...base, schema }, units, completed));
    } finally {
      const client = new pg.Client({ connectionString: base.url });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`).finally(() => client.end());
    }
  }
  return results;
}

async function benchDatabase(
  database: 'sqlite' | 'postgres',
  config: StoreConfig,
  unitCount: number,
  completedCount: number,
): Promise<ReviewBenchResult> {
  const store = await openStore(config);
  try {
    const seedStart = performance.now();
    const { runId, units, workers } = await seed(store, unitCount, completedCount);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const service = new ReviewService({ store, providers: mockProviders() });
    const steps: ReviewBenchStep[] = [];
    const time = async <T>(step: string, count: number, work: () => Promise<T>): Promise<T> => {
      const start = performance.now();
      const result = await work();
      steps.push({ step, ms: (performance.now() - start) / count, count });
      return result;
    };

    const first = await time('page of 100, no filter (first)', 1, () =>
      service.listRunUnits(runId, { limit: 100 }),
    );
    expect('total', first.total, unitCount);
    await time('page of 100, no filter (50 consecutive)', 50, async () => {
      let cursor = first.nextCursor ?? undefined;
      for (let i = 0; i < 50 && cursor !== undefined; i++)
        cursor = (await service.listRunUnits(runId, { limit: 100, cursor })).nextCursor ?? undefined;
    });
    const deep = units[Math.floor(unitCount * 0.9)];
    if (deep) {
      const cursor = encodeUnitCursor({ creationDate: deep.creationDate, unitId: deep.id });
      await time('page of 100, no filter (at 90%)', 20, async () => {
        for (let i = 0; i < 20; i++) await service.listRunUnits(runId, { limit: 100, cursor });
      });
    }
    await time('page of 100, status=completed (20 consecutive)', 20, async () => {
      let cursor: string | undefined;
      for (let i = 0; i < 20; i++) {
        const page = await service.listRunUnits(runId, {
          statuses: ['completed'],
          limit: 100,
          ...(cursor ? { cursor } : {}),
        });
        cursor = page.nextCursor ?? undefined;
      }
    });
    const worker = workers[7];
    if (worker) {
      await time('page, worker filter', 10, async () => {
        for (let i = 0; i < 10; i++) await service.listRunUnits(runId, { workerId: worker.id, limit: 100 });
      });
      await time('page, search by worker name', 10, async () => {
        for (let i = 0; i < 10; i++) await service.listRunUnits(runId, { q: worker.name, limit: 100 });
      });
    }
    await time('count, no filter', 10, async () => {
      for (let i = 0; i < 10; i++) await store.review.countReviewUnits({ taskRunId: runId });
    });
    const target = units[0];
    if (target)
      await time('unit detail', 20, async () => {
        for (let i = 0; i < 20; i++) await service.getUnit(target.id);
      });

    const submitted = units.slice(0, completedCount);
    await time('approve, one unit (200 sequential)', 200, async () => {
      for (const unit of submitted.slice(0, 200))
        await service.actOnUnit(unit.id, { action: 'approve', idempotency_key: randomUUID() });
    });
    const dupe = submitted[200];
    if (dupe) {
      const key = randomUUID();
      const answers = await time('approve, 20 concurrent duplicates (total)', 1, () =>
        Promise.all(
          Array.from({ length: 20 }, () =>
            service.actOnUnit(dupe.id, { action: 'approve', idempotency_key: key }),
          ),
        ),
      );
      expect('applied duplicates', answers.filter((a) => a.applied).length, 1);
    }
    const bulk = submitted.slice(201, 1201).map((u) => u.id);
    const approved = await time('bulk approve, 1,000 units (total)', 1, () =>
      service.bulkAct({ action: 'approve', unit_ids: bulk, idempotency_key: randomUUID() }),
    );
    expect('bulk approved', approved.applied, bulk.length);
    const bonus = submitted.slice(1201, 2201).map((u) => u.id);
    const paid = await time('bulk bonus, 1,000 units (total)', 1, () =>
      service.bulkAct({
        action: 'bonus',
        amount: 0.25,
        reason: 'bench',
        unit_ids: bonus,
        idempotency_key: randomUUID(),
      }),
    );
    expect('bulk bonuses', paid.applied, bonus.length);
    // The figure: one bulk approve of 10,000 units (fewer when the run has fewer submitted).
    const large = submitted.slice(2201, 12_201).map((u) => u.id);
    if (large.length > 0) {
      const largeApproved = await time(
        `bulk approve, ${large.length.toLocaleString('en-US')} units (total)`,
        1,
        () => service.bulkAct({ action: 'approve', unit_ids: large, idempotency_key: randomUUID() }),
      );
      expect('large bulk approved', largeApproved.applied, large.length);
    }

    await time('monitor probe', 20, async () => {
      for (let i = 0; i < 20; i++) await store.review.probeRun(runId);
    });
    await time('monitor snapshot', 10, async () => {
      for (let i = 0; i < 10; i++) await service.monitorSnapshot(runId);
    });
    await time('task list (every run)', 5, async () => {
      for (let i = 0; i < 5; i++) await service.listTasks();
    });
    return { database, units: unitCount, completed: completedCount, seedSeconds, steps };
  } finally {
    await store.close();
  }
}

/** The run, its units (launched), and `completed` of them taken and submitted by 500 workers. */
async function seed(
  store: Store,
  unitCount: number,
  completedCount: number,
): Promise<{ runId: string; units: Unit[]; workers: Worker[] }> {
  const task = await store.createTask({ name: 'review-bench', taskType: 'static_task' });
  const requester = await store.createRequester({ name: 'review-bench', providerType: 'mock' });
  const run = await store.createTaskRun({
    taskId: task.id,
    requesterId: requester.id,
    initParams: JSON.stringify({ mephisto: { provider: { _provider_type: 'mock' } } }),
    providerType: 'mock',
    taskType: 'static_task',
  });
  const { units } = await store.createAssignmentsWithUnits(
    run.id,
    Array.from({ length: unitCount }, (_, i) => ({ data: { i }, units: [{ payAmount: 0.5 }] })),
    { unitStatus: 'launched', returnAssignments: false },
  );
  const workers: Worker[] = [];
  for (let i = 0; i < 500; i++)
    workers.push(await store.createWorker({ name: `bench-worker-${i}`, providerType: 'mock' }));
  // Many at once: the store batches concurrent writes (SQLite group commit, PostgreSQL pool).
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < completedCount; i = next++) {
      const unit = units[i];
      const worker = workers[i % workers.length];
      if (!unit || !worker) return;
      const agent = await store.createAgent({ workerId: worker.id, unitId: unit.id, status: 'in task' });
      await store.submitAgent(agent.id, { answer: `answer ${i}`, note: '<script>alert(1)</script>' });
    }
  };
  await Promise.all(Array.from({ length: 128 }, lane));
  return { runId: run.id, units, workers };
}

function mockProviders() {
  const provider = new MockProvider();
  return { forRun: () => provider, forWorker: () => provider };
}

function expect(what: string, actual: number, wanted: number): void {
  if (actual !== wanted) throw new Error(`benchmark broken: ${what} ${actual}, expected ${wanted}`);
}

export function formatReviewBench(results: readonly ReviewBenchResult[]): string {
  return results
    .map(
      (r) =>
        `${r.database}: ${r.units.toLocaleString('en-US')} units, ${r.completed.toLocaleString('en-US')} completed ` +
        `(seeded in ${r.seedSeconds.toFixed(1)} s)\n` +
        formatTable(
          ['Step', 'ms/op', 'ops'],
          r.steps.map((s) => [s.step, s.ms.toFixed(2), String(s.count)]),
          ['left', 'right', 'right'],
        ),
    )
    .join('\n');
}

/** `npm run bench -- review [--units N] [--completed N] [--pg URL]`. */
export async function main(argv: readonly string[], out: TextSink): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: { units: { type: 'string' }, completed: { type: 'string' }, pg: { type: 'string' } },
    strict: true,
  });
  const count = (name: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 1) throw new BenchUsageError(`--${name} must be a positive integer`);
    return n;
  };
  const units = count('units', values.units);
  const completed = count('completed', values.completed);
  const results = await runReviewListBench({
    ...(units === undefined ? {} : { units }),
    ...(completed === undefined ? {} : { completed }),
    pgUrl: values.pg ?? null,
    log: out,
  });
  out.write(formatReviewBench(results));
  return 0;
}
