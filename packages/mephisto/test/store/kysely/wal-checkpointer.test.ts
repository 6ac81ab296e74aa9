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
import { backgroundCheckpoints } from '../../../src/store/kysely/sqlite/open-sqlite.js';
import {
  CHECKPOINTER_AFTER_WAL_BYTES,
  WalCheckpointer,
} from '../../../src/store/kysely/sqlite/wal-checkpointer.js';
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
    const store = await openStore({ kind: 'sqlite', path, checkpointInBackgroundAfterWrites: 1 });
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

  describe('when a store starts it', () => {
    function walDatabase(name: string): { db: Database.Database; path: string } {
      const path = join(dir, name);
      const db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.exec('create table t (id integer primary key, v text)');
      return { db, path };
    }

    function hookOf(
      db: Database.Database,
      path: string,
    ): NonNullable<ReturnType<typeof backgroundCheckpoints>> {
      const onCommit = backgroundCheckpoints(db, { kind: 'sqlite', path });
      if (onCommit === undefined) throw new Error('expected a checkpointer for a file store');
      return onCommit;
    }

    /** Calls `onCommit` until just before it should start, checks it did not, then once more. */
    async function startsOn(
      db: Database.Database,
      onCommit: ReturnType<typeof hookOf>,
      before: () => void,
      last: () => void,
    ): Promise<void> {
      before();
      expect(onCommit.started()).toBe(false);
      last();
      expect(onCommit.started()).toBe(true);
      await expect.poll(() => autocheckpoint(db)).toBe(0);
      await onCommit.stop();
      db.close();
    }

    it('after 2,000 write operations, however few commits held them', async () => {
      const { db, path } = walDatabase('writes.db');
      const onCommit = hookOf(db, path);
      await startsOn(
        db,
        onCommit,
        () => {
          onCommit(1_999);
        },
        () => {
          onCommit(1);
        },
      );
    });

    it('once the log holds 2 MiB (a bulk launch), looking every 16 commits', async () => {
      const { db, path } = walDatabase('bulk.db');
      db.pragma('wal_autocheckpoint = 0');
      const insert = db.prepare('insert into t (v) values (?)');
      db.transaction(() => {
        for (let i = 0; i < 3_000; i++) insert.run('x'.repeat(1_000));
      })();
      expect((await stat(`${path}-wal`)).size).toBeGreaterThan(CHECKPOINTER_AFTER_WAL_BYTES);
      db.pragma('wal_autocheckpoint = 1000');
      const onCommit = hookOf(db, path);
      await startsOn(
        db,
        onCommit,
        () => {
          for (let i = 0; i < 15; i++) onCommit(1);
        },
        () => {
          onCommit(1);
        },
      );
    });

    it('never for a small store, nor when turned off', async () => {
      const { db, path } = walDatabase('small.db');
      const onCommit = hookOf(db, path);
      for (let i = 0; i < 64; i++) onCommit(1);
      expect(onCommit.started()).toBe(false);
      expect(autocheckpoint(db)).toBe(1000);
      expect(backgroundCheckpoints(db, { kind: 'sqlite', path, checkpointInBackgroundAfterWrites: 0 })).toBe(
        undefined,
      );
      await onCommit.stop();
      db.close();
    });
  });
});
