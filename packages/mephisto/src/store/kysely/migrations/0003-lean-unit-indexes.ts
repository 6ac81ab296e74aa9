/**
 * Migration `0003_lean_unit_indexes`: drops `unit_by_status_index` (units by status alone, from
 * Mephisto's schema).
 *
 * No query of the store is served by it: every unit query names its run, task, assignment, worker or
 * id first, and those have their own indexes (EXPLAIN QUERY PLAN of each, on SQLite: the claim's
 * candidates and the launcher's counts use `unit_by_task_run_by_status_index`, the claim's counts
 * `unit_by_task_by_worker_index`, a transition the primary key). SQLite's planner even chose it for
 * `UPDATE … WHERE unit_id = ? AND status = ?`, a worse path than the primary key. Yet every unit
 * insert and every status change paid to keep it up to date: about a fifth of bulk creation.
 * Only the rare unfiltered status count (a whole-table scan either way) read it.
 *
 * Frozen once released, like 0001 and 0002.
 */
import type { Kysely, Migration } from 'kysely';

export function leanUnitIndexesMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('unit_by_status_index').ifExists().execute();
    },
  };
}
