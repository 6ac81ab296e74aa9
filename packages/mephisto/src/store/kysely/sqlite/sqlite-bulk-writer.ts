import type { BulkColumn, BulkRow, BulkValue, BulkWriter } from '../store-backend.js';
import type { StatementCache } from './statement-cache.js';

/**
 * Rows per INSERT statement. better-sqlite3 pays a fixed cost per call, so one statement of 128 rows
 * inserts about a quarter faster than 128 calls of a one-row statement; beyond that the gain fades.
 * (128 rows of even 20 columns stay far below SQLite's 32,766 bound parameters.)
 */
const ROWS_PER_STATEMENT = 128;

/**
 * Bulk insert on the store's SQLite connection. The caller's transaction holds that connection, so
 * statements run directly on it belong to that transaction; they run synchronously, so a batch is
 * written by the time `flush` returns.
 */
export class SqliteBulkWriter implements BulkWriter {
  readonly #many: ReturnType<StatementCache['prepare']>;
  readonly #one: ReturnType<StatementCache['prepare']>;
  readonly #width: number;
  #values: BulkValue[] = [];

  constructor(statements: StatementCache, table: string, columns: readonly BulkColumn[]) {
    this.#width = columns.length;
    const head = `insert into "${table}" (${columns.map((c) => `"${c.name}"`).join(', ')}) values `;
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    this.#many = statements.prepare(
      head + Array.from({ length: ROWS_PER_STATEMENT }, () => tuple).join(', '),
    );
    this.#one = statements.prepare(head + tuple);
  }

  get full(): boolean {
    return this.#values.length >= ROWS_PER_STATEMENT * this.#width;
  }

  add(row: BulkRow): void {
    for (const value of row) this.#values.push(value);
  }

  flush(): Promise<void> {
    const values = this.#values;
    this.#values = [];
    const batch = ROWS_PER_STATEMENT * this.#width;
    let start = 0;
    if (values.length === batch) {
      this.#many.run(values);
      start = batch;
    } else {
      for (; start + batch <= values.length; start += batch)
        this.#many.run(values.slice(start, start + batch));
    }
    for (; start < values.length; start += this.#width)
      this.#one.run(values.slice(start, start + this.#width));
    return Promise.resolve();
  }
}
