/**
 * Server benchmark: the task server under many browsers at once, over real HTTP and WebSocket on
 * loopback. The run (SQLite, mock provider, a static task) and its server live in this process; the
 * browsers are simulated by `processes` child processes (bench-worker-process.ts), so the server's CPU
 * and memory are its own.
 *
 * For each concurrency level C (default 100, 1,000, 2,000):
 * 1. **connect**: C browsers each request a unit (`POST /request_agent`), open the WebSocket, send
 *    `alive` and a heartbeat, and stay connected (heartbeating every 6 s, as mephisto-task does, each
 *    page on its own phase). The server's memory growth over its baseline, after a full GC, divided
 *    by C, is the memory per connected worker (RSS and heap; the larger is held to the target).
 * 2. **work**: every browser submits (`POST /submit_task`, acknowledged once durable), then does
 *    `rounds - 1` more whole units (request, socket, alive, heartbeat, submit), all at once. Completed
 *    units per second are counted over this phase.
 * 3. **paced** (offered load ≈ half the capacity measured in 2): C fresh browsers each loop: take a
 *    unit (request, socket, alive, heartbeat), think a random time (uniform, mean C / (0.5 × capacity)),
 *    submit; first requests are spread so the load is steady from the start. The latencies of this
 *    phase are what a worker waits for on a busy server that is not overrun, and are held to the p99
 *    target. The server's event-loop delay and GC pauses, and the browser processes' own loop delay
 *    (latency the simulation added), are printed beside them.
 * Reported per level: units/s, p50/p99 of request_agent and submit_task in the closed loop (1 and 2)
 * and paced (3), errors (failed requests, refusals, socket errors, unexpected closes, in every phase),
 * memory per connected worker, and the CPU time per unit of the server and of the browsers (the two
 * share the machine's cores: their sum bounds the closed-loop throughput).
 *
 * The browsers speak HTTP/1.1 and WebSocket through wire-client.ts, a lean client on raw sockets: with
 * node:http and ws they cost as much CPU per unit as the server and the benchmark measured them.
 *
 * Why two latencies: in the closed loop every browser asks again the moment it is answered, so the
 * queue holds all C of them and latency is C ÷ throughput whatever the server does (Little's law; 2,000
 * browsers at 500 units/s wait 4 s). It is printed without a target. The paced phase measures latency
 * the standard way, at a fixed offered load below capacity, as the engine benchmark does.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pino from 'pino';
import { formatCount, formatTable, type TextSink } from '../../packages/mephisto/src/cli/output.js';
import { parseTaskConfig } from '../../packages/mephisto/src/core/config/task-config.js';
import { startServedTaskRun } from '../../packages/mephisto/src/script/start-served-task-run.js';
import { openStore } from '../../packages/mephisto/src/store/open-store.js';
import { percentile, verdict } from '../stats.js';
import { BenchUsageError } from '../usage-error.js';
import { emptySamples, type FromWorker, type Samples, type ToWorker } from './bench-worker-protocol.js';

export const SERVER_TARGETS = {
  /** At the largest level. */
  concurrentWorkers: 2_000,
  p99Ms: 100,
  unitsPerSecond: 1_000,
  bytesPerIdleWorker: 50 * 1024,
} as const;

export interface ServerBenchOptions {
  /** Concurrency levels, run in turn. @default [100, 1000, 2000] */
  levels?: readonly number[];
  /** Units each browser completes per level. @default 3 */
  rounds?: number;
  /**
   * Child processes simulating the browsers. @default 2: one per core of the target machine; more
   * only add context switches on two cores shared with the server.
   */
  processes?: number;
  /** Shortest paced phase, seconds (it also lasts at least three mean think times, at most 60 s). @default 15 */
  pacedMinSeconds?: number;
  log?: TextSink;
}

export interface ServerLevelResult {
  workers: number;
  completed: number;
  workSeconds: number;
  unitsPerSecond: number;
  requestAgentP50Ms: number;
  requestAgentP99Ms: number;
  submitP50Ms: number;
  submitP99Ms: number;
  errors: number;
  errorSamples: string[];
  /** Server RSS growth per connected worker, after a full GC. */
  rssBytesPerWorker: number;
  /** Server heap + external growth per connected worker, after a full GC. */
  heapBytesPerWorker: number;
  /** CPU time (user + system) the server process spent per completed unit in the work phase. */
  serverCpuMsPerUnit: number;
  /**
   * CPU time the browser processes spent per completed unit in the work phase: they share the two
   * cores with the server, so server + browsers per unit bounds the closed-loop throughput.
   */
  browsersCpuMsPerUnit: number;
  /** The paced phase: offered load, completed units/s and latencies. */
  paced: {
    offeredUnitsPerSecond: number;
    unitsPerSecond: number;
    requestAgentP50Ms: number;
    requestAgentP99Ms: number;
    submitP50Ms: number;
    submitP99Ms: number;
    /** The longest stall of a browser process's own event loop: latency the simulation itself added. */
    browsersLoopDelayMaxMs: number;
  } & ServerStalls;
}

/** Where the server's own event loop stood still during a phase: what every request then waited for. */
export interface ServerStalls {
  /** Event-loop delay (monitorEventLoopDelay, 10 ms resolution). */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** Garbage-collection pauses: the longest, and all of them together. */
  gcMaxPauseMs: number;
  gcTotalMs: number;
}

/** Starts watching the event loop's delay and GC pauses; `stop` returns what was seen. */
function watchStalls(): { stop(): ServerStalls } {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let gcMaxPauseMs = 0;
  let gcTotalMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcMaxPauseMs = Math.max(gcMaxPauseMs, entry.duration);
      gcTotalMs += entry.duration;
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  return {
    stop: () => {
      loop.disable();
      gc.disconnect();
      return {
        loopDelayP99Ms: loop.percentile(99) / 1e6,
        loopDelayMaxMs: loop.max / 1e6,
        gcMaxPauseMs,
        gcTotalMs,
      };
    },
  };
}

export interface ServerBenchResult {
  processes: number;
  rounds: number;
  levels: ServerLevelResult[];
}

const WORKER_SCRIPT = fileURLToPath(new URL('./bench-worker-process.ts', import.meta.url));

/** A full garbage collection, so memory figures are live data, not garbage awaiting collection. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
}

function memory(): { rss: number; heap: number } {
  collectGarbage();
  const usage = process.memoryUsage();
  return { rss: usage.rss, heap: usage.heapUsed + usage.external + usage.arrayBuffers };
}

class WorkerProcess {
  readonly child: ChildProcess;
  readonly #waiting: ((message: FromWorker) => void)[] = [];
  readonly #queue: FromWorker[] = [];

  constructor() {
    this.child = fork(WORKER_SCRIPT, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (message: FromWorker) => {
      const waiter = this.#waiting.shift();
      if (waiter) waiter(message);
      else this.#queue.push(message);
    });
  }

  next(): Promise<FromWorker> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      this.#waiting.push(resolve);
      this.child.once('exit', (code) => {
        reject(new Error(`a benchmark worker process exited (code ${String(code)})`));
      });
    });
  }

  async expect<K extends FromWorker['kind']>(kind: K): Promise<Extract<FromWorker, { kind: K }>> {
    const message = await this.next();
    if (message.kind === 'failed') throw new Error(`benchmark worker failed: ${message.message}`);
    if (message.kind !== kind) throw new Error(`benchmark worker sent ${message.kind}, expected ${kind}`);
    return message as Extract<FromWorker, { kind: K }>;
  }

  send(message: ToWorker): void {
    this.child.send(message);
  }
}

function merge(into: Samples, from: Samples): void {
  into.requestAgentMs.push(...from.requestAgentMs);
  into.submitMs.push(...from.submitMs);
  into.completed += from.completed;
  into.errors += from.errors;
  into.cpuMs += from.cpuMs;
  into.loopDelayMaxMs = Math.max(into.loopDelayMaxMs, from.loopDelayMaxMs);
  for (const sample of from.errorSamples) if (into.errorSamples.length < 5) into.errorSamples.push(sample);
}

/** `count` split over `parts` as evenly as possible. */
function split(count: number, parts: number): number[] {
  return Array.from(
    { length: parts },
    (_, index) => Math.floor(count / parts) + (index < count % parts ? 1 : 0),
  );
}

export async function runServerBench(options: ServerBenchOptions = {}): Promise<ServerBenchResult> {
  const levels = options.levels ?? [100, 1_000, 2_000];
  const rounds = options.rounds ?? 3;
  const processes = options.processes ?? 2;
  const pacedMinMs = 1000 * (options.pacedMinSeconds ?? 15);
  const log = options.log ?? { write: () => true };
  // Closed-loop units plus the paced phase's (at most 60 s at half the capacity; 1,500 units/s is
  // more than this machine reaches, so it never runs dry).
  const units = levels.reduce((sum, level) => sum + level * rounds + 45_000, 0);

  const dir = await mkdtemp(join(tmpdir(), 'mephisto-ts-server-bench-'));
  const children: WorkerProcess[] = [];
  try {
    await writeFile(join(dir, 'task.html'), '<p>${text}</p>\n');
    const store = await openStore({ kind: 'sqlite', path: join(dir, 'bench.db') });
    try {
      const served = await startServedTaskRun({
        store,
        config: parseTaskConfig(benchConfig(dir)),
        taskDir: dir,
        taskData: Array.from({ length: units }, (_, index) => ({ text: `item ${index}` })),
        logger: pino({ level: 'warn' }),
      });
      try {
        for (let i = 0; i < processes; i++) children.push(new WorkerProcess());
        await Promise.all(children.map((child) => child.expect('ready')));
        const results: ServerLevelResult[] = [];
        for (const level of levels) {
          log.write(`${formatCount(level)} workers: connecting…\n`);
          const before = memory();
          const connected = emptySamples();
          const shares = split(level, processes);
          children.forEach((child, index) => {
            child.send({
              kind: 'connect',
              baseUrl: served.url,
              count: shares[index] ?? 0,
              namePrefix: `w${level}-p${index}`,
            });
          });
          for (const child of children) merge(connected, (await child.expect('connected')).samples);
          const after = memory();

          log.write(`${formatCount(level)} workers: each completing ${rounds} units…\n`);
          const started = performance.now();
          const cpuBefore = process.cpuUsage();
          for (const child of children) child.send({ kind: 'work', rounds });
          const worked = emptySamples();
          for (const child of children) merge(worked, (await child.expect('worked')).samples);
          const workSeconds = (performance.now() - started) / 1000;
          const cpu = process.cpuUsage(cpuBefore);

          const capacity = worked.completed / workSeconds;
          const meanThinkMs = Math.max(1_000, (1_000 * level) / Math.max(1, 0.5 * capacity));
          const durationMs = Math.min(60_000, Math.max(pacedMinMs, 3 * meanThinkMs));
          log.write(
            `${formatCount(level)} workers: paced at ~${formatCount(Math.round((1_000 * level) / meanThinkMs))} units/s for ${Math.round(durationMs / 1_000)} s…\n`,
          );
          const pacedShares = split(level, processes);
          const stalls = watchStalls();
          const pacedStarted = performance.now();
          children.forEach((child, index) => {
            child.send({
              kind: 'paced',
              baseUrl: served.url,
              count: pacedShares[index] ?? 0,
              namePrefix: `p${level}-p${index}`,
              meanThinkMs,
              durationMs,
            });
          });
          const pacedSamples = emptySamples();
          for (const child of children) merge(pacedSamples, (await child.expect('paced')).samples);
          const pacedSeconds = (performance.now() - pacedStarted) / 1000;
          const pacedStalls = stalls.stop();

          const byValue = (a: number, b: number): number => a - b;
          const pacedRequestMs = [...pacedSamples.requestAgentMs].sort(byValue);
          const pacedSubmitMs = [...pacedSamples.submitMs].sort(byValue);
          const requestAgentMs = [...connected.requestAgentMs, ...worked.requestAgentMs].sort(byValue);
          const submitMs = [...connected.submitMs, ...worked.submitMs].sort(byValue);
          results.push({
            workers: level,
            completed: worked.completed,
            workSeconds,
            unitsPerSecond: worked.completed / workSeconds,
            requestAgentP50Ms: percentile(requestAgentMs, 0.5),
            requestAgentP99Ms: percentile(requestAgentMs, 0.99),
            submitP50Ms: percentile(submitMs, 0.5),
            submitP99Ms: percentile(submitMs, 0.99),
            errors: connected.errors + worked.errors + pacedSamples.errors,
            errorSamples: [
              ...connected.errorSamples,
              ...worked.errorSamples,
              ...pacedSamples.errorSamples,
            ].slice(0, 5),
            rssBytesPerWorker: Math.max(0, after.rss - before.rss) / level,
            heapBytesPerWorker: Math.max(0, after.heap - before.heap) / level,
            serverCpuMsPerUnit: (cpu.user + cpu.system) / 1000 / Math.max(1, worked.completed),
            browsersCpuMsPerUnit: worked.cpuMs / Math.max(1, worked.completed),
            paced: {
              offeredUnitsPerSecond: (1_000 * level) / meanThinkMs,
              unitsPerSecond: pacedSamples.completed / pacedSeconds,
              requestAgentP50Ms: percentile(pacedRequestMs, 0.5),
              requestAgentP99Ms: percentile(pacedRequestMs, 0.99),
              submitP50Ms: percentile(pacedSubmitMs, 0.5),
              submitP99Ms: percentile(pacedSubmitMs, 0.99),
              ...pacedStalls,
              browsersLoopDelayMaxMs: pacedSamples.loopDelayMaxMs,
            },
          });
        }
        return { processes, rounds, levels: results };
      } finally {
        for (const child of children) {
          if (child.child.connected) child.send({ kind: 'close' });
        }
        await served.operator.shutdown('benchmark finished');
        await served.close();
      }
    } finally {
      await store.close();
    }
  } finally {
    for (const child of children) child.child.kill();
    await rm(dir, { recursive: true, force: true });
  }
}

/** A static task fed by the benchmark, the mock provider, and the local architect on a free port. */
function benchConfig(dir: string): Record<string, unknown> {
  return {
    task_dir: dir,
    mephisto: {
      blueprint: { _blueprint_type: 'static_task', task_source: join(dir, 'task.html') },
      architect: { _architect_type: 'local', hostname: '127.0.0.1', port: 0 },
      provider: { _provider_type: 'mock' },
      task: {
        task_name: 'server-bench',
        task_title: 'Server benchmark',
        task_description: 'Units completed by simulated browsers',
        task_reward: 0.01,
        task_tags: 'bench',
      },
    },
  };
}

/**
 * Memory an idle connected worker costs the server, held to the target: the larger of the RSS and the
 * heap growth. RSS alone can read 0 at a later level (the allocator reuses what an earlier level
 * freed), heap alone misses native memory (sockets' buffers); the larger of the two misses neither.
 */
function memoryPerWorker(level: ServerLevelResult): number {
  return Math.max(level.rssBytesPerWorker, level.heapBytesPerWorker);
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

export function formatServerBench(result: ServerBenchResult): string {
  const rows = result.levels.map((level) => [
    formatCount(level.workers),
    formatCount(level.completed),
    `${formatCount(Math.round(level.unitsPerSecond))}/s`,
    `${ms(level.requestAgentP50Ms)} / ${ms(level.requestAgentP99Ms)}`,
    `${ms(level.submitP50Ms)} / ${ms(level.submitP99Ms)}`,
    formatCount(level.errors),
    `${(level.rssBytesPerWorker / 1024).toFixed(1)} KB`,
    `${(level.heapBytesPerWorker / 1024).toFixed(1)} KB`,
    `${level.serverCpuMsPerUnit.toFixed(2)} ms`,
    `${level.browsersCpuMsPerUnit.toFixed(2)} ms`,
  ]);
  const table = formatTable(
    [
      'workers',
      'units',
      'units/s',
      'closed-loop request_agent p50/p99',
      'closed-loop submit_task p50/p99',
      'errors',
      'RSS/worker',
      'heap/worker',
      'server CPU/unit',
      'browsers CPU/unit',
    ],
    rows,
    ['right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
  const pacedTable = formatTable(
    [
      'workers',
      'offered',
      'completed',
      'request_agent p50/p99',
      'submit_task p50/p99',
      'server loop delay p99/max',
      'GC longest/total',
      'browsers loop max',
    ],
    result.levels.map((level) => [
      formatCount(level.workers),
      `${formatCount(Math.round(level.paced.offeredUnitsPerSecond))}/s`,
      `${formatCount(Math.round(level.paced.unitsPerSecond))}/s`,
      `${ms(level.paced.requestAgentP50Ms)} / ${ms(level.paced.requestAgentP99Ms)}`,
      `${ms(level.paced.submitP50Ms)} / ${ms(level.paced.submitP99Ms)}`,
      `${ms(level.paced.loopDelayP99Ms)} / ${ms(level.paced.loopDelayMaxMs)}`,
      `${ms(level.paced.gcMaxPauseMs)} / ${ms(level.paced.gcTotalMs)}`,
      ms(level.paced.browsersLoopDelayMaxMs),
    ]),
    ['right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
  const top = result.levels.at(-1);
  const checks: string[] = [];
  if (top !== undefined) {
    const p99 = Math.max(top.paced.requestAgentP99Ms, top.paced.submitP99Ms);
    checks.push(
      `targets at ${formatCount(top.workers)} workers:`,
      `  ${formatCount(SERVER_TARGETS.concurrentWorkers)} concurrent workers: ${formatCount(top.workers)} ${verdict(top.workers >= SERVER_TARGETS.concurrentWorkers)}`,
      `  zero errors: ${formatCount(top.errors)} ${verdict(top.errors === 0)}`,
      `  p99 < ${SERVER_TARGETS.p99Ms} ms (paced, ~50% of capacity): ${ms(p99)} ${verdict(p99 < SERVER_TARGETS.p99Ms)}`,
      `  ≥ ${formatCount(SERVER_TARGETS.unitsPerSecond)} units/s: ${formatCount(Math.round(top.unitsPerSecond))}/s ${verdict(top.unitsPerSecond >= SERVER_TARGETS.unitsPerSecond)}`,
      `  < ${SERVER_TARGETS.bytesPerIdleWorker / 1024} KB per idle worker (the larger of RSS and heap): ${(memoryPerWorker(top) / 1024).toFixed(1)} KB ${verdict(memoryPerWorker(top) < SERVER_TARGETS.bytesPerIdleWorker)}`,
    );
  }
  const errors = result.levels.flatMap((level) =>
    level.errorSamples.map((sample) => `  ${formatCount(level.workers)}: ${sample}`),
  );
  return [
    `server benchmark (SQLite, HTTP + WebSocket on loopback, ${result.processes} browser processes, ${result.rounds} units per worker per level)`,
    'closed loop (every browser asks again at once; latency = workers ÷ throughput, no target):',
    table,
    'paced (each browser thinks between units; offered ≈ half the closed-loop capacity):',
    pacedTable,
    ...checks,
    ...(errors.length > 0 ? ['first errors:', ...errors] : []),
    '',
  ].join('\n');
}

export async function main(argv: readonly string[], out: TextSink): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      levels: { type: 'string' },
      rounds: { type: 'string' },
      processes: { type: 'string' },
    },
  });
  const positive = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < 1)
      throw new BenchUsageError(`--${name} expects a positive integer, got "${text}"`);
    return value;
  };
  const levels = values.levels?.split(',').map((part) => positive('levels', part.trim()) ?? 0);
  const rounds = positive('rounds', values.rounds);
  const processes = positive('processes', values.processes);
  const result = await runServerBench({
    ...(levels === undefined ? {} : { levels }),
    ...(rounds === undefined ? {} : { rounds }),
    ...(processes === undefined ? {} : { processes }),
    log: out,
  });
  out.write(formatServerBench(result));
  const top = result.levels.at(-1);
  return top !== undefined && top.errors > 0 ? 1 : 0;
}
