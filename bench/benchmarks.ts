/**
 * The benchmarks `npm run bench` knows, by name. Each is loaded only when run, so one benchmark's
 * imports (database drivers, servers) cost nothing to the others.
 */
import type { TextSink } from '../packages/mephisto/src/cli/output.js';
import { isUsageError } from './usage-error.js';

export interface Benchmark {
  readonly description: string;
  run(argv: readonly string[], out: TextSink): Promise<number>;
}

export const BENCHMARKS: Readonly<Record<string, Benchmark>> = {
  store: {
    description:
      'create, read and transition 100,000 units on SQLite and PostgreSQL (--units N, --concurrency N)',
    run: async (argv, out) => (await import('./store.bench.js')).main(argv, out),
  },
  engine: {
    description:
      'launch 100,000 units, then 1,000 simulated workers complete 10,000 through the engine on SQLite ' +
      '(--units N, --workers N, --complete N)',
    run: async (argv, out) => (await import('./engine.bench.js')).main(argv, out),
  },
  server: {
    description:
      'browsers in child processes over HTTP + WebSocket on loopback at 100, 1,000 and 2,000 concurrent ' +
      'workers (--levels 100,1000,2000, --rounds N, --processes N)',
    run: async (argv, out) => (await import('./server/server.bench.js')).main(argv, out),
  },
  review: {
    description:
      'with 100,000 units stored: a full JSONL export with peak memory, then review list pages and ' +
      'approvals (one, duplicates, bulk 1,000 and 10,000) and the monitor (--units N, --completed N, --pg URL)',
    run: async (argv, out) => {
      // The export runs first, so its peak memory is its own, not what the list benchmark left behind.
      // It takes only --units (and --format) of these options.
      const at = argv.indexOf('--units');
      const units = at >= 0 && argv[at + 1] !== undefined ? ['--units', argv[at + 1] ?? ''] : [];
      const exported = await (await import('./review/export.bench.js')).main(units, out);
      const list = await (await import('./review/list-and-approve.bench.js')).main(argv, out);
      return Math.max(list, exported);
    },
  },
};

/**
 * `npm run bench -- NAME [options]` runs one benchmark; with no name, all of them in turn. An unknown
 * name prints the list and returns 2.
 */
export async function runBenchmarks(argv: readonly string[], out: TextSink, err: TextSink): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name.startsWith('-')) {
      let code = 0;
      for (const [each, benchmark] of Object.entries(BENCHMARKS)) {
        out.write(`== ${each}\n`);
        code = Math.max(code, await benchmark.run(argv, out));
      }
      return code;
    }
    const benchmark = BENCHMARKS[name];
    if (benchmark === undefined) {
      err.write(`unknown benchmark "${name}". Benchmarks:\n${listBenchmarks()}`);
      return 2;
    }
    return await benchmark.run(rest, out);
  } catch (error) {
    if (!isUsageError(error)) throw error;
    err.write(
      `error: ${error.message}\nUsage: npm run bench [-- NAME [options]]. Benchmarks:\n${listBenchmarks()}`,
    );
    return 2;
  }
}

export function listBenchmarks(): string {
  const width = Math.max(...Object.keys(BENCHMARKS).map((name) => name.length));
  return Object.entries(BENCHMARKS)
    .map(([name, benchmark]) => `  ${name.padEnd(width)}  ${benchmark.description}\n`)
    .join('');
}
