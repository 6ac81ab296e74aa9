/** A benchmark's command line was wrong: reported as a message and the list of benchmarks, exit 2. */
export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

/** True for our usage errors and for node:util parseArgs' own (unknown option, missing value, …). */
export function isUsageError(error: unknown): error is Error {
  if (error instanceof BenchUsageError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}
