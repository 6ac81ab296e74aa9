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
 * Data is validated on the way out (typed-provider-records.ts): a record that does not parse is an error
 * (MEPHISTO_ERR_PROVIDER_RECORD_INVALID), never taken for missing.
 */
import { z } from 'zod';
import { TypedProviderRecords, type Filed, type FoundRecord } from '../typed-provider-records.js';

export type { Filed, ProviderRecordStore } from '../typed-provider-records.js';

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

type Kind = 'run' | 'unit' | 'hit' | 'agent' | 'bonus' | 'duty' | 'block' | 'qualification';

/** The MTurk provider's records, under its type (`mturk` or `mturk_sandbox`). */
export class MturkRecords extends TypedProviderRecords<Kind> {
  getRun(taskRunId: string): Promise<Filed<RunRecord> | null> {
    return this.getFiled('run', taskRunId, RunRecordSchema);
  }
  putRun(taskRunId: string, data: RunRecord): Promise<void> {
    return this.put('run', taskRunId, data, { taskRunId });
  }

  getUnit(unitId: string): Promise<Filed<UnitRecord> | null> {
    return this.getFiled('unit', unitId, UnitRecordSchema);
  }
  putUnit(unitId: string, taskRunId: string, data: UnitRecord): Promise<void> {
    return this.put('unit', unitId, data, { taskRunId, unitId });
  }
  unitsOfRun(taskRunId: string): Promise<FoundRecord<UnitRecord>[]> {
    return this.find('unit', UnitRecordSchema, { taskRunId });
  }

  getHit(hitId: string): Promise<Filed<HitRecord> | null> {
    return this.getFiled('hit', hitId, HitRecordSchema);
  }
  /** Files the HIT under its run and the unit it currently serves. */
  putHit(taskRunId: string, unitId: string, data: HitRecord): Promise<void> {
    return this.put('hit', data.hitId, data, { taskRunId, unitId });
  }
  hitsOfRun(taskRunId: string): Promise<FoundRecord<HitRecord>[]> {
    return this.find('hit', HitRecordSchema, { taskRunId });
  }
  /** Every HIT this provider type recorded, of every run. */
  allHits(): Promise<FoundRecord<HitRecord>[]> {
    return this.find('hit', HitRecordSchema, {});
  }

  getAgent(agentId: string): Promise<Filed<AgentRecord> | null> {
    return this.getFiled('agent', agentId, AgentRecordSchema);
  }
  putAgent(agentId: string, taskRunId: string, data: AgentRecord): Promise<void> {
    return this.put('agent', agentId, data, { taskRunId, unitId: data.unitId });
  }
  agentsOfUnit(unitId: string): Promise<FoundRecord<AgentRecord>[]> {
    return this.find('agent', AgentRecordSchema, { unitId });
  }
  agentsOfRun(taskRunId: string): Promise<FoundRecord<AgentRecord>[]> {
    return this.find('agent', AgentRecordSchema, { taskRunId });
  }

  getBonus(key: string): Promise<Filed<BonusRecord> | null> {
    return this.getFiled('bonus', key, BonusRecordSchema);
  }
  putBonus(key: string, taskRunId: string | null, unitId: string | null, data: BonusRecord): Promise<void> {
    return this.put('bonus', key, data, { taskRunId, unitId });
  }
  bonusesOfRun(taskRunId: string): Promise<FoundRecord<BonusRecord>[]> {
    return this.find('bonus', BonusRecordSchema, { taskRunId });
  }

  getDuty(duty: string, key: string): Promise<Filed<DutyRecord> | null> {
    return this.getFiled('duty', `${duty}:${key}`, DutyRecordSchema);
  }
  putDuty(
    duty: string,
    key: string,
    data: DutyRecord,
    taskRunId: string | null,
    unitId: string | null,
  ): Promise<void> {
    return this.put('duty', `${duty}:${key}`, data, { taskRunId, unitId });
  }

  getBlock(mturkWorkerId: string): Promise<Filed<BlockRecord> | null> {
    return this.getFiled('block', mturkWorkerId, BlockRecordSchema);
  }
  putBlock(mturkWorkerId: string, data: BlockRecord): Promise<void> {
    return this.put('block', mturkWorkerId, data, {});
  }

  getQualification(name: string): Promise<Filed<QualificationRecord> | null> {
    return this.getFiled('qualification', name, QualificationRecordSchema);
  }
  putQualification(name: string, data: QualificationRecord): Promise<void> {
    return this.put('qualification', name, data, {});
  }
}
