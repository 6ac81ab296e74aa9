/**
 * The built executable, spawned as users run it: shebang, ESM entry and exit codes survive compilation.
 * It needs `npm run build`; without a build it is skipped (the in-process tests cover the behaviour).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from './run-cli.js';

const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const built = existsSync(bin);
const run = promisify(execFile);

/** Runs the binary; resolves with its exit code and output whatever the code. */
async function mephisto(args: string[], env: NodeJS.ProcessEnv) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('the built mephisto binary', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
  });
  afterEach(() => {
    cleanup();
  });

  it.skipIf(!built)(
    built
      ? 'runs db migrate and db status, and exits 2 on a wrong argument'
      : 'SKIPPED: run `npm run build` first',
    async () => {
      expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
      const env = { MEPHISTO_DATA_DIR: dir };

      const migrate = await mephisto(['db', 'migrate'], env);
      expect(migrate.stderr).toBe('');
      expect(migrate.code).toBe(0);
      expect(migrate.stdout).toContain(`to ${join(dir, 'database.db')} (sqlite):`);

      const status = await mephisto(['db', 'status', '--json'], env);
      expect(status.code).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({ location: join(dir, 'database.db'), pending: [] });

      const wrong = await mephisto(['db', 'frobnicate'], env);
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toMatch(/^error \[MEPHISTO_ERR_USAGE\]: unknown command 'frobnicate'/);
    },
  );
});
