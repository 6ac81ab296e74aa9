/** The engine's state of a run beside its TaskRun row: data source read to the end, and how it ended. */
import type { Selectable } from 'kysely';
import { InvalidArgumentError, NotFoundError } from '../../core/index.js';
import type { TaskRunState, TaskRunStateChange } from '../store.js';
import { boolOut, boolParam, dateOut, idOut } from './row-mapping.js';
import type { TaskRunsTable } from './schema.js';
import { nowMs, requireIdParam, type StoreContext } from './store-context.js';
import { requireName } from './validate.js';

function toTaskRunState(row: Selectable<TaskRunsTable>): TaskRunState {
  return {
    taskRunId: idOut(row.task_run_id),
    sourceExhausted: boolOut(row.source_exhausted),
    end:
      row.ended_at === null || row.end_reason === null
        ? null
        : { reason: row.end_reason, detail: row.end_detail, endedAt: dateOut(row.ended_at) },
  };
}

export async function getTaskRunState(ctx: StoreContext, id: string): Promise<TaskRunState> {
  const row = await ctx.db
    .selectFrom('task_runs')
    .selectAll()
    .where('task_run_id', '=', requireIdParam('task_run', id))
    .executeTakeFirst();
  if (!row) throw new NotFoundError('task_run', id);
  return toTaskRunState(row);
}

export async function updateTaskRunState(
  ctx: StoreContext,
  id: string,
  change: TaskRunStateChange,
): Promise<TaskRunState> {
  const runId = requireIdParam('task_run', id);
  const set: {
    source_exhausted?: boolean | number;
    ended_at?: number | null;
    end_reason?: string | null;
    end_detail?: string | null;
    init_params?: string;
  } = {};
  if (change.sourceExhausted !== undefined) {
    if (typeof change.sourceExhausted !== 'boolean')
      throw new InvalidArgumentError('sourceExhausted must be a boolean');
    set.source_exhausted = boolParam(ctx.dialect, change.sourceExhausted);
  }
  if (change.end === null) {
    set.ended_at = null;
    set.end_reason = null;
    set.end_detail = null;
  } else if (change.end !== undefined) {
    set.end_reason = requireName(change.end.reason, 'end reason');
    set.end_detail = change.end.detail ?? null;
    set.ended_at = nowMs(ctx);
  }
  if (change.initParams !== undefined) {
    if (typeof change.initParams !== 'string')
      throw new InvalidArgumentError('initParams must be a string (JSON text)');
    set.init_params = change.initParams;
  }
  if (Object.keys(set).length === 0) return getTaskRunState(ctx, id);
  const row = await ctx.backend.autocommit((db) =>
    db.updateTable('task_runs').set(set).where('task_run_id', '=', runId).returningAll().executeTakeFirst(),
  );
  if (!row) throw new NotFoundError('task_run', id);
  return toTaskRunState(row);
}
