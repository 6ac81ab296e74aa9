import type { ColumnDataType } from 'kysely';
import type { StoreDialect } from '../store-backend.js';

/** The SQL types our logical column kinds take in each database. */
export interface ColumnTypes {
  /**
   * Primary and foreign keys. SQLite needs exactly `integer` for a primary key to alias the rowid
   * (64-bit, no separate index); PostgreSQL's `integer` is 32-bit, so `bigint` there.
   */
  readonly id: ColumnDataType;
  /** Epoch milliseconds. */
  readonly millis: ColumnDataType;
  /** Dollars. */
  readonly real: ColumnDataType;
  readonly bool: ColumnDataType;
  readonly int: ColumnDataType;
  readonly text: ColumnDataType;
}

export function columnTypes(dialect: StoreDialect): ColumnTypes {
  return dialect === 'sqlite'
    ? { id: 'integer', millis: 'integer', real: 'real', bool: 'boolean', int: 'integer', text: 'text' }
    : {
        id: 'bigint',
        millis: 'bigint',
        real: 'double precision',
        bool: 'boolean',
        int: 'integer',
        text: 'text',
      };
}
