/** Qualifications, their grants to workers, and worker reviews. */
import {
  AlreadyExistsError,
  NotFoundError,
  type GrantedQualification,
  type Qualification,
  type WorkerReview,
} from '../../core/index.js';
import type { NewWorkerReview } from '../store.js';
import { allOf, filterConditions } from './filters.js';
import {
  boolParam,
  idParam,
  newIdParam,
  toGrantedQualification,
  toQualification,
  toWorkerReview,
} from './row-mapping.js';
import {
  nowMs,
  requireIdParam,
  requireRow,
  translateWriteError,
  withFreshIds,
  type StoreContext,
} from './store-context.js';
import { requireFinite, requireInteger, requireName } from './validate.js';

// --- qualifications ---------------------------------------------------------------------------------

export async function createQualification(
  ctx: StoreContext,
  qualification: { name: string; description?: string | null },
): Promise<Qualification> {
  requireName(qualification.name, 'qualification name');
  return withFreshIds(async () => {
    try {
      const row = await ctx.backend.autocommit((db) =>
        db
          .insertInto('qualifications')
          .values({
            qualification_id: newIdParam(ctx.ids),
            qualification_name: qualification.name,
            description: qualification.description ?? null,
            creation_date: nowMs(ctx),
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      return toQualification(row);
    } catch (error) {
      throw translateWriteError(
        error,
        () => new AlreadyExistsError('qualification', qualification.name),
        'qualification',
        qualification.name,
      );
    }
  });
}

export async function getQualification(ctx: StoreContext, id: string): Promise<Qualification> {
  const row = await ctx.db
    .selectFrom('qualifications')
    .selectAll()
    .where('qualification_id', '=', requireIdParam('qualification', id))
    .executeTakeFirst();
  if (!row) throw new NotFoundError('qualification', id);
  return toQualification(row);
}

export async function findQualifications(
  ctx: StoreContext,
  filter?: { name?: string },
): Promise<Qualification[]> {
  const where = filterConditions(ctx.dialect, { name: ['qualification_name', 'text'] }, filter);
  if (where === null) return [];
  const rows = await ctx.db
    .selectFrom('qualifications')
    .selectAll()
    .$if(where.length > 0, (qb) => qb.where(allOf(where)))
    .orderBy('creation_date')
    .orderBy('qualification_id')
    .execute();
  return rows.map(toQualification);
}

export async function updateQualification(
  ctx: StoreContext,
  id: string,
  change: { name?: string; description?: string | null },
): Promise<Qualification> {
  if (change.name !== undefined) requireName(change.name, 'qualification name');
  const qualificationId = requireIdParam('qualification', id);
  const set = {
    ...(change.name !== undefined ? { qualification_name: change.name } : {}),
    ...(change.description !== undefined ? { description: change.description } : {}),
  };
  if (Object.keys(set).length === 0) return getQualification(ctx, id);
  try {
    const row = await ctx.backend.autocommit((db) =>
      db
        .updateTable('qualifications')
        .set(set)
        .where('qualification_id', '=', qualificationId)
        .returningAll()
        .executeTakeFirst(),
    );
    if (!row) throw new NotFoundError('qualification', id);
    return toQualification(row);
  } catch (error) {
    throw translateWriteError(
      error,
      () => new AlreadyExistsError('qualification', change.name ?? id),
      'qualification',
      id,
    );
  }
}

export async function deleteQualification(ctx: StoreContext, id: string): Promise<void> {
  const qualificationId = requireIdParam('qualification', id);
  await ctx.backend.transaction(async (trx) => {
    await trx.deleteFrom('granted_qualifications').where('qualification_id', '=', qualificationId).execute();
    const deleted = await trx
      .deleteFrom('qualifications')
      .where('qualification_id', '=', qualificationId)
      .executeTakeFirst();
    // Throwing rolls back the (empty) grant deletion too.
    if (deleted.numDeletedRows === 0n) throw new NotFoundError('qualification', id);
  });
}

// --- grants -----------------------------------------------------------------------------------------

export async function grantQualification(
  ctx: StoreContext,
  grant: { qualificationId: string; workerId: string; value?: number },
): Promise<GrantedQualification> {
  const value = requireInteger(grant.value ?? 1, 'qualification value');
  return withFreshIds(() =>
    ctx.backend.transaction(async (trx) => {
      const qualificationId = await requireRow(trx, 'qualifications', grant.qualificationId);
      const workerId = await requireRow(trx, 'workers', grant.workerId);
      const now = nowMs(ctx);
      // One statement so that concurrent grants cannot both insert: the loser of the race on the
      // (worker, qualification) key turns into an update. The WHERE keeps a same-value re-grant from
      // touching update_date; it then returns no row and the existing grant is read back.
      const upserted = await trx
        .insertInto('granted_qualifications')
        .values({
          granted_qualification_id: newIdParam(ctx.ids),
          worker_id: workerId,
          qualification_id: qualificationId,
          value,
          update_date: now,
          creation_date: now,
        })
        .onConflict((oc) =>
          oc
            .columns(['worker_id', 'qualification_id'])
            .doUpdateSet({ value, update_date: now })
            .where('granted_qualifications.value', '<>', value),
        )
        .returningAll()
        .executeTakeFirst()
        .catch((error: unknown) => {
          // A qualification deleted meanwhile by another connection.
          throw translateWriteError(error, undefined, 'qualification', grant.qualificationId);
        });
      if (upserted) return toGrantedQualification(upserted);
      const existing = await trx
        .selectFrom('granted_qualifications')
        .selectAll()
        .where('worker_id', '=', workerId)
        .where('qualification_id', '=', qualificationId)
        .executeTakeFirstOrThrow();
      return toGrantedQualification(existing);
    }),
  );
}

export async function getGrantedQualification(
  ctx: StoreContext,
  qualificationId: string,
  workerId: string,
): Promise<GrantedQualification> {
  const q = idParam(qualificationId);
  const w = idParam(workerId);
  const row =
    q === undefined || w === undefined
      ? undefined
      : await ctx.db
          .selectFrom('granted_qualifications')
          .selectAll()
          .where('qualification_id', '=', q)
          .where('worker_id', '=', w)
          .executeTakeFirst();
  if (!row) {
    throw new NotFoundError(
      'granted_qualification',
      `${qualificationId}:${workerId}`,
      `worker ${workerId} has no grant of qualification ${qualificationId}`,
    );
  }
  return toGrantedQualification(row);
}

export async function findGrantedQualifications(
  ctx: StoreContext,
  filter?: { qualificationId?: string; workerId?: string; value?: number },
): Promise<GrantedQualification[]> {
  const where = filterConditions(
    ctx.dialect,
    { qualificationId: ['qualification_id', 'id'], workerId: ['worker_id', 'id'], value: ['value', 'int'] },
    filter,
  );
  if (where === null) return [];
  const rows = await ctx.db
    .selectFrom('granted_qualifications')
    .selectAll()
    .$if(where.length > 0, (qb) => qb.where(allOf(where)))
    .orderBy('creation_date')
    .orderBy('granted_qualification_id')
    .execute();
  return rows.map(toGrantedQualification);
}

export async function revokeQualification(
  ctx: StoreContext,
  qualificationId: string,
  workerId: string,
): Promise<boolean> {
  const q = idParam(qualificationId);
  const w = idParam(workerId);
  if (q === undefined || w === undefined) return false;
  const result = await ctx.backend.autocommit((db) =>
    db
      .deleteFrom('granted_qualifications')
      .where('qualification_id', '=', q)
      .where('worker_id', '=', w)
      .executeTakeFirst(),
  );
  return result.numDeletedRows > 0n;
}

// --- worker reviews ---------------------------------------------------------------------------------

export async function createWorkerReview(ctx: StoreContext, review: NewWorkerReview): Promise<WorkerReview> {
  const bonus = review.bonus == null ? null : requireFinite(review.bonus, 'bonus');
  const value = review.value == null ? null : requireInteger(review.value, 'value');
  const qualificationId =
    review.qualificationId == null ? null : requireIdParam('qualification', review.qualificationId);
  return withFreshIds(() =>
    ctx.backend.transaction(async (trx) => {
      const workerId = await requireRow(trx, 'workers', review.workerId);
      const unitId = review.unitId == null ? null : await requireRow(trx, 'units', review.unitId);
      const taskId = review.taskId == null ? null : await requireRow(trx, 'tasks', review.taskId);
      const row = await trx
        .insertInto('worker_review')
        .values({
          id: newIdParam(ctx.ids),
          unit_id: unitId,
          worker_id: workerId,
          task_id: taskId,
          status: review.status ?? null,
          review_note: review.reviewNote ?? null,
          bonus,
          blocked_worker: boolParam(ctx.dialect, review.blockedWorker ?? false),
          updated_qualification_id: review.revoke ? null : qualificationId,
          updated_qualification_value: review.revoke ? null : value,
          revoked_qualification_id: review.revoke ? qualificationId : null,
          creation_date: nowMs(ctx),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toWorkerReview(row);
    }),
  );
}

export async function findWorkerReviews(
  ctx: StoreContext,
  filter?: { workerId?: string; unitId?: string; taskId?: string },
): Promise<WorkerReview[]> {
  const where = filterConditions(
    ctx.dialect,
    { workerId: ['worker_id', 'id'], unitId: ['unit_id', 'id'], taskId: ['task_id', 'id'] },
    filter,
  );
  if (where === null) return [];
  const rows = await ctx.db
    .selectFrom('worker_review')
    .selectAll()
    .$if(where.length > 0, (qb) => qb.where(allOf(where)))
    .orderBy('creation_date')
    .orderBy('id')
    .execute();
  return rows.map(toWorkerReview);
}
