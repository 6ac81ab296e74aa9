/**
 * The store variants every conformance file runs against, and the harness that gives each test (or
 * each describe block) a fresh, empty store with a ManualClock and deterministic ids.
 *
 * Usage:
 * ```ts
 * for (const target of STORE_TARGETS) {
 *   describe.skipIf(!target.available)(`store conformance [${target.name}]: agents`, () => {
 *     const h = useStore(target);
 *     it('…', async () => { await h.store.createProject('p'); });
 *   });
 * }
 * ```
 *
 * - `sqlite-file`: a new database file per fresh store (a copy of a template migrated once per block),
 *   in a temporary directory removed afterwards.
 * - `sqlite-memory`: `:memory:`.
 * - `postgres`: a schema per describe block named `t_<file>_<random>_<n>`, emptied before each test
 *   (the Store object is kept, its ManualClock and ids start over), and every schema the block created
 *   dropped with CASCADE afterwards, so files and concurrent runs never collide. Skipped (visibly) when
 *   the global setup found no PostgreSQL (`inject('pgUrl')`).
 *
 * Every fresh store starts with an empty database, a ManualClock at 2026-01-01T00:00:00Z and a
 * SequentialIdGenerator at 1000001 (unless the block asks for other ids).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, inject } from 'vitest';
import { ManualClock, SequentialIdGenerator } from '../../src/core/index.js';
import type { IdGenerator } from '../../src/core/index.js';
import { openStore } from '../../src/store/open-store.js';
import type { OpenStoreOptions, StoreConfig } from '../../src/store/store-config.js';
import type { Store } from '../../src/store/store.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of a reachable PostgreSQL server (test-support/global-setup.ts), or null. */
    pgUrl: string | null;
  }
}

export type StoreTargetName = 'sqlite-file' | 'sqlite-memory' | 'postgres';

export interface StoreTarget {
  readonly name: StoreTargetName;
  readonly dialect: 'sqlite' | 'postgres';
  /** False when the database is unreachable on this machine: the target's blocks are skipped. */
  readonly available: boolean;
  /**
   * The data outlives the Store object: it can be reopened, and written behind the store's back
   * (rawExec). Two Store objects at once on one SQLite file in one process are not supported.
   */
  readonly persistent: boolean;
}

const PG_URL = inject('pgUrl');

export const STORE_TARGETS: readonly StoreTarget[] = [
  { name: 'sqlite-file', dialect: 'sqlite', available: true, persistent: true },
  { name: 'sqlite-memory', dialect: 'sqlite', available: true, persistent: false },
  { name: 'postgres', dialect: 'postgres', available: PG_URL !== null, persistent: true },
];

/** Records every id the store asked for, so tests can check that ids come from the injected generator. */
export class RecordingIdGenerator implements IdGenerator {
  readonly issued: string[] = [];
  #inner: IdGenerator;
  constructor(inner: IdGenerator) {
    this.#inner = inner;
  }
  next(): string {
    const id = this.#inner.next();
    this.issued.push(id);
    return id;
  }
  /** Starts over with another generator and forgets what was issued. */
  reset(inner: IdGenerator): void {
    this.#inner = inner;
    this.issued.length = 0;
  }
}

const CLOCK_START = new ManualClock().now();

export interface StoreHarnessOptions {
  /**
   * `test`: every test gets a fresh, empty database and store. `describe`: one store for the whole
   * block, for tests that make their own rows (faster on PostgreSQL).
   * @default 'test'
   */
  scope?: 'test' | 'describe';
  /** PostgreSQL pool size. @default 4 */
  poolSize?: number;
  /** @default () => new SequentialIdGenerator() */
  ids?: () => IdGenerator;
}

export interface StoreHarness {
  readonly target: StoreTarget;
  /** The store of the current test (or block). */
  readonly store: Store;
  readonly clock: ManualClock;
  readonly ids: RecordingIdGenerator;
  /** What the current store was opened with. */
  readonly config: StoreConfig;
  /** A new, empty, never-opened database of this target. */
  newDatabase(): Promise<StoreConfig>;
  /**
   * Opens another store (by default with this harness's clock and ids); it is closed at the end of the
   * current test, or of the block when called from a beforeAll.
   */
  open(config: StoreConfig, options?: OpenStoreOptions): Promise<Store>;
  /**
   * Runs SQL on the current store's database behind its back (sqlite-file and postgres only), to
   * simulate what the API cannot produce (a row changed by another program, a crash half-way).
   */
  rawExec(sql: string): Promise<void>;
}

interface Backend {
  /** A new, empty database that was never opened. */
  newDatabase(): Promise<StoreConfig>;
  /** A database with no rows for the next fresh store; `migrated` when its schema is already current. */
  freshDatabase(): Promise<{ config: StoreConfig; migrated: boolean }>;
  rawExec(config: StoreConfig, sql: string): Promise<void>;
  dispose(): Promise<void>;
}

function fileTag(filePath: string): string {
  return basename(filePath)
    .replace(/\.test\.[cm]?[jt]s$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 20);
}

async function sqliteFileBackend(tag: string): Promise<Backend> {
  const dir = await mkdtemp(join(tmpdir(), `mephisto-store-${tag}-`));
  let n = 0;
  const newDatabase = (): Promise<StoreConfig> =>
    Promise.resolve({ kind: 'sqlite', path: join(dir, `db-${++n}.sqlite`) });
  let template: string | undefined;
  return {
    newDatabase,
    async freshDatabase() {
      // Migrate one template per block and copy it: a copy opens in a millisecond, a migration takes tens.
      if (template === undefined) {
        const config = await newDatabase();
        if (config.kind !== 'sqlite') throw new Error('unreachable');
        const store = await openStore(config, { clock: new ManualClock(), ids: new SequentialIdGenerator() });
        await store.close();
        template = config.path;
      }
      const config = await newDatabase();
      if (config.kind !== 'sqlite') throw new Error('unreachable');
      await copyFile(template, config.path);
      if (existsSync(`${template}-wal`)) await copyFile(`${template}-wal`, `${config.path}-wal`);
      return { config, migrated: true };
    },
    rawExec(config, sql) {
      if (config.kind !== 'sqlite') throw new Error('not a SQLite config');
      const db = new Database(config.path);
      try {
        db.pragma('busy_timeout = 5000');
        db.exec(sql);
      } finally {
        db.close();
      }
      return Promise.resolve();
    },
    async dispose() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function sqliteMemoryBackend(): Backend {
  const memory = (): Promise<StoreConfig> => Promise.resolve({ kind: 'sqlite', path: ':memory:' });
  return {
    newDatabase: memory,
    async freshDatabase() {
      return { config: await memory(), migrated: false };
    },
    rawExec() {
      return Promise.reject(new Error('rawExec is not possible on :memory: (check target.persistent)'));
    },
    dispose: () => Promise.resolve(),
  };
}

async function postgresBackend(url: string, tag: string, poolSize: number): Promise<Backend> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const prefix = `t_${tag}_${randomBytes(4).toString('hex')}`;
  let n = 0;
  const newDatabase = (): Promise<StoreConfig> =>
    Promise.resolve({ kind: 'postgres', url, schema: `${prefix}_${++n}`, poolSize });
  const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;
  let shared: { config: StoreConfig; schema: string } | undefined;
  let canSkipTriggers = true;

  async function emptySchema(schema: string): Promise<void> {
    const { rows } = await admin.query<{ table_name: string }>(
      `select table_name from information_schema.tables
        where table_schema = $1 and table_type = 'BASE TABLE' and table_name not like '%migration%'`,
      [schema],
    );
    const tables = rows.map((r) => `${quote(schema)}.${quote(r.table_name)}`);
    if (tables.length === 0) return;
    if (canSkipTriggers) {
      // DELETE with foreign-key triggers off (superuser only) takes a millisecond; TRUNCATE takes 200.
      try {
        await admin.query('set session_replication_role = replica');
        try {
          await admin.query(tables.map((t) => `delete from ${t}`).join('; '));
        } finally {
          await admin.query('set session_replication_role = default');
        }
        return;
      } catch {
        canSkipTriggers = false;
      }
    }
    await admin.query(`truncate ${tables.join(', ')} cascade`);
  }

  return {
    newDatabase,
    async freshDatabase() {
      // One schema per block, migrated by its first store and emptied before each later test.
      if (shared === undefined) {
        const config = await newDatabase();
        shared = { config, schema: config.kind === 'postgres' ? (config.schema ?? 'public') : 'public' };
        return { config, migrated: false };
      }
      await emptySchema(shared.schema);
      return { config: shared.config, migrated: true };
    },
    async rawExec(config, sql) {
      if (config.kind !== 'postgres' || config.schema === undefined)
        throw new Error('not a PostgreSQL schema config');
      await admin.query(`set search_path to ${quote(config.schema)}`);
      try {
        await admin.query(sql);
      } finally {
        await admin.query('set search_path to default');
      }
    },
    async dispose() {
      try {
        const { rows } = await admin.query<{ nspname: string }>(
          'select nspname from pg_namespace where starts_with(nspname, $1)',
          [prefix],
        );
        for (const { nspname } of rows) await admin.query(`drop schema if exists ${quote(nspname)} cascade`);
      } finally {
        await admin.end();
      }
    },
  };
}

/**
 * Gives the tests of the enclosing describe block a fresh store of `target`. Call it inside the
 * block's callback; it registers the hooks that open, empty, close and clean up.
 */
export function useStore(target: StoreTarget, options: StoreHarnessOptions = {}): StoreHarness {
  const scope = options.scope ?? 'test';
  const poolSize = options.poolSize ?? 4;
  const makeIds = options.ids ?? (() => new SequentialIdGenerator());
  const reuse = scope === 'test' && target.dialect === 'postgres';

  let backend: Backend | undefined;
  let current:
    { store: Store; config: StoreConfig; clock: ManualClock; ids: RecordingIdGenerator } | undefined;
  const blockStores: Store[] = [];
  const testStores: Store[] = [];
  let inTest = false;

  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`store harness: no ${what} yet (use it inside a test or hook)`);
    return value;
  };

  async function openTracked(config: StoreConfig, opts: OpenStoreOptions): Promise<Store> {
    const store = await openStore(config, opts);
    (inTest ? testStores : blockStores).push(store);
    return store;
  }

  async function openFresh(): Promise<void> {
    const { config, migrated } = await need(backend, 'backend').freshDatabase();
    const clock = new ManualClock(CLOCK_START);
    const ids = new RecordingIdGenerator(makeIds());
    const store = await openStore(config, { clock, ids, migrate: !migrated });
    (scope === 'test' && !reuse ? testStores : blockStores).push(store);
    current = { store, config, clock, ids };
  }

  /**
   * On PostgreSQL a per-test store is reused: the schema is emptied and the clock and ids start over,
   * which saves opening a pool per test. A test that closed the store gets a new one.
   */
  async function resetReused(): Promise<boolean> {
    const c = current;
    if (c === undefined) return false;
    try {
      await c.store.countUnits();
    } catch {
      return false;
    }
    await need(backend, 'backend').freshDatabase();
    c.clock.set(CLOCK_START);
    c.ids.reset(makeIds());
    return true;
  }

  async function closeAll(stores: Store[]): Promise<void> {
    const closing = stores.splice(0).map((s) => s.close());
    const results = await Promise.allSettled(closing);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  // vitest requires a destructuring pattern for the context argument.
  // eslint-disable-next-line no-empty-pattern
  beforeAll(async ({}, suite) => {
    const tag = fileTag(suite.file.name);
    switch (target.name) {
      case 'sqlite-file':
        backend = await sqliteFileBackend(tag);
        break;
      case 'sqlite-memory':
        backend = sqliteMemoryBackend();
        break;
      case 'postgres':
        if (PG_URL === null) throw new Error('PostgreSQL target used without a PostgreSQL server');
        backend = await postgresBackend(PG_URL, tag, poolSize);
        break;
    }
    if (scope === 'describe') await openFresh();
  });

  afterAll(async () => {
    try {
      await closeAll(testStores);
      await closeAll(blockStores);
    } finally {
      current = undefined;
      await backend?.dispose();
      backend = undefined;
    }
  });

  beforeEach(async () => {
    if (scope === 'test' && !(reuse && (await resetReused()))) await openFresh();
    inTest = true;
  });

  afterEach(async () => {
    inTest = false;
    await closeAll(testStores);
    if (scope === 'test' && !reuse) current = undefined;
  });

  return {
    target,
    get store() {
      return need(current, 'store').store;
    },
    get clock() {
      return need(current, 'clock').clock;
    },
    get ids() {
      return need(current, 'ids').ids;
    },
    get config() {
      return need(current, 'config').config;
    },
    newDatabase: () => need(backend, 'backend').newDatabase(),
    open(config, opts) {
      const c = current;
      return openTracked(config, { clock: c?.clock, ids: c?.ids, ...opts });
    },
    rawExec(sql) {
      return need(backend, 'backend').rawExec(need(current, 'config').config, sql);
    },
  };
}
