/**
 * The background WAL checkpointer: once started, SQLite's own checkpoints are off on the store's
 * connection and a worker thread copies the log back into the database file; stopping runs a last
 * checkpoint and closes the worker's connection; a store that uses it keeps every commit.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WalCheckpointer } from '../../../src/store/kysely/sqlite/wal-checkpointer.js';
import { openStore } from '../../../src/store/open-store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mephisto-ts-checkpointer-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function autocheckpoint(db: Database.Database): number {
  return Number(db.pragma('wal_autocheckpoint', { simple: true }));
}

describe('WalCheckpointer', () => {
  it('turns SQLite’s checkpoints off on the connection and checkpoints in a worker instead', async () => {
    const path = join(dir, 'db.sqlite');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.exec('create table t (id integer primary key, v text)');
    const checkpointer = new WalCheckpointer(db, path, undefined, 5);
    expect(autocheckpoint(db)).toBe(1000);
    checkpointer.start();
    await expect.poll(() => autocheckpoint(db)).toBe(0);
    expect(checkpointer.running).toBe(true);
    const insert = db.prepare('insert into t (v) values (?)');
    for (let i = 0; i < 2000; i++) insert.run('x'.repeat(200));
    // The worker copies the log into the database file: it grows without any checkpoint here.
    await expect.poll(async () => (await stat(path)).size, { timeout: 5000 }).toBeGreaterThan(300_000);
    await checkpointer.stop();
    expect(checkpointer.running).toBe(false);
    expect(checkpointer.checkpoints).toBeGreaterThan(0);
    await checkpointer.stop();
    db.close();
    const reopened = new Database(path, { readonly: true });
    expect(reopened.prepare('select count(*) as n from t').get()).toEqual({ n: 2000 });
    reopened.close();
  });

  it('a store that moved its checkpoints to the worker keeps every commit across close and reopen', async () => {
    const path = join(dir, 'store.db');
    const store = await openStore({ kind: 'sqlite', path, checkpointInBackgroundAfterCommits: 1 });
    const task = await store.createTask({ name: 'checkpointed', taskType: 'static_task' });
    const requester = await store.createRequester({ name: 'r', providerType: 'mock' });
    const run = await store.createTaskRun({
      taskId: task.id,
      requesterId: requester.id,
      initParams: '{}',
      providerType: 'mock',
      taskType: 'static_task',
    });
    await Promise.all(Array.from({ length: 300 }, (_, i) => store.createAssignment(run.id, { data: { i } })));
    await store.close();
    const again = await openStore({ kind: 'sqlite', path });
    expect(await again.findAssignments({ taskRunId: run.id })).toHaveLength(300);
    await again.close();
  });
});
