/**
 * How the reporting commands (`runs`, `export`) open the database: as every command does, except that
 * a SQLite file that does not exist yet is not created. A command that only reads should leave no
 * empty database behind a mistyped `--db` or a fresh data directory.
 */
import { existsSync } from 'node:fs';
import { resolveStoreConfig } from '../../store/store-config.js';
import type { Store } from '../../store/store.js';
import type { CommandContext, GlobalOptions } from '../program.js';

/** The page cache of a command that reads the data once: 4 MiB. */
export const SINGLE_PASS_PAGE_CACHE_KIB = 4096;

/** What `use` got: the store, or the path of the SQLite file that does not exist. */
export type ReadableStore = { store: Store; missing?: undefined } | { store?: undefined; missing: string };

/**
 * Opens the designated store (migrating it, as every command does), runs `use`, always closes it.
 * `singlePass`: the command reads the data once (an export), so SQLite gets a small page cache.
 */
export async function withStoreForReading<T>(
  context: CommandContext,
  globals: GlobalOptions,
  use: (opened: ReadableStore) => Promise<T>,
  options: { singlePass?: boolean } = {},
): Promise<T> {
  let config = resolveStoreConfig(globals.db, context.env);
  // A single pass over the data (an export) gains nothing from a large page cache: see pageCacheKiB.
  if (options.singlePass === true && config.kind === 'sqlite')
    config = { ...config, pageCacheKiB: SINGLE_PASS_PAGE_CACHE_KIB };
  if (config.kind === 'sqlite' && config.path !== ':memory:' && !existsSync(config.path)) {
    return use({ missing: config.path });
  }
  const store = await context.openStore(config);
  try {
    return await use({ store });
  } finally {
    await store.close();
  }
}
