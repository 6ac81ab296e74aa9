/** Blocks of workers recorded by mephisto-ts, for every requester or one (table `worker_blocks`). */
import type { Selectable } from 'kysely';
import { NotFoundError } from '../../core/index.js';
import type { WorkerBlock } from '../store.js';
import { allOf, filterConditions } from './filters.js';
import { dateOut, idOrNullOut, idOut, newIdParam } from './row-mapping.js';
import type { WorkerBlocksTable } from './schema.js';
import { nowMs, requireIdParam, requireRow, withFreshIds, type StoreContext } from './store-context.js';

function toWorkerBlock(row: Selectable<WorkerBlocksTable>): WorkerBlock {
  return {
    id: idOut(row.block_id),
    workerId: idOut(row.worker_id),
    requesterId: idOrNullOut(row.requester_id),
    reason: row.reason,
    creationDate: dateOut(row.creation_date),
  };
}

export async function blockWorker(
  ctx: StoreContext,
  block: { workerId: string; requesterId?: string | null; reason?: string | null },
): Promise<WorkerBlock> {
  return withFreshIds(() =>
    ctx.backend.transaction(async (trx) => {
      const workerId = requireIdParam('worker', block.workerId);
      // Locking the worker serialises two blocks of the same worker on PostgreSQL (one row per scope).
      const worker = await trx
        .selectFrom('workers')
        .select('worker_id')
        .where('worker_id', '=', workerId)
        .$if(ctx.dialect === 'postgres', (qb) => qb.forUpdate())
        .executeTakeFirst();
      if (!worker) throw new NotFoundError('worker', block.workerId);
      const requesterId =
        block.requesterId == null ? null : await requireRow(trx, 'requesters', block.requesterId);
      const existing = await trx
        .selectFrom('worker_blocks')
        .selectAll()
        .where('worker_id', '=', workerId)
        .where('requester_id', requesterId === null ? 'is' : '=', requesterId)
        .orderBy('block_id')
        .executeTakeFirst();
      if (existing) return toWorkerBlock(existing);
      const row = await trx
        .insertInto('worker_blocks')
        .values({
          block_id: newIdParam(ctx.ids),
          worker_id: workerId,
          requester_id: requesterId,
          reason: block.reason ?? null,
          creation_date: nowMs(ctx),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toWorkerBlock(row);
    }),
  );
}

export async function unblockWorker(
  ctx: StoreContext,
  workerId: string,
  requesterId?: string | null,
): Promise<boolean> {
  const worker = requireIdParam('worker', workerId);
  const requester = requesterId == null ? null : requireIdParam('requester', requesterId);
  const result = await ctx.backend.autocommit((db) =>
    db
      .deleteFrom('worker_blocks')
      .where('worker_id', '=', worker)
      .where('requester_id', requester === null ? 'is' : '=', requester)
      .executeTakeFirst(),
  );
  return Number(result.numDeletedRows) > 0;
}

export async function isWorkerBlocked(
  ctx: StoreContext,
  workerId: string,
  requesterId?: string | null,
): Promise<boolean> {
  const worker = requireIdParam('worker', workerId);
  const requester = requesterId == null ? null : requireIdParam('requester', requesterId);
  const row = await ctx.db
    .selectFrom('worker_blocks')
    .select('block_id')
    .where('worker_id', '=', worker)
    .where((eb) =>
      requester === null
        ? eb('requester_id', 'is', null)
        : eb.or([eb('requester_id', 'is', null), eb('requester_id', '=', requester)]),
    )
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function findWorkerBlocks(
  ctx: StoreContext,
  filter?: { workerId?: string; requesterId?: string | null },
): Promise<WorkerBlock[]> {
  const where = filterConditions(
    ctx.dialect,
    { workerId: ['worker_id', 'id'], requesterId: ['requester_id', 'id'] },
    filter,
  );
  if (where === null) return [];
  const rows = await ctx.db
    .selectFrom('worker_blocks')
    .selectAll()
    .$if(where.length > 0, (qb) => qb.where(allOf(where)))
    .orderBy('creation_date')
    .orderBy('block_id')
    .execute();
  return rows.map(toWorkerBlock);
}
