/**
 * Review actions with their idempotency records (table `review_actions`, migration 0005): the
 * write side of ReviewStore. Contract in store.ts (ReviewStore).
 *
 * How one key acts at most once: every action runs in one transaction that first locks its target
 * (the units of the batch in id order, or the worker; PostgreSQL `FOR UPDATE`, SQLite's write
 * transactions are exclusive), then looks for a record under (key, target). A concurrent duplicate
 * waits on that lock and, once it has it, sees the winner's committed record (READ COMMITTED reads
 * each statement afresh) and replays it. The record itself goes in with `ON CONFLICT DO NOTHING` on
 * the UNIQUE (idempotency_key, target) constraint, the backstop for a target with no row to lock (a
 * missing unit): a lost insert rolls the transaction back and it is run again, which then replays.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import {
  AGENT_TRANSITIONS,
  InvalidArgumentError,
  InvalidTransitionError,
  MephistoError,
  NotFoundError,
  TransitionConflictError,
  UNIT_TRANSITIONS,
  canTransition,
  sourcesOf,
  type AgentStatus,
  type UnitStatus,
} from '../../core/index.js';
import type {
  ReviewActionAnswer,
  ReviewActionKind,
  ReviewActionRecord,
  ReviewDelivery,
  ReviewOutcome,
  UnitReviewDecision,
  UnitReviewRequest,
  WorkerReviewRequest,
} from '../store.js';
import {
  boolParam,
  dateOut,
  idOrNullOut,
  idOut,
  idParam,
  intOrNullOut,
  newIdParam,
  rowId,
  toUnit,
} from './row-mapping.js';
import type { Database, ReviewActionsTable, ReviewTables } from './schema.js';
import { nowMs, requireIdParam, withFreshIds, type StoreContext } from './store-context.js';
import { requireFinite, requireInteger } from './validate.js';

type ReviewDb = Kysely<Database & ReviewTables>;

/** Units acted on per transaction: bounds how long a bulk action holds its locks. */
const UNIT_BATCH = 100;

/** The agent status each review status of a unit goes with. */
const AGENT_STATUS_FOR_REVIEW: { readonly [S in 'accepted' | 'rejected' | 'soft_rejected']: AgentStatus } = {
  accepted: 'approved',
  rejected: 'rejected',
  soft_rejected: 'soft_rejected',
};

/** Thrown inside a transaction whose record insert lost the race on the key: run it again. */
class LostKeyRace extends Error {}

/** The key is already recorded for another request. */
export class ReviewKeyReusedError extends MephistoError {
  constructor(readonly idempotencyKey: string) {
    super(
      'MEPHISTO_ERR_REVIEW_KEY_REUSED',
      `the idempotency key ${JSON.stringify(idempotencyKey)} was already used for a different request`,
    );
  }
}

export function toReviewAction(row: Selectable<ReviewActionsTable>): ReviewActionRecord {
  return {
    id: idOut(row.action_id),
    idempotencyKey: row.idempotency_key,
    target: row.target,
    requestHash: row.request_hash,
    action: row.action as ReviewActionKind,
    outcome: row.outcome as ReviewOutcome,
    code: row.outcome_code,
    message: row.outcome_message,
    unitId: idOrNullOut(row.unit_id),
    workerId: idOrNullOut(row.worker_id),
    taskId: idOrNullOut(row.task_id),
    taskRunId: idOrNullOut(row.task_run_id),
    qualificationId: idOrNullOut(row.qualification_id),
    amount: row.amount,
    value: intOrNullOut(row.value),
    feedback: row.feedback,
    workerReviewId: idOrNullOut(row.worker_review_id),
    delivery: row.delivery as ReviewDelivery,
    deliveryDetail: row.delivery_detail,
    creationDate: dateOut(row.creation_date),
    updateDate: dateOut(row.update_date),
  };
}

function requireKey(key: unknown, hash: unknown): void {
  if (typeof key !== 'string' || key === '' || key.length > 200)
    throw new InvalidArgumentError('idempotencyKey must be a string of 1 to 200 characters');
  if (typeof hash !== 'string' || hash === '')
    throw new InvalidArgumentError('requestHash must be a non-empty string');
}

/** Runs `work` in a transaction, again once if its record insert lost a race (it then replays). */
async function keyedTransaction<T>(ctx: StoreContext, work: (db: ReviewDb) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await withFreshIds(() => ctx.backend.transaction((trx) => work(trx.withTables<ReviewTables>())));
    } catch (error) {
      if (!(error instanceof LostKeyRace) || attempt >= 3) throw error;
    }
  }
}

type NewRecord = Omit<
  Selectable<ReviewActionsTable>,
  'action_id' | 'creation_date' | 'update_date' | 'idempotency_key' | 'request_hash'
>;

function recordRow(ctx: StoreContext, key: string, hash: string, record: NewRecord, now: number) {
  return {
    ...record,
    unit_id: record.unit_id === null ? null : rowId(record.unit_id),
    worker_id: record.worker_id === null ? null : rowId(record.worker_id),
    task_id: record.task_id === null ? null : rowId(record.task_id),
    task_run_id: record.task_run_id === null ? null : rowId(record.task_run_id),
    qualification_id: record.qualification_id === null ? null : rowId(record.qualification_id),
    worker_review_id: record.worker_review_id === null ? null : rowId(record.worker_review_id),
    value: record.value === null ? null : Number(record.value),
    action_id: newIdParam(ctx.ids),
    idempotency_key: key,
    request_hash: hash,
    creation_date: now,
    update_date: now,
  };
}

/**
 * Inserts the records under the key in one statement; returns them by the map's keys. LostKeyRace
 * when a concurrent request recorded one of the targets first (its row was skipped).
 */
async function insertRecords(
  ctx: StoreContext,
  db: ReviewDb,
  key: string,
  hash: string,
  records: ReadonlyMap<string, NewRecord>,
): Promise<Map<string, ReviewActionRecord>> {
  const out = new Map<string, ReviewActionRecord>();
  if (records.size === 0) return out;
  const now = nowMs(ctx);
  const rows = await db
    .insertInto('review_actions')
    .values([...records.values()].map((record) => recordRow(ctx, key, hash, record, now)))
    .onConflict((oc) => oc.columns(['idempotency_key', 'target']).doNothing())
    .returningAll()
    .execute();
  if (rows.length !== records.size) throw new LostKeyRace();
  const byTarget = new Map(rows.map((row) => [row.target, toReviewAction(row)]));
  for (const [name, record] of records) {
    const inserted = byTarget.get(record.target);
    if (!inserted) throw new LostKeyRace();
    out.set(name, inserted);
  }
  return out;
}

/** Inserts one record under the key; LostKeyRace when a concurrent request recorded it first. */
async function insertRecord(
  ctx: StoreContext,
  db: ReviewDb,
  key: string,
  hash: string,
  record: NewRecord,
): Promise<ReviewActionRecord> {
  const inserted = await insertRecords(ctx, db, key, hash, new Map([['record', record]]));
  const only = inserted.get('record');
  if (!only) throw new LostKeyRace();
  return only;
}

async function insertWorkerReview(
  ctx: StoreContext,
  db: ReviewDb,
  review: {
    workerId: bigint;
    unitId?: bigint | null;
    taskId?: bigint | null;
    status?: string | null;
    note?: string | null;
    bonus?: number | null;
    blocked?: boolean;
    qualificationId?: bigint | null;
    value?: number | null;
    revoke?: boolean;
  },
): Promise<bigint> {
  const id = newIdParam(ctx.ids);
  await db
    .insertInto('worker_review')
    .values({
      id,
      unit_id: review.unitId ?? null,
      worker_id: review.workerId,
      task_id: review.taskId ?? null,
      status: review.status ?? null,
      review_note: review.note ?? null,
      bonus: review.bonus ?? null,
      blocked_worker: boolParam(ctx.dialect, review.blocked ?? false),
      updated_qualification_id: review.revoke ? null : (review.qualificationId ?? null),
      updated_qualification_value: review.revoke ? null : (review.value ?? null),
      revoked_qualification_id: review.revoke ? (review.qualificationId ?? null) : null,
      creation_date: nowMs(ctx),
    })
    .execute();
  return id;
}

// --- unit actions ----------------------------------------------------------------------------------

export async function applyUnitReviews(
  ctx: StoreContext,
  request: UnitReviewRequest,
): Promise<ReviewActionAnswer[]> {
  requireKey(request.idempotencyKey, request.requestHash);
  const amount = request.action === 'bonus' ? requireFinite(request.amount, 'bonus amount') : null;
  if (amount !== null && !(amount > 0)) throw new InvalidArgumentError('bonus amount must be positive');
  const ids = [...new Set(request.unitIds)];
  const answers = new Map<string, ReviewActionAnswer>();
  for (let start = 0; start < ids.length; start += UNIT_BATCH) {
    const batch = ids.slice(start, start + UNIT_BATCH);
    const done = await keyedTransaction(ctx, (db) => reviewUnitBatch(ctx, db, request, amount, batch));
    for (const [id, answer] of done) answers.set(id, answer);
  }
  return ids.map((id) => {
    const answer = answers.get(id);
    if (!answer) throw new Error(`review: no answer for unit ${id}`);
    return answer;
  });
}

async function reviewUnitBatch(
  ctx: StoreContext,
  db: ReviewDb,
  request: UnitReviewRequest,
  amount: number | null,
  batch: readonly string[],
): Promise<Map<string, ReviewActionAnswer>> {
  const key = request.idempotencyKey;
  const keys = batch.map(idParam).filter((k): k is bigint => k !== undefined);
  keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  // Lock first: a concurrent request on the same units waits here, then sees what this one recorded.
  const units =
    keys.length === 0
      ? []
      : await db
          .selectFrom('units')
          .selectAll()
          .where('unit_id', 'in', keys)
          .orderBy('unit_id')
          .$if(ctx.dialect === 'postgres', (qb) => qb.forUpdate())
          .execute();
  const unitById = new Map(units.map((row) => [idOut(row.unit_id), row]));
  const recorded = await recordsUnderKey(
    db,
    key,
    request.requestHash,
    batch.map((id) => `unit:${id}`),
  );

  const answers = new Map<string, ReviewActionAnswer>();
  const plan = new UnitBatchPlan(ctx);
  for (const unitId of batch) {
    const found = recorded.get(`unit:${unitId}`);
    if (found) {
      answers.set(unitId, { record: found, replayed: true });
      continue;
    }
    const base: NewRecord = {
      target: `unit:${unitId}`,
      action: request.action,
      outcome: 'refused',
      outcome_code: null,
      outcome_message: null,
      unit_id: null,
      worker_id: null,
      task_id: null,
      task_run_id: null,
      qualification_id: null,
      amount,
      value: null,
      feedback: request.feedback,
      worker_review_id: null,
      delivery: 'none',
      delivery_detail: null,
    };
    const row = unitById.get(unitId);
    if (!row) {
      plan.record(unitId, {
        ...base,
        outcome_code: 'MEPHISTO_ERR_UNIT_NOT_FOUND',
        outcome_message: `unit ${unitId} does not exist`,
      });
      continue;
    }
    const onUnit: NewRecord = {
      ...base,
      unit_id: row.unit_id,
      worker_id: row.worker_id,
      task_id: row.task_id,
      task_run_id: row.task_run_id,
    };
    plan.decide(unitId, row, request.decide(toUnit(row)), request.feedback, amount, onUnit);
  }
  for (const [unitId, record] of await plan.apply(db, key, request.requestHash))
    answers.set(unitId, { record, replayed: false });
  return answers;
}

/** One worker_review row to write, with its id drawn already (the record names it). */
interface PlannedReview {
  id: bigint;
  workerId: bigint;
  unitId: bigint;
  taskId: bigint;
  status: string | null;
  note: string | null;
  bonus: number | null;
}

/**
 * A batch's decisions, carried out set-wise: a few statements per batch (per status change, one
 * UPDATE of the agents and one of the units; one INSERT of every `worker_review` row and one of every
 * record) instead of several per unit. Each UPDATE is still a compare-and-set: it names the statuses
 * it expects and must change exactly the rows planned.
 */
class UnitBatchPlan {
  readonly #records = new Map<string, NewRecord>();
  readonly #reviews: PlannedReview[] = [];
  /** `from→to` → the units (and their agents) to move. */
  readonly #moves = new Map<
    string,
    { from: UnitStatus; to: ReviewStatus; units: bigint[]; agents: bigint[] }
  >();

  constructor(private readonly ctx: StoreContext) {}

  record(unitId: string, record: NewRecord): void {
    this.#records.set(unitId, record);
  }

  decide(
    unitId: string,
    row: Selectable<Database['units']>,
    decision: UnitReviewDecision,
    feedback: string | null,
    amount: number | null,
    record: NewRecord,
  ): void {
    switch (decision.kind) {
      case 'skip':
        this.record(unitId, { ...record, outcome: 'skipped', outcome_message: decision.message });
        return;
      case 'refuse':
        this.record(unitId, {
          ...record,
          outcome: 'refused',
          outcome_code: decision.code,
          outcome_message: decision.message,
        });
        return;
      case 'bonus':
      case 'transition': {
        if (row.worker_id === null)
          throw new InvalidArgumentError(`unit ${unitId} has no worker to review or pay`);
        let status: string | null = null;
        if (decision.kind === 'transition') {
          const from = row.status as UnitStatus;
          const to = decision.to;
          if (!canTransition(UNIT_TRANSITIONS, from, to)) throw new InvalidTransitionError('unit', from, to);
          if (row.agent_id === null)
            throw new TransitionConflictError(
              'unit',
              unitId,
              ['completed'],
              from,
              'it has no agent to review',
            );
          const move = `${from}→${to}`;
          let planned = this.#moves.get(move);
          if (!planned) this.#moves.set(move, (planned = { from, to, units: [], agents: [] }));
          planned.units.push(rowId(row.unit_id));
          planned.agents.push(rowId(row.agent_id));
          status = AGENT_STATUS_FOR_REVIEW[to];
        } else if (amount === null) {
          throw new InvalidArgumentError('a bonus needs an amount');
        }
        const review: PlannedReview = {
          id: newIdParam(this.ctx.ids),
          workerId: rowId(row.worker_id),
          unitId: rowId(row.unit_id),
          taskId: rowId(row.task_id),
          status,
          note: feedback,
          bonus: decision.kind === 'bonus' ? amount : null,
        };
        this.#reviews.push(review);
        this.record(unitId, {
          ...record,
          outcome: 'applied',
          worker_review_id: review.id,
          delivery: 'pending',
        });
        return;
      }
    }
  }

  /** Writes everything; returns each unit's inserted record. LostKeyRace when a record was taken. */
  async apply(db: ReviewDb, key: string, hash: string): Promise<Map<string, ReviewActionRecord>> {
    for (const { from, to, units, agents } of this.#moves.values()) {
      const agentTo = AGENT_STATUS_FOR_REVIEW[to];
      const agentFrom = sourcesOf(AGENT_TRANSITIONS, agentTo);
      const movedAgents = await db
        .updateTable('agents')
        .set({ status: agentTo })
        .where('agent_id', 'in', agents)
        .where('status', 'in', agentFrom)
        .returning('agent_id')
        .execute();
      if (movedAgents.length !== agents.length)
        throw new TransitionConflictError(
          'agent',
          '(batch)',
          agentFrom,
          'another status',
          'an agent of a reviewed unit changed',
        );
      // The units are locked (or the database exclusive): nothing can have moved them since they were read.
      const movedUnits = await db
        .updateTable('units')
        .set({ status: to })
        .where('unit_id', 'in', units)
        .where('status', '=', from)
        .returning('unit_id')
        .execute();
      if (movedUnits.length !== units.length)
        throw new TransitionConflictError(
          'unit',
          '(batch)',
          [from],
          'another status',
          'a reviewed unit changed',
        );
    }
    if (this.#reviews.length > 0) {
      const now = nowMs(this.ctx);
      await db
        .insertInto('worker_review')
        .values(
          this.#reviews.map((r) => ({
            id: r.id,
            unit_id: r.unitId,
            worker_id: r.workerId,
            task_id: r.taskId,
            status: r.status,
            review_note: r.note,
            bonus: r.bonus,
            blocked_worker: boolParam(this.ctx.dialect, false),
            updated_qualification_id: null,
            updated_qualification_value: null,
            revoked_qualification_id: null,
            creation_date: now,
          })),
        )
        .execute();
    }
    return insertRecords(this.ctx, db, key, hash, this.#records);
  }
}

type ReviewStatus = 'accepted' | 'rejected' | 'soft_rejected';

/**
 * The records under `key` for `targets`, by target; MEPHISTO_ERR_REVIEW_KEY_REUSED when the key is
 * recorded (for any target) with another request's fingerprint. One statement.
 */
async function recordsUnderKey(
  db: ReviewDb,
  key: string,
  hash: string,
  targets: readonly string[],
): Promise<Map<string, ReviewActionRecord>> {
  const rows = await db
    .selectFrom('review_actions')
    .selectAll()
    .where('idempotency_key', '=', key)
    .where((eb) => eb.or([eb('target', 'in', targets), eb('request_hash', '<>', hash)]))
    .execute();
  if (rows.some((row) => row.request_hash !== hash)) throw new ReviewKeyReusedError(key);
  return new Map(rows.map((row) => [row.target, toReviewAction(row)]));
}

// --- worker actions --------------------------------------------------------------------------------

export async function applyWorkerReview(
  ctx: StoreContext,
  request: WorkerReviewRequest,
): Promise<ReviewActionAnswer> {
  requireKey(request.idempotencyKey, request.requestHash);
  const workerId = requireIdParam('worker', request.workerId);
  const needsQualification = request.action === 'grant' || request.action === 'revoke';
  const qualificationId = needsQualification
    ? requireIdParam('qualification', request.qualificationId ?? '')
    : null;
  const value = request.action === 'grant' ? requireInteger(request.value ?? 1, 'qualification value') : null;
  const target =
    qualificationId === null
      ? `worker:${request.workerId}`
      : `grant:${request.qualificationId}:${request.workerId}`;
  return keyedTransaction(ctx, async (db) => {
    // Locking the worker serialises every action on them (and blocks, grants) on PostgreSQL.
    const worker = await db
      .selectFrom('workers')
      .select('worker_id')
      .where('worker_id', '=', workerId)
      .$if(ctx.dialect === 'postgres', (qb) => qb.forUpdate())
      .executeTakeFirst();
    if (!worker) throw new NotFoundError('worker', request.workerId);
    if (qualificationId !== null) {
      const qualification = await db
        .selectFrom('qualifications')
        .select('qualification_id')
        .where('qualification_id', '=', qualificationId)
        .executeTakeFirst();
      if (!qualification) throw new NotFoundError('qualification', request.qualificationId ?? '');
    }
    const existing = (await recordsUnderKey(db, request.idempotencyKey, request.requestHash, [target])).get(
      target,
    );
    if (existing) return { record: existing, replayed: true };

    const record: NewRecord = {
      target,
      action: request.action,
      outcome: 'skipped',
      outcome_code: null,
      outcome_message: null,
      unit_id: null,
      worker_id: workerId,
      task_id: null,
      task_run_id: null,
      qualification_id: qualificationId,
      amount: null,
      value,
      feedback: request.reason ?? null,
      worker_review_id: null,
      delivery: 'none',
      delivery_detail: null,
    };
    const done = await applyWorkerAction(ctx, db, request, workerId, qualificationId, value, record);
    return {
      record: await insertRecord(ctx, db, request.idempotencyKey, request.requestHash, done),
      replayed: false,
    };
  });
}

async function applyWorkerAction(
  ctx: StoreContext,
  db: ReviewDb,
  request: WorkerReviewRequest,
  workerId: bigint,
  qualificationId: bigint | null,
  value: number | null,
  record: NewRecord,
): Promise<NewRecord> {
  switch (request.action) {
    case 'block': {
      const block = await db
        .selectFrom('worker_blocks')
        .select('block_id')
        .where('worker_id', '=', workerId)
        .where('requester_id', 'is', null)
        .executeTakeFirst();
      if (block) return { ...record, outcome_message: 'the worker is already blocked' };
      await db
        .insertInto('worker_blocks')
        .values({
          block_id: newIdParam(ctx.ids),
          worker_id: workerId,
          requester_id: null,
          reason: request.reason ?? null,
          creation_date: nowMs(ctx),
        })
        .execute();
      const reviewId = await insertWorkerReview(ctx, db, {
        workerId,
        note: request.reason ?? null,
        blocked: true,
      });
      return { ...record, outcome: 'applied', worker_review_id: reviewId, delivery: 'pending' };
    }
    case 'unblock': {
      const removed = await db
        .deleteFrom('worker_blocks')
        .where('worker_id', '=', workerId)
        .executeTakeFirst();
      if (Number(removed.numDeletedRows) === 0)
        return { ...record, outcome_message: 'the worker is not blocked' };
      return { ...record, outcome: 'applied', delivery: 'pending' };
    }
    case 'grant': {
      if (qualificationId === null || value === null)
        throw new InvalidArgumentError('grant needs a qualification');
      const grant = await db
        .selectFrom('granted_qualifications')
        .select(['granted_qualification_id', 'value'])
        .where('worker_id', '=', workerId)
        .where('qualification_id', '=', qualificationId)
        .executeTakeFirst();
      const now = nowMs(ctx);
      if (grant && Number(grant.value) === value)
        return { ...record, outcome_message: `the worker already holds it with value ${value}` };
      if (grant) {
        await db
          .updateTable('granted_qualifications')
          .set({ value, update_date: now })
          .where('granted_qualification_id', '=', rowId(grant.granted_qualification_id))
          .execute();
      } else {
        await db
          .insertInto('granted_qualifications')
          .values({
            granted_qualification_id: newIdParam(ctx.ids),
            worker_id: workerId,
            qualification_id: qualificationId,
            value,
            update_date: now,
            creation_date: now,
          })
          .execute();
      }
      const reviewId = await insertWorkerReview(ctx, db, { workerId, qualificationId, value });
      return { ...record, outcome: 'applied', worker_review_id: reviewId, delivery: 'pending' };
    }
    case 'revoke': {
      if (qualificationId === null) throw new InvalidArgumentError('revoke needs a qualification');
      const removed = await db
        .deleteFrom('granted_qualifications')
        .where('worker_id', '=', workerId)
        .where('qualification_id', '=', qualificationId)
        .executeTakeFirst();
      if (Number(removed.numDeletedRows) === 0)
        return { ...record, outcome_message: 'the worker does not hold it' };
      const reviewId = await insertWorkerReview(ctx, db, { workerId, qualificationId, revoke: true });
      return { ...record, outcome: 'applied', worker_review_id: reviewId, delivery: 'pending' };
    }
  }
}

// --- delivery and reads ----------------------------------------------------------------------------

const DELIVERIES: readonly ReviewDelivery[] = ['none', 'pending', 'done', 'manual', 'failed'];

export async function setReviewDelivery(
  ctx: StoreContext,
  actionId: string,
  delivery: ReviewDelivery,
  detail: string | null,
): Promise<ReviewActionRecord> {
  if (!DELIVERIES.includes(delivery)) throw new InvalidArgumentError(`unknown delivery state "${delivery}"`);
  const id = idParam(actionId);
  const row =
    id === undefined
      ? undefined
      : await ctx.backend.autocommit((db) =>
          db
            .withTables<ReviewTables>()
            .updateTable('review_actions')
            .set({ delivery, delivery_detail: detail, update_date: nowMs(ctx) })
            .where('action_id', '=', id)
            .returningAll()
            .executeTakeFirst(),
        );
  if (!row) throw new InvalidArgumentError(`no review action has id ${actionId}`);
  return toReviewAction(row);
}

export interface ReviewActionFilter {
  unitIds?: readonly string[];
  workerId?: string;
  taskRunId?: string;
  idempotencyKey?: string;
  action?: ReviewActionKind;
  outcome?: ReviewOutcome;
  delivery?: ReviewDelivery;
  limit?: number;
}

export async function findReviewActions(
  ctx: StoreContext,
  filter: ReviewActionFilter,
): Promise<ReviewActionRecord[]> {
  const unitIds = filter.unitIds?.map(idParam).filter((id): id is bigint => id !== undefined);
  if (unitIds !== undefined && unitIds.length === 0) return [];
  // A malformed id names no row: nothing matches.
  const workerId = filter.workerId === undefined ? undefined : idParam(filter.workerId);
  const runId = filter.taskRunId === undefined ? undefined : idParam(filter.taskRunId);
  if (filter.workerId !== undefined && workerId === undefined) return [];
  if (filter.taskRunId !== undefined && runId === undefined) return [];
  const rows = await ctx.db
    .withTables<ReviewTables>()
    .selectFrom('review_actions')
    .selectAll()
    .$if(unitIds !== undefined, (qb) => qb.where('unit_id', 'in', unitIds ?? []))
    .$if(workerId !== undefined, (qb) => qb.where('worker_id', '=', workerId ?? 0n))
    .$if(runId !== undefined, (qb) => qb.where('task_run_id', '=', runId ?? 0n))
    .$if(filter.idempotencyKey !== undefined, (qb) =>
      qb.where('idempotency_key', '=', filter.idempotencyKey ?? ''),
    )
    .$if(filter.action !== undefined, (qb) => qb.where('action', '=', filter.action ?? ''))
    .$if(filter.outcome !== undefined, (qb) => qb.where('outcome', '=', filter.outcome ?? ''))
    .$if(filter.delivery !== undefined, (qb) => qb.where('delivery', '=', filter.delivery ?? ''))
    .orderBy('creation_date')
    .orderBy('action_id')
    .$if(filter.limit !== undefined, (qb) => qb.limit(filter.limit ?? 0))
    .execute();
  return rows.map(toReviewAction);
}

/** Updates per statement of setReviewDeliveries (3 parameters each). */
const DELIVERY_CHUNK = 300;

export async function setReviewDeliveries(
  ctx: StoreContext,
  updates: readonly { actionId: string; delivery: ReviewDelivery; detail: string | null }[],
): Promise<void> {
  for (const update of updates)
    if (!DELIVERIES.includes(update.delivery))
      throw new InvalidArgumentError(`unknown delivery state "${update.delivery}"`);
  const rows = updates.flatMap((u) => {
    const id = idParam(u.actionId);
    return id === undefined ? [] : [{ id, delivery: u.delivery, detail: u.detail }];
  });
  if (rows.length === 0) return;
  const now = nowMs(ctx);
  await ctx.backend.transaction(async (trx) => {
    for (let start = 0; start < rows.length; start += DELIVERY_CHUNK) {
      const chunk = rows.slice(start, start + DELIVERY_CHUNK);
      // One UPDATE for the chunk: the new values come from a VALUES list joined on the id. The casts
      // give PostgreSQL the types (it reads VALUES parameters as text).
      const values = sql.join(
        chunk.map(
          (r) => sql`(cast(${r.id} as bigint), cast(${r.delivery} as text), cast(${r.detail} as text))`,
        ),
      );
      await sql`with v(id, delivery, detail) as (values ${values})
        update review_actions set
          delivery = (select v.delivery from v where v.id = review_actions.action_id),
          delivery_detail = (select v.detail from v where v.id = review_actions.action_id),
          update_date = ${now}
        where action_id in (select v.id from v)`.execute(trx);
    }
  });
}
