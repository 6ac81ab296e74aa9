/** Runs the CLI in-process with captured output, against a private data directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliContext } from '../../src/cli/program.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runMephisto(
  argv: readonly string[],
  options: { env?: NodeJS.ProcessEnv; openStore?: CliContext['openStore'] } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const context: CliContext = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: options.env ?? {},
  };
  if (options.openStore) context.openStore = options.openStore;
  const code = await runCli(argv, context);
  return { code, stdout, stderr };
}

/** A fresh directory per test; removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'mephisto-ts-cli-'));
  return {
    dir,
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
