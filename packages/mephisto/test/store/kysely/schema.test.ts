/**
 * Schema version and the setups' edges: a database newer than this version is refused, PostgreSQL
 * schemas keep stores apart, and bad settings are reported before anything connects.
 */
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/index.js';
import { openStore } from '../../../src/store/open-store.js';
import type { StoreConfig } from '../../../src/store/store-config.js';
import { knownMigrations } from '../../../src/store/kysely/migrations/index.js';
import { Databases, PG_URL, TARGETS } from './targets.js';

/** Every migration this version knows, in the order they apply. */
const ALL_MIGRATIONS = Object.keys(knownMigrations('sqlite')).sort();

async function runSql(config: StoreConfig, statement: string): Promise<void> {
  if (config.kind === 'sqlite') {
    const db = new BetterSqlite3(config.path);
    try {
      db.exec(statement);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: config.url });
  await client.connect();
  try {
    await client.query(`set search_path to "${config.schema ?? 'public'}"`);
    await client.query(statement);
  } finally {
    await client.end();
  }
}

for (const target of TARGETS.filter((t) => t.name !== 'sqlite-memory')) {
  describe.skipIf(!target.available)(`schema version [${target.name}]`, () => {
    const dbs = new Databases();
    afterEach(() => dbs.cleanup());

    it('the schema version is the last migration applied, and migrate() is then a no-op', async () => {
      const config = dbs.config(target);
      const store = await dbs.open(config);
      expect(await store.schemaStatus()).toEqual({ applied: ALL_MIGRATIONS, pending: [] });
      expect(await store.migrate()).toEqual([]);
    });

    it('a database written by a newer version (an unknown migration applied) is refused', async () => {
      const config = dbs.config(target);
      const first = await dbs.open(config);
      await first.close();
      await runSql(
        config,
        `insert into kysely_migration (name, timestamp) values ('9999_from_the_future', '2099-01-01T00:00:00.000Z')`,
      );
      const error = await openStore(config).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'MEPHISTO_ERR_STORE_MIGRATION' });
      expect((error as Error).message).toMatch(/newer mephisto-ts.*9999_from_the_future/);
      // Without migrating it still opens, and reports what it holds.
      const store = await dbs.open(config, { migrate: false });
      expect((await store.schemaStatus()).applied).toEqual([...ALL_MIGRATIONS, '9999_from_the_future']);
    });

    it('a migration that fails → MEPHISTO_ERR_STORE_MIGRATION naming it, and nothing half-applied', async () => {
      const config = dbs.config(target);
      // A table in the way of the first migration's `create table projects`.
      if (config.kind === 'postgres') {
        const admin = new pg.Client({ connectionString: config.url });
        await admin.connect();
        await admin.query(`create schema "${config.schema ?? 'public'}"`);
        await admin.end();
      }
      await runSql(config, 'create table workers (x integer)');
      const error = await openStore(config).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'MEPHISTO_ERR_STORE_MIGRATION' });
      expect((error as Error).message).toContain('0001_core_schema');
      const store = await dbs.open(config, { migrate: false });
      expect(await store.schemaStatus()).toEqual({ applied: [], pending: ALL_MIGRATIONS });
      // The migration ran in a transaction: none of its tables is left behind.
      expect(Object.keys(await store.countRows())).toEqual(['workers']);
    });
  });
}

describe.skipIf(PG_URL === null)('PostgreSQL setup', () => {
  const dbs = new Databases();
  afterEach(() => dbs.cleanup());

  it('stores in different schemas of one database do not see each other', async () => {
    const a = await dbs.open({ name: 'postgres', available: true }, { clock: new ManualClock() });
    const b = await dbs.open({ name: 'postgres', available: true }, { clock: new ManualClock() });
    await a.createProject('only in a');
    expect(await b.findProjects()).toEqual([]);
    expect((await a.countRows()).projects).toBe(1);
    expect((await b.countRows()).projects).toBe(0);
  });

  it('the location names the schema and hides the password', async () => {
    const url = (PG_URL ?? '').replace('postgres://', 'postgres://root:s3cret@');
    const store = await dbs
      .open({ kind: 'postgres', url, schema: 't_kysely_location' })
      .catch(() => undefined);
    // The test server trusts local connections, so a password is accepted and ignored.
    if (store === undefined) return;
    try {
      expect(store.location).not.toContain('s3cret');
      expect(store.location).toContain('***');
      expect(store.location).toContain('schema=t_kysely_location');
    } finally {
      await store.close();
      const client = new pg.Client({ connectionString: PG_URL ?? '' });
      await client.connect();
      await client.query('drop schema if exists t_kysely_location cascade');
      await client.end();
    }
  });

  it('a schema name that is not a plain identifier → MEPHISTO_ERR_STORE_CONFIG', async () => {
    await expect(
      openStore({ kind: 'postgres', url: PG_URL ?? '', schema: 'a"; drop table x; --' }),
    ).rejects.toMatchObject({
      code: 'MEPHISTO_ERR_STORE_CONFIG',
    });
  });
});

describe('SQLite setup', () => {
  it('bad settings → MEPHISTO_ERR_STORE_CONFIG', async () => {
    await expect(openStore({ kind: 'sqlite', path: ':memory:', busyTimeoutMs: -1 })).rejects.toMatchObject({
      code: 'MEPHISTO_ERR_STORE_CONFIG',
    });
    await expect(
      openStore({ kind: 'sqlite', path: ':memory:', synchronous: 'off' as 'full' }),
    ).rejects.toMatchObject({ code: 'MEPHISTO_ERR_STORE_CONFIG' });
  });

  it('the connection runs in WAL mode with foreign keys on, and the chosen synchronous level', async () => {
    const dbs = new Databases();
    try {
      const config = dbs.config({ name: 'sqlite-file', available: true });
      if (config.kind !== 'sqlite') throw new Error('unreachable');
      const store = await dbs.open({ ...config, synchronous: 'full' });
      await store.createProject('p');
      const raw = new BetterSqlite3(config.path);
      try {
        expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      } finally {
        raw.close();
      }
    } finally {
      await dbs.cleanup();
    }
  });
});
