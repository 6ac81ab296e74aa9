/**
 * Migration `0005_review_actions`: what review, payments and the live monitor keep.
 *
 * - `review_actions`: one row per review action (approve, reject, soft_reject, bonus, block, unblock,
 *   grant, revoke) and target (a unit, a worker, a worker's grant of a qualification), with the
 *   client's idempotency key, the request's fingerprint, the outcome given and the state of the
 *   provider call. UNIQUE (idempotency_key, target) is what makes a retried or doubled request find
 *   the first answer instead of acting again, on every database and under any interleaving.
 * - `run_activity`: an append-only log of worker-facing refusals and run errors, written (batched,
 *   capped) by every process serving a run, so a monitor in another process sees them.
 * - `agent_submitted_by_task_run_index`: submissions of a run by time, for the monitor's submissions
 *   per minute. Partial (only submitted agents), so creating an agent does not touch it; a submit adds
 *   one entry.
 *
 * Frozen once released, like the earlier migrations.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { StoreDialect } from '../store-backend.js';
import { columnTypes } from './column-types.js';

export function reviewActionsMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const t = columnTypes(dialect);
      const s = db.schema;

      await s
        .createTable('review_actions')
        .addColumn('action_id', t.id, (c) => c.primaryKey())
        .addColumn('idempotency_key', t.text, (c) => c.notNull())
        .addColumn('target', t.text, (c) => c.notNull())
        .addColumn('request_hash', t.text, (c) => c.notNull())
        .addColumn('action', t.text, (c) => c.notNull())
        .addColumn('outcome', t.text, (c) => c.notNull())
        .addColumn('outcome_code', t.text)
        .addColumn('outcome_message', t.text)
        .addColumn('unit_id', t.id, (c) => c.references('units.unit_id'))
        .addColumn('worker_id', t.id, (c) => c.references('workers.worker_id'))
        .addColumn('task_id', t.id, (c) => c.references('tasks.task_id'))
        .addColumn('task_run_id', t.id, (c) => c.references('task_runs.task_run_id'))
        .addColumn('qualification_id', t.id)
        .addColumn('amount', t.real)
        .addColumn('value', t.int)
        .addColumn('feedback', t.text)
        .addColumn('worker_review_id', t.id)
        .addColumn('delivery', t.text, (c) => c.notNull())
        .addColumn('delivery_detail', t.text)
        .addColumn('creation_date', t.millis, (c) => c.notNull())
        .addColumn('update_date', t.millis, (c) => c.notNull())
        .addUniqueConstraint('review_action_key_unique', ['idempotency_key', 'target'])
        .execute();
      const indexes: readonly [name: string, columns: string[]][] = [
        // A unit's history and review state, oldest first.
        ['review_action_by_unit_index', ['unit_id', 'creation_date']],
        ['review_action_by_worker_index', ['worker_id']],
        // Spend per run (bonuses) and the monitor's change check.
        ['review_action_by_task_run_index', ['task_run_id', 'action']],
        // Provider calls left pending by a crash, picked up at start.
        ['review_action_by_delivery_index', ['delivery']],
      ];
      for (const [name, columns] of indexes) {
        await s.createIndex(name).on('review_actions').columns(columns).execute();
      }

      await s
        .createTable('run_activity')
        .addColumn('activity_id', t.id, (c) => c.primaryKey())
        .addColumn('task_run_id', t.id, (c) => c.notNull().references('task_runs.task_run_id'))
        .addColumn('kind', t.text, (c) => c.notNull())
        .addColumn('code', t.text, (c) => c.notNull())
        .addColumn('message', t.text, (c) => c.notNull())
        .addColumn('worker_name', t.text)
        .addColumn('creation_date', t.millis, (c) => c.notNull())
        .execute();
      await s
        .createIndex('run_activity_by_task_run_index')
        .on('run_activity')
        .columns(['task_run_id', 'kind', 'creation_date'])
        .execute();

      await s
        .createIndex('agent_submitted_by_task_run_index')
        .on('agents')
        .columns(['task_run_id', 'submitted_at'])
        .where(sql.ref('submitted_at'), 'is not', null)
        .execute();
    },
  };
}
