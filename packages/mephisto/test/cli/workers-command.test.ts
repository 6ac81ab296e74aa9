/**
 * `mephisto workers list|block|unblock`, in-process against a seeded SQLite file: the table and JSON
 * listings, blocking that is recorded in the store and idempotent from the shell, and clear errors.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WorkerListEntry } from '../../src/cli/commands/workers.js';
import { openStore } from '../../src/store/open-store.js';
import { seedRun, type SeededRun } from '../review/review-fixtures.js';
import { runMephisto, tempDir } from './run-cli.js';

let dir: string;
let cleanup: () => void;
let db: string;
let seeded: SeededRun;
let other: SeededRun;

beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  db = join(dir, 'w.db');
  const store = await openStore({ kind: 'sqlite', path: db });
  seeded = await seedRun(store, { units: 6, completed: 4, assigned: 1, workers: ['ann', 'bob'] });
  other = await seedRun(store, { units: 2, completed: 1, assigned: 0, workers: ['cid'] });
  await store.close();
});
afterEach(() => {
  cleanup();
});

const mephisto = (...args: string[]) =>
  runMephisto(['--db', db, ...args], { env: { MEPHISTO_DATA_DIR: dir } });

function name(run: SeededRun, i: number): string {
  const worker = run.workers[i];
  if (!worker) throw new Error('seed');
  return worker.name;
}

describe('mephisto workers list', () => {
  it('lists every worker with units and earnings, as a table or JSON, or one task’s', async () => {
    const table = await mephisto('workers', 'list');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      /^Worker\s+ID\s+Provider\s+Units\s+Accepted\s+Rejected\s+Earned\s+Blocked$/m,
    );
    expect(table.stdout).toContain(name(seeded, 0));
    expect(table.stdout).toContain(name(other, 0));
    const json = await mephisto('workers', 'list', '--json');
    const entries = JSON.parse(json.stdout) as WorkerListEntry[];
    const ann = entries.find((e) => e.name === name(seeded, 0));
    expect(ann).toMatchObject({
      providerType: 'mock',
      blocked: false,
      units: { completed: 2, assigned: 1 },
      earned: 0,
    });
    const only = JSON.parse(
      (await mephisto('workers', 'list', '--task', other.taskName, '--json')).stdout,
    ) as WorkerListEntry[];
    expect(only.map((e) => e.name)).toEqual([name(other, 0)]);
    const missing = await mephisto('workers', 'list', '--task', 'no-such-task');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('error [MEPHISTO_ERR_TASK_NOT_FOUND]');
  });
});

describe('mephisto workers block / unblock', () => {
  it('blocks and unblocks by name or id; repeating says so and succeeds', async () => {
    const ann = name(seeded, 0);
    const first = await mephisto('workers', 'block', ann, '--reason', 'copied answers');
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(new RegExp(`^Blocked worker ${ann} \\(\\d+\\): copied answers$`, 'm'));
    const again = await mephisto('workers', 'block', ann, '--reason', 'copied answers');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('is already blocked');
    const listed = JSON.parse((await mephisto('workers', 'list', '--json')).stdout) as WorkerListEntry[];
    expect(listed.find((e) => e.name === ann)?.blocked).toBe(true);

    const store = await openStore({ kind: 'sqlite', path: db });
    const worker = seeded.workers[0];
    try {
      expect(await store.isWorkerBlocked(worker?.id ?? '')).toBe(true);
      expect(
        (await store.findWorkerReviews({ workerId: worker?.id ?? '' })).filter((r) => r.blockedWorker),
      ).toHaveLength(1);
    } finally {
      await store.close();
    }
    const unblocked = await mephisto('workers', 'unblock', worker?.id ?? '');
    expect(unblocked.stdout).toContain(`Unblocked worker ${ann}`);
    expect((await mephisto('workers', 'unblock', ann)).stdout).toContain('is not blocked');
  });

  it('a worker nobody has is an error; a block without --reason is a usage error', async () => {
    const missing = await mephisto('workers', 'block', 'nobody', '--reason', 'x');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('error [MEPHISTO_ERR_WORKER_NOT_FOUND]: no worker is named "nobody"');
    const usage = await mephisto('workers', 'block', name(seeded, 0));
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("required option '--reason <text>' not specified");
    const help = await runMephisto(['workers', 'block', '--help']);
    expect(help.stdout).toContain('--reason <text>');
  });
});
