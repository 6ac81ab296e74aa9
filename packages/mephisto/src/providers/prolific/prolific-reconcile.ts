/**
 * Reconciling a run with Prolific (CrowdProvider.reconcileRun), on start, resume and shutdown:
 *
 * - a study still recruiting when the run is over, or a study the run no longer uses (an older study
 *   of the run, left recruiting by a crash), is stopped and counted as withdrawn;
 * - a study published on Prolific that the records still call a draft (a crash after `PUBLISH`) is
 *   recorded as published;
 * - submissions approved or rejected on Prolific (in its web app, or by a review whose answer was never
 *   recorded) while the store's agent is not reviewed that way are reported, and recorded once each as
 *   `platform_review` records;
 * - submissions approved on Prolific outside a review (auto-approval, the researcher's Prolific app)
 *   are recorded in the payments ledger as paid, the reward and the service fee (with the ledger:
 *   payments/platform-payments.ts), never twice and never on top of a review's reward;
 * - submissions Prolific shows as completed (`AWAITING REVIEW`) whose agent never submitted in
 *   mephisto-ts are reported: the completion code may have been used without doing the task;
 * - bonus payments left "sent, not confirmed" are confirmed when Prolific shows them.
 */
import type { Logger } from 'pino';
import type { Agent, AgentStatus } from '../../core/index.js';
import { toCents } from '../../payments/money.js';
import { PlatformApprovalRecorder, type PlatformLedger } from '../../payments/platform-payments.js';
import type { Store } from '../../store/store.js';
import type { ProviderReconcileContext, ProviderReconcileReport } from '../crowd-provider.js';
import type { ProlificApiClient } from './prolific-api-client.js';
import type { ProlificStudy } from './prolific-api-schemas.js';
import type { ProlificBonusPayer } from './prolific-bonus-payer.js';
import {
  BonusPayRecordSchema,
  PROLIFIC_PROVIDER_TYPE,
  PlatformReviewRecordSchema,
  StudyRecordSchema,
  SubmissionRecordSchema,
  type ProlificRecords,
  type RunRecord,
} from './prolific-records.js';

export interface ReconcileInput {
  readonly context: ProviderReconcileContext;
  readonly run: RunRecord;
  readonly client: ProlificApiClient;
  readonly records: ProlificRecords;
  /** The store's agents, when available, to compare reviews with. */
  readonly store: Partial<Pick<Store, 'getAgent'>>;
  /** Where approvals made on Prolific are recorded; null without a ledger. */
  readonly ledger: PlatformLedger | null;
  /** The service fee on a reward, dollars. */
  readonly feeFor: (amount: number) => number;
  readonly log?: Logger;
  readonly bonuses: ProlificBonusPayer;
  readonly settledStudy: (studyId: string) => Promise<ProlificStudy>;
  readonly stopStudy: (studyId: string) => Promise<void>;
}

const RECRUITING: ReadonlySet<string> = new Set(['ACTIVE', 'PAUSED', 'SCHEDULED']);
/** Store statuses that agree with a submission approved on Prolific (a soft rejection pays too). */
const PAID_STATUSES: ReadonlySet<AgentStatus> = new Set(['approved', 'soft_rejected']);
/** Store statuses of an agent that submitted its work. */
const SUBMITTED_STATUSES: ReadonlySet<AgentStatus> = new Set([
  'completed',
  'approved',
  'soft_rejected',
  'rejected',
]);

async function agentOf(store: Partial<Pick<Store, 'getAgent'>>, agentId: string): Promise<Agent | null> {
  if (store.getAgent === undefined) return null;
  try {
    return await store.getAgent(agentId);
  } catch {
    return null;
  }
}

/** The note on ledger entries of a submission approved on Prolific outside a review. */
const APPROVED_ON_PROLIFIC =
  "approved on Prolific outside mephisto-ts (auto-approval or the researcher's Prolific app)";

export async function reconcileProlificRun(input: ReconcileInput): Promise<ProviderReconcileReport> {
  const { context, run, client, records, store } = input;
  const taskRunId = context.taskRun.id;
  const notes: string[] = [];
  let withdrawn = 0;
  let recorded = 0;
  const approvals =
    input.ledger === null
      ? null
      : new PlatformApprovalRecorder(input.ledger, taskRunId, PROLIFIC_PROVIDER_TYPE);
  /** The study's reward in cents (what Prolific pays per approved submission). */
  const studyReward = (study: ProlificStudy): number =>
    typeof study.reward === 'number'
      ? Math.round(study.reward)
      : toCents(Number(context.taskArgs.task_reward ?? 0));

  for (const studyId of run.studyIds) {
    const study = await records.get('study', studyId, StudyRecordSchema);
    let remote: ProlificStudy;
    try {
      remote = await input.settledStudy(studyId);
    } catch (error) {
      notes.push(`study ${studyId} could not be read on Prolific: ${String(error)}`);
      continue;
    }
    if (study !== null && !study.published && remote.status !== 'UNPUBLISHED') {
      await records.put('study', studyId, { ...study, published: true }, { taskRunId });
      notes.push(`study ${studyId} was published on Prolific; recorded it`);
    }
    const full = remote.status === 'AWAITING REVIEW' && study?.stopped !== true;
    const recruiting = RECRUITING.has(remote.status) || full;
    const unused = studyId !== run.currentStudyId;
    if (recruiting && (context.runOver || unused)) {
      await input.stopStudy(studyId);
      withdrawn += 1;
      notes.push(
        `study ${studyId} was still ${remote.status} on Prolific although ` +
          (context.runOver ? 'the run is over' : 'the run no longer uses it') +
          '; stopped it',
      );
    }

    for (const submission of await client.listSubmissions(studyId)) {
      const mapped = await records.get('submission', submission.id, SubmissionRecordSchema);
      const agent = mapped === null ? null : await agentOf(store, mapped.agentId);
      const status: AgentStatus | null = agent?.status ?? null;
      const reviewed = submission.status === 'APPROVED' || submission.status === 'REJECTED';
      const agrees =
        status !== null &&
        (submission.status === 'APPROVED' ? PAID_STATUSES.has(status) : status === 'rejected');
      let found = false;
      if (reviewed && !agrees) {
        const claim = await records.claim(
          'platform_review',
          submission.id,
          { status: submission.status, agentId: mapped?.agentId ?? null, storeStatus: status },
          PlatformReviewRecordSchema,
          { taskRunId, unitId: mapped?.unitId ?? null },
        );
        found = claim.created;
        notes.push(
          `submission ${submission.id} of participant ${submission.participant_id ?? '?'} is ${submission.status} ` +
            `on Prolific but ${mapped === null ? 'has no agent in mephisto-ts' : `agent ${mapped.agentId} is ${status ?? 'missing'}`}`,
        );
      }
      if (submission.status === 'APPROVED' && approvals !== null) {
        const rewardCents = studyReward(remote);
        const outcome = await approvals.record({
          platformId: submission.id,
          unitId: mapped?.unitId ?? null,
          workerId: agent?.workerId ?? null,
          since: agent?.creationDate ?? null,
          rewardCents,
          feeCents: toCents(input.feeFor(rewardCents / 100)),
          note: APPROVED_ON_PROLIFIC,
        });
        if (outcome === 'recorded') {
          found = true;
          notes.push(
            `submission ${submission.id} was ${APPROVED_ON_PROLIFIC}; recorded its reward and fee as paid`,
          );
          input.log?.info(
            { taskRunId, studyId, submissionId: submission.id, unitId: mapped?.unitId ?? null, rewardCents },
            'recorded a submission approved on Prolific outside a review',
          );
        }
      }
      // One finding per submission: its review recorded, its payment recorded, or both.
      if (found) recorded += 1;
      if (submission.status === 'AWAITING REVIEW' && (status === null || !SUBMITTED_STATUSES.has(status)))
        notes.push(
          `submission ${submission.id} of participant ${submission.participant_id ?? '?'} was completed on Prolific ` +
            `without a submit in mephisto-ts (${mapped === null ? 'no agent' : `agent ${mapped.agentId} is ${status ?? 'missing'}`}); ` +
            'check it before approving',
        );
    }
  }

  for (const { key, data } of await records.find('bonus_pay', BonusPayRecordSchema, { taskRunId })) {
    if (data.state === 'paid') continue;
    if (await input.bonuses.confirmPending(key, data)) {
      recorded += 1;
      notes.push(
        `bonus ${key}: its payment (bulk bonus ${data.bulkBonusId}) is confirmed on Prolific; recorded it`,
      );
    } else notes.push(`bonus ${key}: its payment (bulk bonus ${data.bulkBonusId}) is not confirmed yet`);
  }

  return { withdrawn, relaunched: 0, recorded, notes };
}
