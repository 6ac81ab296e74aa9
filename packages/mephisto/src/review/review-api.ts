/**
 * The review and monitor HTTP API between the review app (packages/review-app) and the review server
 * (`mephisto review`, src/review). Types only: both sides import this file (the app through the
 * `mephisto-ts/review-api` export), so they cannot drift apart.
 *
 * Conventions:
 * - Every route is under {@link REVIEW_API_PREFIX} and needs the session token: header
 *   `Authorization: Bearer <token>` (the app reads it from the `#token=` fragment of the printed URL).
 * - Requests with a body are `application/json`; a request whose `Origin` is not the server's own is
 *   refused (403), so another site cannot drive the API from a reviewer's browser.
 * - Ids are decimal strings; dates are ISO 8601 strings; money is in dollars (numbers).
 * - Errors: `{ error: { code, message } }` with a documented code (docs/errors.md).
 * - Actions that pay, reject or block carry an `idempotency_key` chosen by the client (a UUID per
 *   click): repeating a request with the same key returns the first answer and changes nothing.
 */

export const REVIEW_API_PREFIX = '/api';

export const REVIEW_ROUTES = {
  /** GET → {@link TaskSummary}[] */
  tasks: '/api/tasks',
  /** GET ?status=&q=&worker_id=&cursor=&limit= → {@link UnitPage} */
  runUnits: '/api/runs/:runId/units',
  /** GET → {@link UnitDetail} */
  unit: '/api/units/:unitId',
  /** POST {@link ReviewActionRequest} → {@link ReviewActionResult} */
  unitAction: '/api/units/:unitId/actions',
  /** POST {@link BulkReviewRequest} → {@link BulkReviewResult} */
  bulkAction: '/api/units/bulk-actions',
  /** GET → {@link WorkerDetail} */
  worker: '/api/workers/:workerId',
  /** POST {@link WorkerBlockRequest} → {@link WorkerDetail} */
  workerBlock: '/api/workers/:workerId/block',
  /** POST {@link IdempotentRequest} → {@link WorkerDetail} */
  workerUnblock: '/api/workers/:workerId/unblock',
  /** GET → {@link QualificationSummary}[]; POST {@link QualificationCreateRequest} → QualificationSummary */
  qualifications: '/api/qualifications',
  /** POST {@link QualificationGrantRequest} → {@link QualificationSummary} */
  qualificationGrant: '/api/qualifications/:name/grant',
  /** POST {@link QualificationRevokeRequest} → {@link QualificationSummary} */
  qualificationRevoke: '/api/qualifications/:name/revoke',
  /** GET → {@link MonitorSnapshot} */
  monitor: '/api/runs/:runId/monitor',
  /** GET, text/event-stream: `snapshot` events carrying a {@link MonitorSnapshot}, sent on every change (at most 4 per second) */
  monitorEvents: '/api/runs/:runId/monitor/events',
  /** GET: an uploaded file of a submission, as an attachment */
  file: '/api/units/:unitId/files/:filename',
} as const;

export type UnitStatusName =
  | 'created'
  | 'launched'
  | 'assigned'
  | 'completed'
  | 'accepted'
  | 'mixed'
  | 'rejected'
  | 'soft_rejected'
  | 'expired';

export interface RunSummary {
  id: string;
  taskId: string;
  created: string;
  /** Ended (completed, shut down or expired): nothing more will be launched. */
  ended: boolean;
  unitsByStatus: Partial<Record<UnitStatusName, number>>;
  /** What the run has spent so far, dollars: the payments ledger's total ({@link SpendDetail.total}). */
  spend: number;
  /** The spend in parts (optional, added: older servers leave it out). */
  spendDetail?: SpendDetail;
}

/**
 * A run's spend in parts, dollars, from the payments ledger (table `payments`), which review actions
 * fill: an approval or soft rejection pays the unit's reward and the platform's fee on it, a bonus its
 * amount and fee. `paid + pending + owed = total = rewards + bonuses + fees`. Payments the provider
 * refused (`failed`) are not counted.
 */
export interface SpendDetail {
  /** Confirmed by the provider. */
  paid: number;
  /** Reserved and sent to the provider, not confirmed yet (a call under way, or interrupted: retried). */
  pending: number;
  /** Owed to in-house workers, recorded and to be paid by hand (no platform moves the money). */
  owed: number;
  /** Of the total: units' rewards. */
  rewards: number;
  /** Of the total: bonuses. */
  bonuses: number;
  /** Of the total: the platform's fees on rewards and bonuses. */
  fees: number;
  /** paid + pending + owed: the `spend` shown. */
  total: number;
  /** The run's budget (`mephisto.provider.budget_in_dollars`); null when it has none. */
  budget: number | null;
  /**
   * An estimate, NOT part of `total`: the rewards of submitted units not reviewed yet (status
   * `completed`), i.e. what approving them all would add, before fees.
   */
  awaitingReview: number;
  /** Units counted in `awaitingReview`. */
  awaitingReviewUnits: number;
}

export interface TaskSummary {
  id: string;
  name: string;
  taskType: string;
  runs: RunSummary[];
}

export interface ReviewRecord {
  /** `accepted`, `rejected`, `soft_rejected`, or null when not reviewed. */
  status: 'accepted' | 'rejected' | 'soft_rejected' | null;
  feedback: string | null;
  /** Bonuses paid for this unit, dollars (0 when none). */
  bonus: number;
  reviewedAt: string | null;
}

export interface UnitRow {
  unitId: string;
  assignmentId: string;
  runId: string;
  status: UnitStatusName;
  workerId: string | null;
  workerName: string | null;
  agentId: string | null;
  /** When the worker got the unit / submitted it. */
  assignedAt: string | null;
  submittedAt: string | null;
  pay: number;
  review: ReviewRecord;
}

export interface UnitPage {
  units: UnitRow[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
  /** Units matching the filter (all pages). */
  total: number;
}

export interface UploadedFileRef {
  /** Original file name, as the worker's browser gave it (untrusted text). */
  name: string;
  size: number;
  /** Path of {@link REVIEW_ROUTES.file} for it. */
  url: string;
}

export interface UnitDetail extends UnitRow {
  /** The assignment's data the worker saw (untrusted). */
  inputData: unknown;
  /** What the worker submitted (untrusted: render as text, never as HTML). */
  submission: unknown;
  files: UploadedFileRef[];
  /** Every review action on this unit, oldest first. */
  history: ReviewHistoryEntry[];
}

export interface ReviewHistoryEntry {
  action: ReviewActionName;
  at: string;
  feedback: string | null;
  amount: number | null;
  /** The provider's part of the action (optional, added: older servers leave it out). */
  provider?: ProviderOutcome;
}

/**
 * Where the crowd provider's part of an action stands: `done`; `manual` (no API for it: e.g. an
 * in-house bonus, owed and paid by hand); `failed` (the decision is recorded, the provider refused:
 * `message` says why; repeat the request with the same key to try again); `pending` (not known to be
 * done yet); `none` (nothing to tell the provider).
 */
export interface ProviderOutcome {
  state: 'none' | 'pending' | 'done' | 'manual' | 'failed';
  message: string | null;
}

export type ReviewActionName = 'approve' | 'reject' | 'soft_reject' | 'bonus';

export interface IdempotentRequest {
  /** A fresh UUID per user action; a retry reuses it. */
  idempotency_key: string;
}

export type ReviewActionRequest = IdempotentRequest &
  (
    | { action: 'approve'; feedback?: string }
    | { action: 'reject'; feedback: string }
    | { action: 'soft_reject'; feedback?: string }
    | { action: 'bonus'; amount: number; reason: string }
  );

export interface ReviewActionResult {
  unit: UnitRow;
  /** True when this request did the action, false when an earlier request with the same key did. */
  applied: boolean;
  /** The provider's part (optional, added). */
  provider?: ProviderOutcome;
}

export type BulkReviewRequest = IdempotentRequest & {
  unit_ids: string[];
} & (
    | { action: 'approve'; feedback?: string }
    | { action: 'reject'; feedback: string }
    | { action: 'soft_reject'; feedback?: string }
    | { action: 'bonus'; amount: number; reason: string }
  );

export interface BulkReviewResult {
  /** Units the action was applied to now. */
  applied: number;
  /** Units skipped: already in that state, or done by an earlier request with the same key. */
  skipped: number;
  /** Units the action could not apply to, with the reason (e.g. not completed yet). */
  failed: { unitId: string; code: string; message: string }[];
  /** Units whose action is recorded but the provider refused it (optional, added). */
  providerFailed?: { unitId: string; message: string }[];
  /** Units whose provider part must be done by hand, e.g. in-house bonuses owed (optional, added). */
  manual?: number;
}

export interface WorkerBlockRequest extends IdempotentRequest {
  reason: string;
}

export interface WorkerDetail {
  id: string;
  name: string;
  providerType: string;
  blocked: boolean;
  blockReason: string | null;
  qualifications: { name: string; value: number }[];
  /** The worker's units across every task, newest first (at most 500). */
  units: (UnitRow & { taskName: string })[];
  /** True when the worker has more units than `units` lists (optional, added). */
  unitsTruncated?: boolean;
  totals: { units: number; accepted: number; rejected: number; earned: number };
}

export interface QualificationSummary {
  name: string;
  description: string | null;
  /** Workers holding it. */
  granted: number;
}

export interface QualificationCreateRequest {
  name: string;
  description?: string;
}

export interface QualificationGrantRequest extends IdempotentRequest {
  worker_id: string;
  value?: number;
}

export interface QualificationRevokeRequest extends IdempotentRequest {
  worker_id: string;
}

export interface MonitorSnapshot {
  runId: string;
  taskName: string;
  /** When this snapshot was taken. */
  at: string;
  ended: boolean;
  unitsByStatus: Partial<Record<UnitStatusName, number>>;
  activeWorkers: number;
  /** Submissions per minute bucket, oldest first, the last 60 minutes. */
  submissionsPerMinute: { minute: string; count: number }[];
  /** What the run has spent so far, dollars: the payments ledger's total ({@link SpendDetail.total}). */
  spend: number;
  /** The spend in parts, with the budget and the work awaiting review (optional, added). */
  spendDetail?: SpendDetail;
  /** Most recent first, at most 50. */
  recentErrors: { at: string; code: string; message: string }[];
  /** Worker-facing refusals (no units left, caps, blocked, not qualified), most recent first, at most 50. */
  recentRefusals: { at: string; workerName: string | null; code: string; message: string }[];
}

export interface ReviewErrorReply {
  error: { code: string; message: string };
}
