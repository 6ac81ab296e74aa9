/**
 * PostgreSQL setup: a pg Pool behind Kysely's PostgreSQL dialect. With a `schema`, every pooled
 * connection starts with its search_path set to that schema (the `options` startup parameter, so no
 * query can run before it applies), which lets several stores, e.g. one per test file, share a
 * database without seeing each other's tables.
 */
import { CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { MephistoError } from '../../../core/index.js';
import { redactUrl, type StoreConfig } from '../../store-config.js';
import type { Database, TableName } from '../schema.js';
import type {
  BulkColumn,
  BulkColumnKind,
  BulkRow,
  BulkValue,
  BulkWriter,
  StoreBackend,
} from '../store-backend.js';

export type PostgresStoreConfig = Extract<StoreConfig, { kind: 'postgres' }>;

/** Rows per bulk INSERT: large enough to amortise the round trip, small enough to stream. */
const ROWS_PER_INSERT = 5000;

/** Plain identifiers only, so the name can be quoted safely in SQL and in the startup options. */
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function connectionError(location: string, error: unknown): MephistoError {
  const reason = error instanceof Error ? error.message || error.name : String(error);
  const message = `cannot connect to PostgreSQL at ${location}: ${reason}`;
  return new MephistoError('MEPHISTO_ERR_STORE_CONNECTION', message, { cause: error });
}

function displayLocation(url: string, schema: string | undefined): string {
  if (schema === undefined) return redactUrl(url);
  return redactUrl(`${url}${url.includes('?') ? '&' : '?'}schema=${schema}`);
}

export async function openPostgresBackend(config: PostgresStoreConfig): Promise<StoreBackend> {
  const { url, schema } = config;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new MephistoError(
      'MEPHISTO_ERR_STORE_CONFIG',
      `schema "${schema}" is not a plain identifier (letters, digits and _, not starting with a digit)`,
    );
  }
  const poolSize = config.poolSize ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 1) {
    throw new MephistoError(
      'MEPHISTO_ERR_STORE_CONFIG',
      `poolSize must be a whole number >= 1, got ${poolSize}`,
    );
  }
  const location = displayLocation(url, schema);

  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 10_000,
    ...(schema !== undefined ? { options: `-c search_path="${schema}"` } : {}),
  });
  // An idle pooled connection that dies (server restart) is dropped by the pool; without a listener
  // the 'error' event would crash the process. The next query reports the failure to its caller.
  pool.on('error', () => undefined);

  let migrationSchema: string;
  try {
    const client = await pool.connect();
    try {
      if (schema !== undefined) {
        try {
          await client.query(`create schema if not exists "${schema}"`);
        } catch (error) {
          // Two stores opening at once can both try to create it; losing that race is fine.
          const code = (error as { code?: unknown }).code;
          if (code !== '23505' && code !== '42P06') throw error;
        }
      }
      const result = await client.query<{ schema: string | null }>('select current_schema() as schema');
      migrationSchema = schema ?? result.rows[0]?.schema ?? 'public';
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw connectionError(location, error);
  }

  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    dialect: 'postgres',
    location,
    db,
    // Kysely's Migrator looks for its tables in every schema unless told one; pin it to ours.
    sqlite: undefined,
    sqliteRead: undefined,
    migrationTableSchema: migrationSchema,
    call: (operation) => operation(),
    transaction: (work) => db.transaction().execute(async (trx) => work(trx)),
    autocommit: async (work) => work(db),
    bulkWriter(trx, table: TableName, columns: readonly BulkColumn[]): BulkWriter {
      return new UnnestWriter(trx, table, columns);
    },
    async listTables(): Promise<string[]> {
      const { rows } = await sql<{ name: string }>`select table_name as name from information_schema.tables
        where table_schema = ${migrationSchema} and table_type = 'BASE TABLE'`.execute(db);
      return rows.map((r) => r.name);
    },
    destroy: () => db.destroy(),
  };
}

const ARRAY_TYPE: { readonly [K in BulkColumnKind]: string } = {
  id: 'int8[]',
  int: 'int4[]',
  real: 'float8[]',
  text: 'text[]',
  bool: 'bool[]',
  millis: 'int8[]',
};

/**
 * Buffers rows as one array per column and writes each batch as `INSERT … SELECT * FROM unnest($1,
 * $2, …)`: as many parameters as columns whatever the number of rows (no bind-parameter limit), and
 * one short statement for the server to parse instead of tens of thousands of placeholders.
 */
class UnnestWriter implements BulkWriter {
  readonly #text: string;
  #columns: BulkValue[][];
  #rows = 0;

  constructor(
    private readonly db: Kysely<Database>,
    table: string,
    private readonly columnList: readonly BulkColumn[],
  ) {
    const names = columnList.map((c) => `"${c.name}"`).join(', ');
    const arrays = columnList.map((c, i) => `$${i + 1}::${ARRAY_TYPE[c.kind]}`).join(', ');
    this.#text = `insert into "${table}" (${names}) select * from unnest(${arrays})`;
    this.#columns = columnList.map(() => []);
  }

  get full(): boolean {
    return this.#rows >= ROWS_PER_INSERT;
  }

  add(row: BulkRow): void {
    for (let c = 0; c < this.#columns.length; c++) (this.#columns[c] as BulkValue[]).push(row[c] ?? null);
    this.#rows++;
  }

  async flush(): Promise<void> {
    if (this.#rows === 0) return;
    const arrays = this.#columns;
    this.#columns = this.columnList.map(() => []);
    this.#rows = 0;
    await this.db.executeQuery(CompiledQuery.raw(this.#text, arrays));
  }
}
