/**
 * Making MTurk agree with the store for one run (reconcileRun, and teardownRun as its "run over" case).
 * MTurk is read once per call: the account's HITs (ListHITs, all pages), of which the run's are those
 * recorded for it or whose RequesterAnnotation names it, so HITs a crash left unrecorded (created, then
 * the process died or the database was restored) are found too. Then:
 *
 * - a HIT still on offer whose unit is not live (or that is not its unit's current HIT, or any HIT when
 *   the run is over) is withdrawn;
 * - a HIT found for an open launch claim (the reply was lost) is recorded as the unit's HIT;
 * - a live unit with no usable HIT (never created, expired unused, gone) is launched again;
 * - bonuses recorded as `sending` that MTurk lists as paid are recorded as done;
 * - assignments MTurk approved outside a review (auto-approval, the requester's MTurk UI) are recorded in
 *   the payments ledger as paid (mturk-approvals.ts), when the provider has the ledger.
 *
 * HITs that are not on offer (completed, already expired) cost no call: expiring a mostly finished run
 * touches only what is still open (Mephisto issue #431).
 */
import type { HIT } from '@aws-sdk/client-mturk';
import type { ProviderReconcileContext, ProviderReconcileReport } from '../crowd-provider.js';
import { parseAnnotation } from './hit-annotation.js';
import { recordMturkApprovals, type MturkApprovalStore } from './mturk-approvals.js';
import { expireHit, hitRecordOf, listAccountHits } from './mturk-hits.js';
import type { HitRecord } from './mturk-records.js';
import { findBonusPayment } from './mturk-reviews.js';
import type { MturkSession } from './mturk-session.js';

interface RunHit {
  readonly record: HitRecord;
  /** The unit the HIT currently serves. */
  readonly unitId: string;
  readonly remote: HIT | undefined;
}

/** Whether MTurk still offers the HIT (or would, should its worker return it). */
function onOffer(session: MturkSession, hit: HIT): boolean {
  const open = (hit.Expiration?.getTime() ?? 0) > session.now();
  return hit.HITStatus === 'Assignable' || (hit.HITStatus === 'Unassignable' && open);
}

/** Whether the HIT can serve nobody any more without ever having been worked on (expired unused, gone). */
function deadUnused(session: MturkSession, hit: HIT | undefined): boolean {
  if (hit === undefined) return true;
  const expired = (hit.Expiration?.getTime() ?? 0) <= session.now();
  const untouched =
    (hit.NumberOfAssignmentsPending ?? 0) === 0 &&
    (hit.NumberOfAssignmentsCompleted ?? 0) === 0 &&
    (hit.NumberOfAssignmentsAvailable ?? 0) >= (hit.MaxAssignments ?? 1);
  return (expired || hit.HITStatus === 'Disposed') && untouched;
}

export interface ReconcileOptions {
  /** Puts a live unit on offer again (a new HIT); absent at teardown. */
  readonly relaunch?: (unitId: string) => Promise<void>;
  /** Where approvals made on MTurk are recorded; absent at teardown and without a ledger. */
  readonly approvals?: MturkApprovalStore;
}

export async function reconcileHits(
  session: MturkSession,
  context: ProviderReconcileContext,
  options: ReconcileOptions = {},
): Promise<ProviderReconcileReport> {
  const taskRunId = context.taskRun.id;
  const notes: string[] = [];
  let withdrawn = 0;
  let relaunched = 0;
  let recorded = 0;

  const account = new Map((await listAccountHits(session)).map((hit) => [hit.HITId ?? '', hit]));
  const units = new Map((await session.records.unitsOfRun(taskRunId)).map((u) => [u.key, u.data]));
  const runHits = new Map<string, RunHit>();
  for (const filed of await session.records.hitsOfRun(taskRunId))
    runHits.set(filed.key, {
      record: filed.data,
      unitId: filed.unitId ?? filed.data.launchedForUnitId,
      remote: account.get(filed.key),
    });

  // HITs of this run that the records do not know: an open claim's (its reply was lost), or orphans.
  for (const [hitId, hit] of account) {
    const annotation = parseAnnotation(hit.RequesterAnnotation);
    if (annotation?.taskRunId !== taskRunId || runHits.has(hitId)) continue;
    const record = hitRecordOf(session, hit, annotation.unitId, annotation.token);
    const unit = units.get(annotation.unitId);
    if (unit?.pendingToken === annotation.token) {
      const claimed = { generation: unit.generation, pendingToken: null, hitId };
      await session.records.putUnit(annotation.unitId, taskRunId, claimed);
      units.set(annotation.unitId, claimed);
      notes.push(`HIT ${hitId} of unit ${annotation.unitId} was created but not recorded; recorded now`);
    } else {
      notes.push(`HIT ${hitId} (unit ${annotation.unitId}) was on MTurk with no record of it (an orphan)`);
    }
    await session.records.putHit(taskRunId, annotation.unitId, record);
    runHits.set(hitId, { record, unitId: annotation.unitId, remote: hit });
  }

  for (const [hitId, { record, unitId, remote }] of runHits) {
    const current = units.get(unitId)?.hitId === hitId;
    const wanted = !context.runOver && context.liveUnitIds.has(unitId) && current;
    if (remote !== undefined && onOffer(session, remote) && !wanted) {
      await expireHit(session, taskRunId, unitId, record);
      withdrawn++;
      notes.push(
        `withdrew HIT ${hitId}: ${context.runOver ? 'the run is over' : current ? `unit ${unitId} is not live` : `it is not unit ${unitId}'s HIT`}`,
      );
    } else if (!record.expired && (remote === undefined || !onOffer(session, remote))) {
      await session.records.putHit(taskRunId, unitId, { ...record, expired: true });
    }
  }

  if (!context.runOver && options.relaunch !== undefined) {
    for (const unitId of context.liveUnitIds) {
      const unit = units.get(unitId);
      if (unit?.pendingToken != null) continue; // an open claim: the next launch retries it
      const hitId = unit?.hitId ?? null;
      const hit = hitId === null ? undefined : runHits.get(hitId);
      if (hit !== undefined && !deadUnused(session, hit.remote)) continue;
      await options.relaunch(unitId);
      relaunched++;
      notes.push(`unit ${unitId} had no HIT on offer; launched a new one`);
    }
  }

  for (const bonus of await session.records.bonusesOfRun(taskRunId)) {
    if (bonus.data.status !== 'sending') continue;
    if ((await findBonusPayment(session, bonus.data)) === null) continue;
    await session.records.putBonus(bonus.key, taskRunId, bonus.unitId, {
      ...bonus.data,
      status: 'done',
      reference: `${bonus.data.assignmentId}/${bonus.key}`,
    });
    recorded++;
    notes.push(`bonus ${bonus.key} was paid on MTurk; recorded as done`);
  }

  if (options.approvals !== undefined) {
    const hits = [...runHits].map(([hitId, hit]) => ({ hitId, remote: hit.remote }));
    const approvals = await recordMturkApprovals(session, taskRunId, hits, options.approvals);
    recorded += approvals.recorded;
    notes.push(...approvals.notes);
  }

  return { withdrawn, relaunched, recorded, notes };
}
