/**
 * Payments made on the platform outside a review: MTurk approves submitted work on its own after the
 * auto-approval delay (and a requester can approve in MTurk's own UI); Prolific can auto-approve, or the
 * researcher approves in its app. The money moved, but no review action filled the ledger, so each
 * provider's `reconcileRun` records such an approval as `paid` here: the reward and the platform's fee,
 * under keys derived from the platform's id of the work (`<provider type>:approved:<assignment or
 * submission id>`, then `:reward` / `:fee`), so reconciling again adds nothing.
 *
 * **Counted once with reviews.** A unit's work is paid at most once, whichever path records it first:
 * - reconcile skips work whose unit already has a reward in the ledger (not failed) for the same worker,
 *   recorded since the agent took the unit (a review approved it through mephisto-ts, or is doing so:
 *   a `pending` reward counts);
 * - a review approving work reconcile already recorded reserves nothing (`rewardRecordedElsewhere`,
 *   used by review/provider-delivery.ts): the provider's approval finds the work approved and is done.
 *
 * The remaining race: a reconcile and a review of the same unit at the same moment can both find no
 * reward and both record one. Reconcile runs when a run starts, resumes or shuts down, not while
 * reviewers work on it as a rule; `mephisto runs` then shows the reward twice, and the duplicate (the
 * `…:approved:…` pair) is to be marked by hand. Closing it would need the two paths to share one key
 * per unit and agent.
 */
import type { Agent, Unit } from '../core/index.js';
import type { NewPayment, Payment, Store } from '../store/store.js';

/** The ledger calls reconcile needs (a full Store has them). */
export type PlatformLedger = Pick<Store, 'reservePayments' | 'settlePayments' | 'findPayments'>;

/** The ledger part of `store`, when it has one (provider tests may pass provider records only). */
export function platformLedgerOf(store: Partial<PlatformLedger>): PlatformLedger | null {
  const { reservePayments, settlePayments, findPayments } = store;
  if (reservePayments === undefined || settlePayments === undefined || findPayments === undefined)
    return null;
  return {
    reservePayments: reservePayments.bind(store),
    settlePayments: settlePayments.bind(store),
    findPayments: findPayments.bind(store),
  };
}

/** The keys of a platform approval's entries. */
export function platformApprovalKey(providerType: string, platformId: string): string {
  return `${providerType}:approved:${platformId}`;
}

/** Work the platform approved, to be recorded as paid. */
export interface PlatformApproval {
  /** The platform's id of the work (MTurk assignment, Prolific submission): the entries' reference. */
  readonly platformId: string;
  /** The unit and worker the work was for; null when no agent of the store is known for it. */
  readonly unitId: string | null;
  readonly workerId: string | null;
  /** When the agent took the unit (a reward of the unit recorded since then is this work's). */
  readonly since: Date | null;
  /** What the platform paid, and its fee on it, whole cents. */
  readonly rewardCents: number;
  readonly feeCents: number;
  /** Why the entries exist, for the requester (`approved on MTurk (auto-approval …)`). */
  readonly note: string;
}

/**
 * What happened to one approval: `recorded` now, `already` recorded by an earlier reconcile, or
 * `reviewed` (the ledger has its reward from a review).
 */
export type PlatformApprovalOutcome = 'recorded' | 'already' | 'reviewed';

/**
 * Whether the ledger already has a reward for this work, other than under `ownKey`: one of the unit,
 * to the same worker, not failed, recorded since the agent took the unit.
 */
export function rewardOfWork(
  payments: readonly Payment[],
  work: { unitId: string; workerId: string | null; since: Date | null },
  ownKey: string,
): boolean {
  return payments.some(
    (p) =>
      p.kind === 'reward' &&
      p.status !== 'failed' &&
      p.unitId === work.unitId &&
      p.idempotencyKey !== ownKey &&
      (work.workerId === null || p.workerId === work.workerId) &&
      (work.since === null || p.createdAt.getTime() >= work.since.getTime()),
  );
}

/**
 * For a review about to pay a unit's reward under `rewardKey`: whether the agent's work is already paid
 * in the ledger under another key (recorded by reconcile as approved on the platform).
 */
export async function rewardRecordedElsewhere(
  ledger: Pick<Store, 'findPayments'>,
  unit: Unit,
  agent: Agent,
  rewardKey: string,
): Promise<boolean> {
  const payments = await ledger.findPayments({ unitId: unit.id });
  return rewardOfWork(
    payments,
    { unitId: unit.id, workerId: agent.workerId, since: agent.creationDate },
    rewardKey,
  );
}

/** Records a run's platform approvals, reading the run's ledger once. */
export class PlatformApprovalRecorder {
  #payments: Promise<Payment[]> | undefined;

  constructor(
    private readonly ledger: PlatformLedger,
    private readonly taskRunId: string,
    private readonly providerType: string,
  ) {}

  /** Whether the ledger has a reward, not failed, that names this platform id as its reference. */
  async referenced(platformId: string): Promise<boolean> {
    return (await this.#read()).some(
      (p) => p.kind === 'reward' && p.status !== 'failed' && p.providerReference === platformId,
    );
  }

  /**
   * Records the approval's reward and fee as `paid`, unless an earlier reconcile did (`already`; also
   * for a reward of nothing) or a review's reward is the payment (`reviewed`).
   */
  async record(approval: PlatformApproval): Promise<PlatformApprovalOutcome> {
    const key = platformApprovalKey(this.providerType, approval.platformId);
    const rewardKey = `${key}:reward`;
    const payments = await this.#read();
    const own = payments.find((p) => p.idempotencyKey === rewardKey);
    if (own?.status === 'paid' || approval.rewardCents <= 0) return 'already';
    // A reward of this work from a review (or pending in one): the review's entries are the payment.
    if (own === undefined && approval.unitId !== null) {
      const work = { unitId: approval.unitId, workerId: approval.workerId, since: approval.since };
      if (rewardOfWork(payments, work, rewardKey)) return 'reviewed';
    }
    const base = { unitId: approval.unitId, workerId: approval.workerId };
    const entries: NewPayment[] = [
      { ...base, kind: 'reward', amountCents: approval.rewardCents, idempotencyKey: rewardKey },
    ];
    if (approval.feeCents > 0)
      entries.push({ ...base, kind: 'fee', amountCents: approval.feeCents, idempotencyKey: `${key}:fee` });
    // No budget: the money has moved already, so it is recorded whatever the budget says. A crash
    // between the two calls leaves the entries pending; the next reconcile settles them.
    await this.ledger.reservePayments({
      taskRunId: this.taskRunId,
      providerType: this.providerType,
      budgetCents: null,
      entries,
    });
    const settled = await this.ledger.settlePayments(
      entries.map((e) => e.idempotencyKey),
      { status: 'paid', providerReference: approval.platformId, note: approval.note },
    );
    const keys = new Set(settled.map((p) => p.idempotencyKey));
    this.#payments = Promise.resolve([...payments.filter((p) => !keys.has(p.idempotencyKey)), ...settled]);
    return 'recorded';
  }

  #read(): Promise<Payment[]> {
    this.#payments ??= this.ledger.findPayments({ taskRunId: this.taskRunId });
    return this.#payments;
  }
}
