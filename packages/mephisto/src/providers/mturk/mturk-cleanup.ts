/**
 * Finding and withdrawing HITs left open on an MTurk account (`mephisto mturk cleanup`): "people having
 * HITs up that are not expired is the most common issue in Mephisto" (PR #348). Every HIT still on
 * offer is classified against the database:
 *
 * - `live`: the current HIT of a unit the store has `launched` or `assigned`: kept;
 * - `stale`: a mephisto-ts HIT whose unit is done, expired, gone, or has another current HIT: withdrawn;
 * - `unknown`: a mephisto-ts HIT (by its annotation) of a unit this database does not have (a crash
 *   before it was recorded and a restored database, or another database on the same account): withdrawn,
 *   and listed as such so a shared account is noticed;
 * - `foreign`: not created by mephisto-ts (Mephisto, the requester site, other tools): left alone unless
 *   asked for.
 */
import { UpdateExpirationForHITCommand, type HIT } from '@aws-sdk/client-mturk';
import { MephistoError, type Unit } from '../../core/index.js';
import type { Store } from '../../store/store.js';
import { parseAnnotation } from './hit-annotation.js';
import { isRequestError, type MturkApi } from './mturk-api.js';
import { EXPIRE_IN_THE_PAST, listAccountHits } from './mturk-hits.js';
import { MturkRecords } from './mturk-records.js';

export type CleanupVerdict = 'live' | 'stale' | 'unknown' | 'foreign';

export interface CleanupEntry {
  readonly hitId: string;
  readonly title: string;
  readonly status: string;
  readonly expiration: Date | null;
  readonly taskRunId: string | null;
  readonly unitId: string | null;
  readonly verdict: CleanupVerdict;
  /** Why, in words (`unit 12 is completed`, `not created by mephisto-ts`, …). */
  readonly reason: string;
}

const LIVE_STATUSES: ReadonlySet<string> = new Set(['launched', 'assigned']);

/** Whether MTurk still offers the HIT (or would, should its worker return it). */
export function stillOpen(hit: HIT, now: number): boolean {
  const open = (hit.Expiration?.getTime() ?? 0) > now;
  return hit.HITStatus === 'Assignable' || (hit.HITStatus === 'Unassignable' && open);
}

async function unitOrNull(store: Store, unitId: string): Promise<Unit | null> {
  try {
    return await store.getUnit(unitId);
  } catch (error) {
    // Not found, or not even an id of this database's shape.
    if (error instanceof MephistoError) return null;
    throw error;
  }
}

/** Lists the account's open HITs and what each is to the database. */
export async function planCleanup(options: {
  readonly api: MturkApi;
  readonly store: Store;
  /** `mturk` or `mturk_sandbox`: whose records to read. */
  readonly providerType: string;
  readonly now: number;
}): Promise<CleanupEntry[]> {
  const { store } = options;
  const records = new MturkRecords(store, options.providerType);
  const open = (await listAccountHits({ api: options.api })).filter((hit) => stillOpen(hit, options.now));
  const entries: CleanupEntry[] = [];
  for (const hit of open) {
    const hitId = hit.HITId ?? '';
    const base = {
      hitId,
      title: hit.Title ?? '',
      status: hit.HITStatus ?? '',
      expiration: hit.Expiration ?? null,
    };
    const recorded = await records.getHit(hitId);
    const annotation = parseAnnotation(hit.RequesterAnnotation);
    const unitId = recorded?.unitId ?? annotation?.unitId ?? null;
    const taskRunId = recorded?.taskRunId ?? annotation?.taskRunId ?? null;
    if (unitId === null) {
      entries.push({
        ...base,
        taskRunId: null,
        unitId: null,
        verdict: 'foreign',
        reason: 'not created by mephisto-ts',
      });
      continue;
    }
    const unit = await unitOrNull(store, unitId);
    if (unit === null) {
      entries.push({
        ...base,
        taskRunId,
        unitId,
        verdict: 'unknown',
        reason: `unit ${unitId} is not in this database (a crash before it was recorded, or another database)`,
      });
      continue;
    }
    const current = (await records.getUnit(unitId))?.data.hitId ?? null;
    if (!LIVE_STATUSES.has(unit.status)) {
      entries.push({
        ...base,
        taskRunId,
        unitId,
        verdict: 'stale',
        reason: `unit ${unitId} is ${unit.status}`,
      });
    } else if (current !== hitId) {
      entries.push({
        ...base,
        taskRunId,
        unitId,
        verdict: 'stale',
        reason:
          current === null
            ? `unit ${unitId} has no record of this HIT`
            : `unit ${unitId} is offered by HIT ${current}`,
      });
    } else {
      entries.push({
        ...base,
        taskRunId,
        unitId,
        verdict: 'live',
        reason: `unit ${unitId} is ${unit.status}`,
      });
    }
  }
  return entries;
}

/**
 * Withdraws one HIT (expiry to the past) and marks its record expired. A HIT MTurk no longer has counts
 * as done. Throws MTurk's error otherwise.
 */
export async function withdrawHit(options: {
  readonly api: MturkApi;
  readonly store: Store;
  readonly providerType: string;
  readonly hitId: string;
}): Promise<void> {
  try {
    await options.api.call('UpdateExpirationForHIT', (client) =>
      client.send(new UpdateExpirationForHITCommand({ HITId: options.hitId, ExpireAt: EXPIRE_IN_THE_PAST })),
    );
  } catch (error) {
    if (!isRequestError(error) || !/does not exist|Disposed/i.test(error.failure.message)) throw error;
  }
  const records = new MturkRecords(options.store, options.providerType);
  const recorded = await records.getHit(options.hitId);
  if (recorded !== null && recorded.taskRunId !== null)
    await records.putHit(recorded.taskRunId, recorded.unitId ?? recorded.data.launchedForUnitId, {
      ...recorded.data,
      expired: true,
    });
}
