/**
 * Assignments MTurk approved outside a review, recorded in the payments ledger at reconcile: MTurk
 * approves submitted work by itself once the HIT type's `AutoApprovalDelayInSeconds` has passed, and a
 * requester may approve in MTurk's own UI. Either way MTurk paid the reward and its commission, so the
 * ledger gets both as `paid` (payments/platform-payments.ts: keys `<type>:approved:<assignment id>:…`,
 * the assignment id as reference, never twice, never on top of a review's reward).
 *
 * Only HITs MTurk lists with a completed (approved or rejected) assignment cost a call
 * (ListAssignmentsForHIT), and of those only HITs whose assignments the ledger does not already name:
 * a run reviewed through mephisto-ts costs nothing here. Rejected work is looked at again on each
 * reconcile (one call per such HIT).
 */
import { ListAssignmentsForHITCommand, type Assignment, type HIT } from '@aws-sdk/client-mturk';
import type { Agent } from '../../core/index.js';
import { toCents } from '../../payments/money.js';
import { PlatformApprovalRecorder, type PlatformLedger } from '../../payments/platform-payments.js';
import type { Store } from '../../store/store.js';
import { allPages } from './mturk-api.js';
import { mturkFee } from './mturk-endpoints.js';
import type { MturkSession } from './mturk-session.js';

/** What recording approvals needs from the store: the ledger, and the agents to name the worker. */
export interface MturkApprovalStore {
  readonly ledger: PlatformLedger;
  readonly getAgent?: Store['getAgent'];
}

/** A HIT of the run as reconcile sees it: its id and MTurk's view of it (undefined: not listed). */
export interface ApprovalHit {
  readonly hitId: string;
  readonly remote: HIT | undefined;
}

/** MTurk approved it by itself: at (or after) the auto-approval time. */
function autoApproved(assignment: Assignment): boolean {
  const approved = assignment.ApprovalTime?.getTime();
  const auto = assignment.AutoApprovalTime?.getTime();
  return approved !== undefined && auto !== undefined && approved >= auto - 1000;
}

function approvedAssignments(session: MturkSession, hitId: string): Promise<Assignment[]> {
  return allPages(async (nextToken) => {
    const page = await session.api.call('ListAssignmentsForHIT', (client) =>
      client.send(
        new ListAssignmentsForHITCommand({
          HITId: hitId,
          AssignmentStatuses: ['Approved'],
          MaxResults: 100,
          ...(nextToken === undefined ? {} : { NextToken: nextToken }),
        }),
      ),
    );
    return { items: page.Assignments, nextToken: page.NextToken };
  });
}

async function agentOf(store: MturkApprovalStore, agentId: string): Promise<Agent | null> {
  if (store.getAgent === undefined) return null;
  try {
    return await store.getAgent(agentId);
  } catch {
    return null;
  }
}

/** Records the run's assignments MTurk approved outside a review; returns how many, with notes. */
export async function recordMturkApprovals(
  session: MturkSession,
  taskRunId: string,
  hits: Iterable<ApprovalHit>,
  store: MturkApprovalStore,
): Promise<{ recorded: number; notes: string[] }> {
  const notes: string[] = [];
  let recorded = 0;
  const candidates = [...hits].filter((hit) => (hit.remote?.NumberOfAssignmentsCompleted ?? 0) > 0);
  if (candidates.length === 0) return { recorded, notes };
  const agents = await session.records.agentsOfRun(taskRunId);
  const byAssignment = new Map(agents.map((agent) => [agent.data.assignmentId, agent]));
  const recorder = new PlatformApprovalRecorder(store.ledger, taskRunId, session.type);

  for (const { hitId, remote } of candidates) {
    const known = agents.filter((agent) => agent.data.hitId === hitId);
    let paid = known.length > 0;
    for (const agent of known) paid &&= await recorder.referenced(agent.data.assignmentId);
    if (paid) continue;
    const rewardCents = toCents(Number(remote?.Reward ?? 0));
    for (const assignment of await approvedAssignments(session, hitId)) {
      const assignmentId = assignment.AssignmentId ?? '';
      if (assignmentId === '') continue;
      const filed = byAssignment.get(assignmentId);
      const agent = filed === undefined ? null : await agentOf(store, filed.key);
      const how = autoApproved(assignment)
        ? 'approved automatically by MTurk after the auto-approval delay'
        : "approved on MTurk outside mephisto-ts (the requester's MTurk UI or another tool)";
      const outcome = await recorder.record({
        platformId: assignmentId,
        unitId: filed?.data.unitId ?? null,
        workerId: agent?.workerId ?? null,
        since: agent?.creationDate ?? null,
        rewardCents,
        feeCents: toCents(mturkFee(rewardCents / 100)),
        note: how,
      });
      if (outcome !== 'recorded') continue;
      recorded++;
      notes.push(
        `assignment ${assignmentId} (HIT ${hitId}, ` +
          (filed === undefined ? 'no agent in mephisto-ts' : `unit ${filed.data.unitId}`) +
          `) was ${how}; recorded its reward and fee as paid`,
      );
      session.log.info(
        { taskRunId, hitId, assignmentId, unitId: filed?.data.unitId ?? null, rewardCents },
        'recorded an assignment approved on MTurk outside a review',
      );
    }
  }
  return { recorded, notes };
}
