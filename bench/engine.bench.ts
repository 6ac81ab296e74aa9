/**
 * Engine benchmark: how fast a run launches and how fast workers get through it, in process, on a
 * temporary SQLite file.
 *
 * 1. **launch**: a static task whose data is an array of `units` items (one unit each) is launched;
 *    timed from `Operator.launch` until every unit is `launched`.
 * 2. **throughput** (closed loop): `workers` simulated workers take units through
 *    {@link LiveRun.requestAgent} and submit them through {@link LiveRun.submitUnit}, each asking again
 *    the instant its submit is acknowledged, until `complete` units are completed. Reports completed
 *    units per second: the engine's capacity.
 * 3. **latency** (offered load ≈ half the capacity): the same number of workers, now each thinking a
 *    random time (uniform, mean `workers / (0.5 × capacity)`) between being assigned a unit and
 *    submitting it, until another `complete / 2` units are completed; the workers join over one mean
 *    think time, so there is no opening burst. Reports the latency from a
 *    worker's request to its assignment (p50, p99), held to the p99 target.
 *
 * Why two phases: in a closed loop with no think time the engine is saturated by construction, every
 * request queues behind the others, and by Little's law the latency is ≈ workers ÷ throughput whatever
 * the engine does (1,000 workers at 5,000 units/s ≈ 200 ms). That measures the queue, not the service.
 * Latency is measured the standard way instead: at a fixed offered load below capacity (here about
 * 50%), where it shows what a worker waits for when the server is busy but not overrun. The closed-loop
 * phase's request→assignment figures are printed too, for reference, without a target.
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
import { percentile, verdict } from './stats.js';
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
  /** Request→assignment in the closed-loop phase (≈ workers / throughput; no target). */
  saturatedP50LatencyMs: number;
  saturatedP99LatencyMs: number;
  /** The latency phase: units completed, its length, the offered load it ran at. */
  latencyUnits: number;
  latencySeconds: number;
  meanThinkMs: number;
  /** Steady-state offered load of the latency phase: workers / mean think time (≈ half the capacity). */
  offeredUnitsPerSecond: number;
  p50LatencyMs: number;
  p99LatencyMs: number;
  peakRssBytes: number;
}

/** Groups in which the latency phase's workers join (see the latency phase). */
const RAMP_GROUPS = 20;

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

        const saturated = records.flatMap((record) => record.assignLatenciesMs).sort((a, b) => a - b);
        const completedUnits = progressView(run).byStatus.completed ?? 0;
        const unitsPerSecond = completedUnits / workSeconds;

        // Latency at about half the measured capacity: each of `workers` workers completes a unit per
        // think time (plus service time), so a mean think of workers / (0.5 × capacity) offers ~50%.
        const latencyUnits = Math.min(Math.ceil(complete / 2), units - completedUnits);
        const meanThinkMs = (workers / (0.5 * unitsPerSecond)) * 1000;
        const perLatencyWorker = Math.ceil(latencyUnits / workers);
        log.write(
          `${formatCount(workers)} workers completing ${formatCount(latencyUnits)} more units, ` +
            `thinking ${meanThinkMs.toFixed(0)} ms on average…\n`,
        );
        const latencyStart = performance.now();
        // Workers join in RAMP_GROUPS groups spread over one mean think time, so first requests arrive
        // at the steady rate too, not as one burst of `workers` requests queued behind each other.
        const groupSize = Math.ceil(workers / RAMP_GROUPS);
        const groups = [];
        for (let first = 0; first < workers; first += groupSize) {
          const count = Math.min(groupSize, workers - first);
          const delay = (first / workers) * meanThinkMs;
          groups.push(
            new Promise((resolve) => setTimeout(resolve, delay)).then(
              () =>
                simulateWorkers(run, {
                  count,
                  namePrefix: `paced_worker_${first}_`,
                  behaviour: (i) => ({
                    maxUnits: Math.max(
                      0,
                      Math.min(perLatencyWorker, latencyUnits - (first + i) * perLatencyWorker),
                    ),
                    liveUpdate: false,
                    thinkTimeMs: () => Math.random() * 2 * meanThinkMs,
                  }),
                }).done,
            ),
          );
        }
        const pacedRecords = (await Promise.all(groups)).flat();
        const latencySeconds = (performance.now() - latencyStart) / 1000;
        const latencies = pacedRecords.flatMap((record) => record.assignLatenciesMs).sort((a, b) => a - b);
        return {
          units,
          workers,
          complete,
          launchSeconds,
          workSeconds,
          completedUnits,
          unitsPerSecond,
          saturatedP50LatencyMs: percentile(saturated, 0.5),
          saturatedP99LatencyMs: percentile(saturated, 0.99),
          latencyUnits: latencies.length,
          latencySeconds,
          meanThinkMs,
          offeredUnitsPerSecond: workers / (meanThinkMs / 1000),
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
    [
      'closed-loop latency p50',
      '',
      `${result.saturatedP50LatencyMs.toFixed(2)} ms`,
      '(≈ workers / throughput)',
      '',
    ],
    ['closed-loop latency p99', '', `${result.saturatedP99LatencyMs.toFixed(2)} ms`, '', ''],
    [
      'assign latency p50',
      `${formatCount(result.latencyUnits)} units`,
      `${result.p50LatencyMs.toFixed(2)} ms`,
      '',
      '',
    ],
    [
      'assign latency p99',
      `at ${formatCount(Math.round(result.offeredUnitsPerSecond))}/s`,
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
    `\nthroughput phase: ${result.workSeconds.toFixed(3)} s, closed loop (workers ask again as soon as ` +
    `they submit, so its latency ≈ workers / throughput = ${formatCount(result.workers)} / ` +
    `${formatCount(Math.round(result.unitsPerSecond))}/s ≈ ` +
    `${((result.workers / Math.max(result.unitsPerSecond, 1e-9)) * 1000).toFixed(0)} ms: the queue, not the service)\n` +
    `latency phase: ${result.latencySeconds.toFixed(3)} s, ${formatCount(result.workers)} workers thinking ` +
    `${result.meanThinkMs.toFixed(0)} ms on average per unit, offering ` +
    `${formatCount(Math.round(result.offeredUnitsPerSecond))} units/s at steady state ` +
    `(${((100 * result.offeredUnitsPerSecond) / Math.max(result.unitsPerSecond, 1e-9)).toFixed(0)}% of capacity; ` +
    `${formatCount(Math.round(result.latencyUnits / Math.max(result.latencySeconds, 1e-9)))}/s over the ` +
    `whole phase, ramp-up and drain included)\n` +
    `peak RSS ${Math.round(result.peakRssBytes / 2 ** 20)} MB\n`
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
  const expectedPaced = Math.min(Math.ceil(expected / 2), units - expected);
  if (result.latencyUnits !== expectedPaced) {
    out.write(`only ${result.latencyUnits} of ${expectedPaced} units were assigned in the latency phase\n`);
    return 1;
  }
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
