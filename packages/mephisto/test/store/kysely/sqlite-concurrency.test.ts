/**
 * The SQLite backend's write path: group commit (many operations, one COMMIT, each still atomic on its
 * own) and waiting for another connection's write lock without blocking the event loop.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as realSetTimeout } from 'node:timers';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AlreadyExistsError, TransitionConflictError } from '../../../src/core/index.js';
import type { Database } from '../../../src/store/kysely/schema.js';
import { GroupCommit } from '../../../src/store/kysely/sqlite/group-commit.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(async () => {
  await Promise.allSettled(stores.splice(0).map((s) => s.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function newPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mephisto-sqlite-'));
  dirs.push(dir);
  return join(dir, 'store.db');
}

async function open(path: string, busyTimeoutMs?: number): Promise<Store> {
  const store = await openStore({
    kind: 'sqlite',
    path,
    ...(busyTimeoutMs !== undefined ? { busyTimeoutMs } : {}),
  });
  stores.push(store);
  return store;
}

async function launchedUnit(store: Store): Promise<string> {
  const task = await store.createTask({ name: `t${Math.random()}`, taskType: 'static_task' });
  const requester = await store.createRequester({ name: `r${Math.random()}`, providerType: 'mock' });
  const run = await store.createTaskRun({
    taskId: task.id,
    requesterId: requester.id,
    initParams: '{}',
    providerType: 'mock',
    taskType: 'static_task',
  });
  const { units } = await store.createAssignmentsWithUnits(run.id, [{ units: [{ payAmount: 1 }] }]);
  const unit = units[0];
  if (!unit) throw new Error('no unit');
  await store.transitionUnit(unit.id, { from: 'created', to: 'launched' });
  return unit.id;
}

describe('GroupCommit', () => {
  function setup(): {
    raw: BetterSqlite3.Database;
    db: Kysely<Database>;
    commits: () => number;
    gc: GroupCommit;
  } {
    const path = newPath();
    const raw = new BetterSqlite3(path);
    raw.pragma('journal_mode = WAL');
    raw.exec('create table t (id integer primary key, v text unique)');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) });
    // Counts the COMMITs the group commit issues, through the statements it prepares.
    let commits = 0;
    const counting = new Proxy(raw, {
      get(target, property, receiver) {
        if (property !== 'prepare') return Reflect.get(target, property, receiver) as unknown;
        return (source: string) => {
          const statement = target.prepare(source);
          if (source !== 'commit') return statement;
          return new Proxy(statement, {
            get(s, p, r) {
              if (p !== 'run') return Reflect.get(s, p, r) as unknown;
              return () => {
                commits++;
                return s.run();
              };
            },
          });
        };
      },
    });
    return { raw, db, commits: () => commits, gc: new GroupCommit(db, counting, 1000) };
  }

  it('runs concurrent operations as one transaction, each atomic on its own', async () => {
    const { raw, db, gc } = setup();
    const insert = (v: string) => (conn: Kysely<Database>) =>
      sql`insert into t (v) values (${v})`.execute(conn).then(() => v);
    const failing = async (conn: Kysely<Database>): Promise<never> => {
      await sql`insert into t (v) values ('half-done')`.execute(conn);
      throw new Error('boom');
    };
    const results = await Promise.allSettled([
      gc.run(insert('a')),
      gc.run(failing),
      gc.run(insert('b')),
      gc.run(insert('a')), // unique violation: fails alone
      gc.run(insert('c')),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    const values = raw.prepare('select v from t order by v').pluck().all();
    expect(values).toEqual(['a', 'b', 'c']);
    expect(raw.inTransaction).toBe(false);
    await db.destroy();
  });

  it('operations queued together share one commit; those queued meanwhile share the next', async () => {
    const { raw, db, gc, commits } = setup();
    const insert = (v: string) => (conn: Kysely<Database>) =>
      sql`insert into t (v) values (${v})`.execute(conn);
    const later: Promise<unknown>[] = [];
    const first = Array.from({ length: 20 }, (_, i) =>
      gc.run(async (conn) => {
        // While this batch holds the connection, more work arrives.
        if (i === 0) for (let k = 0; k < 30; k++) later.push(gc.run(insert(`later${k}`)));
        await insert(`first${i}`)(conn);
      }),
    );
    await Promise.all(first);
    await Promise.all(later);
    expect(commits()).toBe(2);
    expect(raw.prepare('select count(*) from t').pluck().get()).toBe(50);
    await db.destroy();
  });

  it('operations queued by separate callbacks of one event-loop turn share one commit', async () => {
    const { raw, db, gc, commits } = setup();
    const writes: Promise<unknown>[] = [];
    // Ten timers due together run as ten callbacks in one timers phase, like ten requests read from
    // ten sockets in one poll phase: each queues its write from its own callback.
    await new Promise<void>((resolve) => {
      for (let i = 0; i < 10; i++)
        setTimeout(() => {
          writes.push(gc.run((conn) => sql`insert into t (v) values (${`w${i}`})`.execute(conn)));
          if (i === 9) resolve();
        }, 0);
    });
    await Promise.all(writes);
    expect(commits()).toBe(1);
    expect(raw.prepare('select count(*) from t').pluck().get()).toBe(10);
    await db.destroy();
  });

  it('writes commit while a test has fake timers installed (the batch is not scheduled on them)', async () => {
    const { raw, db, gc } = setup();
    vi.useFakeTimers();
    try {
      const write = gc.run((conn) => sql`insert into t (v) values ('under fake timers')`.execute(conn));
      // A real timer (node:timers' own), so a write stuck on the fake ones fails here instead of hanging.
      const stuck = new Promise<never>((_, reject) =>
        realSetTimeout(() => {
          reject(new Error('the write waited for the fake timers'));
        }, 2_000).unref(),
      );
      await Promise.race([write, stuck]);
    } finally {
      vi.useRealTimers();
    }
    expect(raw.prepare('select count(*) from t').pluck().get()).toBe(1);
    await db.destroy();
  });

  it('a promise resolves only once its change is visible to other connections (committed)', async () => {
    const { raw, db, gc } = setup();
    const other = new BetterSqlite3(raw.name, { readonly: true });
    const seen: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        gc
          .run((conn) => sql`insert into t (v) values (${`v${i}`})`.execute(conn))
          .then(() =>
            seen.push(other.prepare(`select count(*) from t where v = ?`).pluck().get(`v${i}`) as number),
          ),
      ),
    );
    expect(seen).toEqual(Array(10).fill(1));
    other.close();
    await db.destroy();
  });

  it('when SQLite abandons the whole transaction, the innocent operations run again and commit', async () => {
    const { raw, db, gc } = setup();
    // A statement that ends the transaction underneath the batch, as a disk-full error would.
    const killer = async (conn: Kysely<Database>): Promise<never> => {
      await sql`rollback`.execute(conn);
      throw new Error('transaction lost');
    };
    const results = await Promise.allSettled([
      gc.run((conn) => sql`insert into t (v) values ('first')`.execute(conn)),
      gc.run((conn) => sql`insert into t (v) values ('before')`.execute(conn)),
      gc.run(killer),
      gc.run((conn) => sql`insert into t (v) values ('after')`.execute(conn)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(raw.prepare('select v from t order by v').pluck().all()).toEqual(['after', 'before', 'first']);
    await db.destroy();
  });
});

describe('several connections on one SQLite file', () => {
  it('two stores in one process race for one unit: one winner, no stall', async () => {
    const path = newPath();
    const a = await open(path);
    const b = await open(path);
    const unitId = await launchedUnit(a);
    const workers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? a : b).createWorker({ name: `w${i}`, providerType: 'mock' }),
      ),
    );
    const started = Date.now();
    const results = await Promise.allSettled(
      workers.map((w, i) => (i % 2 ? a : b).createAgent({ workerId: w.id, unitId })),
    );
    // Waiting for the other store's lock must not sleep the thread the other store needs.
    expect(Date.now() - started).toBeLessThan(3000);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results)
      if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(TransitionConflictError);
    expect(await b.findAgents({ unitId })).toHaveLength(1);
  });

  it('two stores in one process create the same name: one row, the other AlreadyExists', async () => {
    const path = newPath();
    const a = await open(path);
    const b = await open(path);
    const results = await Promise.allSettled([a.createProject('same'), b.createProject('same')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failed = results.find((r) => r.status === 'rejected');
    expect(failed?.status === 'rejected' ? failed.reason : undefined).toBeInstanceOf(AlreadyExistsError);
  });

  it('a write waits (asynchronously) for another connection that holds the write lock', async () => {
    const path = newPath();
    const store = await open(path);
    const other = new BetterSqlite3(path);
    other.exec('begin immediate');
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    setTimeout(() => other.exec('commit'), 200);
    const project = await store.createProject('after the lock');
    clearInterval(ticker);
    other.close();
    expect(project.name).toBe('after the lock');
    // The event loop kept running while the store waited.
    expect(ticks).toBeGreaterThan(5);
  });

  it('a write that waits longer than busyTimeoutMs fails with MEPHISTO_ERR_STORE_CONNECTION, changing nothing', async () => {
    const path = newPath();
    const store = await open(path, 100);
    const other = new BetterSqlite3(path);
    other.exec('begin immediate');
    try {
      await expect(store.createProject('never')).rejects.toMatchObject({
        code: 'MEPHISTO_ERR_STORE_CONNECTION',
      });
    } finally {
      other.exec('rollback');
      other.close();
    }
    expect(await store.findProjects()).toEqual([]);
    expect((await store.createProject('now')).name).toBe('now');
  });
});
