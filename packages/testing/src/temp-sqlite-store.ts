import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ManualClock,
  openStore,
  SequentialIdGenerator,
  type OpenStoreOptions,
  type Store,
} from 'mephisto-ts';

export interface TempSqliteStoreOptions extends OpenStoreOptions {
  /** Extra SQLite settings. @default the store's own defaults (WAL, synchronous normal) */
  synchronous?: 'normal' | 'full';
}

/**
 * Opens a migrated store on a fresh SQLite file in a temporary directory, hands it to `use`, then closes
 * it and deletes the directory, whether `use` succeeded or threw. A real file rather than `:memory:`,
 * so tests exercise the same WAL and locking behaviour as users' databases. Unless the options say
 * otherwise the store gets a {@link ManualClock} and {@link SequentialIdGenerator}, so results are
 * reproducible.
 */
export async function withTempSqliteStore<T>(
  use: (store: Store, path: string) => Promise<T>,
  options: TempSqliteStoreOptions = {},
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'mephisto-ts-test-'));
  const path = join(dir, 'database.db');
  const { synchronous, ...openOptions } = options;
  try {
    const store = await openStore(
      synchronous ? { kind: 'sqlite', path, synchronous } : { kind: 'sqlite', path },
      { clock: new ManualClock(), ids: new SequentialIdGenerator(), ...openOptions },
    );
    try {
      return await use(store, path);
    } finally {
      await store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
