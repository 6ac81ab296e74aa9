/** Task runs, assignments and units: the work of a run. */
import type { Selectable } from 'kysely';
import {
  AlreadyExistsError,
  InvalidArgumentError,
  NotFoundError,
  type Assignment,
  type TaskRun,
  type Unit,
} from '../../core/index.js';
import type { NewAssignmentWithUnits, NewTaskRun, NewUnit, NewWorkOptions, UnitFilter } from '../store.js';
import { FilterQuery, allOf, filterConditions, type FilterSpec } from './filters.js';
import {
  boolOut,
  boolParam,
  idOut,
  jsonIn,
  jsonOut,
  newIdParam,
  rowId,
  toAssignment,
  toTaskRun,
  toUnit,
} from './row-mapping.js';
import type { AssignmentsTable, TaskRunsTable } from './schema.js';
import type { BulkColumn } from './store-backend.js';
import {
  nowMs,
  readFixed,
  requireIdParam,
  requireRow,
  translateWriteError,
  withFreshIds,
  type Queryable,
  type StoreContext,
} from './store-context.js';
import { requireFinite, requireInteger, requireName, requireStatus } from './validate.js';

/** The statuses bulk creation may give new units (see NewWorkOptions.unitStatus). */
const NEW_UNIT_STATUSES = ['created', 'launched'] as const;

// --- task runs --------------------------------------------------------------------------------------

export async function createTaskRun(ctx: StoreContext, run: NewTaskRun): Promise<TaskRun> {
  if (typeof run.initParams !== 'string')
    throw new InvalidArgumentError('initParams must be a string (JSON text)');
  requireName(run.providerType, 'provider type');
  requireName(run.taskType, 'task type');
  return withFreshIds(() =>
    ctx.backend.transaction(async (trx) => {
      const taskId = await requireRow(trx, 'tasks', run.taskId);
      const requesterId = await requireRow(trx, 'requesters', run.requesterId);
      const row = await trx
        .insertInto('task_runs')
        .values({
          task_run_id: newIdParam(ctx.ids),
          task_id: taskId,
          requester_id: requesterId,
          init_params: run.initParams,
          is_completed: boolParam(ctx.dialect, false),
          provider_type: run.providerType,
          task_type: run.taskType,
          sandbox: boolParam(ctx.dialect, run.sandbox ?? true),
          creation_date: nowMs(ctx),
        })
        .returningAll()
        .executeTakeFirstOrThrow()
        .catch((error: unknown) => {
          throw translateWriteError(error, undefined, 'task', run.taskId);
        });
      return toTaskRun(row);
    }),
  );
}

async function selectTaskRun(db: Queryable, id: string): Promise<Selectable<TaskRunsTable>> {
  const row = await db
    .selectFrom('task_runs')
    .selectAll()
    .where('task_run_id', '=', requireIdParam('task_run', id))
    .executeTakeFirst();
  if (!row) throw new NotFoundError('task_run', id);
  return row;
}

export async function getTaskRun(ctx: StoreContext, id: string): Promise<TaskRun> {
  return toTaskRun(await selectTaskRun(ctx.db, id));
}

export async function findTaskRuns(
  ctx: StoreContext,
  filter?: { taskId?: string; requesterId?: string; isCompleted?: boolean },
): Promise<TaskRun[]> {
  const where = filterConditions(
    ctx.dialect,
    { taskId: ['task_id', 'id'], requesterId: ['requester_id', 'id'], isCompleted: ['is_completed', 'bool'] },
    filter,
  );
  if (where === null) return [];
  const rows = await ctx.db
    .selectFrom('task_runs')
    .selectAll()
    .$if(where.length > 0, (qb) => qb.where(allOf(where)))
    .orderBy('creation_date')
    .orderBy('task_run_id')
    .execute();
  return rows.map(toTaskRun);
}

export async function setTaskRunCompleted(
  ctx: StoreContext,
  id: string,
  isCompleted: boolean,
): Promise<TaskRun> {
  if (typeof isCompleted !== 'boolean') throw new InvalidArgumentError('isCompleted must be a boolean');
  const row = await ctx.backend.autocommit((db) =>
    db
      .updateTable('task_runs')
      .set({ is_completed: boolParam(ctx.dialect, isCompleted) })
      .where('task_run_id', '=', requireIdParam('task_run', id))
      .returningAll()
      .executeTakeFirst(),
  );
  if (!row) throw new NotFoundError('task_run', id);
  return toTaskRun(row);
}

// --- assignments ------------------------------------------------------------------------------------

export async function createAssignment(
  ctx: StoreContext,
  taskRunId: string,
  assignment?: { data?: unknown },
): Promise<Assignment> {
  const data = jsonIn(assignment?.data, 'assignment data');
  return withFreshIds(() =>
    ctx.backend.transaction(async (trx) => {
      const run = await selectTaskRun(trx, taskRunId);
      const row = await trx
        .insertInto('assignments')
        .values({
          assignment_id: newIdParam(ctx.ids),
          task_id: rowId(run.task_id),
          task_run_id: rowId(run.task_run_id),
          requester_id: rowId(run.requester_id),
          task_type: run.task_type,
          provider_type: run.provider_type,
          sandbox: boolParam(ctx.dialect, boolOut(run.sandbox)),
          data,
          creation_date: nowMs(ctx),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toAssignment(row);
    }),
  );
}

export async function getAssignment(ctx: StoreContext, id: string): Promise<Assignment> {
  // Read once per assignment given to a worker: a fixed statement, not a query built each time.
  const [row] = await readFixed<Selectable<AssignmentsTable>>(
    ctx,
    'select * from assignments where assignment_id = ?',
    [requireIdParam('assignment', id)],
  );
  if (!row) throw new NotFoundError('assignment', id);
  return toAssignment(row);
}

export interface AssignmentFilter {
  taskRunId?: string;
  taskId?: string;
  requesterId?: string;
  taskType?: string;
  providerType?: string;
  sandbox?: boolean;
}

const ASSIGNMENT_FILTER: FilterSpec<AssignmentFilter> = {
  taskRunId: ['task_run_id', 'id'],
  taskId: ['task_id', 'id'],
  requesterId: ['requester_id', 'id'],
  taskType: ['task_type', 'text'],
  providerType: ['provider_type', 'text'],
  sandbox: ['sandbox', 'bool'],
};

export async function findAssignments(ctx: StoreContext, filter?: AssignmentFilter): Promise<Assignment[]> {
  const where = filterConditions(ctx.dialect, ASSIGNMENT_FILTER, filter);
  if (where === null) return [];
  const rows = await ctx.db
    .selectFrom('assignments')
    .selectAll()
    .$if(where.length > 0, (qb) => qb.where(allOf(where)))
    .orderBy('creation_date')
    .orderBy('assignment_id')
    .execute();
  return rows.map(toAssignment);
}

// --- bulk creation ----------------------------------------------------------------------------------

const ASSIGNMENT_COLUMNS: readonly BulkColumn[] = [
  { name: 'assignment_id', kind: 'id' },
  { name: 'task_id', kind: 'id' },
  { name: 'task_run_id', kind: 'id' },
  { name: 'requester_id', kind: 'id' },
  { name: 'task_type', kind: 'text' },
  { name: 'provider_type', kind: 'text' },
  { name: 'sandbox', kind: 'bool' },
  { name: 'data', kind: 'text' },
  { name: 'creation_date', kind: 'millis' },
];

/** `agent_id` and `worker_id` are left out: a new unit has neither (they default to null). */
const UNIT_COLUMNS: readonly BulkColumn[] = [
  { name: 'unit_id', kind: 'id' },
  { name: 'assignment_id', kind: 'id' },
  { name: 'unit_index', kind: 'int' },
  { name: 'pay_amount', kind: 'real' },
  { name: 'provider_type', kind: 'text' },
  { name: 'status', kind: 'text' },
  { name: 'task_type', kind: 'text' },
  { name: 'task_id', kind: 'id' },
  { name: 'task_run_id', kind: 'id' },
  { name: 'sandbox', kind: 'bool' },
  { name: 'requester_id', kind: 'id' },
  { name: 'creation_date', kind: 'millis' },
];

/** The position of a unit in the request, for error messages. */
function where(a: number, u?: number): string {
  return u === undefined ? `assignments[${a}]` : `assignments[${a}].units[${u}]`;
}

/**
 * The unit indices of one requested assignment: as given, or 0, 1, … (undefined when no unit gives
 * one: the indices are then the positions, and no array is made). Two units with the same index are
 * the unique-key violation createUnit reports, so AlreadyExists.
 */
function unitIndices(units: NewAssignmentWithUnits['units'], a: number): number[] | undefined {
  let first = 0;
  while (
    first < units.length &&
    (units[first] as NewAssignmentWithUnits['units'][number]).unitIndex === undefined
  )
    first++;
  if (first === units.length) return undefined;
  const indices = new Array<number>(units.length);
  for (let u = 0; u < units.length; u++) {
    const given = (units[u] as NewAssignmentWithUnits['units'][number]).unitIndex;
    indices[u] = given === undefined ? u : requireInteger(given, () => `${where(a, u)}.unitIndex`);
  }
  if (new Set(indices).size !== indices.length) {
    const duplicate = indices.find((index, i) => indices.indexOf(index) !== i) ?? 0;
    throw new AlreadyExistsError(
      'unit',
      `${where(a)}:${duplicate}`,
      `${where(a)} has two units with unitIndex ${duplicate}`,
    );
  }
  return indices;
}

/**
 * One transaction, one pass: each assignment is checked, given ids, written and turned into entities
 * in turn, and the rows stream into the database (written at once on SQLite, in large batches on
 * PostgreSQL), so no second copy of the whole request is ever held. A bad item throws, which rolls
 * back everything written before it.
 */
export async function createAssignmentsWithUnits(
  ctx: StoreContext,
  taskRunId: string,
  assignments: readonly NewAssignmentWithUnits[],
  options: NewWorkOptions = {},
): Promise<{ assignments: Assignment[]; units: Unit[] }> {
  const list: unknown = assignments;
  if (!Array.isArray(list)) throw new InvalidArgumentError('assignments must be an array');
  const unitStatus = requireStatus(options.unitStatus ?? 'created', NEW_UNIT_STATUSES, 'unitStatus');
  const returnAssignments = options.returnAssignments ?? true;
  if (typeof returnAssignments !== 'boolean')
    throw new InvalidArgumentError('returnAssignments must be a boolean');
  return withFreshIds(() =>
    ctx.backend.transaction(async (trx) => {
      const run = await selectTaskRun(trx, taskRunId);
      const now = nowMs(ctx);
      // One Date for the whole batch: every row has the same creation time, and 100,000 identical
      // Date objects would cost more than the inserts they describe.
      const creationDate = new Date(now);
      const taskId = idOut(run.task_id);
      const runId = idOut(run.task_run_id);
      const requesterId = idOut(run.requester_id);
      const taskParam = rowId(run.task_id);
      const runParam = rowId(run.task_run_id);
      const requesterParam = rowId(run.requester_id);
      const { task_type: taskType, provider_type: providerType } = run;
      const sandbox = boolOut(run.sandbox);
      const sandboxParam = boolParam(ctx.dialect, sandbox);

      const assignmentWriter = ctx.backend.bulkWriter(trx, 'assignments', ASSIGNMENT_COLUMNS);
      const unitWriter = ctx.backend.bulkWriter(trx, 'units', UNIT_COLUMNS);
      const createdAssignments: Assignment[] = [];
      const createdUnits: Unit[] = [];
      for (let a = 0; a < assignments.length; a++) {
        const request = assignments[a] as NewAssignmentWithUnits;
        const units: unknown = request.units;
        if (!Array.isArray(units)) throw new InvalidArgumentError(`${where(a)}.units must be an array`);
        const indices = unitIndices(request.units, a);
        const data = jsonIn(request.data, () => `${where(a)}.data`);
        const assignmentParam = newIdParam(ctx.ids);
        const assignmentId = assignmentParam.toString();
        assignmentWriter.add([
          assignmentParam,
          taskParam,
          runParam,
          requesterParam,
          taskType,
          providerType,
          sandboxParam,
          data,
          now,
        ]);
        if (returnAssignments) {
          createdAssignments.push({
            id: assignmentId,
            taskId,
            taskRunId: runId,
            requesterId,
            taskType,
            providerType,
            sandbox,
            data: jsonOut(data),
            creationDate,
          });
        }
        for (let u = 0; u < request.units.length; u++) {
          const unitIndex = indices === undefined ? u : (indices[u] as number);
          let payAmount = (request.units[u] as NewAssignmentWithUnits['units'][number]).payAmount;
          // Checked inline: the message (and its closure) is only made for a bad value.
          if (typeof payAmount !== 'number' || !Number.isFinite(payAmount))
            payAmount = requireFinite(payAmount, `${where(a, u)}.payAmount`);
          const unitParam = newIdParam(ctx.ids);
          const unitId = unitParam.toString();
          unitWriter.add([
            unitParam,
            assignmentParam,
            unitIndex,
            payAmount,
            providerType,
            unitStatus,
            taskType,
            taskParam,
            runParam,
            sandboxParam,
            requesterParam,
            now,
          ]);
          createdUnits.push({
            id: unitId,
            assignmentId,
            unitIndex,
            payAmount,
            providerType,
            status: unitStatus,
            agentId: null,
            workerId: null,
            taskType,
            taskId,
            taskRunId: runId,
            sandbox,
            requesterId,
            creationDate,
          });
        }
        // Units reference their assignment, so buffered assignments are always written first.
        if (assignmentWriter.full || unitWriter.full) {
          await assignmentWriter.flush();
          await unitWriter.flush();
        }
      }
      await assignmentWriter.flush();
      await unitWriter.flush();
      return { assignments: createdAssignments, units: createdUnits };
    }),
  );
}

// --- units ------------------------------------------------------------------------------------------

export async function createUnit(ctx: StoreContext, unit: NewUnit): Promise<Unit> {
  const index = requireInteger(unit.unitIndex, 'unitIndex');
  const pay = requireFinite(unit.payAmount, 'payAmount');
  return withFreshIds(() =>
    ctx.backend.transaction(async (trx) => {
      const assignment = await trx
        .selectFrom('assignments')
        .selectAll()
        .where('assignment_id', '=', requireIdParam('assignment', unit.assignmentId))
        .executeTakeFirst();
      if (!assignment) throw new NotFoundError('assignment', unit.assignmentId);
      try {
        const row = await trx
          .insertInto('units')
          .values({
            unit_id: newIdParam(ctx.ids),
            assignment_id: rowId(assignment.assignment_id),
            unit_index: index,
            pay_amount: pay,
            provider_type: assignment.provider_type,
            status: 'created',
            task_type: assignment.task_type,
            task_id: rowId(assignment.task_id),
            task_run_id: rowId(assignment.task_run_id),
            sandbox: boolParam(ctx.dialect, boolOut(assignment.sandbox)),
            requester_id: rowId(assignment.requester_id),
            creation_date: nowMs(ctx),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toUnit(row);
      } catch (error) {
        throw translateWriteError(
          error,
          () =>
            new AlreadyExistsError(
              'unit',
              `${unit.assignmentId}:${index}`,
              `assignment ${unit.assignmentId} already has a unit with index ${index}`,
            ),
          'assignment',
          unit.assignmentId,
        );
      }
    }),
  );
}

export async function getUnit(ctx: StoreContext, id: string): Promise<Unit> {
  const row = await ctx.db
    .selectFrom('units')
    .selectAll()
    .where('unit_id', '=', requireIdParam('unit', id))
    .executeTakeFirst();
  if (!row) throw new NotFoundError('unit', id);
  return toUnit(row);
}

export const UNIT_FILTER: FilterSpec<UnitFilter> = {
  taskId: ['task_id', 'id'],
  taskRunId: ['task_run_id', 'id'],
  requesterId: ['requester_id', 'id'],
  assignmentId: ['assignment_id', 'id'],
  unitIndex: ['unit_index', 'int'],
  providerType: ['provider_type', 'text'],
  taskType: ['task_type', 'text'],
  agentId: ['agent_id', 'id'],
  workerId: ['worker_id', 'id'],
  sandbox: ['sandbox', 'bool'],
  status: ['status', 'status'],
};

export async function findUnits(ctx: StoreContext, filter?: UnitFilter): Promise<Unit[]> {
  const where = filterConditions(ctx.dialect, UNIT_FILTER, filter);
  if (where === null) return [];
  const rows = await ctx.db
    .selectFrom('units')
    .selectAll()
    .$if(where.length > 0, (qb) => qb.where(allOf(where)))
    .orderBy('creation_date')
    .orderBy('unit_id')
    .execute();
  return rows.map(toUnit);
}

const COUNT_UNITS = new FilterQuery(UNIT_FILTER, 'select count(*) as n from units');

export async function countUnits(ctx: StoreContext, filter?: UnitFilter): Promise<number> {
  // The launcher counts its slots before every fill: a fixed query, not one built each time.
  const query = COUNT_UNITS.build(ctx.dialect, filter);
  if (query === null) return 0;
  const [row] = await readFixed<{ n: string | number | bigint }>(ctx, query.text, query.params);
  return Number(row?.n ?? 0);
}

const HAS_UNITS = new FilterQuery(UNIT_FILTER, 'select unit_id from units', ' limit 1');

export async function hasUnits(ctx: StoreContext, filter?: UnitFilter): Promise<boolean> {
  // The engine asks this after every change: a fixed query, not one built each time.
  const query = HAS_UNITS.build(ctx.dialect, filter);
  if (query === null) return false;
  const rows = await readFixed(ctx, query.text, query.params);
  return rows.length > 0;
}
