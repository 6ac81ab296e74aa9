/**
 * The shapes of the Prolific fake: statuses, JSON bodies as Prolific's API returns them (snake_case,
 * money in cents of the workspace currency), and the knobs tests turn (routes that can be made to fail,
 * failure kinds). Nothing here imports mephisto-ts: the fake is a stand-in for a remote service and is
 * usable on its own.
 */

/**
 * A study's status as the API reports it. `PROCESSING` is undocumented: Prolific shows it briefly while a
 * study (or submission) changes status. There is no `EXPIRED` or `STOPPED`: a stopped study reads
 * `AWAITING REVIEW` until its submissions are reviewed, then `COMPLETED`.
 */
export type FakeStudyStatus =
  'UNPUBLISHED' | 'SCHEDULED' | 'ACTIVE' | 'PAUSED' | 'AWAITING REVIEW' | 'COMPLETED' | 'PROCESSING';

/** A submission's status (one participant taking part in one study; `%SESSION_ID%` is its id). */
export type FakeSubmissionStatus =
  | 'RESERVED'
  | 'ACTIVE'
  | 'AWAITING REVIEW'
  | 'APPROVED'
  | 'REJECTED'
  | 'RETURNED'
  | 'TIMED-OUT'
  | 'PROCESSING';

/** `POST /studies/{id}/transition/` actions. */
export const STUDY_ACTIONS = ['PUBLISH', 'STOP', 'PAUSE', 'START'] as const;
export type FakeStudyAction = (typeof STUDY_ACTIONS)[number];

/** `POST /submissions/{id}/transition/` actions the fake implements. */
export const SUBMISSION_ACTIONS = ['APPROVE', 'REJECT'] as const;
export type FakeSubmissionAction = (typeof SUBMISSION_ACTIONS)[number];

/** Prolific's rejection categories (required, with a message of at least 100 characters, to reject). */
export const REJECTION_CATEGORIES = [
  'TOO_QUICKLY',
  'TOO_SLOWLY',
  'FAILED_INSTRUCTIONS',
  'INCOMP_LONGITUDINAL',
  'FAILED_CHECK',
  'LOW_EFFORT',
  'MALINGERING',
  'NO_CODE',
  'BAD_CODE',
  'NO_DATA',
  'UNSUPP_DEVICE',
  'OTHER',
] as const;
export type FakeRejectionCategory = (typeof REJECTION_CATEGORIES)[number];

/** The shortest rejection message Prolific accepts. */
export const MIN_REJECTION_MESSAGE_LENGTH = 100;

export const PROLIFIC_ID_OPTIONS = ['question', 'url_parameters', 'not_required'] as const;

export const COMPLETION_CODE_TYPES = [
  'COMPLETED',
  'FAILED_ATTENTION_CHECK',
  'FOLLOW_UP_STUDY',
  'GIVE_BONUS',
  'INCOMPATIBLE_DEVICE',
  'NO_CONSENT',
  'OTHER',
  'FIXED_SCREENOUT',
] as const;

/** What a completion code does when a participant arrives with it (the fake acts on the first two). */
export const COMPLETION_CODE_ACTIONS = [
  'MANUALLY_REVIEW',
  'AUTOMATICALLY_APPROVE',
  'ADD_TO_PARTICIPANT_GROUP',
  'REMOVE_FROM_PARTICIPANT_GROUP',
  'REQUEST_RETURN',
] as const;

export interface FakeCompletionCode {
  readonly code: string;
  readonly code_type: string;
  readonly actions: readonly { readonly action: string; readonly [key: string]: unknown }[];
}

/** A study filter (`filters` on a study); participant groups are `participant_group_allowlist/blocklist`. */
export interface FakeStudyFilter {
  readonly filter_id: string;
  readonly selected_values?: readonly string[];
  readonly selected_range?: { readonly lower?: number; readonly upper?: number };
}

/** The filter ids that point at participant groups (their `selected_values` are group ids). */
export const GROUP_ALLOWLIST_FILTER = 'participant_group_allowlist';
export const GROUP_BLOCKLIST_FILTER = 'participant_group_blocklist';

/** The routes of the fake's API, by name: what {@link FakeFailure} targets. `any` matches every route. */
export type ProlificFakeRoute =
  | 'users.me'
  | 'workspaces.list'
  | 'workspaces.create'
  | 'workspaces.get'
  | 'workspaces.balance'
  | 'projects.list'
  | 'projects.create'
  | 'projects.get'
  | 'studies.list'
  | 'studies.create'
  | 'studies.get'
  | 'studies.update'
  | 'studies.delete'
  | 'studies.transition'
  | 'studies.submissions'
  | 'projects.studies'
  | 'submissions.list'
  | 'submissions.get'
  | 'submissions.transition'
  | 'bonuses.create'
  | 'bonuses.pay'
  | 'groups.list'
  | 'groups.create'
  | 'groups.get'
  | 'groups.delete'
  | 'groups.participants.list'
  | 'groups.participants.add'
  | 'groups.participants.remove'
  | 'any';

/**
 * How an injected failure answers:
 * - `server_error` (500), `bad_gateway` (502), `unavailable` (503): before the request has any effect;
 * - `rate_limit`: 429 with `Retry-After` (whole seconds, default 1), before any effect;
 * - `validation`: 400 with a per-field `detail`, before any effect;
 * - `not_found`: 404, before any effect;
 * - `timeout`: the request is handled normally, but only after `delayMs` (default 10 s), so a client with
 *   a shorter timeout gives up while the effect still happens (as with a slow real server);
 * - `lost_reply`: the request is handled (its effect happens) and then the connection is dropped without
 *   a reply, so the client cannot tell whether it worked.
 */
export type FakeFailureKind =
  | 'server_error'
  | 'bad_gateway'
  | 'unavailable'
  | 'rate_limit'
  | 'validation'
  | 'not_found'
  | 'timeout'
  | 'lost_reply';

export interface FakeFailureOptions {
  /** How many matching requests fail this way. @default 1 */
  readonly times?: number;
  /** `rate_limit`: the `Retry-After` header, whole seconds. @default 1 */
  readonly retryAfterSeconds?: number;
  /** `timeout`: how long the reply is held back, in milliseconds. @default 10000 */
  readonly delayMs?: number;
}

/** One request the fake received, for tests that count calls (retries, "no remote call"). */
export interface FakeRequestLogEntry {
  readonly method: string;
  /** The path without the query string. */
  readonly path: string;
  /** The matched route, or null for an unknown path. */
  readonly route: ProlificFakeRoute | null;
  /** The status replied, or 0 when the connection was dropped (`lost_reply`). */
  readonly status: number;
  /** The fake clock's time when the request arrived. */
  readonly at: number;
}

/** A participant's arrival on the completion page (`/submissions/complete?cc=…`). */
export interface FakeCompletion {
  readonly code: string;
  /** The submission it completed, or null when the fake could not tell whose it was. */
  readonly submissionId: string | null;
  /** Whether the code was one of the study's completion codes (the submission moved on). */
  readonly accepted: boolean;
  readonly at: number;
}

/** What a participant starting a study gets: {@link ProlificFake.startSubmission}. */
export interface FakeStartedSubmission {
  /** The submission id, which Prolific passes to the study as `%SESSION_ID%`. */
  readonly submissionId: string;
  readonly participantId: string;
  readonly studyId: string;
  /** The study's `external_study_url` with `{{%PROLIFIC_PID%}}`, `{{%STUDY_ID%}}`, `{{%SESSION_ID%}}` filled. */
  readonly url: string;
  /**
   * A page of the fake that remembers the participant in a cookie (as their Prolific login would) and
   * redirects to `url`: open this one in a browser so the completion page knows whose submission it is.
   */
  readonly startUrl: string;
}

/** One bulk bonus payment as the fake keeps it. */
export interface FakeBulkBonus {
  readonly id: string;
  readonly studyId: string;
  /** Each CSV line: who, and how many cents. */
  readonly lines: readonly {
    readonly participantId: string;
    readonly submissionId: string;
    readonly cents: number;
  }[];
  /** Cents over all lines. */
  readonly amount: number;
  /** Prolific's service fee on `amount`, in cents (two decimals). */
  readonly fees: number;
  readonly vat: number;
  /** How many times `…/pay/` was called: the endpoint is not idempotent, each call pays again. */
  readonly payCount: number;
}
