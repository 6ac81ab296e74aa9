/**
 * What the MTurk fake keeps: the requester's account, HIT types, HITs, assignments, bonuses,
 * qualification types and scores, and worker blocks. Times are epoch milliseconds from the fake's
 * clock; money is whole cents. Tests read these through the fake's inspection methods (copies).
 */

/** A qualification requirement as CreateHITType takes it (MTurk's `QualificationRequirement`). */
export interface QualificationRequirement {
  readonly QualificationTypeId: string;
  readonly Comparator: string;
  readonly IntegerValues?: readonly number[];
  readonly LocaleValues?: ReadonlyArray<{ readonly Country: string; readonly Subdivision?: string }>;
  readonly RequiredToPreview?: boolean;
  readonly ActionsGuarded?: string;
}

export interface FakeHitType {
  readonly id: string;
  /** One group per HIT type: MTurk lists a type's HITs together, under this id. */
  readonly groupId: string;
  readonly title: string;
  readonly description: string;
  readonly keywords: string;
  readonly rewardCents: number;
  readonly assignmentDurationInSeconds: number;
  readonly autoApprovalDelayInSeconds: number;
  readonly qualificationRequirements: readonly QualificationRequirement[];
}

/** A HIT's status as MTurk reports it (derived from its assignments, expiry and review flag). */
export type HitStatus = 'Assignable' | 'Unassignable' | 'Reviewable' | 'Reviewing' | 'Disposed';

export interface FakeHit {
  readonly id: string;
  readonly hitTypeId: string;
  readonly groupId: string;
  readonly question: string;
  /** The page workers open (ExternalQuestion's ExternalURL); null for other question kinds. */
  readonly externalUrl: string | null;
  readonly frameHeight: number | null;
  readonly maxAssignments: number;
  readonly creationTime: number;
  /** When the HIT stops being offered; moved by UpdateExpirationForHIT. */
  expiration: number;
  readonly requesterAnnotation: string | null;
  readonly uniqueRequestToken: string | null;
  /** Set by UpdateHITReviewStatus (Revert false); only shows while the HIT is otherwise Reviewable. */
  reviewing: boolean;
  /** Deleted with DeleteHIT: gone from ListHITs, GetHIT reports `Disposed`. */
  disposed: boolean;
}

/**
 * An assignment's state. MTurk's API only ever shows `Submitted`, `Approved` and `Rejected`; the others
 * are the worker's side (accepted and working, gave up, ran out of time), visible through the fake's
 * inspection only.
 */
export type AssignmentState = 'Accepted' | 'Submitted' | 'Approved' | 'Rejected' | 'Returned' | 'Abandoned';

export interface FakeAssignment {
  readonly id: string;
  readonly hitId: string;
  readonly workerId: string;
  state: AssignmentState;
  readonly acceptTime: number;
  /** acceptTime + the HIT type's AssignmentDurationInSeconds: after it, an unsubmitted one is abandoned. */
  readonly deadline: number;
  submitTime: number | null;
  autoApprovalTime: number | null;
  approvalTime: number | null;
  rejectionTime: number | null;
  /** The `QuestionFormAnswers` XML of the submitted form. */
  answer: string | null;
  /** The submitted form's fields, in order (assignmentId excluded). */
  answers: Array<[string, string]>;
  requesterFeedback: string | null;
  /** Whether MTurk approved it on its own after AutoApprovalDelayInSeconds. */
  autoApproved: boolean;
}

export interface FakeBonus {
  readonly workerId: string;
  readonly assignmentId: string;
  readonly hitId: string;
  readonly amountCents: number;
  readonly feeCents: number;
  readonly reason: string;
  readonly grantTime: number;
  readonly uniqueRequestToken: string | null;
}

export interface FakeQualificationType {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly keywords: string | null;
  readonly status: 'Active' | 'Inactive';
  readonly creationTime: number;
  readonly autoGranted: boolean;
  readonly autoGrantedValue: number | null;
}

export interface FakeQualificationScore {
  readonly qualificationTypeId: string;
  readonly workerId: string;
  integerValue: number;
  grantTime: number;
}

export interface FakeWorkerBlock {
  readonly workerId: string;
  reason: string;
}

/** One movement of the account's balance (negative for money paid out). */
export interface FakeLedgerEntry {
  readonly at: number;
  readonly kind: 'reward' | 'reward_fee' | 'bonus' | 'bonus_fee';
  readonly cents: number;
  readonly assignmentId: string;
  readonly workerId: string;
}
