/** Projects, tasks, requesters and workers: named rows with a unique name. */
import {
  AlreadyExistsError,
  InvalidArgumentError,
  NO_PROJECT,
  NotFoundError,
  TaskHasRunsError,
  type Project,
  type Requester,
  type Task,
  type Worker,
} from '../../core/index.js';
import type { NewTask } from '../store.js';
import type { Selectable } from 'kysely';
import { FilterQuery, allOf, filterConditions } from './filters.js';
import { newIdParam, toProject, toRequester, toTask, toWorker } from './row-mapping.js';
import type { WorkersTable } from './schema.js';
import {
  nowMs,
  readFixed,
  requireIdParam,
  requireRow,
  runFixed,
  translateWriteError,
  withFreshIds,
  type StoreContext,
} from './store-context.js';
import { requireName } from './validate.js';

// --- projects ---------------------------------------------------------------------------------------

export async function createProject(ctx: StoreContext, name: string): Promise<Project> {
  requireName(name, 'project name');
  if (name === NO_PROJECT)
    throw new InvalidArgumentError(`project name "${NO_PROJECT}" is reserved by Mephisto`);
  return withFreshIds(async () => {
    try {
      const row = await ctx.backend.autocommit((db) =>
        db
          .insertInto('projects')
          .values({ project_id: newIdParam(ctx.ids), project_name: name, creation_date: nowMs(ctx) })
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      return toProject(row);
    } catch (error) {
      throw translateWriteError(error, () => new AlreadyExistsError('project', name), 'project', name);
    }
  });
}

export async function getProject(ctx: StoreContext, id: string): Promise<Project> {
  const row = await ctx.db
    .selectFrom('projects')
    .selectAll()
    .where('project_id', '=', requireIdParam('project', id))
    .executeTakeFirst();
  if (!row) throw new NotFoundError('project', id);
  return toProject(row);
}

export async function findProjects(ctx: StoreContext, filter?: { name?: string }): Promise<Project[]> {
  const where = filterConditions(ctx.dialect, { name: ['project_name', 'text'] }, filter);
  if (where === null) return [];
  const rows = await ctx.db
    .selectFrom('projects')
    .selectAll()
    .$if(where.length > 0, (qb) => qb.where(allOf(where)))
    .orderBy('creation_date')
    .orderBy('project_id')
    .execute();
  return rows.map(toProject);
}

// --- tasks ------------------------------------------------------------------------------------------

export async function createTask(ctx: StoreContext, task: NewTask): Promise<Task> {
  requireName(task.name, 'task name');
  requireName(task.taskType, 'task type');
  return withFreshIds(() =>
    ctx.backend.transaction(async (trx) => {
      const projectId = task.projectId == null ? null : await requireRow(trx, 'projects', task.projectId);
      const parentId = task.parentTaskId == null ? null : await requireRow(trx, 'tasks', task.parentTaskId);
      try {
        const row = await trx
          .insertInto('tasks')
          .values({
            task_id: newIdParam(ctx.ids),
            task_name: task.name,
            task_type: task.taskType,
            project_id: projectId,
            parent_task_id: parentId,
            creation_date: nowMs(ctx),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toTask(row);
      } catch (error) {
        throw translateWriteError(error, () => new AlreadyExistsError('task', task.name), 'task', task.name);
      }
    }),
  );
}

export async function getTask(ctx: StoreContext, id: string): Promise<Task> {
  const row = await ctx.db
    .selectFrom('tasks')
    .selectAll()
    .where('task_id', '=', requireIdParam('task', id))
    .executeTakeFirst();
  if (!row) throw new NotFoundError('task', id);
  return toTask(row);
}

export async function findTasks(
  ctx: StoreContext,
  filter?: { name?: string; projectId?: string | null },
): Promise<Task[]> {
  const where = filterConditions(
    ctx.dialect,
    { name: ['task_name', 'text'], projectId: ['project_id', 'id'] },
    filter,
  );
  if (where === null) return [];
  const rows = await ctx.db
    .selectFrom('tasks')
    .selectAll()
    .$if(where.length > 0, (qb) => qb.where(allOf(where)))
    .orderBy('creation_date')
    .orderBy('task_id')
    .execute();
  return rows.map(toTask);
}

export async function updateTask(
  ctx: StoreContext,
  id: string,
  change: { name?: string; projectId?: string | null },
): Promise<Task> {
  if (change.name !== undefined) requireName(change.name, 'task name');
  return ctx.backend.transaction(async (trx) => {
    const taskId = await requireRow(trx, 'tasks', id);
    const run = await trx
      .selectFrom('task_runs')
      .select('task_run_id')
      .where('task_id', '=', taskId)
      .limit(1)
      .executeTakeFirst();
    if (run) throw new TaskHasRunsError(id);
    const projectId =
      change.projectId === undefined
        ? undefined
        : change.projectId === null
          ? null
          : await requireRow(trx, 'projects', change.projectId);
    const set = {
      ...(change.name !== undefined ? { task_name: change.name } : {}),
      ...(projectId !== undefined ? { project_id: projectId } : {}),
    };
    if (Object.keys(set).length === 0) {
      return toTask(
        await trx.selectFrom('tasks').selectAll().where('task_id', '=', taskId).executeTakeFirstOrThrow(),
      );
    }
    try {
      const row = await trx
        .updateTable('tasks')
        .set(set)
        .where('task_id', '=', taskId)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toTask(row);
    } catch (error) {
      throw translateWriteError(error, () => new AlreadyExistsError('task', change.name ?? id), 'task', id);
    }
  });
}

// --- requesters and workers -------------------------------------------------------------------------

export async function createRequester(
  ctx: StoreContext,
  requester: { name: string; providerType: string },
): Promise<Requester> {
  requireName(requester.name, 'requester name');
  requireName(requester.providerType, 'provider type');
  return withFreshIds(async () => {
    try {
      const row = await ctx.backend.autocommit((db) =>
        db
          .insertInto('requesters')
          .values({
            requester_id: newIdParam(ctx.ids),
            requester_name: requester.name,
            provider_type: requester.providerType,
            creation_date: nowMs(ctx),
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      return toRequester(row);
    } catch (error) {
      throw translateWriteError(
        error,
        () => new AlreadyExistsError('requester', requester.name),
        'requester',
        requester.name,
      );
    }
  });
}

export async function getRequester(ctx: StoreContext, id: string): Promise<Requester> {
  const row = await ctx.db
    .selectFrom('requesters')
    .selectAll()
    .where('requester_id', '=', requireIdParam('requester', id))
    .executeTakeFirst();
  if (!row) throw new NotFoundError('requester', id);
  return toRequester(row);
}

export async function findRequesters(
  ctx: StoreContext,
  filter?: { name?: string; providerType?: string },
): Promise<Requester[]> {
  const where = filterConditions(
    ctx.dialect,
    { name: ['requester_name', 'text'], providerType: ['provider_type', 'text'] },
    filter,
  );
  if (where === null) return [];
  const rows = await ctx.db
    .selectFrom('requesters')
    .selectAll()
    .$if(where.length > 0, (qb) => qb.where(allOf(where)))
    .orderBy('creation_date')
    .orderBy('requester_id')
    .execute();
  return rows.map(toRequester);
}

export async function createWorker(
  ctx: StoreContext,
  worker: { name: string; providerType: string },
): Promise<Worker> {
  requireName(worker.name, 'worker name');
  requireName(worker.providerType, 'provider type');
  return withFreshIds(async () => {
    try {
      // Once per new worker, a thousand at the start of a large run: fixed SQL, not a built query.
      const [row] = await ctx.backend.autocommit((db) =>
        runFixed<Selectable<WorkersTable>>(
          db,
          ctx.dialect,
          'insert into workers (worker_id, worker_name, provider_type, creation_date) values (?, ?, ?, ?) returning *',
          [newIdParam(ctx.ids), worker.name, worker.providerType, nowMs(ctx)],
        ),
      );
      if (!row) throw new Error('the insert of a worker returned no row');
      return toWorker(row);
    } catch (error) {
      throw translateWriteError(
        error,
        () => new AlreadyExistsError('worker', worker.name),
        'worker',
        worker.name,
      );
    }
  });
}

const INSERT_WORKER_IF_NEW_SQL = `insert into workers (worker_id, worker_name, provider_type, creation_date)
values (?, ?, ?, ?) on conflict (worker_name) do nothing returning *`;
const WORKER_BY_NAME_SQL = 'select * from workers where worker_name = ?';

export async function findOrCreateWorker(
  ctx: StoreContext,
  worker: { name: string; providerType: string },
): Promise<Worker> {
  requireName(worker.name, 'worker name');
  requireName(worker.providerType, 'provider type');
  const statements = ctx.backend.sqlite;
  // A taken name is no error here (ON CONFLICT DO NOTHING): the second statement reads the row that
  // won, committed before (PostgreSQL waits for a concurrent insert of the same name to finish).
  const row = await withFreshIds(() =>
    ctx.backend.autocommit((db) => {
      const params = [newIdParam(ctx.ids), worker.name, worker.providerType, nowMs(ctx)];
      if (statements) {
        // Synchronous: the group commit runs it without awaiting.
        const inserted = statements.prepare(INSERT_WORKER_IF_NEW_SQL).get(...params);
        return (inserted ?? statements.prepare(WORKER_BY_NAME_SQL).get(worker.name)) as
          Selectable<WorkersTable> | undefined;
      }
      return runFixed<Selectable<WorkersTable>>(db, ctx.dialect, INSERT_WORKER_IF_NEW_SQL, params).then(
        async ([inserted]) =>
          inserted ??
          (await runFixed<Selectable<WorkersTable>>(db, ctx.dialect, WORKER_BY_NAME_SQL, [worker.name]))[0],
      );
    }),
  );
  // Workers are never deleted: a backstop.
  if (!row) throw new NotFoundError('worker', worker.name);
  return toWorker(row);
}

export async function getWorker(ctx: StoreContext, id: string): Promise<Worker> {
  const row = await ctx.db
    .selectFrom('workers')
    .selectAll()
    .where('worker_id', '=', requireIdParam('worker', id))
    .executeTakeFirst();
  if (!row) throw new NotFoundError('worker', id);
  return toWorker(row);
}

export async function findWorkers(
  ctx: StoreContext,
  filter?: { name?: string; providerType?: string },
): Promise<Worker[]> {
  // The engine looks each new worker up by name: a fixed query, not one built each time.
  const query = FIND_WORKERS.build(ctx.dialect, filter);
  if (query === null) return [];
  const rows = await readFixed<Selectable<WorkersTable>>(ctx, query.text, query.params);
  return rows.map(toWorker);
}

const FIND_WORKERS = new FilterQuery<{ name?: string; providerType?: string }>(
  { name: ['worker_name', 'text'], providerType: ['provider_type', 'text'] },
  'select * from workers',
  ' order by creation_date, worker_id',
);
