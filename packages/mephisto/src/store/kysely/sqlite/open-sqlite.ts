/**
 * SQLite setup: one better-sqlite3 connection per store behind Kysely's SQLite driver, whose connection
 * mutex gives a transaction the connection for its whole duration (no other query of the store can
 * interleave with it). Writes go through the group commit (group-commit.ts). Several stores, in this
 * process or others, may share a file: WAL lets them read concurrently, and writers take turns on
 * SQLite's write lock without blocking the event loop (busy-wait.ts).
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  Kysely,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  sql,
  type CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type QueryResult,
} from 'kysely';
import { MephistoError } from '../../../core/index.js';
import type { StoreConfig } from '../../store-config.js';
import type { Database } from '../schema.js';
import type { StoreBackend } from '../store-backend.js';
import { beginImmediate, retryWhileBusy } from './busy-wait.js';
import { GroupCommit } from './group-commit.js';
import {
  CHECKPOINTER_AFTER_WAL_BYTES,
  CHECKPOINTER_AFTER_WRITES,
  WalCheckpointer,
} from './wal-checkpointer.js';
import { SqliteBulkWriter } from './sqlite-bulk-writer.js';
import { PinnedStatements, StatementCache } from './statement-cache.js';

/** The connection's page cache, in KiB (SQLite's `cache_size` in its negative, kibibyte form). */
const PAGE_CACHE_KIB = 64 * 1024;

export type SqliteStoreConfig = Extract<StoreConfig, { kind: 'sqlite' }>;

/** Kysely's connection over the statement cache: the same as its own SqliteConnection, binding faster. */
class StatementConnection implements DatabaseConnection {
  constructor(private readonly database: StatementCache) {}

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.database.prepare(compiledQuery.sql);
    // Parameters as arguments: better-sqlite3 binds them faster than the elements of one array.
    const params = compiledQuery.parameters;
    if (statement.reader) return Promise.resolve({ rows: statement.all(...params) as R[] });
    const { changes, lastInsertRowid } = statement.run(...params);
    return Promise.resolve({
      numAffectedRows: BigInt(changes),
      insertId: BigInt(lastInsertRowid),
      rows: [],
    });
  }

  /** The store never streams (Kysely's interface asks for it). */
  streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('the SQLite store does not stream queries');
  }
}

/**
 * Kysely's SQLite driver with two changes:
 *
 * - Its transactions (the Migrator's) start like the store's: BEGIN IMMEDIATE, waiting politely.
 * - The one connection is handed to waiters in turn, first come first served. Kysely's own mutex wakes
 *   every waiter at each release and all but one go back to sleep: with a thousand workers' reads
 *   queued behind a group commit that was a thousand wake-ups (and promises) per query, several percent
 *   of the engine's time. Here a release wakes exactly the next waiter.
 */
class ImmediateTransactionDriver extends SqliteDriver {
  readonly #begin: () => Promise<void>;
  readonly #connection: StatementConnection;
  /** Waiters for the connection, oldest first; `#head` is the next one (a queue without shifting). */
  #waiters: ((connection: DatabaseConnection) => void)[] = [];
  #head = 0;
  #held = false;

  constructor(database: StatementCache, begin: () => Promise<void>) {
    super({ database });
    this.#begin = begin;
    this.#connection = new StatementConnection(database);
  }

  /**
   * Runs `work` holding the connection: at once (synchronously) when it is free, else when its turn
   * comes. For synchronous work only, which is what lets it skip a promise when nothing waits.
   */
  withConnection<T>(work: () => T): Promise<T> {
    if (!this.#held) {
      this.#held = true;
      let result: T;
      try {
        result = work();
      } catch (error) {
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rethrown as thrown
        return Promise.reject(error);
      } finally {
        void this.releaseConnection();
      }
      return Promise.resolve(result);
    }
    return this.acquireConnection().then(() => {
      try {
        return work();
      } finally {
        void this.releaseConnection();
      }
    });
  }

  override acquireConnection(): Promise<DatabaseConnection> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve(this.#connection);
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  override releaseConnection(): Promise<void> {
    if (this.#head < this.#waiters.length) {
      const next = this.#waiters[this.#head] as (connection: DatabaseConnection) => void;
      this.#head++;
      if (this.#head === this.#waiters.length) {
        this.#waiters = [];
        this.#head = 0;
      } else if (this.#head >= 1024 && this.#head * 2 >= this.#waiters.length) {
        // Never idle under steady load: drop the served half now and then so the array stays small.
        this.#waiters = this.#waiters.slice(this.#head);
        this.#head = 0;
      }
      // Still held: ownership passes straight to the next waiter.
      next(this.#connection);
    } else {
      this.#held = false;
    }
    return Promise.resolve();
  }

  override async beginTransaction(): Promise<void> {
    await this.#begin();
  }
}

/**
 * SQLite's DDL is transactional; Kysely assumes otherwise (a table rebuild needs `PRAGMA foreign_keys`,
 * which a transaction ignores). Our migrations rebuild nothing that way, so each run of them is one
 * transaction: a failed migration leaves nothing half-made, and two processes opening a new file
 * at once take turns (BEGIN IMMEDIATE) instead of both creating the tables. A future migration that
 * must rebuild a referenced table will need to be split out of this.
 */
class TransactionalDdlAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class MephistoSqliteDialect extends SqliteDialect {
  readonly #driver: ImmediateTransactionDriver;
  constructor(database: StatementCache, driver: ImmediateTransactionDriver) {
    super({ database });
    this.#driver = driver;
  }
  override createDriver(): Driver {
    return this.#driver;
  }
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlAdapter();
  }
}

function settings(config: SqliteStoreConfig): {
  busyTimeout: number;
  synchronous: string;
  pageCacheKiB: number;
} {
  const busyTimeout = config.busyTimeoutMs ?? 5000;
  if (!Number.isInteger(busyTimeout) || busyTimeout < 0) {
    throw new MephistoError(
      'MEPHISTO_ERR_STORE_CONFIG',
      `busyTimeoutMs must be a whole number >= 0, got ${busyTimeout}`,
    );
  }
  // Checked at run time too: the config may come from a YAML file.
  const synchronous: string = config.synchronous ?? 'normal';
  if (synchronous !== 'normal' && synchronous !== 'full') {
    throw new MephistoError(
      'MEPHISTO_ERR_STORE_CONFIG',
      `synchronous must be "normal" or "full", got "${synchronous}"`,
    );
  }
  const pageCacheKiB = config.pageCacheKiB ?? PAGE_CACHE_KIB;
  if (!Number.isInteger(pageCacheKiB) || pageCacheKiB < 64) {
    throw new MephistoError(
      'MEPHISTO_ERR_STORE_CONFIG',
      `pageCacheKiB must be a whole number >= 64, got ${pageCacheKiB}`,
    );
  }
  return { busyTimeout, synchronous, pageCacheKiB };
}

function openRaw(
  path: string,
  { busyTimeout, synchronous, pageCacheKiB }: ReturnType<typeof settings>,
): BetterSqlite3.Database {
  const inMemory = path === ':memory:';
  let raw: BetterSqlite3.Database | undefined;
  try {
    if (!inMemory) mkdirSync(dirname(path), { recursive: true });
    raw = new BetterSqlite3(path);
    // Ids are 63-bit: read every integer as a bigint so none loses digits (row-mapping.ts converts).
    raw.defaultSafeIntegers(true);
    // Opening may wait (synchronously: nothing else runs yet) for a lock, e.g. while another process
    // recovers the WAL or switches the journal mode.
    raw.pragma(`busy_timeout = ${busyTimeout}`);
    if (!inMemory) raw.pragma('journal_mode = WAL');
    raw.pragma('foreign_keys = ON');
    // Savepoints (one per operation in a group commit) and multi-row statements keep a journal of the
    // pages they change so they can be undone alone; in a temporary file that is six write calls per
    // operation, in memory it is none.
    raw.pragma('temp_store = MEMORY');
    // SQLite's default page cache is 2 MB; a run of 100,000 units is a 40 MB file, and the claim's
    // index walks then fetch most pages from the OS again (a system call and a copy each). Up to 64 MB
    // of pages stay in the process instead; the memory is only taken as pages are read.
    raw.pragma(`cache_size = -${pageCacheKiB}`);
    raw.pragma(`synchronous = ${synchronous.toUpperCase()}`);
    // A file that is not a database is only detected on first read.
    raw.prepare('select count(*) from sqlite_master').get();
    // From here on a busy database fails at once and the store waits on a timer (busy-wait.ts).
    raw.pragma('busy_timeout = 0');
    return raw;
  } catch (error) {
    raw?.close();
    throw new MephistoError(
      'MEPHISTO_ERR_STORE_CONNECTION',
      `cannot open the SQLite database ${path}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * The commit hook that moves WAL checkpoints to a worker thread once the store is busy (see
 * wal-checkpointer.ts), with a `stop` for closing; undefined for in-memory databases or when turned off.
 */
export function backgroundCheckpoints(
  raw: BetterSqlite3.Database,
  config: SqliteStoreConfig,
): (((operations: number) => void) & { stop(): Promise<void>; started(): boolean }) | undefined {
  const after = config.checkpointInBackgroundAfterWrites ?? CHECKPOINTER_AFTER_WRITES;
  if (config.path === ':memory:' || after === 0) return undefined;
  // No logger reaches the store: a failed worker only means SQLite checkpoints in the COMMIT again.
  const checkpointer = new WalCheckpointer(raw, config.path);
  const walPath = `${config.path}-wal`;
  let writes = 0;
  let commits = 0;
  let started = false;
  const onCommit = (operations: number): void => {
    if (started) return;
    writes += operations;
    if (
      writes >= after ||
      (++commits % WAL_SIZE_CHECK_EVERY === 0 && walBytes(walPath) >= CHECKPOINTER_AFTER_WAL_BYTES)
    ) {
      started = true;
      checkpointer.start();
    }
  };
  return Object.assign(onCommit, { stop: () => checkpointer.stop(), started: () => started });
}

/** Commits between two looks at the log's size (a stat call) until the checkpointer starts. */
const WAL_SIZE_CHECK_EVERY = 16;

function walBytes(walPath: string): number {
  try {
    return statSync(walPath).size;
  } catch {
    return 0;
  }
}

export function openSqliteBackend(config: SqliteStoreConfig): StoreBackend {
  const resolved = settings(config);
  const { busyTimeout } = resolved;
  const raw = openRaw(config.path, resolved);
  const database = new StatementCache(raw);
  const driver = new ImmediateTransactionDriver(database, beginImmediate(raw, busyTimeout));
  const db = new Kysely<Database>({ dialect: new MephistoSqliteDialect(database, driver) });
  const checkpointer = backgroundCheckpoints(raw, config);
  const groupCommit = new GroupCommit(db, raw, busyTimeout, checkpointer);
  const statements = new PinnedStatements(raw);
  return {
    dialect: 'sqlite',
    location: config.path,
    db,
    sqlite: statements,
    sqliteRead: (read) => driver.withConnection(() => read(statements)),
    migrationTableSchema: undefined,
    // Every store operation leaves nothing behind when it fails, so one that met a busy database
    // (practically only a read during another process's WAL recovery) can simply run again.
    call: (operation) => retryWhileBusy(operation, busyTimeout),
    transaction: (work) => groupCommit.run(work),
    autocommit: (work) => groupCommit.run(work),
    // `_db` proves the caller runs inside a transaction, which holds the connection the writer uses.
    bulkWriter: (_db, table, columns) => new SqliteBulkWriter(database, table, columns),
    async listTables(): Promise<string[]> {
      const { rows } = await sql<{
        name: string;
      }>`select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\'`.execute(
        db,
      );
      return rows.map((r) => r.name);
    },
    async destroy(): Promise<void> {
      // Let queued writes commit and the query holding the connection finish: closing the
      // connection under them would fail them after their callers were told nothing yet.
      await groupCommit.idle();
      await checkpointer?.stop();
      await db.connection().execute(() => Promise.resolve());
      await db.destroy();
    },
  };
}
