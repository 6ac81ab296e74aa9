/**
 * The payments ledger (table `payments`). A reservation is one transaction: the run's row is locked
 * (PostgreSQL; SQLite has one writer), its spend is summed, and the new entries are written only when
 * they fit the budget, so two concurrent payments can never both pass a budget that fits one.
 */
import type { Kysely, Selectable } from 'kysely';
import { BudgetExceededError, InvalidArgumentError, NotFoundError } from '../../core/index.js';
import type {
  NewPayment,
  Payment,
  PaymentKind,
  PaymentReservation,
  PaymentSettlement,
  PaymentStatus,
  RunSpendTotals,
} from '../store.js';
import { dateOut, idOrNullOut, idOut, idParam, intOut, newIdParam } from './row-mapping.js';
import type { LedgerTables, PaymentsTable } from './schema.js';
import { nowMs, withFreshIds, type StoreContext } from './store-context.js';

const KINDS: ReadonlySet<string> = new Set<PaymentKind>(['reward', 'bonus', 'fee']);
const SETTLED: ReadonlySet<string> = new Set<PaymentStatus>(['paid', 'manual', 'failed']);
/** Statuses that count as spend (and against a budget). */
const SPENDING: readonly PaymentStatus[] = ['pending', 'paid', 'manual'];
/** Keys per statement: well under SQLite's and PostgreSQL's parameter limits. */
const KEY_CHUNK = 500;

function toPayment(row: Selectable<PaymentsTable>): Payment {
  return {
    id: idOut(row.payment_id),
    taskRunId: idOut(row.task_run_id),
    unitId: idOrNullOut(row.unit_id),
    workerId: idOrNullOut(row.worker_id),
    kind: row.kind as PaymentKind,
    amountCents: intOut(row.amount_cents),
    idempotencyKey: row.idempotency_key,
    providerType: row.provider_type,
    providerReference: row.provider_reference,
    status: row.status as PaymentStatus,
    note: row.note,
    createdAt: dateOut(row.creation_date),
    updatedAt: dateOut(row.update_date),
  };
}

function optionalId(value: string | null | undefined, entity: 'unit' | 'worker'): bigint | null {
  if (value === undefined || value === null) return null;
  const id = idParam(value);
  if (id === undefined) throw new NotFoundError(entity, value);
  return id;
}

function checkEntry(entry: NewPayment, index: number): void {
  const at = `entries[${index}]`;
  if (!KINDS.has(entry.kind))
    throw new InvalidArgumentError(
      `${at}.kind must be reward, bonus or fee, got ${JSON.stringify(entry.kind)}`,
    );
  if (!Number.isSafeInteger(entry.amountCents) || entry.amountCents <= 0)
    throw new InvalidArgumentError(
      `${at}.amountCents must be a positive whole number of cents, got ${String(entry.amountCents)}`,
    );
  if (
    typeof entry.idempotencyKey !== 'string' ||
    entry.idempotencyKey === '' ||
    entry.idempotencyKey.length > 200
  )
    throw new InvalidArgumentError(`${at}.idempotencyKey must be 1–200 characters`);
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += KEY_CHUNK) out.push(items.slice(i, i + KEY_CHUNK));
  return out;
}

export async function reservePayments(
  ctx: StoreContext,
  reservation: PaymentReservation,
): Promise<Payment[]> {
  const { entries, budgetCents, providerType, taskRunId } = reservation;
  entries.forEach(checkEntry);
  const keys = entries.map((e) => e.idempotencyKey);
  if (new Set(keys).size !== keys.length)
    throw new InvalidArgumentError('entries must not repeat an idempotencyKey');
  if (budgetCents !== null && (!Number.isSafeInteger(budgetCents) || budgetCents < 0))
    throw new InvalidArgumentError(
      `budgetCents must be null or a whole number ≥ 0, got ${String(budgetCents)}`,
    );
  const runId = idParam(taskRunId);
  if (runId === undefined) throw new NotFoundError('task_run', taskRunId);
  if (entries.length === 0) {
    await requireRun(ctx, runId, taskRunId);
    return [];
  }
  return withFreshIds(() =>
    ctx.backend.transaction(async (trx) => {
      const tx = trx.withTables<LedgerTables>();
      // Locks the run: concurrent reservations of one run queue here on PostgreSQL.
      const run = await tx
        .selectFrom('task_runs')
        .select('task_run_id')
        .where('task_run_id', '=', runId)
        .$if(ctx.dialect === 'postgres', (qb) => qb.forUpdate())
        .executeTakeFirst();
      if (!run) throw new NotFoundError('task_run', taskRunId);
      const existing = await rowsByKey(tx, keys);
      for (const entry of entries) {
        const row = existing.get(entry.idempotencyKey);
        if (row === undefined) continue;
        if (
          idOut(row.task_run_id) !== taskRunId ||
          row.kind !== entry.kind ||
          intOut(row.amount_cents) !== entry.amountCents
        )
          throw new InvalidArgumentError(
            `payment key ${entry.idempotencyKey} is already in the ledger for another payment ` +
              `(${row.kind} of ${intOut(row.amount_cents)} cents, run ${idOut(row.task_run_id)})`,
          );
      }
      const fresh = entries.filter((e) => !existing.has(e.idempotencyKey));
      const revived = [...existing.values()].filter((row) => row.status === 'failed');
      const requested =
        fresh.reduce((sum, e) => sum + e.amountCents, 0) +
        revived.reduce((sum, row) => sum + intOut(row.amount_cents), 0);
      if (budgetCents !== null && requested > 0) {
        const spent = await tx
          .selectFrom('payments')
          .select((eb) => eb.fn.sum<string | number | bigint | null>('amount_cents').as('total'))
          .where('task_run_id', '=', runId)
          .where('status', 'in', SPENDING)
          .executeTakeFirst();
        const spentCents = spent?.total == null ? 0 : Number(spent.total);
        if (spentCents + requested > budgetCents)
          throw new BudgetExceededError(taskRunId, budgetCents, spentCents, requested);
      }
      const now = nowMs(ctx);
      if (fresh.length > 0)
        await tx
          .insertInto('payments')
          .values(
            fresh.map((e) => ({
              payment_id: newIdParam(ctx.ids),
              task_run_id: runId,
              unit_id: optionalId(e.unitId, 'unit'),
              worker_id: optionalId(e.workerId, 'worker'),
              kind: e.kind,
              amount_cents: e.amountCents,
              idempotency_key: e.idempotencyKey,
              provider_type: providerType,
              provider_reference: null,
              status: 'pending',
              note: null,
              creation_date: now,
              update_date: now,
            })),
          )
          .execute();
      if (revived.length > 0)
        await tx
          .updateTable('payments')
          .set({ status: 'pending', note: null, update_date: now })
          .where(
            'idempotency_key',
            'in',
            revived.map((row) => row.idempotency_key),
          )
          .execute();
      const stored = await rowsByKey(tx, keys);
      return keys.flatMap((key) => {
        const row = stored.get(key);
        return row === undefined ? [] : [toPayment(row)];
      });
    }),
  );
}

/** The ledger rows with these keys, by key. */
async function rowsByKey(
  tx: Kysely<LedgerTables>,
  keys: readonly string[],
): Promise<Map<string, Selectable<PaymentsTable>>> {
  const out = new Map<string, Selectable<PaymentsTable>>();
  for (const part of chunks(keys)) {
    const rows = await tx.selectFrom('payments').selectAll().where('idempotency_key', 'in', part).execute();
    for (const row of rows) out.set(row.idempotency_key, row);
  }
  return out;
}

async function requireRun(ctx: StoreContext, runId: bigint, taskRunId: string): Promise<void> {
  const run = await ctx.db
    .selectFrom('task_runs')
    .select('task_run_id')
    .where('task_run_id', '=', runId)
    .executeTakeFirst();
  if (!run) throw new NotFoundError('task_run', taskRunId);
}

export async function settlePayments(
  ctx: StoreContext,
  idempotencyKeys: readonly string[],
  outcome: PaymentSettlement,
): Promise<Payment[]> {
  if (!SETTLED.has(outcome.status))
    throw new InvalidArgumentError(
      `status must be paid, manual or failed, got ${JSON.stringify(outcome.status)}`,
    );
  if (idempotencyKeys.length === 0) return [];
  const now = nowMs(ctx);
  const out: Payment[] = [];
  for (const part of chunks([...new Set(idempotencyKeys)])) {
    const rows = await ctx.db
      .withTables<LedgerTables>()
      .updateTable('payments')
      .set({
        status: outcome.status,
        update_date: now,
        note: outcome.note ?? null,
        // A settlement without a reference keeps the one recorded before.
        ...(outcome.providerReference == null ? {} : { provider_reference: outcome.providerReference }),
      })
      .where('idempotency_key', 'in', part)
      .returningAll()
      .execute();
    out.push(...rows.map(toPayment));
  }
  return out;
}

export async function findPayments(
  ctx: StoreContext,
  filter: { taskRunId?: string; workerId?: string; unitId?: string; status?: PaymentStatus } = {},
): Promise<Payment[]> {
  const ids: Partial<Record<'task_run_id' | 'worker_id' | 'unit_id', bigint>> = {};
  for (const [column, value] of [
    ['task_run_id', filter.taskRunId],
    ['worker_id', filter.workerId],
    ['unit_id', filter.unitId],
  ] as const) {
    if (value === undefined) continue;
    const id = idParam(value);
    if (id === undefined) return [];
    ids[column] = id;
  }
  let query = ctx.db.withTables<LedgerTables>().selectFrom('payments').selectAll();
  if (ids.task_run_id !== undefined) query = query.where('task_run_id', '=', ids.task_run_id);
  if (ids.worker_id !== undefined) query = query.where('worker_id', '=', ids.worker_id);
  if (ids.unit_id !== undefined) query = query.where('unit_id', '=', ids.unit_id);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  const rows = await query.orderBy('payment_id').execute();
  return rows.map(toPayment);
}

interface TotalsRow {
  task_run_id: string | number | bigint;
  status: string;
  kind: string;
  total: string | number | bigint | null;
}

export async function sumPayments(
  ctx: StoreContext,
  taskRunIds?: readonly string[],
): Promise<RunSpendTotals[]> {
  let runIds: bigint[] | undefined;
  if (taskRunIds !== undefined) {
    runIds = taskRunIds.map((id) => idParam(id)).filter((id): id is bigint => id !== undefined);
    if (runIds.length === 0) return [];
  }
  let query = ctx.db
    .withTables<LedgerTables>()
    .selectFrom('payments')
    .select(['task_run_id', 'status', 'kind'])
    .select((eb) => eb.fn.sum<string | number | bigint | null>('amount_cents').as('total'))
    .groupBy(['task_run_id', 'status', 'kind']);
  if (runIds !== undefined) query = query.where('task_run_id', 'in', runIds);
  const rows = (await query.execute()) as TotalsRow[];
  const byRun = new Map<string, RunSpendTotals>();
  for (const row of rows) {
    const id = String(row.task_run_id);
    let totals = byRun.get(id);
    if (totals === undefined) {
      totals = {
        taskRunId: id,
        paidCents: 0,
        pendingCents: 0,
        manualCents: 0,
        failedCents: 0,
        rewardCents: 0,
        bonusCents: 0,
        feeCents: 0,
      };
      byRun.set(id, totals);
    }
    const cents = row.total == null ? 0 : Number(row.total);
    if (row.status === 'paid') totals.paidCents += cents;
    else if (row.status === 'pending') totals.pendingCents += cents;
    else if (row.status === 'manual') totals.manualCents += cents;
    else totals.failedCents += cents;
    if (row.status === 'failed') continue;
    if (row.kind === 'reward') totals.rewardCents += cents;
    else if (row.kind === 'bonus') totals.bonusCents += cents;
    else totals.feeCents += cents;
  }
  return [...byRun.values()].sort((a, b) => (BigInt(a.taskRunId) < BigInt(b.taskRunId) ? -1 : 1));
}
