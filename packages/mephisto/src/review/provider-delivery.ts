/**
 * The provider's part of a review action, always after the store's: the action is recorded with its
 * idempotency key and delivery `pending` in the transaction that applies it; then the provider is
 * called with that key; then its answer is recorded (`done`, `manual`, or `failed` with the reason).
 *
 * Why this order never pays twice: a crash before the provider call leaves `pending`, and the next
 * delivery (a retry of the request with the same key, or {@link ProviderDelivery.resumePending} when a
 * review server starts) calls the provider with the same key, which the provider honours (the port's
 * contract: MTurk's UniqueRequestToken, or the provider's own record of keys). A crash after the call
 * but before `done` is recorded is the same case. Calling the provider first instead could pay and
 * then lose the record of it. Within one process, concurrent deliveries of one action share a call.
 *
 * The key the provider gets is {@link providerIdempotencyKey}: one per (client key, target), since a
 * bulk action's units share the client's key but are separate payments to the provider.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Agent, Unit, Worker } from '../core/index.js';
import { chargeEntries, rewardRecordedElsewhere, runBudgetCents } from '../payments/index.js';
import {
  isOutcomeUnknown,
  type CrowdProvider,
  type ProviderDutyResult,
} from '../providers/crowd-provider.js';
import type { ReviewActionRecord, ReviewDelivery, Store } from '../store/store.js';
import { providerArgsOf, type ReviewProviders } from './review-providers.js';

/** Actions with a provider duty. */
const DUTIES: ReadonlySet<string> = new Set([
  'approve',
  'reject',
  'soft_reject',
  'bonus',
  'block',
  'unblock',
  'grant',
  'revoke',
]);

/**
 * The idempotency key a provider gets for one action on one target: the same for every retry of it,
 * different for each unit of a bulk action. `rv1-` and 43 base64url characters of a SHA-256: within
 * MTurk's 64-character UniqueRequestToken.
 */
export function providerIdempotencyKey(clientKey: string, target: string): string {
  return `rv1-${createHash('sha256').update(`${clientKey}\n${target}`).digest('base64url')}`;
}

/** Whether `record` still needs its provider call: applied, with a duty, and pending (or failed, on a retry). */
export function needsDelivery(record: ReviewActionRecord, retryFailed: boolean): boolean {
  if (record.outcome !== 'applied' || !DUTIES.has(record.action)) return false;
  return record.delivery === 'pending' || (retryFailed && record.delivery === 'failed');
}

interface Reviewed {
  readonly unit: Unit;
  readonly agent: Agent | null;
  readonly worker: Worker | null;
}

export class ProviderDelivery {
  readonly #inflight = new Map<string, Promise<ReviewActionRecord>>();
  readonly #runProviders = new Map<string, Promise<CrowdProvider>>();

  constructor(
    private readonly store: Store,
    private readonly providers: ReviewProviders,
    private readonly log: Logger,
  ) {}

  /** The provider of a run's units, built once per run. @throws when the run's provider cannot be built */
  providerForRun(runId: string): Promise<CrowdProvider> {
    let provider = this.#runProviders.get(runId);
    if (provider === undefined) {
      provider = (async () => this.providers.forRun(await this.store.getTaskRun(runId)))();
      this.#runProviders.set(runId, provider);
      // A failure is not kept: the next action tries again.
      provider.catch(() => this.#runProviders.delete(runId));
    }
    return provider;
  }

  /**
   * Calls the provider for `record` if it still needs it and records the answer; returns the record as
   * it now stands. Never throws for the provider's failure (that is recorded as `failed`).
   */
  async deliver(record: ReviewActionRecord, retryFailed = true): Promise<ReviewActionRecord> {
    const [delivered] = await this.deliverAll([record], retryFailed);
    return delivered ?? record;
  }

  /**
   * Delivers many (a bulk action's), `concurrency` provider calls at a time, reading what the calls
   * name in three statements and recording every answer in one; returns the records in the same order.
   */
  async deliverAll(
    records: readonly ReviewActionRecord[],
    retryFailed = true,
    concurrency = 8,
  ): Promise<ReviewActionRecord[]> {
    const out = [...records];
    const fresh: ReviewActionRecord[] = [];
    const waits: Promise<void>[] = [];
    records.forEach((record, i) => {
      if (!needsDelivery(record, retryFailed)) return;
      const running = this.#inflight.get(record.id);
      if (running) waits.push(running.then((r) => void (out[i] = r)));
      else fresh.push(record);
    });
    if (fresh.length > 0) {
      const batch = this.#deliverBatch(fresh, concurrency);
      for (const record of fresh) {
        const one = batch.then((done) => done.get(record.id) ?? record);
        this.#inflight.set(record.id, one);
        void one.finally(() => this.#inflight.delete(record.id)).catch(() => undefined);
        const i = records.indexOf(record);
        waits.push(one.then((r) => void (out[i] = r)));
      }
    }
    await Promise.all(waits);
    return out;
  }

  /** Delivers every action a crash left pending (at a review server's start). Returns how many. */
  async resumePending(): Promise<number> {
    const pending = await this.store.review.findReviewActions({ delivery: 'pending', outcome: 'applied' });
    if (pending.length > 0)
      this.log.info({ count: pending.length }, 'delivering review actions left pending');
    await this.deliverAll(pending);
    return pending.length;
  }

  async #deliverBatch(
    records: readonly ReviewActionRecord[],
    concurrency: number,
  ): Promise<Map<string, ReviewActionRecord>> {
    const unitIds = [...new Set(records.flatMap((r) => (r.unitId === null ? [] : [r.unitId])))];
    const reviewed = new Map((await this.store.review.getReviewedWork(unitIds)).map((w) => [w.unit.id, w]));
    const workers = new Map<string, Promise<Worker>>();
    const workerOf = (id: string): Promise<Worker> => {
      let worker = workers.get(id);
      if (!worker) workers.set(id, (worker = this.store.getWorker(id)));
      return worker;
    };
    const results: { record: ReviewActionRecord; delivery: ReviewDelivery; detail: string | null }[] = [];
    let next = 0;
    const lane = async (): Promise<void> => {
      for (let i = next++; i < records.length; i = next++) {
        const record = records[i];
        if (record === undefined) continue;
        try {
          const result = await this.#duty(record, reviewed, workerOf);
          results.push({
            record,
            delivery: result.status === 'manual' ? 'manual' : 'done',
            detail: result.reference ?? null,
          });
        } catch (error) {
          this.log.warn(
            { err: error, actionId: record.id, action: record.action },
            'the provider failed a review action',
          );
          results.push({
            record,
            delivery: 'failed',
            detail: error instanceof Error ? error.message : String(error),
          });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, records.length) }, lane));
    await this.store.review.setReviewDeliveries(
      results.map((r) => ({ actionId: r.record.id, delivery: r.delivery, detail: r.detail })),
    );
    const updated = new Date(this.store.clock.now());
    return new Map(
      results.map((r) => [
        r.record.id,
        { ...r.record, delivery: r.delivery, deliveryDetail: r.detail, updateDate: updated },
      ]),
    );
  }

  async #duty(
    record: ReviewActionRecord,
    reviewed: ReadonlyMap<string, Reviewed>,
    workerOf: (id: string) => Promise<Worker>,
  ): Promise<ProviderDutyResult> {
    const key = providerIdempotencyKey(record.idempotencyKey, record.target);
    if (record.workerId === null) throw new Error(`review action ${record.id} names no worker`);
    if (record.action === 'block' || record.action === 'unblock') {
      const worker = await workerOf(record.workerId);
      const provider = await this.providers.forWorker(worker);
      return record.action === 'block'
        ? provider.blockWorker({ worker, reason: record.feedback ?? '', idempotencyKey: key })
        : provider.unblockWorker({ worker, idempotencyKey: key });
    }
    if (record.action === 'grant' || record.action === 'revoke') {
      const worker = await workerOf(record.workerId);
      const provider = await this.providers.forWorker(worker);
      if (record.qualificationId === null)
        throw new Error(`review action ${record.id} names no qualification`);
      const qualification = await this.store.getQualification(record.qualificationId);
      const request = {
        worker,
        qualificationName: qualification.name,
        value: record.action === 'grant' ? (record.value ?? 1) : null,
        idempotencyKey: key,
      };
      // A provider without qualifications of its own: the store's grant is the whole effect.
      if (record.action === 'grant')
        return provider.grantQualification ? provider.grantQualification(request) : { status: 'done' };
      return provider.revokeQualification ? provider.revokeQualification(request) : { status: 'done' };
    }
    const work = record.unitId === null ? undefined : reviewed.get(record.unitId);
    if (!work) throw new Error(`review action ${record.id}: unit ${record.unitId ?? '?'} is gone`);
    const { unit, agent } = work;
    const worker = work.worker?.id === record.workerId ? work.worker : await workerOf(record.workerId);
    const provider = await this.providerForRun(unit.taskRunId);
    if (record.action === 'bonus') {
      const amount = record.amount ?? 0;
      return this.#paying(
        provider,
        unit.taskRunId,
        chargeEntries({ provider, kind: 'bonus', amount, unit, worker, idempotencyKey: key }),
        () =>
          provider.payBonus({
            worker,
            unit,
            agent,
            amount,
            reason: record.feedback ?? '',
            idempotencyKey: key,
          }),
      );
    }
    if (agent === null) throw new Error(`unit ${unit.id} has no agent to review`);
    const review = { work: { unit, agent, worker }, feedback: record.feedback, idempotencyKey: key };
    if (record.action === 'reject') return provider.rejectWork(review);
    // A soft rejection pays the worker (Mephisto's soft_reject_work approves on the provider).
    const charges = chargeEntries({
      provider,
      kind: 'reward',
      amount: unit.payAmount,
      unit,
      worker,
      idempotencyKey: key,
    });
    // Work the platform approved on its own is in the ledger already (reconcile recorded it): the
    // provider's approval finds it approved, and nothing more is reserved (payments/platform-payments.ts).
    const paid = await rewardRecordedElsewhere(this.store, unit, agent, `${key}:reward`);
    return this.#paying(provider, unit.taskRunId, paid ? [] : charges, () => provider.approveWork(review));
  }

  /**
   * Runs a paying duty inside the ledger: its entries are reserved under the run's budget first
   * (refused, and the provider never called, when they do not fit), then settled with the provider's
   * answer: paid with its reference, owed when the platform moves no money, released when it was
   * refused, and left pending when the provider cannot tell whether it paid.
   * A crash between the two leaves them pending, and the retry under the same key settles them.
   */
  async #paying(
    provider: CrowdProvider,
    taskRunId: string,
    entries: ReturnType<typeof chargeEntries>,
    duty: () => Promise<ProviderDutyResult>,
  ): Promise<ProviderDutyResult> {
    if (entries.length === 0) return duty();
    const keys = entries.map((e) => e.idempotencyKey);
    const budgetCents = runBudgetCents(providerArgsOf(await this.store.getTaskRun(taskRunId)));
    await this.store.reservePayments({ taskRunId, providerType: provider.type, budgetCents, entries });
    let result: ProviderDutyResult;
    try {
      result = await duty();
    } catch (error) {
      // The platform may have paid: the entries stay pending (and counted) until a retry settles them.
      if (isOutcomeUnknown(error)) throw error;
      await this.store.settlePayments(keys, {
        status: 'failed',
        note: error instanceof Error ? error.message : String(error),
      });
      throw error;
    }
    const owed = result.status === 'manual' || provider.paysWorkers === false;
    await this.store.settlePayments(keys, {
      status: owed ? 'manual' : 'paid',
      providerReference: result.reference ?? null,
    });
    return result;
  }
}
