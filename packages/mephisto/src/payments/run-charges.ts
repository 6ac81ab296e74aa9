/**
 * What a review action costs, as ledger entries: an approval (or soft rejection) pays the unit's reward,
 * a bonus its amount, each with the platform's fee beside it. The entries' keys derive from the
 * provider call's idempotency key, so a retried delivery reserves the same entries, never new ones.
 */
import type { Unit, Worker } from '../core/index.js';
import type { CrowdProvider, ProviderChargeKind } from '../providers/crowd-provider.js';
import type { NewPayment } from '../store/store.js';
import { toCents } from './money.js';

export interface ChargeRequest {
  readonly provider: CrowdProvider;
  readonly kind: ProviderChargeKind;
  /** Dollars. */
  readonly amount: number;
  readonly unit: Unit | null;
  readonly worker: Worker | null;
  /** The provider call's idempotency key. */
  readonly idempotencyKey: string;
}

/** The ledger entries of one charge: the payment and its fee (none for zero amounts). */
export function chargeEntries(request: ChargeRequest): NewPayment[] {
  const cents = toCents(request.amount);
  if (cents <= 0) return [];
  const base = { unitId: request.unit?.id ?? null, workerId: request.worker?.id ?? null };
  const entries: NewPayment[] = [
    {
      ...base,
      kind: request.kind,
      amountCents: cents,
      idempotencyKey: `${request.idempotencyKey}:${request.kind}`,
    },
  ];
  const fee = toCents(request.provider.feeFor?.(request.amount, request.kind) ?? 0);
  if (fee > 0)
    entries.push({ ...base, kind: 'fee', amountCents: fee, idempotencyKey: `${request.idempotencyKey}:fee` });
  return entries;
}

/** What one unit can cost when it is approved: its reward and the fee on it, whole cents. */
export function unitCostCents(provider: CrowdProvider, reward: number): number {
  if (reward <= 0) return 0;
  return toCents(reward) + toCents(provider.feeFor?.(reward, 'reward') ?? 0);
}
