import type { Migration, MigrationProvider } from 'kysely';
import type { StoreDialect } from '../store-backend.js';
import { coreSchemaMigration } from './0001-core-schema.js';
import { engineStateMigration } from './0002-engine-state.js';
import { leanUnitIndexesMigration } from './0003-lean-unit-indexes.js';
import { reviewActionsMigration } from './0005-review-actions.js';
import { providerLedgerMigration } from './0006-provider-ledger.js';

/**
 * Every migration this version knows, by name. Names sort in the order they apply (Kysely's Migrator
 * refuses to apply one that sorts before an applied one), so they are numbered: `NNNN_what_it_does`.
 * The schema version of a database is the name of its last applied migration.
 */
export function knownMigrations(dialect: StoreDialect): Record<string, Migration> {
  return {
    '0001_core_schema': coreSchemaMigration(dialect),
    '0002_engine_state': engineStateMigration(dialect),
    '0003_lean_unit_indexes': leanUnitIndexesMigration(),
    '0005_review_actions': reviewActionsMigration(dialect),
    '0006_provider_ledger': providerLedgerMigration(dialect),
  };
}

export function migrationProvider(dialect: StoreDialect): MigrationProvider {
  return { getMigrations: () => Promise.resolve(knownMigrations(dialect)) };
}

/** Kysely's bookkeeping tables: not data, so `countRows` leaves them out. */
export const MIGRATION_TABLE = 'kysely_migration';
export const MIGRATION_LOCK_TABLE = 'kysely_migration_lock';
