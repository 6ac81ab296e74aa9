/**
 * `mephisto review`, in-process: it serves the API for the database given, prints the URL with the
 * token, answers with that token, and stops cleanly on Ctrl-C; usage errors are exit code 2.
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import type { TaskSummary } from '../../src/review/review-api.js';
import { openStore } from '../../src/store/open-store.js';
import { seedRun } from '../review/review-fixtures.js';
import { runMephisto, tempDir } from './run-cli.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => {
  cleanup();
});

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('mephisto review', () => {
  it('serves the database given, prints the URL with its token, and stops on Ctrl-C', async () => {
    const db = join(dir, 'review.db');
    const store = await openStore({ kind: 'sqlite', path: db });
    const seeded = await seedRun(store);
    await store.close();

    const signals = new EventEmitter();
    let stdout = '';
    let stderr = '';
    const running = runCli(['--db', db, 'review', '--port', '0'], {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      env: { MEPHISTO_DATA_DIR: dir },
      signals,
      exit: () => {
        throw new Error('a single Ctrl-C must not force the exit');
      },
    });
    await until(() => stdout.includes('Press Ctrl-C'));
    const url = /^Review app: (http:\/\/127\.0\.0\.1:\d+)\/#token=([A-Za-z0-9_-]{43})$/m.exec(stdout);
    expect(url, stdout).not.toBeNull();
    const [, origin = '', token = ''] = url ?? [];
    expect(stdout).toContain(`Database: ${db} (sqlite)`);

    const tasks = await fetch(`${origin}/api/tasks`, { headers: { authorization: `Bearer ${token}` } });
    expect(tasks.status).toBe(200);
    expect(((await tasks.json()) as TaskSummary[]).map((t) => t.name)).toContain(seeded.taskName);
    expect((await fetch(`${origin}/api/tasks`)).status).toBe(401);
    expect((await fetch(`${origin}/`)).status).toBe(200);

    signals.emit('SIGINT');
    expect(await running).toBe(0);
    expect(stdout).toContain('Stopping the review server.');
    expect(stderr).toBe('');
    await expect(fetch(`${origin}/api/tasks`)).rejects.toThrow();
    expect(signals.listenerCount('SIGINT')).toBe(0);
  });

  it('says how to use it, and refuses a bad port (exit code 2)', async () => {
    const help = await runMephisto(['review', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--no-open');
    expect(help.stdout).toContain('#token=');
    const bad = await runMephisto(['review', '--port', 'http']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected a port number');
    expect((await runMephisto(['review', '--port', '70000'])).code).toBe(2);
  });

  it('a port already taken is a clear error (exit code 1)', async () => {
    const db = join(dir, 'busy.db');
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const result = await runMephisto(['--db', db, 'review', '--port', String(port)], {
        env: { MEPHISTO_DATA_DIR: dir },
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('error [MEPHISTO_ERR_REVIEW_LISTEN]');
    } finally {
      blocker.close();
    }
  });
});
