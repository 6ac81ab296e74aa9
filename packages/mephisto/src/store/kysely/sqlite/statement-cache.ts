import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';
import type { SqliteStatements } from '../store-backend.js';

/**
 * The database as Kysely's SQLite driver sees it, with prepared statements reused. Kysely prepares
 * every query afresh; compiling the SQL costs more than running a one-row UPDATE, and the store sends
 * the same few shapes of statement over and over, so a small LRU of statements roughly doubles the
 * rate of compare-and-set transitions.
 *
 * Reusing a statement is safe because better-sqlite3 runs `all`/`run` to completion synchronously;
 * only `iterate` (streaming, which the store never uses) keeps a statement busy.
 */
export class StatementCache implements SqliteDatabase {
  readonly #statements = new Map<string, BetterSqlite3.Statement>();

  constructor(
    readonly raw: BetterSqlite3.Database,
    private readonly capacity = 256,
  ) {}

  prepare(sql: string): BetterSqlite3.Statement {
    const cached = this.#statements.get(sql);
    if (cached) {
      // Map keeps insertion order: re-inserting marks the statement most recently used.
      this.#statements.delete(sql);
      this.#statements.set(sql, cached);
      return cached;
    }
    const statement = this.raw.prepare(sql);
    this.#statements.set(sql, statement);
    if (this.#statements.size > this.capacity) {
      const oldest = this.#statements.keys().next();
      if (!oldest.done) this.#statements.delete(oldest.value);
    }
    return statement;
  }

  close(): void {
    this.#statements.clear();
    this.raw.close();
  }
}

/**
 * The hot paths' statements (store-backend.ts, SqliteStatements): a fixed handful of constant SQL
 * texts, each prepared on first use and kept for the connection's life (never evicted by the LRU
 * traffic of other queries).
 */
export class PinnedStatements implements SqliteStatements {
  readonly #statements = new Map<string, BetterSqlite3.Statement>();
  /** Statements in raw mode, apart: raw is a mode of the statement object, not of one call. */
  readonly #rawStatements = new Map<string, BetterSqlite3.Statement>();

  constructor(private readonly raw: BetterSqlite3.Database) {}

  prepare(sql: string): BetterSqlite3.Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.raw.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  prepareRaw(sql: string): BetterSqlite3.Statement {
    let statement = this.#rawStatements.get(sql);
    if (statement === undefined) {
      statement = this.raw.prepare(sql).raw(true);
      this.#rawStatements.set(sql, statement);
    }
    return statement;
  }
}
