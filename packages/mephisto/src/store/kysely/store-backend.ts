import type { Kysely } from 'kysely';
import type { Database, TableName } from './schema.js';

export type StoreDialect = 'sqlite' | 'postgres';

/** The SQL kind of a bulk-inserted column: PostgreSQL needs it to type the arrays it unnests. */
export type BulkColumnKind = 'id' | 'int' | 'real' | 'text' | 'bool' | 'millis';

export interface BulkColumn {
  readonly name: string;
  readonly kind: BulkColumnKind;
}

/** One row of a bulk insert: values in the order of the statement's columns, encoded (row-mapping.ts). */
export type BulkValue = string | number | bigint | boolean | null;
export type BulkRow = readonly BulkValue[];

/**
 * Streams rows into one table, buffering a batch per INSERT statement (sized for each driver). When
 * rows of one writer reference rows of another (a unit its assignment), flush the referenced writer
 * first: foreign keys are checked as each statement runs.
 */
export interface BulkWriter {
  /** Adds one row, values in the order of the writer's columns. */
  add(row: BulkRow): void;
  /** True when a batch is buffered: `flush` before adding more. */
  readonly full: boolean;
  /** Writes the buffered rows. */
  flush(): Promise<void>;
}

/** A prepared statement of the SQLite connection (better-sqlite3's, narrowed to what the store uses). */
export interface SqliteStatement {
  all(...params: unknown[]): unknown[];
  /** The first row, or undefined: no array made for a single row. */
  get(...params: unknown[]): unknown;
  run(...params: unknown[]): { changes: number | bigint };
}

/**
 * SQLite only: the store's own connection, to run prepared statements on directly. A statement run
 * here belongs to whatever holds the connection, so only call it from `work` given to `transaction`
 * or `autocommit` (the group commit holds the connection and its transaction is open). The hot paths
 * (claim, submit) use it to skip building and compiling the same queries through Kysely every time.
 */
export interface SqliteStatements {
  prepare(sql: string): SqliteStatement;
  /**
   * The statement returning each row as an array of its columns in select order (better-sqlite3's raw
   * mode): no object with a property per column to build, about a third of the cost of reading a
   * wide row. A text prepared here is always raw, one prepared with `prepare` never is.
   */
  prepareRaw(sql: string): SqliteStatement;
}

/**
 * What a database-specific setup (sqlite/, postgres/) hands to the store: a ready Kysely instance plus
 * the few operations whose fastest form differs between the two drivers.
 */
export interface StoreBackend {
  readonly dialect: StoreDialect;
  /** A file path, `:memory:`, or a URL without its password. */
  readonly location: string;
  readonly db: Kysely<Database>;
  /** SQLite's prepared statements (see {@link SqliteStatements}); undefined on PostgreSQL. */
  readonly sqlite: SqliteStatements | undefined;
  /**
   * SQLite only (undefined on PostgreSQL): runs `read`, which must only read, with the connection's
   * prepared statements as soon as the connection is free: at once when nothing holds it, else after
   * whatever holds it now (first come, first served with Kysely's queries and the group commit's
   * batches). So it never sees a transaction half-done, and skips Kysely's query building and its
   * promise per statement: the engine's reads after every claim and submit go this way.
   */
  readonly sqliteRead: (<T>(read: (statements: SqliteStatements) => T) => Promise<T>) | undefined;
  /** The schema holding the Migrator's tables (PostgreSQL); undefined on SQLite. */
  readonly migrationTableSchema: string | undefined;
  /**
   * Runs one store operation. SQLite retries an operation that met a busy database (another
   * connection's lock) until the busy timeout; PostgreSQL just runs it.
   */
  call<T>(operation: () => Promise<T>): Promise<T>;
  /**
   * Runs `work` atomically: its writes commit together, or not at all if it throws. Resolves with its
   * result once committed. `work` must make every query through the `db` it is given (on SQLite the
   * store's own instance waits for the connection `work` holds). `work` may return its result directly
   * (SQLite prepared statements are synchronous): the group commit then runs it without a turn of the
   * event loop.
   */
  transaction<T>(work: (db: Kysely<Database>) => Promise<T> | T): Promise<T>;
  /**
   * Like `transaction`, for `work` whose writes are one statement (atomic by itself) plus reads: on
   * PostgreSQL it runs without BEGIN/COMMIT round trips; on SQLite it joins the group commit.
   */
  autocommit<T>(work: (db: Kysely<Database>) => Promise<T> | T): Promise<T>;
  /**
   * A writer of many rows into `table` through `db`, the instance a `transaction` handed out. Used for
   * the bulk creation of assignments and units, the one place insert speed matters.
   */
  bulkWriter(db: Kysely<Database>, table: TableName, columns: readonly BulkColumn[]): BulkWriter;
  /** Every table in the store's schema, the Migrator's included. */
  listTables(): Promise<string[]>;
  /** Closes the connection(s). Called once. */
  destroy(): Promise<void>;
}
