/**
 * Choosing a unit for a worker: every check a claim makes and the agent it creates, in one transaction.
 *
 * Why one transaction is enough to hold every cap under races:
 * - PostgreSQL: the claim first locks the worker's row (`SELECT … FOR UPDATE`), so two claims of the same
 *   worker run one after the other, and under READ COMMITTED each later statement sees what the earlier
 *   claim committed: its counts are exact. Candidate units are locked `FOR UPDATE SKIP LOCKED`, so claims
 *   of different workers take different units without waiting on each other; a unit another claim just
 *   took is re-checked against `status = 'launched'` and left out.
 * - SQLite: every write transaction is exclusive (BEGIN IMMEDIATE, one connection per process behind the
 *   group commit), so a claim sees every change committed before it and nothing interleaves with it.
 */
import { sql, type SqlBool, type Selectable } from 'kysely';
import {
  InvalidArgumentError,
  NotFoundError,
  TransitionConflictError,
  type Agent,
  type AgentStatus,
  type Unit,
} from '../../core/index.js';
import type { ClaimRefusalCode, ClaimRequest, ClaimResult, GrantsByName } from '../store.js';
import {
  UNIT_ARRAY_COLUMNS,
  idOut,
  newIdParam,
  rowId,
  toAgent,
  toAssignment,
  toUnit,
  unitOfArray,
} from './row-mapping.js';
import { nowMs, requireIdParam, withFreshIds, type Queryable, type StoreContext } from './store-context.js';
import type { AssignmentsTable, DbInt } from './schema.js';
import type { SqliteStatements } from './store-backend.js';
import { requireStatus } from './validate.js';

const INITIAL_AGENT_STATUSES = ['none', 'accepted', 'waiting', 'in task'] as const;

/** Statuses that count against `maximum_units_per_worker`: held, or submitted (whatever the review said). */
const COUNTED_UNIT_STATUSES = ['assigned', 'completed', 'accepted', 'rejected', 'soft_rejected'] as const;

/** Candidates read per round when `accept` turns some down. */
const CANDIDATE_BATCH = 32;

function requireCap(value: unknown, argument: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(
      `${argument} must be a whole number >= 0 (0 = no limit), got ${String(value)}`,
    );
  }
  return value;
}

export async function claimUnit(ctx: StoreContext, request: ClaimRequest): Promise<ClaimResult> {
  const allowedConcurrent = requireCap(request.allowedConcurrent, 'allowedConcurrent');
  const maximum = requireCap(request.maximumUnitsPerWorker, 'maximumUnitsPerWorker');
  const agentStatus = requireStatus(request.agentStatus ?? 'in task', INITIAL_AGENT_STATUSES, 'agentStatus');
  const runId = requireIdParam('task_run', request.taskRunId);
  const workerId = requireIdParam('worker', request.workerId);
  const postgres = ctx.dialect === 'postgres';
  const statements = ctx.backend.sqlite;
  if (statements) {
    return withFreshIds(() =>
      ctx.backend.transaction((trx) =>
        claimOnSqlite(
          ctx,
          statements,
          trx,
          request,
          runId,
          workerId,
          allowedConcurrent,
          maximum,
          agentStatus,
        ),
      ),
    );
  }

  return withFreshIds(() =>
    ctx.backend.transaction(async (trx): Promise<ClaimResult> => {
      const run = await trx
        .selectFrom('task_runs')
        .select(['task_id', 'requester_id'])
        .where('task_run_id', '=', runId)
        .executeTakeFirst();
      if (!run) throw new NotFoundError('task_run', request.taskRunId);
      const worker = await trx
        .selectFrom('workers')
        .select('worker_id')
        .where('worker_id', '=', workerId)
        .$if(postgres, (qb) => qb.forUpdate())
        .executeTakeFirst();
      if (!worker) throw new NotFoundError('worker', request.workerId);

      const { held, counted } = await workerCounts(trx, rowId(run.task_id), runId, workerId);
      const refuse = (code: Exclude<ClaimResult, { ok: true }>['code']): ClaimResult => ({
        ok: false,
        code,
        held,
        counted,
      });

      if (request.checkBlocks !== false && (await hasBlock(trx, workerId, rowId(run.requester_id))))
        return refuse('blocked');
      if (request.eligibility) {
        const { grants, known } = await grantsOf(trx, workerId, request.eligibility.names);
        const refusal = request.eligibility.refusal(grants, known);
        if (refusal !== null) return refuse(refusal);
      }
      if (allowedConcurrent > 0 && held >= allowedConcurrent) return refuse('too_many_concurrent');
      if (maximum > 0 && counted >= maximum) return refuse('max_for_task');

      const unit = await firstAcceptedUnit(trx, runId, workerId, postgres, request.accept);
      if (!unit) return refuse('no_units');

      const unitId = BigInt(unit.id);
      const agentRow = await trx
        .insertInto('agents')
        .values({
          agent_id: newIdParam(ctx.ids),
          worker_id: workerId,
          unit_id: unitId,
          task_id: BigInt(unit.taskId),
          task_run_id: runId,
          assignment_id: BigInt(unit.assignmentId),
          task_type: unit.taskType,
          provider_type: unit.providerType,
          status: agentStatus,
          creation_date: nowMs(ctx),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const taken = await trx
        .updateTable('units')
        .set({ status: 'assigned', agent_id: rowId(agentRow.agent_id), worker_id: workerId })
        .where('unit_id', '=', unitId)
        .where('status', '=', 'launched')
        .returningAll()
        .executeTakeFirst();
      // The unit is locked (PostgreSQL) or the transaction exclusive (SQLite): this is a backstop.
      if (!taken)
        throw new TransitionConflictError('unit', unit.id, ['launched'], 'taken', 'claimed meanwhile');
      const claimed = { ok: true as const, agent: toAgent(agentRow), unit: toUnit(taken) };
      if (request.withAssignment !== true) return claimed;
      const assignment = await trx
        .selectFrom('assignments')
        .selectAll()
        .where('assignment_id', '=', BigInt(unit.assignmentId))
        .executeTakeFirstOrThrow();
      return { ...claimed, assignment: toAssignment(assignment) };
    }),
  );
}

/**
 * `held`: the worker's `assigned` units in this run (allowed_concurrent). `counted`: the worker's held
 * and submitted units across every run of the task (maximum_units_per_worker), read from the units
 * table itself, so never a stale cache (Mephisto counts cached statuses, quirk 6).
 */
async function workerCounts(
  db: Queryable,
  taskId: bigint,
  runId: bigint,
  workerId: bigint,
): Promise<{ held: number; counted: number }> {
  const row = await db
    .selectFrom('units')
    .select([
      sql<
        string | number | bigint
      >`coalesce(sum(case when task_run_id = ${runId} and status = 'assigned' then 1 else 0 end), 0)`.as(
        'held',
      ),
      sql<string | number | bigint>`count(*)`.as('counted'),
    ])
    .where('task_id', '=', taskId)
    .where('worker_id', '=', workerId)
    .where('status', 'in', COUNTED_UNIT_STATUSES)
    .executeTakeFirstOrThrow();
  return { held: Number(row.held), counted: Number(row.counted) };
}

async function hasBlock(db: Queryable, workerId: bigint, requesterId: bigint): Promise<boolean> {
  const row = await db
    .selectFrom('worker_blocks')
    .select('block_id')
    .where('worker_id', '=', workerId)
    .where((eb) => eb.or([eb('requester_id', 'is', null), eb('requester_id', '=', requesterId)]))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

async function grantsOf(
  db: Queryable,
  workerId: bigint,
  names: readonly string[],
): Promise<{ grants: GrantsByName; known: ReadonlySet<string> }> {
  const grants = new Map<string, number>();
  const known = new Set<string>();
  if (names.length === 0) return { grants, known };
  const rows = await db
    .selectFrom('qualifications as q')
    .leftJoin('granted_qualifications as g', (join) =>
      join.onRef('g.qualification_id', '=', 'q.qualification_id').on('g.worker_id', '=', workerId),
    )
    .select(['q.qualification_name as name', 'g.value as value'])
    .where('q.qualification_name', 'in', [...new Set(names)])
    .execute();
  for (const row of rows) {
    known.add(row.name);
    if (row.value !== null) grants.set(row.name, Number(row.value));
  }
  return { grants, known };
}

/**
 * The first launched regular unit of the run (creation order) in an assignment where the worker has no
 * unit ("cannot pair with self"), that `accept` takes. Read in batches, so a picky `accept` does not
 * load the whole run; on PostgreSQL each batch is locked, skipping units other claims hold.
 */
async function firstAcceptedUnit(
  db: Queryable,
  runId: bigint,
  workerId: bigint,
  postgres: boolean,
  accept: ((unit: Unit) => boolean) | undefined,
): Promise<Unit | undefined> {
  let after: { date: number; id: bigint } | undefined;
  for (;;) {
    const cursor = after;
    const rows = await db
      .selectFrom('units as u')
      .selectAll('u')
      .where('u.task_run_id', '=', runId)
      .where('u.status', '=', 'launched')
      .where('u.unit_index', '>=', 0)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('units as o')
              .select(sql`1`.as('one'))
              .whereRef('o.assignment_id', '=', 'u.assignment_id')
              .where('o.worker_id', '=', workerId),
          ),
        ),
      )
      .$if(cursor !== undefined, (qb) =>
        qb.where(
          sql<SqlBool>`(u.creation_date > ${cursor?.date} or (u.creation_date = ${cursor?.date} and u.unit_id > ${cursor?.id}))`,
        ),
      )
      .orderBy('u.creation_date')
      .orderBy('u.unit_id')
      .limit(accept ? CANDIDATE_BATCH : 1)
      .$if(postgres, (qb) => qb.forUpdate().skipLocked())
      .execute();
    for (const row of rows) {
      const unit = toUnit(row);
      if (!accept || accept(unit)) return unit;
    }
    const last = rows.at(-1);
    if (!accept || last === undefined || rows.length < CANDIDATE_BATCH) return undefined;
    after = { date: Number(last.creation_date), id: rowId(last.unit_id) };
  }
}

// --- SQLite: the same claim as prepared statements ----------------------------------------------------
//
// The claim is the engine's hottest path. On SQLite it runs as prepared statements on the connection the
// group commit holds (the transaction is exclusive, as above): the run, worker and block checks in one
// read; the worker's counts only when a cap needs them or a refusal reports them (they cannot change
// within the transaction, so counting late gives the same figures); the candidate; the agent's insert;
// the unit's compare-and-set. The agent and unit returned are built from what the statements wrote
// (no `returning *` to turn back into objects). Positional parameters: better-sqlite3 binds no
// numbered ones. Same conditions, same order of checks, same results as the Kysely form above.

const COUNTED_SQL = COUNTED_UNIT_STATUSES.map((s) => `'${s}'`).join(', ');

const CLAIM_CHECKS_SQL = `select r.task_id as task_id, r.requester_id as requester_id,
  exists (select 1 from workers where worker_id = ?) as worker_found,
  exists (select 1 from worker_blocks where worker_id = ?
     and (requester_id is null or requester_id = r.requester_id)) as blocked
from task_runs r where r.task_run_id = ?`;

/** Both counts in one pass over the worker's units of the task (index on task_id, worker_id). */
const CLAIM_COUNTS_SQL = `select count(*) as counted,
  coalesce(sum(status = 'assigned' and task_run_id = ?), 0) as held
from units where task_id = ? and worker_id = ? and status in (${COUNTED_SQL})`;

// The limits are part of the text, never bound: SQLite (3.47+) reads a bound LIMIT while planning and
// marks the statement to be compiled again whenever it is bound anew, and better-sqlite3 binds on every
// call, so `limit ?` recompiled the candidate query on every claim (six times the cost of running it).
// Candidates come back as arrays of UNIT_ARRAY_COLUMNS (prepareRaw): the claim reads them by position.
const CANDIDATES_FROM = `select ${UNIT_ARRAY_COLUMNS.split(', ')
  .map((column) => `u.${column}`)
  .join(', ')} from units u
where u.task_run_id = ? and u.status = 'launched' and u.unit_index >= 0
  and not exists (select 1 from units o where o.assignment_id = u.assignment_id and o.worker_id = ?)`;

/** The first candidate (no `accept` to ask). */
const FIRST_CANDIDATE_SQL = `${CANDIDATES_FROM}
order by u.creation_date, u.unit_id limit 1`;

/** A batch of candidates for `accept`, from the start or after the last one read. */
const CANDIDATES_SQL = `${CANDIDATES_FROM}
order by u.creation_date, u.unit_id limit ${CANDIDATE_BATCH}`;

const CANDIDATES_AFTER_SQL = `${CANDIDATES_FROM}
  and (u.creation_date > ? or (u.creation_date = ? and u.unit_id > ?))
order by u.creation_date, u.unit_id limit ${CANDIDATE_BATCH}`;

const INSERT_AGENT_SQL = `insert into agents (agent_id, worker_id, unit_id, task_id, task_run_id, assignment_id,
  task_type, provider_type, status, creation_date) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

const TAKE_UNIT_SQL = `update units set status = 'assigned', agent_id = ?, worker_id = ?
where unit_id = ? and status = 'launched'`;

const ASSIGNMENT_SQL = 'select * from assignments where assignment_id = ?';

interface ClaimChecksRow {
  task_id: bigint;
  requester_id: bigint;
  worker_found: bigint | number;
  blocked: bigint | number;
}

interface ClaimCountsRow {
  counted: bigint | number;
  held: bigint | number;
}

function claimOnSqlite(
  ctx: StoreContext,
  statements: SqliteStatements,
  trx: Queryable,
  request: ClaimRequest,
  runId: bigint,
  workerId: bigint,
  allowedConcurrent: number,
  maximum: number,
  agentStatus: string,
): ClaimResult | Promise<ClaimResult> {
  const checks = statements.prepare(CLAIM_CHECKS_SQL).get(workerId, workerId, runId) as
    ClaimChecksRow | undefined;
  if (!checks) throw new NotFoundError('task_run', request.taskRunId);
  if (!Number(checks.worker_found)) throw new NotFoundError('worker', request.workerId);
  const { eligibility } = request;
  const finish = (refusal: ClaimRefusalCode | null, caps = { allowedConcurrent, maximum }): ClaimResult =>
    finishClaimOnSqlite(
      ctx,
      statements,
      request,
      checks,
      runId,
      workerId,
      caps.allowedConcurrent,
      caps.maximum,
      agentStatus,
      refusal,
    );
  // A blocked worker is refused whatever the caps say, so they are not counted.
  if (request.checkBlocks !== false && Number(checks.blocked))
    return finish('blocked', { allowedConcurrent: 0, maximum: 0 });
  // Synchronous from here when there is nothing to look up: the group commit runs it without awaiting.
  if (!eligibility) return finish(null);
  return grantsOf(trx, workerId, eligibility.names).then(({ grants, known }) =>
    finish(eligibility.refusal(grants, known)),
  );
}

/** The claim after the block and qualification checks (`refusal`, null when they passed). */
function finishClaimOnSqlite(
  ctx: StoreContext,
  statements: SqliteStatements,
  request: ClaimRequest,
  checks: ClaimChecksRow,
  runId: bigint,
  workerId: bigint,
  allowedConcurrent: number,
  maximum: number,
  agentStatus: string,
  refused: ClaimRefusalCode | null,
): ClaimResult {
  let counts: ClaimCountsRow | undefined;
  let refusal = refused;
  if (refusal === null && (allowedConcurrent > 0 || maximum > 0)) {
    counts = workerCountsOnSqlite(statements, runId, checks.task_id, workerId);
    if (allowedConcurrent > 0 && Number(counts.held) >= allowedConcurrent) refusal = 'too_many_concurrent';
    else if (maximum > 0 && Number(counts.counted) >= maximum) refusal = 'max_for_task';
  }
  const row =
    refusal === null ? firstAcceptedRowOnSqlite(statements, runId, workerId, request.accept) : undefined;
  if (!row) {
    // Counted here if no cap needed them: nothing changed in the transaction since the checks.
    counts ??= workerCountsOnSqlite(statements, runId, checks.task_id, workerId);
    return {
      ok: false,
      code: refusal ?? 'no_units',
      held: Number(counts.held),
      counted: Number(counts.counted),
    };
  }

  const agentId = newIdParam(ctx.ids);
  const now = nowMs(ctx);
  const unitId = row[U.unit_id];
  const assignmentId = row[U.assignment_id];
  statements
    .prepare(INSERT_AGENT_SQL)
    .run(
      agentId,
      workerId,
      unitId,
      row[U.task_id],
      runId,
      assignmentId,
      row[U.task_type],
      row[U.provider_type],
      agentStatus,
      now,
    );
  const taken = statements.prepare(TAKE_UNIT_SQL).run(agentId, workerId, unitId);
  // The transaction is exclusive: this is a backstop.
  if (Number(taken.changes) !== 1)
    throw new TransitionConflictError(
      'unit',
      idOut(unitId as DbInt),
      ['launched'],
      'taken',
      'claimed meanwhile',
    );
  const id = agentId.toString();
  const launched = unitOfArray(row);
  const unit: Unit = { ...launched, status: 'assigned', agentId: id, workerId: request.workerId };
  const agent: Agent = {
    id,
    workerId: request.workerId,
    unitId: unit.id,
    taskId: unit.taskId,
    taskRunId: unit.taskRunId,
    assignmentId: unit.assignmentId,
    taskType: unit.taskType,
    providerType: unit.providerType,
    status: agentStatus as AgentStatus,
    creationDate: new Date(now),
  };
  if (request.withAssignment !== true) return { ok: true, agent, unit };
  const assignment = statements.prepare(ASSIGNMENT_SQL).get(assignmentId) as Selectable<AssignmentsTable>;
  return { ok: true, agent, unit, assignment: toAssignment(assignment) };
}

function workerCountsOnSqlite(
  statements: SqliteStatements,
  runId: bigint,
  taskId: bigint,
  workerId: bigint,
): ClaimCountsRow {
  return statements.prepare(CLAIM_COUNTS_SQL).get(runId, taskId, workerId) as ClaimCountsRow;
}

/** Positions of the columns the claim reads in a candidate row (UNIT_ARRAY_COLUMNS). */
const U = {
  unit_id: 0,
  assignment_id: 1,
  provider_type: 4,
  task_type: 8,
  task_id: 9,
  creation_date: 13,
} as const;

function firstAcceptedRowOnSqlite(
  statements: SqliteStatements,
  runId: bigint,
  workerId: bigint,
  accept: ((unit: Unit) => boolean) | undefined,
): unknown[] | undefined {
  if (!accept)
    return statements.prepareRaw(FIRST_CANDIDATE_SQL).get(runId, workerId) as unknown[] | undefined;
  let rows = statements.prepareRaw(CANDIDATES_SQL).all(runId, workerId) as unknown[][];
  for (;;) {
    for (const row of rows) {
      if (accept(unitOfArray(row))) return row;
    }
    const last = rows.at(-1);
    if (last === undefined || rows.length < CANDIDATE_BATCH) return undefined;
    const date = Number(last[U.creation_date]);
    rows = statements
      .prepareRaw(CANDIDATES_AFTER_SQL)
      .all(runId, workerId, date, date, last[U.unit_id]) as unknown[][];
  }
}
