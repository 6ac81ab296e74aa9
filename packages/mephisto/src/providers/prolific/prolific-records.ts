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
 *
 * Data is read back through zod: a record another version wrote in a shape this one does not know is
 * treated as absent rather than trusted.
 */
import { z } from 'zod';
import type { ProviderRecord, Store } from '../../store/store.js';

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
  | 'platform_review';

/** The store calls the provider's records need (a full Store has them). */
export type ProlificRecordStore = Pick<
  Store,
  | 'putProviderRecord'
  | 'insertProviderRecord'
  | 'getProviderRecord'
  | 'findProviderRecords'
  | 'deleteProviderRecord'
>;

/** Typed access to the provider's records. */
export class ProlificRecords {
  constructor(readonly store: ProlificRecordStore) {}

  async get<S extends z.ZodType>(
    kind: ProlificRecordKind,
    key: string,
    schema: S,
  ): Promise<z.output<S> | null> {
    const record = await this.store.getProviderRecord(PROLIFIC_PROVIDER_TYPE, kind, key);
    return record === null ? null : this.#data(record, schema);
  }

  async put(
    kind: ProlificRecordKind,
    key: string,
    data: unknown,
    links: { taskRunId?: string | null; unitId?: string | null } = {},
  ): Promise<void> {
    await this.store.putProviderRecord({ providerType: PROLIFIC_PROVIDER_TYPE, kind, key, data, ...links });
  }

  /** Inserts unless the key exists; returns whether this call created it, and the stored data. */
  async claim<S extends z.ZodType>(
    kind: ProlificRecordKind,
    key: string,
    data: z.output<S>,
    schema: S,
    links: { taskRunId?: string | null; unitId?: string | null } = {},
  ): Promise<{ created: boolean; data: z.output<S> | null }> {
    const { created, record } = await this.store.insertProviderRecord({
      providerType: PROLIFIC_PROVIDER_TYPE,
      kind,
      key,
      data,
      ...links,
    });
    return { created, data: this.#data(record, schema) };
  }

  async delete(kind: ProlificRecordKind, key: string): Promise<void> {
    await this.store.deleteProviderRecord(PROLIFIC_PROVIDER_TYPE, kind, key);
  }

  async find<S extends z.ZodType>(
    kind: ProlificRecordKind,
    schema: S,
    filter: { taskRunId?: string; unitId?: string } = {},
  ): Promise<{ key: string; data: z.output<S> }[]> {
    const records = await this.store.findProviderRecords({
      providerType: PROLIFIC_PROVIDER_TYPE,
      kind,
      ...filter,
    });
    const found: { key: string; data: z.output<S> }[] = [];
    for (const record of records) {
      const data = this.#data(record, schema);
      if (data !== null) found.push({ key: record.key, data });
    }
    return found;
  }

  #data<S extends z.ZodType>(record: ProviderRecord, schema: S): z.output<S> | null {
    const parsed = schema.safeParse(record.data);
    return parsed.success ? parsed.data : null;
  }
}
