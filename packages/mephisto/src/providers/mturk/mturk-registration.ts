/**
 * An MTurk worker's page registering for work (CrowdProvider.registerAgent). The page sends the MTurk
 * `assignment_id` and `hit_id` it was opened with; the engine has already chosen the unit (any launched
 * unit of the run: assignment is server-side), which need not be the unit the accepted HIT was created
 * for. So the HITs are swapped: the accepted HIT now serves the given unit, and that unit's former HIT
 * serves the unit the accepted HIT was made for, which is still on offer. Every unit keeps exactly one
 * HIT, and expiring a unit withdraws the HIT that actually offers it.
 *
 * Refused (MEPHISTO_ERR_PROVIDER_REGISTRATION): no assignment id or MTurk's preview id
 * `ASSIGNMENT_ID_NOT_AVAILABLE` (the worker has not accepted), no HIT id, a HIT of another run or not
 * created by mephisto-ts.
 */
import type { ProviderAgentRegistration, ProviderRunContext } from '../crowd-provider.js';
import { parseAnnotation } from './hit-annotation.js';
import { MturkRegistrationError } from './mturk-errors.js';
import { getHit, hitRecordOf } from './mturk-hits.js';
import type { Filed, HitRecord } from './mturk-records.js';
import { mturkWorkerId, type MturkSession } from './mturk-session.js';

/** The assignment id MTurk gives a page while the worker only previews the HIT. */
export const ASSIGNMENT_ID_NOT_AVAILABLE = 'ASSIGNMENT_ID_NOT_AVAILABLE';

function textField(data: Readonly<Record<string, unknown>>, name: string): string | null {
  const value = data[name];
  return typeof value === 'string' && value.trim() !== '' && value !== 'null' ? value.trim() : null;
}

/** The accepted HIT's record, adopting a HIT of this run that the records lost (a crash). */
async function acceptedHit(
  session: MturkSession,
  taskRunId: string,
  hitId: string,
): Promise<Filed<HitRecord>> {
  const recorded = await session.records.getHit(hitId);
  if (recorded !== null) {
    if (recorded.taskRunId !== taskRunId)
      throw new MturkRegistrationError(
        `HIT ${hitId} belongs to another run (${recorded.taskRunId ?? 'none'}), not ${taskRunId}`,
      );
    return recorded;
  }
  const hit = await getHit(session, hitId);
  const annotation = parseAnnotation(hit?.RequesterAnnotation);
  if (hit === null || annotation === null || annotation.taskRunId !== taskRunId)
    throw new MturkRegistrationError(`HIT ${hitId} is not one of run ${taskRunId}'s HITs`);
  const record = hitRecordOf(session, hit, annotation.unitId, annotation.token);
  await session.records.putHit(taskRunId, annotation.unitId, record);
  session.log.warn({ hitId, unitId: annotation.unitId }, 'recorded a HIT of this run the records had lost');
  return { data: record, taskRunId, unitId: annotation.unitId };
}

/** Makes `accepted` serve `unitId`, and the unit's former HIT serve the unit `accepted` served. */
async function remap(
  session: MturkSession,
  taskRunId: string,
  accepted: Filed<HitRecord>,
  fromUnitId: string,
  unitId: string,
): Promise<void> {
  const { records } = session;
  const given = await records.getUnit(unitId);
  const former = given?.data.hitId ?? null;
  const other = await records.getUnit(fromUnitId);
  // HIT records first: they are what reconcile trusts, so a crash half-way is repaired there.
  await records.putHit(taskRunId, unitId, accepted.data);
  const formerHit = former === null || former === accepted.data.hitId ? null : await records.getHit(former);
  if (formerHit !== null) await records.putHit(taskRunId, fromUnitId, formerHit.data);
  await records.putUnit(unitId, taskRunId, {
    generation: given?.data.generation ?? 1,
    pendingToken: given?.data.pendingToken ?? null,
    hitId: accepted.data.hitId,
  });
  if (other === null || other.data.hitId === accepted.data.hitId)
    await records.putUnit(fromUnitId, taskRunId, {
      generation: other?.data.generation ?? 1,
      pendingToken: other?.data.pendingToken ?? null,
      hitId: formerHit?.data.hitId ?? null,
    });
  session.log.debug(
    { hitId: accepted.data.hitId, unitId, formerHitId: formerHit?.data.hitId, fromUnitId },
    'remapped HITs to the units workers were given',
  );
}

export async function registerMturkAgent(
  session: MturkSession,
  context: ProviderRunContext,
  registration: ProviderAgentRegistration,
): Promise<void> {
  const { unit, agent, worker, providerData } = registration;
  const assignmentId = textField(providerData, 'assignment_id');
  if (assignmentId === null || assignmentId === ASSIGNMENT_ID_NOT_AVAILABLE)
    throw new MturkRegistrationError(
      'the page has no MTurk assignment (a preview): the worker must accept the HIT on MTurk before working',
    );
  const hitId = textField(providerData, 'hit_id');
  if (hitId === null)
    throw new MturkRegistrationError('the page has no MTurk hit_id (open the task from its HIT)');
  const taskRunId = context.taskRun.id;

  const existing = await session.records.getAgent(agent.id);
  if (existing !== null && existing.data.assignmentId === assignmentId && existing.data.hitId === hitId)
    return;

  const accepted = await acceptedHit(session, taskRunId, hitId);
  const servedUnit = accepted.unitId ?? accepted.data.launchedForUnitId;
  if (servedUnit !== unit.id) await remap(session, taskRunId, accepted, servedUnit, unit.id);
  await session.records.putAgent(agent.id, taskRunId, {
    assignmentId,
    hitId,
    mturkWorkerId: mturkWorkerId(session, worker.name),
    unitId: unit.id,
  });
}
