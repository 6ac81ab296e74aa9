import { MephistoError, systemClock, TimeOrderedIdGenerator } from '../core/index.js';
import { KyselyStore } from './kysely/kysely-store.js';
import { openPostgresBackend } from './kysely/postgres/open-postgres.js';
import { openSqliteBackend } from './kysely/sqlite/open-sqlite.js';
import type { StoreBackend } from './kysely/store-backend.js';
import type { Store } from './store.js';
import type { OpenStoreOptions, StoreConfig } from './store-config.js';

/**
 * Opens the store `config` designates and, unless `options.migrate` is false, brings its schema up to
 * date.
 *
 * @param options.clock @default systemClock
 * @param options.ids @default a TimeOrderedIdGenerator on `options.clock`
 * @param options.migrate @default true
 * @throws MephistoError `MEPHISTO_ERR_STORE_CONNECTION` when the database cannot be opened or reached;
 *   `MEPHISTO_ERR_STORE_MIGRATION` when migrating fails or the database is newer than this version;
 *   `MEPHISTO_ERR_STORE_CONFIG` for an unusable setting (pool size, schema name, …).
 */
export async function openStore(config: StoreConfig, options: OpenStoreOptions = {}): Promise<Store> {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? new TimeOrderedIdGenerator(clock);
  let backend: StoreBackend;
  switch (config.kind) {
    case 'sqlite':
      backend = openSqliteBackend(config);
      break;
    case 'postgres':
      backend = await openPostgresBackend(config);
      break;
    default:
      throw new MephistoError(
        'MEPHISTO_ERR_STORE_CONFIG',
        `unknown store kind "${String((config as { kind?: unknown }).kind)}": expected "sqlite" or "postgres"`,
      );
  }
  const store = new KyselyStore(backend, clock, ids);
  if (options.migrate !== false) {
    try {
      await store.migrate();
    } catch (error) {
      await store.close().catch(() => undefined);
      throw error;
    }
  }
  return store;
}
