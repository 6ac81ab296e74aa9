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
 * - submissions Prolific shows as completed (`AWAITING REVIEW`) whose agent never submitted in
 *   mephisto-ts are reported: the completion code may have been used without doing the task;
 * - bonus payments left "sent, not confirmed" are confirmed when Prolific shows them.
 */
import type { AgentStatus } from '../../core/index.js';
import type { Store } from '../../store/store.js';
import type { ProviderReconcileContext, ProviderReconcileReport } from '../crowd-provider.js';
import type { ProlificApiClient } from './prolific-api-client.js';
import type { ProlificStudy } from './prolific-api-schemas.js';
import type { ProlificBonusPayer } from './prolific-bonus-payer.js';
import {
  BonusPayRecordSchema,
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

async function agentStatus(
  store: Partial<Pick<Store, 'getAgent'>>,
  agentId: string,
): Promise<AgentStatus | null> {
  if (store.getAgent === undefined) return null;
  try {
    return (await store.getAgent(agentId)).status;
  } catch {
    return null;
  }
}

export async function reconcileProlificRun(input: ReconcileInput): Promise<ProviderReconcileReport> {
  const { context, run, client, records, store } = input;
  const taskRunId = context.taskRun.id;
  const notes: string[] = [];
  let withdrawn = 0;
  let recorded = 0;

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
      const status = mapped === null ? null : await agentStatus(store, mapped.agentId);
      const reviewed = submission.status === 'APPROVED' || submission.status === 'REJECTED';
      const agrees =
        status !== null &&
        (submission.status === 'APPROVED' ? PAID_STATUSES.has(status) : status === 'rejected');
      if (reviewed && !agrees) {
        const claim = await records.claim(
          'platform_review',
          submission.id,
          { status: submission.status, agentId: mapped?.agentId ?? null, storeStatus: status },
          PlatformReviewRecordSchema,
          { taskRunId, unitId: mapped?.unitId ?? null },
        );
        if (claim.created) recorded += 1;
        notes.push(
          `submission ${submission.id} of participant ${submission.participant_id ?? '?'} is ${submission.status} ` +
            `on Prolific but ${mapped === null ? 'has no agent in mephisto-ts' : `agent ${mapped.agentId} is ${status ?? 'missing'}`}`,
        );
      }
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
