/**
 * What the Prolific provider keeps in the store's provider records (providerType `prolific`), so a
 * restarted process (or a fresh provider built by the review service) knows what exists on Prolific:
 *
 * | kind         | key                 | data                                                          |
 * |--------------|---------------------|---------------------------------------------------------------|
 * | `run`        | task run id         | workspace, project, block-list group, completion code, studies |
 * | `study`      | study id            | its run, internal name, places listed vs units placed, flags   |
 * | `unit`       | unit id             | the study it was placed in; `placed` or `expired`              |
 * | `submission` | submission id       | its study, unit, agent, participant (from registerAgent)       |
 * | `agent`      | agent id            | its submission                                                 |
 * | `bonus`      | idempotency key     | a bonus: who, how much, the bulk bonus set up for it           |
 * | `bonus_pay`  | idempotency key     | claimed just before `pay` is sent: at most one sender, ever    |
 * | `duty`       | `<duty>:<key>`      | a review duty done (approve, reject, block, …)                 |
 * | `blocked`    | worker name         | the worker is in the block-list group (read by isWorkerBlocked) |
 * | `group`      | `<role>:<name>`     | a participant group's id (block list, one per qualification)   |
 * | `platform_review` | submission id  | approved/rejected on Prolific but not in mephisto-ts (reconcile) |
 * | `filters`    | task run id         | the groups the run's latest study filters on, and the warnings |
 *
 * Data is read back through zod (typed-provider-records.ts): a record in a shape this version does not
 * know (another version wrote it, or it was changed by hand) is an error
 * (MEPHISTO_ERR_PROVIDER_RECORD_INVALID), never trusted nor taken for absent.
 */
import { z } from 'zod';
import { TypedProviderRecords, type ProviderRecordStore } from '../typed-provider-records.js';

export const PROLIFIC_PROVIDER_TYPE = 'prolific';

export const RunRecordSchema = z.object({
  workspaceId: z.string(),
  projectId: z.string(),
  blockGroupId: z.string(),
  completionCode: z.string(),
  /** The study new units go to; null before the first study exists. */
  currentStudyId: z.string().nullable(),
  /** Every study of the run, oldest first (a run gets a new study after its study was stopped). */
  studyIds: z.array(z.string()),
});
export type RunRecord = z.output<typeof RunRecordSchema>;

export const StudyRecordSchema = z.object({
  taskRunId: z.string(),
  internalName: z.string(),
  /** `total_available_places` as last set: Prolific never lets it go down. */
  listedPlaces: z.number().int(),
  /** Units placed in the study and not expired ("actual" places; completed units stay counted). */
  placedUnits: z.number().int(),
  published: z.boolean(),
  /** Stopped by this provider: never reactivated (more places would), a new study is made instead. */
  stopped: z.boolean(),
});
export type StudyRecord = z.output<typeof StudyRecordSchema>;

export const UnitRecordSchema = z.object({
  studyId: z.string(),
  state: z.enum(['placed', 'expired']),
});
export type UnitRecord = z.output<typeof UnitRecordSchema>;

export const SubmissionRecordSchema = z.object({
  studyId: z.string(),
  unitId: z.string(),
  agentId: z.string(),
  participantId: z.string(),
});
export type SubmissionRecord = z.output<typeof SubmissionRecordSchema>;

export const AgentRecordSchema = z.object({
  submissionId: z.string(),
  studyId: z.string(),
  participantId: z.string(),
});
export type AgentRecord = z.output<typeof AgentRecordSchema>;

export const BonusRecordSchema = z.object({
  participantId: z.string(),
  amountCents: z.number().int(),
  studyId: z.string().nullable(),
  submissionId: z.string().nullable(),
  /** The bulk bonus set up for this key, once created (an unpaid one costs nothing). */
  bulkBonusId: z.string().nullable(),
});
export type BonusRecord = z.output<typeof BonusRecordSchema>;

export const BonusPayRecordSchema = z.object({
  taskRunId: z.string(),
  unitId: z.string(),
  bulkBonusId: z.string(),
  studyId: z.string(),
  submissionId: z.string(),
  /** How many bonus payments the submission showed before `pay` was sent. */
  paymentsBefore: z.number().int(),
  /** `sending`: pay may or may not have reached Prolific; `paid`: confirmed. */
  state: z.enum(['sending', 'paid']),
});
export type BonusPayRecord = z.output<typeof BonusPayRecordSchema>;

export const DutyRecordSchema = z.object({ reference: z.string().nullable() });

export const BlockedRecordSchema = z.object({ groupId: z.string() });

export const GroupRecordSchema = z.object({ groupId: z.string(), workspaceId: z.string() });

export const PlatformReviewRecordSchema = z.object({
  status: z.string(),
  agentId: z.string().nullable(),
  storeStatus: z.string().nullable(),
});

/** The participant groups a run's latest study was created with (prolific-study-filters.ts). */
export const FiltersRecordSchema = z.object({
  allow: z.array(z.object({ qualification: z.string(), groupId: z.string() })),
  exclude: z.array(z.object({ qualification: z.string(), groupId: z.string() })),
  /** Requirements Prolific cannot express (fully); mephisto-ts checks them when a participant asks. */
  warnings: z.array(z.string()),
});
export type FiltersRecord = z.output<typeof FiltersRecordSchema>;

export type ProlificRecordKind =
  | 'run'
  | 'study'
  | 'unit'
  | 'submission'
  | 'agent'
  | 'bonus'
  | 'bonus_pay'
  | 'duty'
  | 'blocked'
  | 'group'
  | 'platform_review'
  | 'filters';

/** The store calls the provider's records need (a full Store has them). */
export type ProlificRecordStore = ProviderRecordStore;

/** Typed access to the provider's records (providerType `prolific`). */
export class ProlificRecords extends TypedProviderRecords<ProlificRecordKind> {
  constructor(store: ProlificRecordStore) {
    super(store, PROLIFIC_PROVIDER_TYPE);
  }
}
