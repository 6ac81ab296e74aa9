/** Entry of `npm run bench [-- NAME [options]]`; see benchmarks.ts. */
import { runBenchmarks } from './benchmarks.js';

process.exitCode = await runBenchmarks(process.argv.slice(2), process.stdout, process.stderr);
