/**
 * Migration `0002_engine_state`: what the task-run engine keeps beyond Mephisto's schema.
 *
 * - `agents.data`, `agents.submitted_at`: a worker's submission, stored in the same transaction that
 *   completes the agent, so "submitted" is only ever acknowledged once the data is durable (Mephisto
 *   writes `agent_data.json` files beside the database).
 * - `task_runs.source_exhausted`, `ended_at`, `end_reason`, `end_detail`: whether every assignment of
 *   the run exists, and how the run ended (a resume clears the end).
 * - `worker_blocks`: blocks recorded by mephisto-ts itself (Mephisto keeps them only in provider
 *   datastores), for every requester (`requester_id` null) or one.
 * - `unit_by_task_run_by_status_index`: the claim's "first launched unit of this run in creation order"
 *   reads the index in order instead of sorting every launched unit of a large run per request.
 *
 * Frozen once released, like 0001.
 */
import type { Kysely, Migration } from 'kysely';
import type { StoreDialect } from '../store-backend.js';
import { columnTypes } from './column-types.js';

export function engineStateMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const t = columnTypes(dialect);
      const s = db.schema;

      // SQLite adds one column per ALTER TABLE statement.
      await s.alterTable('agents').addColumn('data', t.text).execute();
      await s.alterTable('agents').addColumn('submitted_at', t.millis).execute();

      await s
        .alterTable('task_runs')
        .addColumn('source_exhausted', t.bool, (c) => c.notNull().defaultTo(false))
        .execute();
      await s.alterTable('task_runs').addColumn('ended_at', t.millis).execute();
      await s.alterTable('task_runs').addColumn('end_reason', t.text).execute();
      await s.alterTable('task_runs').addColumn('end_detail', t.text).execute();

      await s
        .createTable('worker_blocks')
        .addColumn('block_id', t.id, (c) => c.primaryKey())
        .addColumn('worker_id', t.id, (c) => c.notNull().references('workers.worker_id'))
        .addColumn('requester_id', t.id, (c) => c.references('requesters.requester_id'))
        .addColumn('reason', t.text)
        .addColumn('creation_date', t.millis, (c) => c.notNull())
        .execute();
      await s
        .createIndex('worker_block_by_worker_index')
        .on('worker_blocks')
        .columns(['worker_id'])
        .execute();

      await s
        .createIndex('unit_by_task_run_by_status_index')
        .on('units')
        .columns(['task_run_id', 'status', 'creation_date', 'unit_id'])
        .execute();
    },
  };
}
