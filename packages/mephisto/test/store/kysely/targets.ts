/**
 * The databases the Kysely store's own tests run on: a SQLite file, SQLite in memory, and PostgreSQL in
 * a throwaway schema (skipped when the global setup found no server). Each `open` gets a new, empty
 * database; `cleanup` closes every store and drops every file and schema made.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import type { OpenStoreOptions, StoreConfig } from '../../../src/store/store-config.js';
import type { Store } from '../../../src/store/store.js';
import { openStore } from '../../../src/store/open-store.js';

export const PG_URL = inject('pgUrl');

export interface Target {
  readonly name: 'sqlite-file' | 'sqlite-memory' | 'postgres';
  readonly available: boolean;
}

export const TARGETS: readonly Target[] = [
  { name: 'sqlite-file', available: true },
  { name: 'sqlite-memory', available: true },
  { name: 'postgres', available: PG_URL !== null },
];

export class Databases {
  readonly #stores: Store[] = [];
  readonly #dirs: string[] = [];
  readonly #schemas: string[] = [];

  /** A config for a new, empty database of `target`. */
  config(target: Target): StoreConfig {
    switch (target.name) {
      case 'sqlite-file': {
        const dir = mkdtempSync(join(tmpdir(), 'mephisto-kysely-'));
        this.#dirs.push(dir);
        return { kind: 'sqlite', path: join(dir, 'store.db') };
      }
      case 'sqlite-memory':
        return { kind: 'sqlite', path: ':memory:' };
      case 'postgres': {
        if (PG_URL === null) throw new Error('no PostgreSQL server');
        const schema = `t_kysely_${randomBytes(5).toString('hex')}`;
        this.#schemas.push(schema);
        return { kind: 'postgres', url: PG_URL, schema, poolSize: 4 };
      }
    }
  }

  /** Opens `config` (or a new database of `target`); closed by `cleanup`. */
  async open(target: Target | StoreConfig, options?: OpenStoreOptions): Promise<Store> {
    const config = 'kind' in target ? target : this.config(target);
    const store = await openStore(config, options);
    this.#stores.push(store);
    return store;
  }

  async cleanup(): Promise<void> {
    await Promise.allSettled(this.#stores.splice(0).map((s) => s.close()));
    for (const dir of this.#dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    if (this.#schemas.length > 0 && PG_URL !== null) {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        for (const schema of this.#schemas.splice(0))
          await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    }
  }
}
