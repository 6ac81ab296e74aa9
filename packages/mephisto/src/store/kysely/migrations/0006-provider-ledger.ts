/**
 * Migration `0006_provider_ledger`: what real crowd providers keep, in the run's own database.
 *
 * - `provider_records`: a provider's own state (MTurk's HIT type, HITs and assignments; Prolific's
 *   study, submissions and bonus claims) as JSON under (provider_type, kind, record_key). Mephisto keeps
 *   these in one SQLite file per provider (spec §1.7), which a crash can leave out of step with the main
 *   database; here they commit in the same database, and on PostgreSQL every process sees them.
 * - `payments`: the payments ledger. One row per reward, bonus or fee, with the idempotency key under
 *   which it was (or will be) sent and the provider's reference. UNIQUE (idempotency_key) is what keeps
 *   a retried or repeated payment from being counted or sent twice.
 *
 * Frozen once released, like the earlier migrations.
 */
import type { Kysely, Migration } from 'kysely';
import type { StoreDialect } from '../store-backend.js';
import { columnTypes } from './column-types.js';

export function providerLedgerMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const t = columnTypes(dialect);
      const s = db.schema;

      await s
        .createTable('provider_records')
        .addColumn('provider_type', t.text, (c) => c.notNull())
        .addColumn('kind', t.text, (c) => c.notNull())
        .addColumn('record_key', t.text, (c) => c.notNull())
        .addColumn('task_run_id', t.id, (c) => c.references('task_runs.task_run_id'))
        .addColumn('unit_id', t.id)
        .addColumn('data', t.text, (c) => c.notNull())
        .addColumn('creation_date', t.millis, (c) => c.notNull())
        .addColumn('update_date', t.millis, (c) => c.notNull())
        .addPrimaryKeyConstraint('provider_records_pk', ['provider_type', 'kind', 'record_key'])
        .execute();
      await s
        .createIndex('provider_record_by_task_run_index')
        .on('provider_records')
        .columns(['provider_type', 'kind', 'task_run_id'])
        .execute();
      await s
        .createIndex('provider_record_by_unit_index')
        .on('provider_records')
        .columns(['unit_id'])
        .execute();

      await s
        .createTable('payments')
        .addColumn('payment_id', t.id, (c) => c.primaryKey())
        .addColumn('task_run_id', t.id, (c) => c.notNull().references('task_runs.task_run_id'))
        .addColumn('unit_id', t.id, (c) => c.references('units.unit_id'))
        .addColumn('worker_id', t.id, (c) => c.references('workers.worker_id'))
        .addColumn('kind', t.text, (c) => c.notNull())
        .addColumn('amount_cents', t.int, (c) => c.notNull())
        .addColumn('idempotency_key', t.text, (c) => c.notNull().unique())
        .addColumn('provider_type', t.text, (c) => c.notNull())
        .addColumn('provider_reference', t.text)
        .addColumn('status', t.text, (c) => c.notNull())
        .addColumn('note', t.text)
        .addColumn('creation_date', t.millis, (c) => c.notNull())
        .addColumn('update_date', t.millis, (c) => c.notNull())
        .execute();
      await s
        .createIndex('payment_by_task_run_index')
        .on('payments')
        .columns(['task_run_id', 'status'])
        .execute();
      await s.createIndex('payment_by_worker_index').on('payments').columns(['worker_id']).execute();
      await s.createIndex('payment_by_unit_index').on('payments').columns(['unit_id']).execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('payments').execute();
      await db.schema.dropTable('provider_records').execute();
    },
  };
}
