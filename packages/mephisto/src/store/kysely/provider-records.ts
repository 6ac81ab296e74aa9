/**
 * Providers' own records (table `provider_records`): JSON under (provider type, kind, key). Writes are
 * single statements, so a concurrent insert of one key has exactly one winner on either database.
 */
import type { Selectable } from 'kysely';
import { InvalidArgumentError } from '../../core/index.js';
import type { NewProviderRecord, ProviderRecord, ProviderRecordFilter } from '../store.js';
import { dateOut, idOrNullOut, idParam, jsonIn } from './row-mapping.js';
import type { LedgerTables, ProviderRecordsTable } from './schema.js';
import { nowMs, translateWriteError, type StoreContext } from './store-context.js';

function db(ctx: StoreContext) {
  return ctx.db.withTables<LedgerTables>();
}

function toRecord(row: Selectable<ProviderRecordsTable>): ProviderRecord {
  return {
    providerType: row.provider_type,
    kind: row.kind,
    key: row.record_key,
    taskRunId: idOrNullOut(row.task_run_id),
    unitId: idOrNullOut(row.unit_id),
    data: JSON.parse(row.data) as unknown,
    createdAt: dateOut(row.creation_date),
    updatedAt: dateOut(row.update_date),
  };
}

function requireName(value: string, argument: string): string {
  if (typeof value !== 'string' || value === '')
    throw new InvalidArgumentError(`${argument} must be a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}

/** An optional id reference as a parameter; an id that is not a decimal id is refused. */
function optionalId(value: string | null | undefined, argument: string): bigint | null {
  if (value === undefined || value === null) return null;
  const id = idParam(value);
  if (id === undefined)
    throw new InvalidArgumentError(`${argument} must be an id, got ${JSON.stringify(value)}`);
  return id;
}

function rowOf(ctx: StoreContext, record: NewProviderRecord) {
  const data = jsonIn(record.data, 'data');
  if (data === null) throw new InvalidArgumentError('data must be a JSON value other than null');
  const now = nowMs(ctx);
  return {
    provider_type: requireName(record.providerType, 'providerType'),
    kind: requireName(record.kind, 'kind'),
    record_key: requireName(record.key, 'key'),
    task_run_id: optionalId(record.taskRunId, 'taskRunId'),
    unit_id: optionalId(record.unitId, 'unitId'),
    data,
    creation_date: now,
    update_date: now,
  };
}

/** A write whose run reference is missing → NotFound(task_run). */
async function guardReferences<T>(record: NewProviderRecord, write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    throw translateWriteError(error, undefined, 'task_run', String(record.taskRunId));
  }
}

export async function putProviderRecord(
  ctx: StoreContext,
  record: NewProviderRecord,
): Promise<ProviderRecord> {
  const row = rowOf(ctx, record);
  const stored = await guardReferences(
    record,
    db(ctx)
      .insertInto('provider_records')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['provider_type', 'kind', 'record_key']).doUpdateSet({
          task_run_id: row.task_run_id,
          unit_id: row.unit_id,
          data: row.data,
          update_date: row.update_date,
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  return toRecord(stored);
}

export async function insertProviderRecord(
  ctx: StoreContext,
  record: NewProviderRecord,
): Promise<{ created: boolean; record: ProviderRecord }> {
  const row = rowOf(ctx, record);
  const inserted = await guardReferences(
    record,
    db(ctx)
      .insertInto('provider_records')
      .values(row)
      .onConflict((oc) => oc.columns(['provider_type', 'kind', 'record_key']).doNothing())
      .returningAll()
      .executeTakeFirst(),
  );
  if (inserted) return { created: true, record: toRecord(inserted) };
  const existing = await getProviderRecord(ctx, row.provider_type, row.kind, row.record_key);
  // Deleted between the two statements: the caller may try again; report it as not created.
  if (existing === null) return insertProviderRecord(ctx, record);
  return { created: false, record: existing };
}

export async function getProviderRecord(
  ctx: StoreContext,
  providerType: string,
  kind: string,
  key: string,
): Promise<ProviderRecord | null> {
  const row = await db(ctx)
    .selectFrom('provider_records')
    .selectAll()
    .where('provider_type', '=', providerType)
    .where('kind', '=', kind)
    .where('record_key', '=', key)
    .executeTakeFirst();
  return row ? toRecord(row) : null;
}

export async function findProviderRecords(
  ctx: StoreContext,
  filter: ProviderRecordFilter,
): Promise<ProviderRecord[]> {
  const runId = filter.taskRunId === undefined ? undefined : idParam(filter.taskRunId);
  const unitId = filter.unitId === undefined ? undefined : idParam(filter.unitId);
  // An id that is not an id matches nothing (as the other find* calls answer).
  if (
    (filter.taskRunId !== undefined && runId === undefined) ||
    (filter.unitId !== undefined && unitId === undefined)
  )
    return [];
  let query = db(ctx)
    .selectFrom('provider_records')
    .selectAll()
    .where('provider_type', '=', filter.providerType);
  if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
  if (runId !== undefined) query = query.where('task_run_id', '=', runId);
  if (unitId !== undefined) query = query.where('unit_id', '=', unitId);
  const rows = await query.orderBy('creation_date').orderBy('record_key').execute();
  return rows.map(toRecord);
}

export async function deleteProviderRecord(
  ctx: StoreContext,
  providerType: string,
  kind: string,
  key: string,
): Promise<boolean> {
  const result = await db(ctx)
    .deleteFrom('provider_records')
    .where('provider_type', '=', providerType)
    .where('kind', '=', kind)
    .where('record_key', '=', key)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
