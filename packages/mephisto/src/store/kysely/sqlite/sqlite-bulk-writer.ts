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
  /** One statement's worth of values, allocated once at full size and refilled (never regrown). */
  readonly #values: BulkValue[];
  #length = 0;

  constructor(statements: StatementCache, table: string, columns: readonly BulkColumn[]) {
    this.#width = columns.length;
    const head = `insert into "${table}" (${columns.map((c) => `"${c.name}"`).join(', ')}) values `;
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    this.#many = statements.prepare(
      head + Array.from({ length: ROWS_PER_STATEMENT }, () => tuple).join(', '),
    );
    this.#one = statements.prepare(head + tuple);
    this.#values = new Array<BulkValue>(ROWS_PER_STATEMENT * this.#width).fill(null);
  }

  get full(): boolean {
    return this.#length >= ROWS_PER_STATEMENT * this.#width;
  }

  /** Past `full` the buffer grows (an assignment's units are added together), and flush writes it all. */
  add(row: BulkRow): void {
    const values = this.#values;
    let at = this.#length;
    for (let c = 0; c < this.#width; c++) values[at++] = row[c] ?? null;
    this.#length = at;
  }

  flush(): Promise<void> {
    const values = this.#values;
    const length = this.#length;
    const batch = ROWS_PER_STATEMENT * this.#width;
    this.#length = 0;
    // Values are passed as arguments, not as one array: better-sqlite3 binds an array element by
    // element through slower lookups, a quarter of the time of a bulk insert.
    let start = 0;
    if (length === batch && values.length === batch) {
      this.#many.run(...values);
      start = batch;
    } else {
      for (; start + batch <= length; start += batch) this.#many.run(...values.slice(start, start + batch));
    }
    for (; start < length; start += this.#width) this.#one.run(...values.slice(start, start + this.#width));
    if (values.length > batch) values.length = batch;
    return Promise.resolve();
  }
}
