/**
 * Engine benchmark: how fast a run launches and how fast workers get through it, in process, on a
 * temporary SQLite file.
 *
 * 1. **launch**: a static task whose data is an array of `units` items (one unit each) is launched;
 *    timed from `Operator.launch` until every unit is `launched`.
 * 2. **work**: `workers` simulated workers take units through {@link LiveRun.requestAgent} and submit
 *    them through {@link LiveRun.submitUnit} until `complete` units are completed. Reports completed
 *    units per second and the latency from a worker's request to its assignment (p50, p99).
 *
 * The workers are the testing kit's, so every call crosses the engine's public API exactly as a
 * browser's request would, minus HTTP.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatCount, formatTable, type TextSink } from '../packages/mephisto/src/cli/output.js';
import { parseTaskConfig } from '../packages/mephisto/src/core/config/task-config.js';
import { progressView } from '../packages/mephisto/src/script/run-report.js';
import { simulateWorkers } from '../packages/mephisto/src/script/simulate-workers.js';
import { startTaskRun } from '../packages/mephisto/src/script/start-task-run.js';
import { openStore } from '../packages/mephisto/src/store/open-store.js';
import type { LiveRun } from '../packages/mephisto/src/run/index.js';
import { BenchUsageError } from './usage-error.js';

export interface EngineBenchOptions {
  /** Units in the launched run. @default 100_000 */
  units?: number;
  /** Simulated workers working at once. @default 1_000 */
  workers?: number;
  /** Units the workers complete. @default 10_000 */
  complete?: number;
  /** Progress notices. */
  log?: TextSink;
}

export interface EngineBenchResult {
  units: number;
  workers: number;
  complete: number;
  launchSeconds: number;
  workSeconds: number;
  /** Units completed in the work phase (should equal `complete`). */
  completedUnits: number;
  unitsPerSecond: number;
  p50LatencyMs: number;
  p99LatencyMs: number;
  peakRssBytes: number;
}

/** The targets the engine is held to. */
export const ENGINE_TARGETS = {
  launchSeconds: 2,
  unitsPerSecond: 5_000,
  p99LatencyMs: 20,
} as const;

export async function runEngineBench(options: EngineBenchOptions = {}): Promise<EngineBenchResult> {
  const units = options.units ?? 100_000;
  const workers = options.workers ?? 1_000;
  const complete = Math.min(options.complete ?? 10_000, units);
  const log = options.log ?? { write: () => true };

  const dir = await mkdtemp(join(tmpdir(), 'mephisto-ts-engine-bench-'));
  try {
    await writeFile(join(dir, 'task.html'), '<p>${text}</p>\n');
    const store = await openStore({ kind: 'sqlite', path: join(dir, 'bench.db') });
    try {
      const config = parseTaskConfig(benchConfig(dir));
      const data = Array.from({ length: units }, (_, index) => ({ text: `item ${index}` }));

      log.write(`launching ${formatCount(units)} units…\n`);
      const launchStart = performance.now();
      const { operator, run } = await startTaskRun({ store, config, taskDir: dir, taskData: data });
      try {
        await allLaunched(run, units);
        const launchSeconds = (performance.now() - launchStart) / 1000;

        log.write(`${formatCount(workers)} workers completing ${formatCount(complete)} units…\n`);
        const perWorker = Math.ceil(complete / workers);
        const workStart = performance.now();
        // The last workers take one unit fewer so exactly `complete` units are done.
        const simulation = simulateWorkers(run, {
          count: workers,
          behaviour: (index) => ({
            maxUnits: Math.max(0, Math.min(perWorker, complete - index * perWorker)),
            liveUpdate: false,
          }),
        });
        const records = await simulation.done;
        const workSeconds = (performance.now() - workStart) / 1000;

        const latencies = records.flatMap((record) => record.assignLatenciesMs).sort((a, b) => a - b);
        const completedUnits = progressView(run).byStatus.completed ?? 0;
        return {
          units,
          workers,
          complete,
          launchSeconds,
          workSeconds,
          completedUnits,
          unitsPerSecond: completedUnits / workSeconds,
          p50LatencyMs: percentile(latencies, 0.5),
          p99LatencyMs: percentile(latencies, 0.99),
          peakRssBytes: process.resourceUsage().maxRSS * 1024,
        };
      } finally {
        await operator.shutdown('benchmark finished');
      }
    } finally {
      await store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A static task with no data file (the benchmark supplies an array) and the mock provider. */
function benchConfig(dir: string): Record<string, unknown> {
  return {
    task_dir: dir,
    mephisto: {
      blueprint: { _blueprint_type: 'static_task', task_source: join(dir, 'task.html') },
      architect: { _architect_type: 'mock' },
      provider: { _provider_type: 'mock' },
      task: {
        task_name: 'engine-bench',
        task_title: 'Engine benchmark',
        task_description: 'Units completed by simulated workers',
        task_reward: 0.01,
        task_tags: 'bench',
      },
    },
  };
}

/** Resolves once `units` units exist and none is still waiting to be launched. */
async function allLaunched(run: LiveRun, units: number): Promise<void> {
  for (;;) {
    const view = progressView(run);
    if (view.total >= units && (view.byStatus.created ?? 0) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The value below which `fraction` of the sorted samples fall (nearest rank). */
function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

function verdict(met: boolean): string {
  return met ? 'MET' : 'MISSED';
}

export function formatEngineBench(result: EngineBenchResult): string {
  const rows = [
    [
      'launch',
      `${formatCount(result.units)} units`,
      `${result.launchSeconds.toFixed(3)} s`,
      `<${ENGINE_TARGETS.launchSeconds} s`,
      verdict(result.launchSeconds < ENGINE_TARGETS.launchSeconds),
    ],
    [
      'throughput',
      `${formatCount(result.completedUnits)} units`,
      `${formatCount(Math.round(result.unitsPerSecond))} units/s`,
      `≥${formatCount(ENGINE_TARGETS.unitsPerSecond)}/s`,
      verdict(result.unitsPerSecond >= ENGINE_TARGETS.unitsPerSecond),
    ],
    ['assign latency p50', '', `${result.p50LatencyMs.toFixed(2)} ms`, '', ''],
    [
      'assign latency p99',
      '',
      `${result.p99LatencyMs.toFixed(2)} ms`,
      `<${ENGINE_TARGETS.p99LatencyMs} ms`,
      verdict(result.p99LatencyMs < ENGINE_TARGETS.p99LatencyMs),
    ],
  ];
  return (
    `engine benchmark (SQLite): ${formatCount(result.units)} units launched, ` +
    `${formatCount(result.workers)} workers completing ${formatCount(result.complete)}\n\n` +
    formatTable(['measure', 'work', 'value', 'target', 'result'], rows, [
      'left',
      'right',
      'right',
      'left',
      'left',
    ]) +
    `\nwork phase: ${result.workSeconds.toFixed(3)} s; peak RSS ${Math.round(result.peakRssBytes / 2 ** 20)} MB\n` +
    // Every worker asks again the moment it submitted, so requests queue: by Little's law the latency
    // is about workers / throughput, which is what the p50 shows when the engine is the bottleneck.
    `workers ask again as soon as they submit, so latency ≈ workers / throughput ` +
    `(${formatCount(result.workers)} / ${formatCount(Math.round(result.unitsPerSecond))}/s ≈ ` +
    `${((result.workers / Math.max(result.unitsPerSecond, 1e-9)) * 1000).toFixed(0)} ms)\n`
  );
}

/** `npm run bench -- engine [--units N] [--workers N] [--complete N]`. */
export async function main(argv: readonly string[], out: TextSink): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: { units: { type: 'string' }, workers: { type: 'string' }, complete: { type: 'string' } },
    strict: true,
  });
  const units = positiveInteger('--units', values.units ?? '100000');
  const workers = positiveInteger('--workers', values.workers ?? '1000');
  const complete = positiveInteger('--complete', values.complete ?? '10000');
  const result = await runEngineBench({ units, workers, complete, log: out });
  out.write(`\n${formatEngineBench(result)}`);
  const expected = Math.min(complete, units);
  if (result.completedUnits !== expected) {
    out.write(`only ${result.completedUnits} of ${expected} units ended completed\n`);
    return 1;
  }
  return 0;
}

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new BenchUsageError(`${flag} must be a positive integer, got "${text}"`);
  }
  return value;
}
