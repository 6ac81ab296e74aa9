/**
 * Schema version and migration: Kysely's Migrator over the migrations in migrations/, plus the check it
 * lacks a clear message for: a database that has applied migrations this version does not know (it was
 * written by a newer mephisto-ts) is refused rather than "corrupted".
 */
import { Migrator, sql } from 'kysely';
import { MephistoError } from '../../core/index.js';
import type { SchemaStatus, TableCounts } from '../store.js';
import {
  knownMigrations,
  migrationProvider,
  MIGRATION_LOCK_TABLE,
  MIGRATION_TABLE,
} from './migrations/index.js';
import { isBusyDatabase } from './db-errors.js';
import { CORE_TABLES } from './schema.js';
import type { StoreBackend } from './store-backend.js';

function migrator(backend: StoreBackend): Migrator {
  return new Migrator({
    db: backend.db,
    provider: migrationProvider(backend.dialect),
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    ...(backend.migrationTableSchema !== undefined
      ? { migrationTableSchema: backend.migrationTableSchema }
      : {}),
  });
}

/** Names of the applied migrations, oldest first; empty when the store has never been migrated. */
async function appliedMigrations(backend: StoreBackend): Promise<string[]> {
  const tables = await backend.listTables();
  if (!tables.includes(MIGRATION_TABLE)) return [];
  const table =
    backend.migrationTableSchema !== undefined
      ? `${backend.migrationTableSchema}.${MIGRATION_TABLE}`
      : MIGRATION_TABLE;
  const { rows } = await sql<{
    name: string;
    timestamp: string;
  }>`select name, timestamp from ${sql.table(table)}`.execute(backend.db);
  // Kysely records an ISO timestamp per migration; ties (one run applying several) keep name order.
  return rows
    .sort((a, b) => a.timestamp.localeCompare(b.timestamp) || a.name.localeCompare(b.name))
    .map((r) => r.name);
}

export async function schemaStatus(backend: StoreBackend): Promise<SchemaStatus> {
  const applied = await appliedMigrations(backend);
  const pending = Object.keys(knownMigrations(backend.dialect))
    .sort()
    .filter((name) => !applied.includes(name));
  return { applied, pending };
}

/** Applies every pending migration in one transaction per run; returns the names applied. */
export async function migrate(backend: StoreBackend): Promise<string[]> {
  const known = Object.keys(knownMigrations(backend.dialect));
  let applied: string[];
  try {
    applied = await appliedMigrations(backend);
  } catch (error) {
    throw new MephistoError(
      'MEPHISTO_ERR_STORE_MIGRATION',
      `cannot read the schema version of ${backend.location}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const unknown = applied.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new MephistoError(
      'MEPHISTO_ERR_STORE_MIGRATION',
      `the database at ${backend.location} was written by a newer mephisto-ts: it has migration(s) ` +
        `${unknown.join(', ')}, which this version does not know. Upgrade mephisto-ts to use it.`,
    );
  }
  const { error, results = [] } = await migrator(backend).migrateToLatest();
  // Another connection was migrating the same new database: let the store wait and try again.
  if (isBusyDatabase(error)) throw error;
  if (error !== undefined) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName;
    const reason = error instanceof Error ? error.message : JSON.stringify(error);
    throw new MephistoError(
      'MEPHISTO_ERR_STORE_MIGRATION',
      `migrating ${backend.location} failed${failed ? ` in ${failed}` : ''}: ${reason}`,
      { cause: error },
    );
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Rows in every data table of the store: the core tables first, then any others (provider tables). */
export async function countRows(backend: StoreBackend): Promise<TableCounts> {
  const present = (await backend.listTables()).filter(
    (t) => t !== MIGRATION_TABLE && t !== MIGRATION_LOCK_TABLE,
  );
  const core = CORE_TABLES.filter((t) => present.includes(t));
  const others = present.filter((t) => !(CORE_TABLES as readonly string[]).includes(t)).sort();
  const tables = [...core, ...others];
  if (tables.length === 0) return {};
  // One round trip for all tables; the names come from the catalog and are quoted as identifiers.
  const parts = tables.map((t) => sql`select ${sql.lit(t)} as name, count(*) as n from ${sql.table(t)}`);
  const { rows } = await sql<{
    name: string;
    n: bigint | string | number;
  }>`${sql.join(parts, sql` union all `)}`.execute(backend.db);
  const counts: Record<string, number> = {};
  for (const t of tables) counts[t] = 0;
  for (const row of rows) counts[row.name] = Number(row.n);
  return counts;
}
