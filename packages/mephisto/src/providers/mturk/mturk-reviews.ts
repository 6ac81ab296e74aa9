/**
 * Review duties on MTurk, each at most once per idempotency key (the port's contract):
 *
 * - approve / reject by the agent's MTurk assignment. "Already approved" (by us earlier, or by MTurk's
 *   own auto-approval) is done for an approval; for a rejection it is a clear error, since MTurk has
 *   paid. "Already rejected" is done for a rejection; an approval of rejected work overrides the
 *   rejection (the reviewer changed their mind; MTurk allows it for 30 days).
 * - bonuses go out with the key as SendBonus's UniqueRequestToken; MTurk refuses a repeated token as
 *   "already processed", which is looked up in ListBonusPayments and answered as done. The key is
 *   recorded before sending, and MTurk forgets tokens after 24 hours, so a key still `sending` after
 *   that is checked against ListBonusPayments before it is sent again.
 * - blocks, unblocks, grants and revocations record their key once done, so a late retry of an old
 *   key never undoes a newer decision.
 */
import {
  ApproveAssignmentCommand,
  AssociateQualificationWithWorkerCommand,
  CreateWorkerBlockCommand,
  DeleteWorkerBlockCommand,
  DisassociateQualificationFromWorkerCommand,
  GetAssignmentCommand,
  ListBonusPaymentsCommand,
  RejectAssignmentCommand,
  SendBonusCommand,
  type Assignment,
  type BonusPayment,
} from '@aws-sdk/client-mturk';
import type {
  ProviderBlockRequest,
  ProviderBonusRequest,
  ProviderDutyResult,
  ProviderQualificationRequest,
  ProviderUnblockRequest,
  ProviderWorkReview,
} from '../crowd-provider.js';
import { isRequestError } from './mturk-api.js';
import { MturkReviewError } from './mturk-errors.js';
import { dollars } from './mturk-hit-settings.js';
import { qualificationTypeId } from './mturk-qualifications.js';
import type { AgentRecord } from './mturk-records.js';
import { mturkWorkerId, type MturkSession } from './mturk-session.js';

/** MTurk keeps a UniqueRequestToken for 24 hours; a key older than this is checked before resending. */
const TOKEN_MEMORY_MS = 23 * 60 * 60 * 1000;
const WRONG_STATE = /status of/i;
/** MTurk's RequesterFeedback is required to reject; used when the reviewer gave none. */
export const DEFAULT_REJECTION_FEEDBACK = "Your work did not meet the task's requirements.";

const done = (reference: string | null): ProviderDutyResult =>
  reference === null ? { status: 'done' } : { status: 'done', reference };

/** The MTurk assignment an agent works under (recorded when it registered). */
async function agentAssignment(session: MturkSession, agentId: string): Promise<AgentRecord> {
  const record = await session.records.getAgent(agentId);
  if (record === null)
    throw new MturkReviewError(
      `no MTurk assignment is recorded for agent ${agentId}: the worker did not come through an MTurk HIT ` +
        '(or the agent registered before the provider was set up)',
    );
  return record.data;
}

async function getAssignment(session: MturkSession, assignmentId: string): Promise<Assignment | null> {
  const found = await session.api.call('GetAssignment', (client) =>
    client.send(new GetAssignmentCommand({ AssignmentId: assignmentId })),
  );
  return found.Assignment ?? null;
}

/** Runs `duty` once per (name, key): a key found done answers as it did the first time. */
async function once(
  session: MturkSession,
  name: string,
  key: string,
  filed: { taskRunId: string | null; unitId: string | null },
  duty: () => Promise<string | null>,
): Promise<ProviderDutyResult> {
  const recorded = await session.records.getDuty(name, key);
  if (recorded !== null) return done(recorded.data.reference);
  const reference = await duty();
  await session.records.putDuty(name, key, { reference, at: session.now() }, filed.taskRunId, filed.unitId);
  return done(reference);
}

export function approveWork(session: MturkSession, request: ProviderWorkReview): Promise<ProviderDutyResult> {
  const { unit, agent } = request.work;
  return once(
    session,
    'approve',
    request.idempotencyKey,
    { taskRunId: unit.taskRunId, unitId: unit.id },
    async () => {
      const { assignmentId } = await agentAssignment(session, agent.id);
      const approve = (overrideRejection: boolean) =>
        session.api.call('ApproveAssignment', (client) =>
          client.send(
            new ApproveAssignmentCommand({
              AssignmentId: assignmentId,
              ...(request.feedback === null || request.feedback === ''
                ? {}
                : { RequesterFeedback: request.feedback.slice(0, 1024) }),
              ...(overrideRejection ? { OverrideRejection: true } : {}),
            }),
          ),
        );
      try {
        await approve(false);
      } catch (error) {
        if (!isRequestError(error) || !WRONG_STATE.test(error.failure.message)) throw error;
        const assignment = await getAssignment(session, assignmentId);
        if (assignment?.AssignmentStatus === 'Rejected') await approve(true);
        else if (assignment?.AssignmentStatus !== 'Approved') throw error;
        // Approved already: by an earlier attempt, or by MTurk's auto-approval. Either way, paid.
      }
      return assignmentId;
    },
  );
}

export function rejectWork(session: MturkSession, request: ProviderWorkReview): Promise<ProviderDutyResult> {
  const { unit, agent } = request.work;
  return once(
    session,
    'reject',
    request.idempotencyKey,
    { taskRunId: unit.taskRunId, unitId: unit.id },
    async () => {
      const { assignmentId } = await agentAssignment(session, agent.id);
      const feedback =
        request.feedback === null || request.feedback.trim() === ''
          ? DEFAULT_REJECTION_FEEDBACK
          : request.feedback;
      try {
        await session.api.call('RejectAssignment', (client) =>
          client.send(
            new RejectAssignmentCommand({
              AssignmentId: assignmentId,
              RequesterFeedback: feedback.slice(0, 1024),
            }),
          ),
        );
      } catch (error) {
        if (!isRequestError(error) || !WRONG_STATE.test(error.failure.message)) throw error;
        const assignment = await getAssignment(session, assignmentId);
        if (assignment?.AssignmentStatus === 'Approved')
          throw new MturkReviewError(
            `MTurk has already approved assignment ${assignmentId} (approved by a reviewer, or automatically after ` +
              'the auto-approval delay), so it cannot be rejected and the worker has been paid',
            { cause: error },
          );
        if (assignment?.AssignmentStatus !== 'Rejected') throw error;
      }
      return assignmentId;
    },
  );
}

/** The bonus payment on the assignment matching (worker, amount, reason), or null. */
export async function findBonusPayment(
  session: MturkSession,
  target: { assignmentId: string; mturkWorkerId: string; amount: string; reason: string },
): Promise<BonusPayment | null> {
  let nextToken: string | undefined;
  do {
    const page = await session.api.call('ListBonusPayments', (client) =>
      client.send(
        new ListBonusPaymentsCommand({
          AssignmentId: target.assignmentId,
          MaxResults: 100,
          ...(nextToken === undefined ? {} : { NextToken: nextToken }),
        }),
      ),
    );
    const found = page.BonusPayments?.find(
      (bonus) =>
        bonus.WorkerId === target.mturkWorkerId &&
        bonus.BonusAmount !== undefined &&
        Math.round(Number(bonus.BonusAmount) * 100) === Math.round(Number(target.amount) * 100) &&
        bonus.Reason === target.reason,
    );
    if (found !== undefined) return found;
    nextToken =
      page.BonusPayments !== undefined && page.BonusPayments.length > 0 ? page.NextToken : undefined;
  } while (nextToken !== undefined);
  return null;
}

/** The assignment a bonus is paid against: the agent's, else the worker's latest on the unit. */
async function bonusAssignment(session: MturkSession, request: ProviderBonusRequest): Promise<AgentRecord> {
  if (request.agent !== null) return agentAssignment(session, request.agent.id);
  const workerId = mturkWorkerId(session, request.worker.name);
  const agents = (await session.records.agentsOfUnit(request.unit.id)).filter(
    (record) => record.data.mturkWorkerId === workerId,
  );
  const latest = agents.at(-1);
  if (latest === undefined)
    throw new MturkReviewError(
      `MTurk pays a bonus against one of the worker's assignments, and worker ${request.worker.name} has none ` +
        `recorded for unit ${request.unit.id}`,
    );
  return latest.data;
}

export async function payBonus(
  session: MturkSession,
  request: ProviderBonusRequest,
): Promise<ProviderDutyResult> {
  const key = request.idempotencyKey;
  const recorded = await session.records.getBonus(key);
  if (recorded?.data.status === 'done') return done(recorded.data.reference);
  const { assignmentId, mturkWorkerId: workerId } = await bonusAssignment(session, request);
  const amount = dollars(request.amount, 'the bonus amount');
  if (Number(amount) <= 0) throw new MturkReviewError('a bonus must be more than $0.00');
  const reason = request.reason.trim() === '' ? 'Bonus' : request.reason;
  const target = { assignmentId, mturkWorkerId: workerId, amount, reason };
  const reference = `${assignmentId}/${key}`;
  const finish = async (): Promise<ProviderDutyResult> => {
    await session.records.putBonus(key, request.unit.taskRunId, request.unit.id, {
      ...target,
      status: 'done',
      sentAt: recorded?.data.sentAt ?? session.now(),
      reference,
    });
    return done(reference);
  };
  // Sent more than a day ago and never confirmed: MTurk no longer remembers the token, so look first.
  if (recorded !== null && session.now() - recorded.data.sentAt > TOKEN_MEMORY_MS) {
    if ((await findBonusPayment(session, target)) !== null) return finish();
  }
  await session.records.putBonus(key, request.unit.taskRunId, request.unit.id, {
    ...target,
    status: 'sending',
    sentAt: session.now(),
    reference: null,
  });
  try {
    await session.api.call('SendBonus', (client) =>
      client.send(
        new SendBonusCommand({
          WorkerId: workerId,
          AssignmentId: assignmentId,
          BonusAmount: amount,
          Reason: reason,
          UniqueRequestToken: key,
        }),
      ),
    );
  } catch (error) {
    // "The idempotency token … has already been processed": an earlier attempt paid. Confirm and record.
    if (!isRequestError(error) || !/idempotency token|already been processed/i.test(error.failure.message))
      throw error;
    if ((await findBonusPayment(session, target)) === null)
      throw new MturkReviewError(
        `MTurk says the bonus key ${key} was already used, but lists no such bonus for assignment ` +
          `${assignmentId}; check the payments on requester.mturk.com before paying again`,
        { cause: error },
      );
  }
  return finish();
}

export function blockWorker(
  session: MturkSession,
  request: ProviderBlockRequest,
): Promise<ProviderDutyResult> {
  const workerId = mturkWorkerId(session, request.worker.name);
  return once(session, 'block', request.idempotencyKey, { taskRunId: null, unitId: null }, async () => {
    const reason = request.reason.trim() === '' ? 'Blocked by the requester' : request.reason;
    await session.api.call('CreateWorkerBlock', (client) =>
      client.send(new CreateWorkerBlockCommand({ WorkerId: workerId, Reason: reason })),
    );
    await session.records.putBlock(workerId, { blocked: true, reason, at: session.now() });
    return workerId;
  });
}

export function unblockWorker(
  session: MturkSession,
  request: ProviderUnblockRequest,
): Promise<ProviderDutyResult> {
  const workerId = mturkWorkerId(session, request.worker.name);
  return once(session, 'unblock', request.idempotencyKey, { taskRunId: null, unitId: null }, async () => {
    await session.api.call('DeleteWorkerBlock', (client) =>
      client.send(new DeleteWorkerBlockCommand({ WorkerId: workerId, Reason: 'Unblocked by the requester' })),
    );
    await session.records.putBlock(workerId, { blocked: false, reason: null, at: session.now() });
    return workerId;
  });
}

export function grantQualification(
  session: MturkSession,
  request: ProviderQualificationRequest,
): Promise<ProviderDutyResult> {
  const workerId = mturkWorkerId(session, request.worker.name);
  return once(session, 'grant', request.idempotencyKey, { taskRunId: null, unitId: null }, async () => {
    const typeId = await qualificationTypeId(session, request.qualificationName);
    await session.api.call('AssociateQualificationWithWorker', (client) =>
      client.send(
        new AssociateQualificationWithWorkerCommand({
          QualificationTypeId: typeId,
          WorkerId: workerId,
          IntegerValue: request.value ?? 1,
          SendNotification: false,
        }),
      ),
    );
    return typeId;
  });
}

export function revokeQualification(
  session: MturkSession,
  request: ProviderQualificationRequest,
): Promise<ProviderDutyResult> {
  const workerId = mturkWorkerId(session, request.worker.name);
  return once(session, 'revoke', request.idempotencyKey, { taskRunId: null, unitId: null }, async () => {
    const typeId = await qualificationTypeId(session, request.qualificationName);
    try {
      await session.api.call('DisassociateQualificationFromWorker', (client) =>
        client.send(
          new DisassociateQualificationFromWorkerCommand({
            QualificationTypeId: typeId,
            WorkerId: workerId,
            Reason: 'Revoked by the requester',
          }),
        ),
      );
    } catch (error) {
      // The worker does not hold it (never granted, or an earlier attempt revoked it): revoked.
      if (!isRequestError(error) || !/does not exist/i.test(error.failure.message)) throw error;
    }
    return typeId;
  });
}
