/**
 * The requester API operations the MTurk fake answers, each reading its JSON input as MTurk does and
 * returning MTurk's JSON output (member names, epoch-second timestamps, dollar strings). Semantics live
 * in {@link MturkFakeState}; this module is the wire mapping.
 */
import { validationError } from './mturk-api-error.js';
import type {
  FakeAssignment,
  FakeBonus,
  FakeHit,
  FakeQualificationType,
  QualificationRequirement,
} from './mturk-fake-model.js';
import type { MturkFakeState } from './mturk-fake-state.js';
import {
  boundedString,
  epochSeconds,
  isJsonObject,
  optionalArray,
  optionalBoolean,
  optionalInteger,
  optionalString,
  paginate,
  requiredInteger,
  requiredString,
  requiredTimestamp,
  type JsonObject,
} from './mturk-input.js';
import { formatCurrency, parseCurrency } from './mturk-money.js';
import { COMPARATORS } from './qualification-check.js';

export const MTURK_OPERATIONS = [
  'GetAccountBalance',
  'CreateHITType',
  'CreateHITWithHITType',
  'GetHIT',
  'ListHITs',
  'UpdateExpirationForHIT',
  'UpdateHITReviewStatus',
  'DeleteHIT',
  'ListAssignmentsForHIT',
  'GetAssignment',
  'ApproveAssignment',
  'RejectAssignment',
  'SendBonus',
  'ListBonusPayments',
  'CreateQualificationType',
  'ListQualificationTypes',
  'AssociateQualificationWithWorker',
  'DisassociateQualificationFromWorker',
  'CreateWorkerBlock',
  'DeleteWorkerBlock',
  'ListWorkerBlocks',
] as const;

export type MturkOperation = (typeof MTURK_OPERATIONS)[number];

export function isMturkOperation(name: string): name is MturkOperation {
  return (MTURK_OPERATIONS as readonly string[]).includes(name);
}

type Handler = (state: MturkFakeState, input: JsonObject) => JsonObject;

const SECONDS_IN_YEAR = 31_536_000;

function currency(state: MturkFakeState, value: string, name: string): number {
  const cents = parseCurrency(value);
  if (cents === null) throw state.error(`${name} "${value}" is not a valid amount of US dollars.`);
  return cents;
}

function requirements(input: JsonObject): QualificationRequirement[] {
  const list = optionalArray(input, 'QualificationRequirements') ?? [];
  if (list.length > 10)
    throw validationError(
      "Value at 'qualificationRequirements' failed to satisfy constraint: at most 10 items",
    );
  return list.map((item, index) => {
    const name = `QualificationRequirements.${index + 1}`;
    if (!isJsonObject(item)) throw validationError(`Value at '${name}' must be a structure`);
    const comparator = requiredString(item, 'Comparator');
    if (!COMPARATORS.has(comparator))
      throw validationError(
        `Value '${comparator}' at '${name}.comparator' failed to satisfy enum constraint`,
      );
    const requirement: Record<string, unknown> = {
      QualificationTypeId: requiredString(item, 'QualificationTypeId'),
      Comparator: comparator,
    };
    for (const key of ['IntegerValues', 'LocaleValues', 'RequiredToPreview', 'ActionsGuarded'])
      if (item[key] !== undefined && item[key] !== null) requirement[key] = item[key];
    return requirement as unknown as QualificationRequirement;
  });
}

export function hitOutput(state: MturkFakeState, hit: FakeHit): JsonObject {
  const type = state.hitType(hit.hitTypeId);
  const counts = state.hitCounts(hit);
  const out: Record<string, unknown> = {
    HITId: hit.id,
    HITTypeId: hit.hitTypeId,
    HITGroupId: hit.groupId,
    CreationTime: epochSeconds(hit.creationTime),
    Title: type.title,
    Description: type.description,
    Question: hit.question,
    Keywords: type.keywords,
    HITStatus: state.hitStatus(hit),
    MaxAssignments: hit.maxAssignments,
    Reward: formatCurrency(type.rewardCents),
    AutoApprovalDelayInSeconds: type.autoApprovalDelayInSeconds,
    Expiration: epochSeconds(hit.expiration),
    AssignmentDurationInSeconds: type.assignmentDurationInSeconds,
    QualificationRequirements: type.qualificationRequirements,
    HITReviewStatus: 'NotReviewed',
    NumberOfAssignmentsPending: counts.pending,
    NumberOfAssignmentsAvailable: counts.available,
    NumberOfAssignmentsCompleted: counts.completed,
  };
  if (hit.requesterAnnotation !== null) out.RequesterAnnotation = hit.requesterAnnotation;
  return out;
}

export function assignmentOutput(assignment: FakeAssignment): JsonObject {
  const out: Record<string, unknown> = {
    AssignmentId: assignment.id,
    WorkerId: assignment.workerId,
    HITId: assignment.hitId,
    AssignmentStatus: assignment.state,
    AcceptTime: epochSeconds(assignment.acceptTime),
    Deadline: epochSeconds(assignment.deadline),
  };
  if (assignment.autoApprovalTime !== null) out.AutoApprovalTime = epochSeconds(assignment.autoApprovalTime);
  if (assignment.submitTime !== null) out.SubmitTime = epochSeconds(assignment.submitTime);
  if (assignment.approvalTime !== null) out.ApprovalTime = epochSeconds(assignment.approvalTime);
  if (assignment.rejectionTime !== null) out.RejectionTime = epochSeconds(assignment.rejectionTime);
  if (assignment.answer !== null) out.Answer = assignment.answer;
  if (assignment.requesterFeedback !== null) out.RequesterFeedback = assignment.requesterFeedback;
  return out;
}

function bonusOutput(bonus: FakeBonus): JsonObject {
  return {
    WorkerId: bonus.workerId,
    BonusAmount: formatCurrency(bonus.amountCents),
    AssignmentId: bonus.assignmentId,
    Reason: bonus.reason,
    GrantTime: epochSeconds(bonus.grantTime),
  };
}

function qualificationTypeOutput(type: FakeQualificationType): JsonObject {
  const out: Record<string, unknown> = {
    QualificationTypeId: type.id,
    CreationTime: epochSeconds(type.creationTime),
    Name: type.name,
    Description: type.description,
    QualificationTypeStatus: type.status,
    IsRequestable: true,
    AutoGranted: type.autoGranted,
  };
  if (type.keywords !== null) out.Keywords = type.keywords;
  if (type.autoGrantedValue !== null) out.AutoGrantedValue = type.autoGrantedValue;
  return out;
}

const HANDLERS: Readonly<Record<MturkOperation, Handler>> = {
  GetAccountBalance: (state) => ({ AvailableBalance: formatCurrency(state.balanceCents) }),

  CreateHITType: (state, input) => {
    const type = state.createHitType({
      title: boundedString(requiredString(input, 'Title'), 'title', 128, 1),
      description: boundedString(requiredString(input, 'Description'), 'description', 2000, 1),
      keywords: boundedString(optionalString(input, 'Keywords') ?? '', 'keywords', 1000),
      rewardCents: currency(state, requiredString(input, 'Reward'), 'Reward'),
      assignmentDurationInSeconds: requiredInteger(input, 'AssignmentDurationInSeconds', 30, SECONDS_IN_YEAR),
      autoApprovalDelayInSeconds:
        optionalInteger(input, 'AutoApprovalDelayInSeconds', 0, 2_592_000) ?? 2_592_000,
      qualificationRequirements: requirements(input),
    });
    return { HITTypeId: type.id };
  },

  CreateHITWithHITType: (state, input) => {
    const question = optionalString(input, 'Question');
    if (question === null) {
      if (optionalString(input, 'HITLayoutId') !== null)
        throw state.error('HITLayoutId is not supported by this fake; use an ExternalQuestion.');
      throw state.error('Either a Question parameter or a HITLayoutId parameter must be provided.');
    }
    const token = optionalString(input, 'UniqueRequestToken');
    const hit = state.createHit({
      hitTypeId: requiredString(input, 'HITTypeId'),
      question: boundedString(question, 'question', 131_072, 1),
      lifetimeInSeconds: requiredInteger(input, 'LifetimeInSeconds', 30, SECONDS_IN_YEAR),
      maxAssignments: optionalInteger(input, 'MaxAssignments', 1, 1_000_000) ?? 1,
      requesterAnnotation:
        optionalString(input, 'RequesterAnnotation') === null
          ? null
          : boundedString(requiredString(input, 'RequesterAnnotation'), 'requesterAnnotation', 255),
      uniqueRequestToken: token === null ? null : boundedString(token, 'uniqueRequestToken', 64, 1),
    });
    return { HIT: hitOutput(state, hit) };
  },

  GetHIT: (state, input) => ({ HIT: hitOutput(state, state.hit(requiredString(input, 'HITId'))) }),

  ListHITs: (state, input) => {
    const hits = [...state.hits.values()].filter((hit) => !hit.disposed);
    const page = paginate(hits, input, 'ListHITs');
    return {
      ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }),
      NumResults: page.items.length,
      HITs: page.items.map((hit) => hitOutput(state, hit)),
    };
  },

  UpdateExpirationForHIT: (state, input) => {
    state.updateExpiration(requiredString(input, 'HITId'), requiredTimestamp(input, 'ExpireAt'));
    return {};
  },

  UpdateHITReviewStatus: (state, input) => {
    state.setReviewing(requiredString(input, 'HITId'), optionalBoolean(input, 'Revert') ?? false);
    return {};
  },

  DeleteHIT: (state, input) => {
    state.deleteHit(requiredString(input, 'HITId'));
    return {};
  },

  ListAssignmentsForHIT: (state, input) => {
    const hit = state.hit(requiredString(input, 'HITId'));
    const statuses = (
      optionalArray(input, 'AssignmentStatuses') ?? ['Submitted', 'Approved', 'Rejected']
    ).map(String);
    const assignments = state.assignmentsOf(hit.id).filter((a) => statuses.includes(a.state));
    const page = paginate(assignments, input, `ListAssignmentsForHIT/${hit.id}`);
    return {
      ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }),
      NumResults: page.items.length,
      Assignments: page.items.map(assignmentOutput),
    };
  },

  GetAssignment: (state, input) => {
    const assignment = state.reviewableAssignment(requiredString(input, 'AssignmentId'));
    return { Assignment: assignmentOutput(assignment), HIT: hitOutput(state, state.hit(assignment.hitId)) };
  },

  ApproveAssignment: (state, input) => {
    state.approve(
      requiredString(input, 'AssignmentId'),
      optionalString(input, 'RequesterFeedback'),
      optionalBoolean(input, 'OverrideRejection') ?? false,
    );
    return {};
  },

  RejectAssignment: (state, input) => {
    const feedback = boundedString(requiredString(input, 'RequesterFeedback'), 'requesterFeedback', 1024, 1);
    state.reject(requiredString(input, 'AssignmentId'), feedback);
    return {};
  },

  SendBonus: (state, input) => {
    const token = optionalString(input, 'UniqueRequestToken');
    state.sendBonus({
      workerId: requiredString(input, 'WorkerId'),
      assignmentId: requiredString(input, 'AssignmentId'),
      amountCents: currency(state, requiredString(input, 'BonusAmount'), 'BonusAmount'),
      reason: requiredString(input, 'Reason'),
      token: token === null ? null : boundedString(token, 'uniqueRequestToken', 64, 1),
    });
    return {};
  },

  ListBonusPayments: (state, input) => {
    const hitId = optionalString(input, 'HITId');
    const assignmentId = optionalString(input, 'AssignmentId');
    if ((hitId === null) === (assignmentId === null))
      throw state.error('Exactly one of HITId and AssignmentId must be given.');
    if (hitId !== null) state.hit(hitId);
    const bonuses = state.bonuses.filter((bonus) =>
      hitId !== null ? bonus.hitId === hitId : bonus.assignmentId === assignmentId,
    );
    const page = paginate(bonuses, input, `ListBonusPayments/${hitId ?? assignmentId ?? ''}`);
    return {
      ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }),
      NumResults: page.items.length,
      BonusPayments: page.items.map(bonusOutput),
    };
  },

  CreateQualificationType: (state, input) => {
    const status = requiredString(input, 'QualificationTypeStatus');
    if (status !== 'Active' && status !== 'Inactive')
      throw validationError(
        `Value '${status}' at 'qualificationTypeStatus' failed to satisfy enum constraint`,
      );
    const type = state.createQualificationType({
      name: boundedString(requiredString(input, 'Name'), 'name', 200, 1),
      description: boundedString(requiredString(input, 'Description'), 'description', 2000, 1),
      keywords: optionalString(input, 'Keywords'),
      status,
      autoGranted: optionalBoolean(input, 'AutoGranted') ?? false,
      autoGrantedValue: optionalInteger(input, 'AutoGrantedValue', -2_147_483_648, 2_147_483_647),
    });
    return { QualificationType: qualificationTypeOutput(type) };
  },

  ListQualificationTypes: (state, input) => {
    if (optionalBoolean(input, 'MustBeRequestable') === null)
      throw validationError(
        "Value null at 'mustBeRequestable' failed to satisfy constraint: Member must not be null",
      );
    const query = optionalString(input, 'Query')?.toLowerCase() ?? null;
    // Only the caller's own types are modelled; MustBeOwnedByCaller=false would add MTurk's system types.
    const types = [...state.qualificationTypes.values()].filter(
      (type) =>
        query === null ||
        type.name.toLowerCase().includes(query) ||
        type.description.toLowerCase().includes(query) ||
        (type.keywords ?? '').toLowerCase().includes(query),
    );
    const page = paginate(types, input, `ListQualificationTypes/${query ?? ''}`);
    return {
      ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }),
      NumResults: page.items.length,
      QualificationTypes: page.items.map(qualificationTypeOutput),
    };
  },

  AssociateQualificationWithWorker: (state, input) => {
    state.associateQualification(
      requiredString(input, 'QualificationTypeId'),
      requiredString(input, 'WorkerId'),
      optionalInteger(input, 'IntegerValue', -2_147_483_648, 2_147_483_647) ?? 1,
    );
    return {};
  },

  DisassociateQualificationFromWorker: (state, input) => {
    state.disassociateQualification(
      requiredString(input, 'QualificationTypeId'),
      requiredString(input, 'WorkerId'),
    );
    return {};
  },

  CreateWorkerBlock: (state, input) => {
    state.block(requiredString(input, 'WorkerId'), requiredString(input, 'Reason'));
    return {};
  },

  DeleteWorkerBlock: (state, input) => {
    state.unblock(requiredString(input, 'WorkerId'));
    return {};
  },

  ListWorkerBlocks: (state, input) => {
    const page = paginate([...state.blocks.values()], input, 'ListWorkerBlocks');
    return {
      ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }),
      NumResults: page.items.length,
      WorkerBlocks: page.items.map((block) => ({ WorkerId: block.workerId, Reason: block.reason })),
    };
  },
};

/** Runs `operation` on the state (after applying the passage of time) and returns its output. */
export function runOperation(
  state: MturkFakeState,
  operation: MturkOperation,
  input: JsonObject,
): JsonObject {
  state.advance();
  return HANDLERS[operation](state, input);
}
