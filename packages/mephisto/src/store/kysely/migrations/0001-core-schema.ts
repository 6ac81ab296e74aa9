/**
 * Migration `0001_core_schema`: Mephisto's core tables in their final shape (spec §1.3, after Mephisto's
 * own two migrations), with our additions `assignments.data` and a maintained
 * `granted_qualifications.update_date`, dates as epoch milliseconds, and Mephisto's indexes under
 * Mephisto's names plus the few our queries need.
 *
 * Foreign keys: every reference a caller supplies has one. The columns a row copies from its parent
 * (an assignment's task and requester from its run; a unit's task, run and requester from its
 * assignment; an agent's task, run and assignment from its unit; an onboarding agent's task from its
 * run) have none: the store writes them from the parent row inside the same transaction, the parent's
 * own key already proves they exist, and checking them again per row more than halved the bulk
 * creation of units on PostgreSQL, whose foreign-key checks run row by row.
 *
 * A migration is frozen once released: later schema changes are new migrations, never edits here.
 */
import type { Kysely, Migration } from 'kysely';
import type { StoreDialect } from '../store-backend.js';
import { columnTypes } from './column-types.js';

export function coreSchemaMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const t = columnTypes(dialect);
      const s = db.schema;

      await s
        .createTable('projects')
        .addColumn('project_id', t.id, (c) => c.primaryKey())
        .addColumn('project_name', t.text, (c) => c.notNull().unique())
        .addColumn('creation_date', t.millis, (c) => c.notNull())
        .execute();

      await s
        .createTable('tasks')
        .addColumn('task_id', t.id, (c) => c.primaryKey())
        .addColumn('task_name', t.text, (c) => c.notNull().unique())
        .addColumn('task_type', t.text, (c) => c.notNull())
        .addColumn('project_id', t.id, (c) => c.references('projects.project_id'))
        .addColumn('parent_task_id', t.id, (c) => c.references('tasks.task_id'))
        .addColumn('creation_date', t.millis, (c) => c.notNull())
        .execute();

      await s
        .createTable('requesters')
        .addColumn('requester_id', t.id, (c) => c.primaryKey())
        .addColumn('requester_name', t.text, (c) => c.notNull().unique())
        .addColumn('provider_type', t.text, (c) => c.notNull())
        .addColumn('creation_date', t.millis, (c) => c.notNull())
        .execute();

      await s
        .createTable('task_runs')
        .addColumn('task_run_id', t.id, (c) => c.primaryKey())
        .addColumn('task_id', t.id, (c) => c.notNull().references('tasks.task_id'))
        .addColumn('requester_id', t.id, (c) => c.notNull().references('requesters.requester_id'))
        .addColumn('init_params', t.text, (c) => c.notNull())
        .addColumn('is_completed', t.bool, (c) => c.notNull())
        .addColumn('provider_type', t.text, (c) => c.notNull())
        .addColumn('task_type', t.text, (c) => c.notNull())
        .addColumn('sandbox', t.bool, (c) => c.notNull())
        .addColumn('creation_date', t.millis, (c) => c.notNull())
        .execute();

      await s
        .createTable('assignments')
        .addColumn('assignment_id', t.id, (c) => c.primaryKey())
        .addColumn('task_id', t.id, (c) => c.notNull())
        .addColumn('task_run_id', t.id, (c) => c.notNull().references('task_runs.task_run_id'))
        .addColumn('requester_id', t.id, (c) => c.notNull())
        .addColumn('task_type', t.text, (c) => c.notNull())
        .addColumn('provider_type', t.text, (c) => c.notNull())
        .addColumn('sandbox', t.bool, (c) => c.notNull())
        .addColumn('data', t.text)
        .addColumn('creation_date', t.millis, (c) => c.notNull())
        .execute();

      await s
        .createTable('workers')
        .addColumn('worker_id', t.id, (c) => c.primaryKey())
        .addColumn('worker_name', t.text, (c) => c.notNull().unique())
        .addColumn('provider_type', t.text, (c) => c.notNull())
        .addColumn('creation_date', t.millis, (c) => c.notNull())
        .execute();

      // units.agent_id and agents.unit_id reference each other. SQLite resolves a foreign key when a
      // row is written, so the reference to the not-yet-created `agents` can be declared inline;
      // PostgreSQL needs the target table first, so there the constraint is added after `agents`.
      await s
        .createTable('units')
        .addColumn('unit_id', t.id, (c) => c.primaryKey())
        .addColumn('assignment_id', t.id, (c) => c.notNull().references('assignments.assignment_id'))
        .addColumn('unit_index', t.int, (c) => c.notNull())
        .addColumn('pay_amount', t.real, (c) => c.notNull())
        .addColumn('provider_type', t.text, (c) => c.notNull())
        .addColumn('status', t.text, (c) => c.notNull())
        .addColumn('agent_id', t.id, (c) => (dialect === 'sqlite' ? c.references('agents.agent_id') : c))
        .addColumn('worker_id', t.id, (c) => c.references('workers.worker_id'))
        .addColumn('task_type', t.text, (c) => c.notNull())
        .addColumn('task_id', t.id, (c) => c.notNull())
        .addColumn('task_run_id', t.id, (c) => c.notNull())
        .addColumn('sandbox', t.bool, (c) => c.notNull())
        .addColumn('requester_id', t.id, (c) => c.notNull())
        .addColumn('creation_date', t.millis, (c) => c.notNull())
        .addUniqueConstraint('units_assignment_id_unit_index_key', ['assignment_id', 'unit_index'])
        .execute();

      await s
        .createTable('agents')
        .addColumn('agent_id', t.id, (c) => c.primaryKey())
        .addColumn('worker_id', t.id, (c) => c.notNull().references('workers.worker_id'))
        .addColumn('unit_id', t.id, (c) => c.notNull().references('units.unit_id'))
        .addColumn('task_id', t.id, (c) => c.notNull())
        .addColumn('task_run_id', t.id, (c) => c.notNull())
        .addColumn('assignment_id', t.id, (c) => c.notNull())
        .addColumn('task_type', t.text, (c) => c.notNull())
        .addColumn('provider_type', t.text, (c) => c.notNull())
        .addColumn('status', t.text, (c) => c.notNull())
        .addColumn('creation_date', t.millis, (c) => c.notNull())
        .execute();

      if (dialect === 'postgres') {
        await s
          .alterTable('units')
          .addForeignKeyConstraint('units_agent_id_fkey', ['agent_id'], 'agents', ['agent_id'])
          .execute();
      }

      await s
        .createTable('onboarding_agents')
        .addColumn('onboarding_agent_id', t.id, (c) => c.primaryKey())
        .addColumn('worker_id', t.id, (c) => c.notNull().references('workers.worker_id'))
        .addColumn('task_id', t.id, (c) => c.notNull())
        .addColumn('task_run_id', t.id, (c) => c.notNull().references('task_runs.task_run_id'))
        .addColumn('task_type', t.text, (c) => c.notNull())
        .addColumn('status', t.text, (c) => c.notNull())
        .addColumn('creation_date', t.millis, (c) => c.notNull())
        .execute();

      await s
        .createTable('qualifications')
        .addColumn('qualification_id', t.id, (c) => c.primaryKey())
        .addColumn('qualification_name', t.text, (c) => c.notNull().unique())
        .addColumn('creation_date', t.millis, (c) => c.notNull())
        .addColumn('description', t.text)
        .execute();

      await s
        .createTable('granted_qualifications')
        .addColumn('granted_qualification_id', t.id, (c) => c.primaryKey())
        .addColumn('worker_id', t.id, (c) => c.notNull().references('workers.worker_id'))
        .addColumn('qualification_id', t.id, (c) => c.notNull().references('qualifications.qualification_id'))
        .addColumn('value', t.int, (c) => c.notNull())
        .addColumn('update_date', t.millis, (c) => c.notNull())
        .addColumn('creation_date', t.millis, (c) => c.notNull())
        .addUniqueConstraint('granted_qualifications_worker_id_qualification_id_key', [
          'worker_id',
          'qualification_id',
        ])
        .execute();

      // The qualification ids here are plain integers, as in Mephisto: a review keeps its history
      // when the qualification it mentions is deleted.
      await s
        .createTable('worker_review')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('unit_id', t.id, (c) => c.references('units.unit_id'))
        .addColumn('worker_id', t.id, (c) => c.notNull().references('workers.worker_id'))
        .addColumn('task_id', t.id, (c) => c.references('tasks.task_id'))
        .addColumn('status', t.text)
        .addColumn('review_note', t.text)
        .addColumn('bonus', t.real)
        .addColumn('blocked_worker', t.bool, (c) => c.notNull().defaultTo(false))
        .addColumn('updated_qualification_id', t.id)
        .addColumn('updated_qualification_value', t.int)
        .addColumn('revoked_qualification_id', t.id)
        .addColumn('creation_date', t.millis, (c) => c.notNull())
        .execute();

      const indexes: readonly [name: string, table: string, columns: string[]][] = [
        // Mephisto's (local_database_tables.py), same names, less two it does not need:
        // unit_by_assignment_id_index and unit_by_task_run_index would repeat the leading columns of
        // the (assignment_id, unit_index) unique index and of unit_by_task_run_by_worker_by_status_index,
        // which serve those lookups already; each index costs every unit insert (~8% of bulk creation).
        ['requesters_by_provider_index', 'requesters', ['provider_type']],
        ['unit_by_status_index', 'units', ['status']],
        ['unit_by_task_run_by_worker_by_status_index', 'units', ['task_run_id', 'worker_id', 'status']],
        ['unit_by_task_by_worker_index', 'units', ['task_id', 'worker_id']],
        ['agent_by_worker_by_status_index', 'agents', ['worker_id', 'status']],
        ['agent_by_task_run_index', 'agents', ['task_run_id']],
        ['assignment_by_task_run_index', 'assignments', ['task_run_id']],
        ['task_run_by_requester_index', 'task_runs', ['requester_id']],
        ['task_run_by_task_index', 'task_runs', ['task_id']],
        ['worker_review_by_unit_index', 'worker_review', ['unit_id']],
        // Ours: lookups by unit / worker / run, and deleting a qualification's grants.
        ['agent_by_unit_index', 'agents', ['unit_id']],
        ['onboarding_agent_by_worker_index', 'onboarding_agents', ['worker_id']],
        ['onboarding_agent_by_task_run_index', 'onboarding_agents', ['task_run_id']],
        ['granted_qualification_by_qualification_index', 'granted_qualifications', ['qualification_id']],
        ['worker_review_by_worker_index', 'worker_review', ['worker_id']],
        ['task_by_project_index', 'tasks', ['project_id']],
      ];
      for (const [name, table, columns] of indexes) {
        await s.createIndex(name).on(table).columns(columns).execute();
      }
    },
  };
}
