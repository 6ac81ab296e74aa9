/**
 * A run's HIT type and its HITs: one HIT (MaxAssignments 1) per unit, created with a UniqueRequestToken
 * that is recorded before the call, so a retry or a crash-resume never creates a second HIT for one
 * launch; withdrawn by moving the expiry into the past (Mephisto's way; MTurk keeps the HIT, Reviewable).
 */
import {
  CreateHITTypeCommand,
  CreateHITWithHITTypeCommand,
  GetHITCommand,
  ListHITsCommand,
  UpdateExpirationForHITCommand,
  type HIT,
} from '@aws-sdk/client-mturk';
import type { ProviderRunContext } from '../crowd-provider.js';
import { formatAnnotation, launchToken, parseAnnotation } from './hit-annotation.js';
import { allPages, isRequestError } from './mturk-api.js';
import { hitGroupLink } from './mturk-endpoints.js';
import { MturkSetupError } from './mturk-errors.js';
import { hitTypeSettings, settingsSignature } from './mturk-hit-settings.js';
import { mturkRequirements } from './mturk-qualifications.js';
import type { HitRecord, RunRecord } from './mturk-records.js';
import type { MturkSession } from './mturk-session.js';

/** Mephisto's "past" expiry date for withdrawing a HIT. */
export const EXPIRE_IN_THE_PAST = new Date(Date.UTC(2015, 0, 1));
/** A recorded HIT this close to its own expiry is treated as gone when a unit is launched again. */
const EXPIRY_MARGIN_MS = 60_000;

/** Registers the run's HIT type (or finds it recorded with the same settings). */
export async function ensureHitType(
  session: MturkSession,
  context: ProviderRunContext,
  autoApproveDelay: number,
): Promise<RunRecord> {
  const requirements = await mturkRequirements(session, context);
  const settings = hitTypeSettings(
    context.taskArgs,
    { auto_approve_delay_in_seconds: autoApproveDelay },
    requirements,
  );
  const signature = settingsSignature(settings);
  const recorded = await session.records.getRun(context.taskRun.id);
  if (recorded?.data.signature === signature) return recorded.data;
  // MTurk answers identical settings with the existing type, so this is idempotent too.
  const created = await session.api.call('CreateHITType', (client) =>
    client.send(
      new CreateHITTypeCommand({
        ...settings,
        QualificationRequirements: [...settings.QualificationRequirements],
      }),
    ),
  );
  if (created.HITTypeId === undefined) throw new Error('MTurk CreateHITType returned no HITTypeId');
  const run: RunRecord = {
    hitTypeId: created.HITTypeId,
    signature,
    qualificationTypeIds: requirements.map((r) => r.QualificationTypeId ?? ''),
  };
  await session.records.putRun(context.taskRun.id, run);
  session.log.info({ hitTypeId: run.hitTypeId }, 'MTurk HIT type ready');
  return run;
}

/** Whether MTurk refused CreateHIT because the token was already used (the HIT exists). */
function isHitAlreadyExists(error: unknown): boolean {
  return (
    isRequestError(error) &&
    (error.failure.turkErrorCode === 'AWS.MechanicalTurk.HitAlreadyExists' ||
      /already exists|UniqueRequestToken/i.test(error.failure.message))
  );
}

/** Every HIT on the account (ListHITs, all pages; disposed HITs are not listed). */
export function listAccountHits(session: Pick<MturkSession, 'api'>): Promise<HIT[]> {
  return allPages(async (nextToken) => {
    const page = await session.api.call('ListHITs', (client) =>
      client.send(
        new ListHITsCommand({
          MaxResults: 100,
          ...(nextToken === undefined ? {} : { NextToken: nextToken }),
        }),
      ),
    );
    return { items: page.HITs, nextToken: page.NextToken };
  });
}

/** The HIT with `hitId`, or null when MTurk has no such HIT. */
export async function getHit(session: MturkSession, hitId: string): Promise<HIT | null> {
  try {
    const found = await session.api.call('GetHIT', (client) =>
      client.send(new GetHITCommand({ HITId: hitId })),
    );
    return found.HIT ?? null;
  } catch (error) {
    if (isRequestError(error) && /does not exist/i.test(error.failure.message)) return null;
    throw error;
  }
}

/**
 * The HIT created with `token`: first the HIT ids MTurk's "already exists" message names, then the
 * account's HITs by annotation. Null when there is none.
 */
export async function findHitByToken(session: MturkSession, token: string, hint = ''): Promise<HIT | null> {
  for (const id of hint.match(/\b[A-Z0-9]{20,40}\b/g) ?? []) {
    const hit = await getHit(session, id);
    if (parseAnnotation(hit?.RequesterAnnotation)?.token === token) return hit;
  }
  return (
    (await listAccountHits(session)).find(
      (hit) => parseAnnotation(hit.RequesterAnnotation)?.token === token,
    ) ?? null
  );
}

/** The record of a HIT MTurk reported, for the unit it was created for. */
export function hitRecordOf(
  session: MturkSession,
  hit: HIT,
  launchedForUnitId: string,
  token: string,
): HitRecord {
  if (hit.HITId === undefined || hit.HITTypeId === undefined || hit.HITGroupId === undefined)
    throw new Error('MTurk returned a HIT without HITId, HITTypeId or HITGroupId');
  return {
    hitId: hit.HITId,
    hitTypeId: hit.HITTypeId,
    hitGroupId: hit.HITGroupId,
    launchedForUnitId,
    token,
    link: hitGroupLink(hit.HITGroupId, session.sandbox),
    expiresAt: hit.Expiration?.getTime() ?? session.now(),
    expired: false,
  };
}

export interface LaunchPlan {
  readonly run: RunRecord;
  readonly question: string;
  readonly lifetimeInSeconds: number;
}

/**
 * Puts one unit on offer and returns its link. A unit whose recorded HIT is still on offer gets that
 * HIT's link again (no call); an open claim (a crash or failure after the token was recorded) is
 * retried with the same token; otherwise a new generation with a new token.
 */
export async function launchUnit(
  session: MturkSession,
  context: ProviderRunContext,
  unitId: string,
  plan: LaunchPlan,
): Promise<string> {
  const taskRunId = context.taskRun.id;
  const current = await session.records.getUnit(unitId);
  if (current?.data.hitId != null) {
    const hit = await session.records.getHit(current.data.hitId);
    if (hit !== null && !hit.data.expired && hit.data.expiresAt > session.now() + EXPIRY_MARGIN_MS)
      return hit.data.link;
  }
  let claim = current?.data;
  if (claim?.pendingToken == null) {
    const generation = (claim?.generation ?? 0) + 1;
    claim = { generation, pendingToken: launchToken(unitId, generation, session.random), hitId: null };
    await session.records.putUnit(unitId, taskRunId, claim);
  }
  const token = claim.pendingToken ?? '';
  let hit: HIT | null;
  try {
    const created = await session.api.call('CreateHITWithHITType', (client) =>
      client.send(
        new CreateHITWithHITTypeCommand({
          HITTypeId: plan.run.hitTypeId,
          MaxAssignments: 1,
          LifetimeInSeconds: plan.lifetimeInSeconds,
          Question: plan.question,
          RequesterAnnotation: formatAnnotation({ taskRunId, unitId, token }),
          UniqueRequestToken: token,
        }),
      ),
    );
    hit = created.HIT ?? null;
  } catch (error) {
    // A retry of a CreateHIT that did reach MTurk: the HIT exists; find it rather than make another.
    if (!isHitAlreadyExists(error)) throw error;
    hit = await findHitByToken(session, token, isRequestError(error) ? error.failure.message : '');
    if (hit === null) throw error;
    session.log.info({ unitId, hitId: hit.HITId }, 'found the HIT an earlier attempt created');
  }
  if (hit === null) throw new Error('MTurk CreateHITWithHITType returned no HIT');
  const record = hitRecordOf(session, hit, unitId, token);
  await session.records.putHit(taskRunId, unitId, record);
  await session.records.putUnit(unitId, taskRunId, {
    generation: claim.generation,
    pendingToken: null,
    hitId: record.hitId,
  });
  return record.link;
}

/** Withdraws a HIT (expiry to the past) and records it. A HIT MTurk no longer has counts as withdrawn. */
export async function expireHit(
  session: MturkSession,
  taskRunId: string,
  unitId: string,
  hit: HitRecord,
): Promise<void> {
  try {
    await session.api.call('UpdateExpirationForHIT', (client) =>
      client.send(new UpdateExpirationForHITCommand({ HITId: hit.hitId, ExpireAt: EXPIRE_IN_THE_PAST })),
    );
  } catch (error) {
    if (!isRequestError(error) || !/does not exist|Disposed/i.test(error.failure.message)) throw error;
  }
  await session.records.putHit(taskRunId, unitId, { ...hit, expired: true });
}

/** The address MTurk frames must be https on AWS's endpoints; a run needs one at all. */
export function checkServerUrl(serverUrl: string, awsEndpoint: boolean): void {
  if (serverUrl === '')
    throw new MturkSetupError(
      'an MTurk run needs a server workers can reach: run it with the local architect and set its public_url ' +
        '(an https address, e.g. through a TLS proxy or tunnel)',
    );
  if (awsEndpoint && !serverUrl.startsWith('https://'))
    throw new MturkSetupError(
      `MTurk only shows task pages served over https, and the run's server address is ${serverUrl}: set the ` +
        "local architect's public_url to the https address workers reach it at (a TLS proxy or tunnel)",
    );
}
