/**
 * The MTurk fake's state machines, free of HTTP: HITs (Assignable → Unassignable → Reviewable →
 * Reviewing → Disposed, derived from their assignments and expiry as MTurk derives them), assignments
 * (Accepted → Submitted → Approved | Rejected, with abandonment after the assignment duration and
 * approval by MTurk itself after the auto-approval delay), money (the balance pays rewards, bonuses and
 * MTurk's commission), qualifications and blocks.
 *
 * Time moves only with the injected clock; every entry point first applies what the passage of time
 * did (abandonments, auto-approvals) in time order, so a test that moves its clock by a day sees the
 * same outcome MTurk would show a day later.
 */
import { requestError, type MturkApiError } from './mturk-api-error.js';
import type {
  FakeAssignment,
  FakeBonus,
  FakeHit,
  FakeHitType,
  FakeLedgerEntry,
  FakeQualificationScore,
  FakeQualificationType,
  FakeWorkerBlock,
  HitStatus,
  QualificationRequirement,
} from './mturk-fake-model.js';
import type { MturkIdSource } from './mturk-ids.js';
import { BONUS_FEE_PERCENT, commissionCents, formatCurrency, rewardFeePercent } from './mturk-money.js';
import { meetsRequirement, type WorkerLocale } from './qualification-check.js';
import { parseExternalQuestion, questionFormAnswers, questionKind } from './mturk-xml.js';

/** How long MTurk remembers a UniqueRequestToken (its documentation: 24 hours). */
export const REQUEST_TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** The qualification type id of MTurk's worker locale requirement. */
export const LOCALE_QUALIFICATION_TYPE_ID = '00000000000000000071';

export interface MturkClock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export interface NewHitType {
  readonly title: string;
  readonly description: string;
  readonly keywords: string;
  readonly rewardCents: number;
  readonly assignmentDurationInSeconds: number;
  readonly autoApprovalDelayInSeconds: number;
  readonly qualificationRequirements: readonly QualificationRequirement[];
}

export interface NewHit {
  readonly hitTypeId: string;
  readonly question: string;
  readonly lifetimeInSeconds: number;
  readonly maxAssignments: number;
  readonly requesterAnnotation: string | null;
  readonly uniqueRequestToken: string | null;
}

/** A worker's attempt refused by the fake (not an API error: the worker's side of MTurk). */
export class MturkWorkerActionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MturkWorkerActionError';
  }
}

export interface MturkFakeStateOptions {
  readonly clock: MturkClock;
  readonly ids: MturkIdSource;
  /** Starting balance in cents. */
  readonly balanceCents: number;
  /**
   * Whether an ExternalURL may use plain http on a host other than loopback. MTurk only frames https
   * pages; loopback http is allowed so local tests need no certificate.
   */
  readonly allowInsecureExternalUrls: boolean;
}

export class MturkFakeState {
  readonly hitTypes = new Map<string, FakeHitType>();
  readonly hits = new Map<string, FakeHit>();
  readonly assignments = new Map<string, FakeAssignment>();
  readonly bonuses: FakeBonus[] = [];
  readonly qualificationTypes = new Map<string, FakeQualificationType>();
  /** Scores by `<qualificationTypeId>/<workerId>`. */
  readonly qualificationScores = new Map<string, FakeQualificationScore>();
  readonly blocks = new Map<string, FakeWorkerBlock>();
  readonly ledger: FakeLedgerEntry[] = [];
  balanceCents: number;

  readonly #clock: MturkClock;
  readonly #ids: MturkIdSource;
  readonly #allowInsecureExternalUrls: boolean;
  /** CreateHIT tokens: token → HIT id and when it was used. */
  readonly #hitTokens = new Map<string, { hitId: string; at: number }>();
  /** SendBonus tokens: token → when it was used. */
  readonly #bonusTokens = new Map<string, number>();

  constructor(options: MturkFakeStateOptions) {
    this.#clock = options.clock;
    this.#ids = options.ids;
    this.balanceCents = options.balanceCents;
    this.#allowInsecureExternalUrls = options.allowInsecureExternalUrls;
  }

  now(): number {
    return this.#clock.now();
  }

  /** A RequestError stamped with the current time. */
  error(message: string, turkErrorCode?: string): MturkApiError {
    return requestError(message, this.now(), turkErrorCode);
  }

  // --- time ---------------------------------------------------------------------------------------

  /**
   * Applies what happened since the last call: assignments past their deadline are abandoned, and
   * submitted ones past their auto-approval time are approved (and paid), in time order.
   */
  advance(): void {
    const now = this.now();
    const due: Array<{ at: number; assignment: FakeAssignment; kind: 'abandon' | 'approve' }> = [];
    for (const assignment of this.assignments.values()) {
      if (assignment.state === 'Accepted' && assignment.deadline <= now)
        due.push({ at: assignment.deadline, assignment, kind: 'abandon' });
      if (
        assignment.state === 'Submitted' &&
        assignment.autoApprovalTime !== null &&
        assignment.autoApprovalTime <= now
      )
        due.push({ at: assignment.autoApprovalTime, assignment, kind: 'approve' });
    }
    due.sort((a, b) => a.at - b.at);
    for (const { at, assignment, kind } of due) {
      if (kind === 'abandon') {
        assignment.state = 'Abandoned';
      } else {
        this.#payReward(assignment, at);
        assignment.state = 'Approved';
        assignment.approvalTime = at;
        assignment.autoApproved = true;
      }
    }
  }

  // --- HIT types and HITs -------------------------------------------------------------------------

  /** Registers a HIT type; identical settings give back the existing type, as MTurk does. */
  createHitType(input: NewHitType): FakeHitType {
    const same = [...this.hitTypes.values()].find((type) => sameHitType(type, input));
    if (same !== undefined) return same;
    const type: FakeHitType = {
      id: this.#ids.next('hitType'),
      groupId: this.#ids.next('hitGroup'),
      ...input,
    };
    this.hitTypes.set(type.id, type);
    return type;
  }

  hitType(id: string): FakeHitType {
    const type = this.hitTypes.get(id);
    if (type === undefined)
      throw this.error(`HITType ${id} does not exist.`, 'AWS.MechanicalTurk.HITTypeDoesNotExist');
    return type;
  }

  createHit(input: NewHit): FakeHit {
    const now = this.now();
    const token = input.uniqueRequestToken;
    if (token !== null) {
      const used = this.#hitTokens.get(token);
      if (used !== undefined && now - used.at < REQUEST_TOKEN_LIFETIME_MS)
        throw this.error(
          `There is already a HIT with this UniqueRequestToken: the HIT with ID "${used.hitId}" already exists.`,
          'AWS.MechanicalTurk.HitAlreadyExists',
        );
    }
    const type = this.hitType(input.hitTypeId);
    const kind = questionKind(input.question);
    if (kind === null)
      throw this.error(
        'The Question is not a valid ExternalQuestion, HTMLQuestion or QuestionForm document.',
      );
    let externalUrl: string | null = null;
    let frameHeight: number | null = null;
    if (kind === 'ExternalQuestion') {
      const parsed = parseExternalQuestion(input.question);
      if (typeof parsed === 'string') throw this.error(`The Question is not valid: ${parsed}.`);
      this.#checkExternalUrl(parsed.externalUrl);
      externalUrl = parsed.externalUrl;
      frameHeight = parsed.frameHeight;
    }
    const perAssignment =
      type.rewardCents + commissionCents(type.rewardCents, rewardFeePercent(input.maxAssignments));
    if (perAssignment * input.maxAssignments > this.balanceCents)
      throw this.error(
        'This Requester has insufficient funds in their account to complete this transaction. ' +
          `(needed ${formatCurrency(perAssignment * input.maxAssignments)}, available ${formatCurrency(this.balanceCents)})`,
      );
    const hit: FakeHit = {
      id: this.#ids.next('hit'),
      hitTypeId: type.id,
      groupId: type.groupId,
      question: input.question,
      externalUrl,
      frameHeight,
      maxAssignments: input.maxAssignments,
      creationTime: now,
      expiration: now + input.lifetimeInSeconds * 1000,
      requesterAnnotation: input.requesterAnnotation,
      uniqueRequestToken: token,
      reviewing: false,
      disposed: false,
    };
    this.hits.set(hit.id, hit);
    if (token !== null) this.#hitTokens.set(token, { hitId: hit.id, at: now });
    return hit;
  }

  /** The HIT with `id`, disposed ones included; a RequestError when there is none. */
  hit(id: string): FakeHit {
    const hit = this.hits.get(id);
    if (hit === undefined)
      throw this.error(`Hit ${id} does not exist.`, 'AWS.MechanicalTurk.HitDoesNotExist');
    return hit;
  }

  hitCounts(hit: FakeHit): { pending: number; available: number; completed: number; submitted: number } {
    let pending = 0;
    let submitted = 0;
    let completed = 0;
    for (const assignment of this.assignmentsOf(hit.id)) {
      if (assignment.state === 'Accepted') pending++;
      else if (assignment.state === 'Submitted') submitted++;
      else if (assignment.state === 'Approved' || assignment.state === 'Rejected') completed++;
    }
    const available = Math.max(0, hit.maxAssignments - pending - submitted - completed);
    return { pending, available, completed, submitted };
  }

  /**
   * MTurk's status: Assignable while unexpired with a free assignment; Unassignable while assignments
   * are being worked on and none is free (or it expired with work still pending); otherwise Reviewable
   * (Reviewing when so marked); Disposed once deleted.
   */
  hitStatus(hit: FakeHit): HitStatus {
    if (hit.disposed) return 'Disposed';
    const { pending, available } = this.hitCounts(hit);
    const expired = hit.expiration <= this.now();
    if (!expired && available > 0) return 'Assignable';
    if (pending > 0) return 'Unassignable';
    return hit.reviewing ? 'Reviewing' : 'Reviewable';
  }

  /** Moves the HIT's expiry; a time not in the future expires it now. Disposed HITs refuse. */
  updateExpiration(hitId: string, expireAt: number): void {
    const hit = this.hit(hitId);
    if (hit.disposed)
      throw this.error(
        `This HIT is currently in the state 'Disposed'. This operation can be called with a status of: ` +
          'Assignable, Unassignable, Reviewable, Reviewing',
        'AWS.MechanicalTurk.InvalidHITState',
      );
    const now = this.now();
    if (expireAt > now) hit.expiration = expireAt;
    else if (hit.expiration > now) hit.expiration = now;
  }

  /**
   * MTurk's DeleteHIT rules: only a Reviewable (or Reviewing) HIT whose submitted assignments have all
   * been approved or rejected; an Assignable one, one with work pending, or one with submissions not yet
   * reviewed is refused.
   */
  deleteHit(hitId: string): void {
    const hit = this.hit(hitId);
    const status = this.hitStatus(hit);
    if (status !== 'Reviewable' && status !== 'Reviewing')
      throw this.error(
        `This HIT is currently in the state '${status}'. This operation can be called with a status of: ` +
          'Reviewable, Reviewing',
        'AWS.MechanicalTurk.InvalidHITState',
      );
    if (this.hitCounts(hit).submitted > 0)
      throw this.error(
        'This HIT has assignments that are Submitted and not yet approved or rejected. ' +
          'Approve or reject them before deleting the HIT.',
        'AWS.MechanicalTurk.InvalidHITState',
      );
    hit.disposed = true;
  }

  setReviewing(hitId: string, revert: boolean): void {
    const hit = this.hit(hitId);
    const status = this.hitStatus(hit);
    const expected = revert ? 'Reviewing' : 'Reviewable';
    if (status !== expected)
      throw this.error(
        `This HIT is currently in the state '${status}'. This operation can be called with a status of: ${expected}`,
        'AWS.MechanicalTurk.InvalidHITState',
      );
    hit.reviewing = !revert;
  }

  // --- assignments --------------------------------------------------------------------------------

  assignmentsOf(hitId: string): FakeAssignment[] {
    return [...this.assignments.values()].filter((a) => a.hitId === hitId);
  }

  /**
   * A submitted, approved or rejected assignment, as the API sees them. Unknown ids and work still in
   * progress are refused with MTurk's wording.
   */
  reviewableAssignment(assignmentId: string): FakeAssignment {
    return this.#finishedAssignment(assignmentId, 'Reviewable,Approved,Rejected');
  }

  approve(assignmentId: string, feedback: string | null, overrideRejection: boolean): void {
    const assignment = this.#assignmentForDecision(assignmentId);
    const hit = this.hit(assignment.hitId);
    const allowed =
      assignment.state === 'Submitted' || (overrideRejection && assignment.state === 'Rejected');
    if (!allowed || hit.disposed)
      throw this.error(
        `This operation can be called with a status of: Submitted${overrideRejection ? ',Rejected' : ''}`,
        'AWS.MechanicalTurk.InvalidAssignmentState',
      );
    this.#payReward(assignment, this.now());
    assignment.state = 'Approved';
    assignment.approvalTime = this.now();
    assignment.rejectionTime = null;
    if (feedback !== null) assignment.requesterFeedback = feedback;
  }

  reject(assignmentId: string, feedback: string): void {
    const assignment = this.#assignmentForDecision(assignmentId);
    if (assignment.state !== 'Submitted')
      throw this.error(
        'This operation can be called with a status of: Submitted',
        'AWS.MechanicalTurk.InvalidAssignmentState',
      );
    assignment.state = 'Rejected';
    assignment.rejectionTime = this.now();
    assignment.requesterFeedback = feedback;
  }

  #assignmentForDecision(assignmentId: string): FakeAssignment {
    return this.#finishedAssignment(assignmentId, 'Submitted');
  }

  /**
   * The assignment if its worker handed it in (MTurk's "does not exist" for unknown, returned and
   * abandoned ones; "can be called with a status of: <allowed>" while the worker still has it).
   */
  #finishedAssignment(assignmentId: string, allowed: string): FakeAssignment {
    const assignment = this.assignments.get(assignmentId);
    if (assignment === undefined || assignment.state === 'Returned' || assignment.state === 'Abandoned')
      throw this.error(
        `Assignment ${assignmentId} does not exist.`,
        'AWS.MechanicalTurk.AssignmentDoesNotExist',
      );
    if (assignment.state === 'Accepted')
      throw this.error(
        `This operation can be called with a status of: ${allowed}`,
        'AWS.MechanicalTurk.InvalidAssignmentState',
      );
    return assignment;
  }

  #payReward(assignment: FakeAssignment, at: number): void {
    const hit = this.hit(assignment.hitId);
    const type = this.hitType(hit.hitTypeId);
    const fee = commissionCents(type.rewardCents, rewardFeePercent(hit.maxAssignments));
    if (type.rewardCents + fee > this.balanceCents)
      throw this.error(
        'This Requester has insufficient funds in their account to complete this transaction.',
      );
    this.#charge(at, 'reward', type.rewardCents, assignment);
    this.#charge(at, 'reward_fee', fee, assignment);
  }

  #charge(at: number, kind: FakeLedgerEntry['kind'], cents: number, assignment: FakeAssignment): void {
    if (cents === 0) return;
    this.balanceCents -= cents;
    this.ledger.push({ at, kind, cents: -cents, assignmentId: assignment.id, workerId: assignment.workerId });
  }

  // --- bonuses ------------------------------------------------------------------------------------

  /**
   * Pays a bonus for a submitted (or reviewed) assignment of the worker. A UniqueRequestToken seen in
   * the last 24 hours is refused with MTurk's "already processed" RequestError and pays nothing; after
   * 24 hours MTurk has forgotten it and pays again (so callers keep their own record too).
   */
  sendBonus(input: {
    workerId: string;
    assignmentId: string;
    amountCents: number;
    reason: string;
    token: string | null;
  }): FakeBonus {
    const now = this.now();
    if (input.token !== null) {
      const used = this.#bonusTokens.get(input.token);
      if (used !== undefined && now - used < REQUEST_TOKEN_LIFETIME_MS)
        throw this.error(`The idempotency token "${input.token}" has already been processed.`);
    }
    const assignment = this.assignments.get(input.assignmentId);
    if (
      assignment === undefined ||
      assignment.state === 'Accepted' ||
      assignment.state === 'Returned' ||
      assignment.state === 'Abandoned'
    )
      throw this.error(
        `Assignment ${input.assignmentId} does not exist.`,
        'AWS.MechanicalTurk.AssignmentDoesNotExist',
      );
    if (assignment.workerId !== input.workerId)
      throw this.error(
        `Worker ${input.workerId} did not work on assignment ${input.assignmentId}.`,
        'AWS.MechanicalTurk.WorkerDoesNotMatchAssignment',
      );
    if (input.amountCents <= 0) throw this.error('The bonus amount must be greater than 0.');
    const fee = commissionCents(input.amountCents, BONUS_FEE_PERCENT);
    if (input.amountCents + fee > this.balanceCents)
      throw this.error(
        'This Requester has insufficient funds in their account to complete this transaction.',
      );
    this.#charge(now, 'bonus', input.amountCents, assignment);
    this.#charge(now, 'bonus_fee', fee, assignment);
    const bonus: FakeBonus = {
      workerId: input.workerId,
      assignmentId: input.assignmentId,
      hitId: assignment.hitId,
      amountCents: input.amountCents,
      feeCents: fee,
      reason: input.reason,
      grantTime: now,
      uniqueRequestToken: input.token,
    };
    this.bonuses.push(bonus);
    if (input.token !== null) this.#bonusTokens.set(input.token, now);
    return bonus;
  }

  // --- qualifications and blocks --------------------------------------------------------------------

  createQualificationType(input: {
    name: string;
    description: string;
    keywords: string | null;
    status: 'Active' | 'Inactive';
    autoGranted: boolean;
    autoGrantedValue: number | null;
  }): FakeQualificationType {
    if ([...this.qualificationTypes.values()].some((type) => type.name === input.name))
      throw this.error(
        "You have already created a QualificationType with this name. A QualificationType's name must be " +
          'unique among all of the QualificationTypes created by the same user.',
      );
    const type: FakeQualificationType = {
      id: this.#ids.next('qualificationType'),
      creationTime: this.now(),
      ...input,
    };
    this.qualificationTypes.set(type.id, type);
    return type;
  }

  qualificationType(id: string): FakeQualificationType {
    const type = this.qualificationTypes.get(id);
    if (type === undefined)
      throw this.error(
        `QualificationType ${id} does not exist.`,
        'AWS.MechanicalTurk.QualificationTypeDoesNotExist',
      );
    return type;
  }

  associateQualification(typeId: string, workerId: string, value: number): void {
    this.qualificationType(typeId);
    const key = `${typeId}/${workerId}`;
    const score = this.qualificationScores.get(key);
    if (score !== undefined) {
      score.integerValue = value;
      score.grantTime = this.now();
    } else {
      this.qualificationScores.set(key, {
        qualificationTypeId: typeId,
        workerId,
        integerValue: value,
        grantTime: this.now(),
      });
    }
  }

  disassociateQualification(typeId: string, workerId: string): void {
    this.qualificationType(typeId);
    if (!this.qualificationScores.delete(`${typeId}/${workerId}`))
      throw this.error(
        'You requested a Qualification that does not exist.',
        'AWS.MechanicalTurk.QualificationDoesNotExist',
      );
  }

  block(workerId: string, reason: string): void {
    const existing = this.blocks.get(workerId);
    if (existing !== undefined) existing.reason = reason;
    else this.blocks.set(workerId, { workerId, reason });
  }

  unblock(workerId: string): void {
    this.blocks.delete(workerId);
  }

  // --- the worker's side -------------------------------------------------------------------------

  /**
   * A worker accepts the HIT: refused (MturkWorkerActionError) when the HIT is not Assignable, the
   * worker is blocked, already holds an assignment of it, or fails a qualification requirement that
   * guards accepting.
   */
  accept(hitId: string, workerId: string, locale: WorkerLocale): FakeAssignment {
    this.advance();
    const hit = this.hits.get(hitId);
    if (hit === undefined) throw new MturkWorkerActionError(`HIT ${hitId} does not exist`);
    const status = this.hitStatus(hit);
    if (status !== 'Assignable')
      throw new MturkWorkerActionError(`HIT ${hitId} is ${status}: it cannot be accepted`);
    if (this.blocks.has(workerId))
      throw new MturkWorkerActionError(`worker ${workerId} is blocked by this requester`);
    const held = this.assignmentsOf(hitId).find(
      (a) => a.workerId === workerId && a.state !== 'Returned' && a.state !== 'Abandoned',
    );
    if (held !== undefined)
      throw new MturkWorkerActionError(
        `worker ${workerId} already has assignment ${held.id} of HIT ${hitId}`,
      );
    const type = this.hitType(hit.hitTypeId);
    for (const requirement of type.qualificationRequirements) {
      if (!meetsRequirement(requirement, this.#scoreOf(requirement.QualificationTypeId, workerId), locale))
        throw new MturkWorkerActionError(
          `worker ${workerId} does not meet the qualification requirement ` +
            `${requirement.QualificationTypeId} ${requirement.Comparator}`,
        );
    }
    const now = this.now();
    const assignment: FakeAssignment = {
      id: this.#ids.next('assignment'),
      hitId,
      workerId,
      state: 'Accepted',
      acceptTime: now,
      deadline: now + type.assignmentDurationInSeconds * 1000,
      submitTime: null,
      autoApprovalTime: null,
      approvalTime: null,
      rejectionTime: null,
      answer: null,
      answers: [],
      requesterFeedback: null,
      autoApproved: false,
    };
    this.assignments.set(assignment.id, assignment);
    return assignment;
  }

  /** Whether the worker may preview the HIT (requirements with `DiscoverPreviewAndAccept`/`PreviewAndAccept`). */
  mayPreview(hit: FakeHit, workerId: string | null, locale: WorkerLocale): boolean {
    const type = this.hitType(hit.hitTypeId);
    return type.qualificationRequirements.every((requirement) => {
      const guarded =
        requirement.ActionsGuarded === 'DiscoverPreviewAndAccept' ||
        requirement.ActionsGuarded === 'PreviewAndAccept' ||
        requirement.RequiredToPreview === true;
      if (!guarded) return true;
      if (workerId === null) return false;
      return meetsRequirement(requirement, this.#scoreOf(requirement.QualificationTypeId, workerId), locale);
    });
  }

  /** The worker's form arrives (externalSubmit): the assignment becomes Submitted. */
  submit(assignmentId: string, answers: Array<[string, string]>): FakeAssignment {
    this.advance();
    const assignment = this.assignments.get(assignmentId);
    if (assignment === undefined)
      throw new MturkWorkerActionError(`assignment ${assignmentId} does not exist`);
    if (assignment.state !== 'Accepted')
      throw new MturkWorkerActionError(
        `assignment ${assignmentId} is ${assignment.state}: only an accepted assignment can be submitted`,
      );
    const type = this.hitType(this.hit(assignment.hitId).hitTypeId);
    const now = this.now();
    assignment.state = 'Submitted';
    assignment.submitTime = now;
    assignment.autoApprovalTime = now + type.autoApprovalDelayInSeconds * 1000;
    assignment.answers = answers;
    assignment.answer = questionFormAnswers(answers);
    this.advance();
    return assignment;
  }

  /** The worker gives the assignment back before submitting (it becomes available to others). */
  returnAssignment(assignmentId: string): void {
    this.advance();
    const assignment = this.assignments.get(assignmentId);
    if (assignment?.state !== 'Accepted')
      throw new MturkWorkerActionError(`assignment ${assignmentId} is not being worked on`);
    assignment.state = 'Returned';
  }

  #scoreOf(typeId: string, workerId: string): number | null {
    return this.qualificationScores.get(`${typeId}/${workerId}`)?.integerValue ?? null;
  }

  #checkExternalUrl(url: string): void {
    const parsed = new URL(url);
    if (parsed.protocol === 'https:') return;
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
    if (parsed.protocol === 'http:' && (loopback || this.#allowInsecureExternalUrls)) return;
    throw this.error(`The ExternalURL "${url}" must use https.`);
  }
}

function sameHitType(type: FakeHitType, input: NewHitType): boolean {
  return (
    type.title === input.title &&
    type.description === input.description &&
    type.keywords === input.keywords &&
    type.rewardCents === input.rewardCents &&
    type.assignmentDurationInSeconds === input.assignmentDurationInSeconds &&
    type.autoApprovalDelayInSeconds === input.autoApprovalDelayInSeconds &&
    JSON.stringify(type.qualificationRequirements) === JSON.stringify(input.qualificationRequirements)
  );
}
