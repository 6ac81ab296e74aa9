/**
 * What the MTurk provider remembers, kept as provider records in the run's database (so a crash loses
 * nothing and every process sharing a PostgreSQL database sees the same): Mephisto's `mturk.db` (spec
 * §1.7) as typed JSON records under the provider's type (`mturk` or `mturk_sandbox`, so the sandbox and
 * the live site never mix).
 *
 * | kind            | key                 | data                                                           |
 * |-----------------|---------------------|----------------------------------------------------------------|
 * | `run`           | task run id         | the run's HIT type (id, settings signature)                    |
 * | `unit`          | unit id             | the unit's current HIT, launch generation, open request token  |
 * | `hit`           | HIT id              | the HIT; its row's unit id is the unit it currently serves      |
 * | `agent`         | agent id            | the MTurk assignment (and HIT, worker) the agent works under    |
 * | `bonus`         | idempotency key     | a SendBonus sent (`sending`) or confirmed (`done`)              |
 * | `duty`          | `<duty>:<key>`      | a review duty done (approve, reject, grant, revoke)             |
 * | `block`         | MTurk worker id     | whether the worker is blocked on MTurk                          |
 * | `qualification` | qualification name  | the MTurk qualification type made for it                        |
 *
 * Data is validated on the way out: a record that does not parse is treated as missing.
 */
import { z } from 'zod';
import type { ProviderRecord, Store } from '../../store/store.js';

/** The part of the Store the provider uses. */
export type ProviderRecordStore = Pick<
  Store,
  | 'putProviderRecord'
  | 'insertProviderRecord'
  | 'getProviderRecord'
  | 'findProviderRecords'
  | 'deleteProviderRecord'
>;

export const RunRecordSchema = z.object({
  hitTypeId: z.string(),
  /** A digest of the HIT type's settings: a different one makes setupRun register a new type. */
  signature: z.string(),
  qualificationTypeIds: z.array(z.string()),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;

export const UnitRecordSchema = z.object({
  /** How many HITs the unit has been launched on (a relaunch after expiry makes a new one). */
  generation: z.number().int().nonnegative(),
  /**
   * The UniqueRequestToken of a CreateHIT not yet answered: written before the call, cleared once the
   * HIT is recorded. A launch that finds it set retries with it (never a second HIT for one launch).
   */
  pendingToken: z.string().nullable(),
  /** The HIT serving the unit; null while a claim is open (or after a remap left the unit none). */
  hitId: z.string().nullable(),
});
export type UnitRecord = z.infer<typeof UnitRecordSchema>;

export const HitRecordSchema = z.object({
  hitId: z.string(),
  hitTypeId: z.string(),
  hitGroupId: z.string(),
  /** The unit the HIT was created for (its RequesterAnnotation); the record's unit id may differ after a remap. */
  launchedForUnitId: z.string(),
  token: z.string(),
  link: z.string(),
  /** When MTurk stops offering it (creation + lifetime), epoch ms. */
  expiresAt: z.number(),
  /** Withdrawn by this provider (UpdateExpirationForHIT to the past), or found gone. */
  expired: z.boolean(),
});
export type HitRecord = z.infer<typeof HitRecordSchema>;

export const AgentRecordSchema = z.object({
  assignmentId: z.string(),
  hitId: z.string(),
  mturkWorkerId: z.string(),
  unitId: z.string(),
});
export type AgentRecord = z.infer<typeof AgentRecordSchema>;

export const BonusRecordSchema = z.object({
  status: z.enum(['sending', 'done']),
  assignmentId: z.string(),
  mturkWorkerId: z.string(),
  /** BonusAmount as sent (`"1.25"`). */
  amount: z.string(),
  reason: z.string(),
  /** When the last SendBonus with this key was sent, epoch ms (MTurk remembers tokens for 24 hours). */
  sentAt: z.number(),
  reference: z.string().nullable(),
});
export type BonusRecord = z.infer<typeof BonusRecordSchema>;

export const DutyRecordSchema = z.object({ reference: z.string().nullable(), at: z.number() });
export type DutyRecord = z.infer<typeof DutyRecordSchema>;

export const BlockRecordSchema = z.object({
  blocked: z.boolean(),
  reason: z.string().nullable(),
  at: z.number(),
});
export type BlockRecord = z.infer<typeof BlockRecordSchema>;

export const QualificationRecordSchema = z.object({ qualificationTypeId: z.string(), mturkName: z.string() });
export type QualificationRecord = z.infer<typeof QualificationRecordSchema>;

/** A record's data with the run and unit it is filed under. */
export interface Filed<T> {
  readonly data: T;
  readonly taskRunId: string | null;
  readonly unitId: string | null;
}

type Kind = 'run' | 'unit' | 'hit' | 'agent' | 'bonus' | 'duty' | 'block' | 'qualification';

export class MturkRecords {
  constructor(
    readonly store: ProviderRecordStore,
    /** `mturk` or `mturk_sandbox`. */
    readonly providerType: string,
  ) {}

  #parse<T>(schema: z.ZodType<T>, record: ProviderRecord | null): Filed<T> | null {
    if (record === null) return null;
    const parsed = schema.safeParse(record.data);
    return parsed.success ? { data: parsed.data, taskRunId: record.taskRunId, unitId: record.unitId } : null;
  }

  async #get<T>(schema: z.ZodType<T>, kind: Kind, key: string): Promise<Filed<T> | null> {
    return this.#parse(schema, await this.store.getProviderRecord(this.providerType, kind, key));
  }

  async #put(
    kind: Kind,
    key: string,
    data: unknown,
    taskRunId: string | null,
    unitId: string | null,
  ): Promise<void> {
    await this.store.putProviderRecord({
      providerType: this.providerType,
      kind,
      key,
      taskRunId,
      unitId,
      data,
    });
  }

  async #find<T>(
    schema: z.ZodType<T>,
    kind: Kind,
    filter: { taskRunId?: string; unitId?: string },
  ): Promise<Array<Filed<T> & { key: string }>> {
    const records = await this.store.findProviderRecords({
      providerType: this.providerType,
      kind,
      ...filter,
    });
    const out: Array<Filed<T> & { key: string }> = [];
    for (const record of records) {
      const parsed = this.#parse(schema, record);
      if (parsed !== null) out.push({ ...parsed, key: record.key });
    }
    return out;
  }

  getRun(taskRunId: string): Promise<Filed<RunRecord> | null> {
    return this.#get(RunRecordSchema, 'run', taskRunId);
  }
  putRun(taskRunId: string, data: RunRecord): Promise<void> {
    return this.#put('run', taskRunId, data, taskRunId, null);
  }

  getUnit(unitId: string): Promise<Filed<UnitRecord> | null> {
    return this.#get(UnitRecordSchema, 'unit', unitId);
  }
  putUnit(unitId: string, taskRunId: string, data: UnitRecord): Promise<void> {
    return this.#put('unit', unitId, data, taskRunId, unitId);
  }
  unitsOfRun(taskRunId: string): Promise<Array<Filed<UnitRecord> & { key: string }>> {
    return this.#find(UnitRecordSchema, 'unit', { taskRunId });
  }

  getHit(hitId: string): Promise<Filed<HitRecord> | null> {
    return this.#get(HitRecordSchema, 'hit', hitId);
  }
  /** Files the HIT under its run and the unit it currently serves. */
  putHit(taskRunId: string, unitId: string, data: HitRecord): Promise<void> {
    return this.#put('hit', data.hitId, data, taskRunId, unitId);
  }
  hitsOfRun(taskRunId: string): Promise<Array<Filed<HitRecord> & { key: string }>> {
    return this.#find(HitRecordSchema, 'hit', { taskRunId });
  }
  /** Every HIT this provider type recorded, of every run. */
  allHits(): Promise<Array<Filed<HitRecord> & { key: string }>> {
    return this.#find(HitRecordSchema, 'hit', {});
  }

  getAgent(agentId: string): Promise<Filed<AgentRecord> | null> {
    return this.#get(AgentRecordSchema, 'agent', agentId);
  }
  putAgent(agentId: string, taskRunId: string, data: AgentRecord): Promise<void> {
    return this.#put('agent', agentId, data, taskRunId, data.unitId);
  }
  agentsOfUnit(unitId: string): Promise<Array<Filed<AgentRecord> & { key: string }>> {
    return this.#find(AgentRecordSchema, 'agent', { unitId });
  }

  getBonus(key: string): Promise<Filed<BonusRecord> | null> {
    return this.#get(BonusRecordSchema, 'bonus', key);
  }
  putBonus(key: string, taskRunId: string | null, unitId: string | null, data: BonusRecord): Promise<void> {
    return this.#put('bonus', key, data, taskRunId, unitId);
  }
  bonusesOfRun(taskRunId: string): Promise<Array<Filed<BonusRecord> & { key: string }>> {
    return this.#find(BonusRecordSchema, 'bonus', { taskRunId });
  }

  getDuty(duty: string, key: string): Promise<Filed<DutyRecord> | null> {
    return this.#get(DutyRecordSchema, 'duty', `${duty}:${key}`);
  }
  putDuty(
    duty: string,
    key: string,
    data: DutyRecord,
    taskRunId: string | null,
    unitId: string | null,
  ): Promise<void> {
    return this.#put('duty', `${duty}:${key}`, data, taskRunId, unitId);
  }

  getBlock(mturkWorkerId: string): Promise<Filed<BlockRecord> | null> {
    return this.#get(BlockRecordSchema, 'block', mturkWorkerId);
  }
  putBlock(mturkWorkerId: string, data: BlockRecord): Promise<void> {
    return this.#put('block', mturkWorkerId, data, null, null);
  }

  getQualification(name: string): Promise<Filed<QualificationRecord> | null> {
    return this.#get(QualificationRecordSchema, 'qualification', name);
  }
  putQualification(name: string, data: QualificationRecord): Promise<void> {
    return this.#put('qualification', name, data, null, null);
  }
}
