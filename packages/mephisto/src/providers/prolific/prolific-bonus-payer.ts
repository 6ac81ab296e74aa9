/**
 * Paying a bonus on Prolific at most once per idempotency key, although Prolific's bulk bonus `pay` is
 * not idempotent (each call pays again) and its reply can be lost. The steps, each recorded in the store
 * before the next:
 *
 * 1. claim the key (`bonus` record, insert-once) with who and how much;
 * 2. set up a bulk bonus and record its id (setting one up pays nothing, so a crash here only leaves an
 *    unpaid bulk bonus, and a retry sets up another);
 * 3. read how many bonus payments the participant's submission shows, then claim the right to send
 *    `pay` (`bonus_pay` record, insert-once: in any number of processes, one sender ever);
 * 4. send `pay`, then record `paid`.
 *
 * A retry that finds the `bonus_pay` claim does not send again: it returns done when the claim says
 * `paid`, or when Prolific shows more payments on the submission than before the send (a crash between
 * "pay sent" and "recorded", or a lost reply); otherwise it fails, and says so, until Prolific shows the
 * payment (payments are processed asynchronously, within minutes). A `pay` refused outright (a 4xx: it
 * did not happen) drops the claim, so the next try may send again.
 */
import type { ProviderBonusRequest, ProviderDutyResult } from '../crowd-provider.js';
import type { ProlificApiClient } from './prolific-api-client.js';
import { ProlificApiError } from './prolific-errors.js';
import {
  BonusPayRecordSchema,
  BonusRecordSchema,
  type BonusPayRecord,
  type BonusRecord,
  type ProlificRecords,
} from './prolific-records.js';

/** Where a bonus goes: the participant's submission and its study. */
export interface BonusTarget {
  readonly studyId: string;
  readonly submissionId: string;
}

export interface BonusPayerDeps {
  readonly records: ProlificRecords;
  readonly client: () => ProlificApiClient;
  /** Finds the submission the bonus is for (the agent's, or the participant's in the run's studies). */
  readonly target: (request: ProviderBonusRequest) => Promise<BonusTarget>;
}

export class ProlificBonusPayer {
  constructor(readonly deps: BonusPayerDeps) {}

  async pay(request: ProviderBonusRequest): Promise<ProviderDutyResult> {
    const { records } = this.deps;
    const key = request.idempotencyKey;
    const links = { taskRunId: request.unit.taskRunId, unitId: request.unit.id };
    const amountCents = Math.round(request.amount * 100);
    if (amountCents <= 0) throw new ProlificApiError(`bonus ${key}: the amount must be at least one cent`);
    const claimed = await records.claim(
      'bonus',
      key,
      {
        participantId: request.worker.name,
        amountCents,
        studyId: null,
        submissionId: null,
        bulkBonusId: null,
      },
      BonusRecordSchema,
      links,
    );
    let bonus: BonusRecord = claimed.data;
    if (bonus.participantId !== request.worker.name || bonus.amountCents !== amountCents)
      throw new ProlificApiError(
        `bonus ${key} was first asked for ${String(bonus.amountCents)} cents to ${bonus.participantId}; ` +
          'an idempotency key cannot be reused for another bonus',
      );

    const sent = await records.get('bonus_pay', key, BonusPayRecordSchema);
    if (sent !== null) return this.#confirm(key, sent);

    if (bonus.bulkBonusId === null || bonus.studyId === null || bonus.submissionId === null) {
      const target = await this.deps.target(request);
      const created = await this.deps
        .client()
        // By submission id (Prolific takes participant or submission ids): the payment then shows on
        // exactly the submission whose payments are counted to confirm it.
        .createBulkBonus(target.studyId, `${target.submissionId},${(amountCents / 100).toFixed(2)}`);
      bonus = {
        ...bonus,
        studyId: target.studyId,
        submissionId: target.submissionId,
        bulkBonusId: created.id,
      };
      await records.put('bonus', key, bonus, links);
    }
    const { studyId, submissionId, bulkBonusId } = bonus;
    if (studyId === null || submissionId === null || bulkBonusId === null)
      throw new ProlificApiError(`bonus ${key}: no bulk bonus was set up`);

    const paymentsBefore = await this.#paymentCount(studyId, submissionId);
    if (paymentsBefore === null)
      throw new ProlificApiError(
        `bonus ${key}: Prolific does not show the bonus payments of submission ${submissionId}, so a payment ` +
          'could not be confirmed after a failure; not paying',
      );
    const pay: BonusPayRecord = {
      ...links,
      bulkBonusId,
      studyId,
      submissionId,
      paymentsBefore,
      state: 'sending',
    };
    const claim = await records.claim('bonus_pay', key, pay, BonusPayRecordSchema, links);
    if (!claim.created) return this.#confirm(key, claim.data);
    try {
      await this.deps.client().payBulkBonus(bulkBonusId);
    } catch (error) {
      if (error instanceof ProlificApiError && !error.outcomeUnknown) {
        // Refused: nothing was paid, so a later try may send again.
        await records.delete('bonus_pay', key);
        throw error;
      }
      throw new ProlificApiError(
        `bonus ${key}: the payment of bulk bonus ${bulkBonusId} may have been sent (${String(error)}); it will not ` +
          'be sent again: a retry confirms it once Prolific shows it',
        error instanceof ProlificApiError ? error.status : null,
        null,
        { cause: error },
      );
    }
    await records.put('bonus_pay', key, { ...pay, state: 'paid' }, links);
    return { status: 'done', reference: bulkBonusId };
  }

  /** Settles a payment already sent (or being sent): done when recorded paid or visible on Prolific. */
  async #confirm(key: string, sent: BonusPayRecord): Promise<ProviderDutyResult> {
    if (await this.confirmPending(key, sent)) return { status: 'done', reference: sent.bulkBonusId };
    throw new ProlificApiError(
      `bonus ${key}: the payment of bulk bonus ${sent.bulkBonusId} was sent but Prolific does not show it yet ` +
        '(payments are processed within minutes); not paying again. Retry later, or check the study on Prolific.',
    );
  }

  /** Whether a `sending` payment is now visible (then recorded `paid`); `paid` ones are true. */
  async confirmPending(key: string, sent: BonusPayRecord): Promise<boolean> {
    if (sent.state === 'paid') return true;
    const count = await this.#paymentCount(sent.studyId, sent.submissionId);
    if (count === null || count <= sent.paymentsBefore) return false;
    await this.deps.records.put(
      'bonus_pay',
      key,
      { ...sent, state: 'paid' },
      { taskRunId: sent.taskRunId, unitId: sent.unitId },
    );
    return true;
  }

  /** How many bonus payments the submission shows, or null when Prolific does not list them. */
  async #paymentCount(studyId: string, submissionId: string): Promise<number | null> {
    const submissions = await this.deps.client().listSubmissions(studyId);
    const submission = submissions.find((s) => s.id === submissionId);
    if (submission === undefined)
      throw new ProlificApiError(
        `submission ${submissionId} is not among the submissions of study ${studyId}`,
      );
    return Array.isArray(submission.bonus_payments) ? submission.bonus_payments.length : null;
  }
}
