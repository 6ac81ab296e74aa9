/**
 * Store rows → the shapes of the review API (review-api.ts). Dates become ISO strings, money stays in
 * dollars, and a unit's review record is folded from its applied review actions.
 */
import type { UploadedFile } from '@mephisto-ts/task-client/wire';
import type { RunSpend } from '../export/run-spend.js';
import type { ReviewActionRecord, ReviewUnitRow } from '../store/store.js';
import { isServableFileName } from '../server/uploads/stored-file-name.js';
import type {
  ProviderOutcome,
  ReviewActionName,
  ReviewHistoryEntry,
  ReviewRecord,
  SpendDetail,
  UnitRow,
  UploadedFileRef,
} from './review-api.js';
import { REVIEW_ROUTES } from './review-api.js';

const DECISIONS: ReadonlySet<string> = new Set(['approve', 'reject', 'soft_reject']);
const REVIEW_STATUSES: ReadonlySet<string> = new Set(['accepted', 'rejected', 'soft_rejected']);

/** Adds up money without binary-fraction drift (0.1 + 0.2): to whole cents. */
export function cents(value: number): number {
  return Math.round(value * 100) / 100;
}

/** A run's spend as the API gives it (named field by field, so nothing else leaks into the contract). */
export function toSpendDetail(spend: RunSpend): SpendDetail {
  return {
    paid: spend.paid,
    pending: spend.pending,
    owed: spend.owed,
    rewards: spend.rewards,
    bonuses: spend.bonuses,
    fees: spend.fees,
    total: spend.total,
    budget: spend.budget,
    awaitingReview: spend.awaitingReview,
    awaitingReviewUnits: spend.awaitingReviewUnits,
  };
}

/** `records` (of many units, any order) grouped by unit, each list oldest first. */
export function actionsByUnit(records: readonly ReviewActionRecord[]): Map<string, ReviewActionRecord[]> {
  const out = new Map<string, ReviewActionRecord[]>();
  for (const record of records) {
    if (record.unitId === null || record.outcome !== 'applied') continue;
    let list = out.get(record.unitId);
    if (!list) out.set(record.unitId, (list = []));
    list.push(record);
  }
  for (const list of out.values())
    list.sort((a, b) => a.creationDate.getTime() - b.creationDate.getTime() || compareIds(a.id, b.id));
  return out;
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function reviewOf(row: ReviewUnitRow, actions: readonly ReviewActionRecord[]): ReviewRecord {
  const status = row.unit.status;
  const decision = actions.filter((a) => DECISIONS.has(a.action)).at(-1);
  const bonus = actions.filter((a) => a.action === 'bonus').reduce((sum, a) => sum + (a.amount ?? 0), 0);
  return {
    status: REVIEW_STATUSES.has(status) ? (status as ReviewRecord['status']) : null,
    feedback: decision?.feedback ?? null,
    bonus: cents(bonus),
    reviewedAt: decision ? decision.creationDate.toISOString() : null,
  };
}

export function toUnitRow(row: ReviewUnitRow, actions: readonly ReviewActionRecord[] = []): UnitRow {
  const { unit } = row;
  return {
    unitId: unit.id,
    assignmentId: unit.assignmentId,
    runId: unit.taskRunId,
    status: unit.status,
    workerId: unit.workerId,
    workerName: row.workerName,
    agentId: unit.agentId,
    assignedAt: row.assignedAt?.toISOString() ?? null,
    submittedAt: row.submittedAt?.toISOString() ?? null,
    pay: unit.payAmount,
    review: reviewOf(row, actions),
  };
}

export function providerOutcome(record: ReviewActionRecord): ProviderOutcome {
  return {
    state: record.delivery,
    // A reference (a payment id) is for the record; only a failure's reason is news to the reviewer.
    message: record.delivery === 'failed' ? record.deliveryDetail : null,
  };
}

export function toHistoryEntry(record: ReviewActionRecord): ReviewHistoryEntry {
  return {
    action: record.action as ReviewActionName,
    at: record.creationDate.toISOString(),
    feedback: record.feedback,
    amount: record.amount,
    provider: providerOutcome(record),
  };
}

/**
 * The upload records of a submission (Mephisto's `files`: what a multipart submit stored). The data is
 * the worker's, so every field is checked: a record without a servable stored name is left out.
 */
export function submittedFiles(
  submission: unknown,
): Pick<UploadedFile, 'filename' | 'originalname' | 'size'>[] {
  if (typeof submission !== 'object' || submission === null || Array.isArray(submission)) return [];
  const files: unknown = (submission as { files?: unknown }).files;
  if (!Array.isArray(files)) return [];
  const out: Pick<UploadedFile, 'filename' | 'originalname' | 'size'>[] = [];
  for (const file of files as unknown[]) {
    if (typeof file !== 'object' || file === null) continue;
    const { filename, originalname, size } = file as Record<string, unknown>;
    if (typeof filename !== 'string' || !isServableFileName(filename)) continue;
    out.push({
      filename,
      originalname: typeof originalname === 'string' ? originalname : filename,
      size: typeof size === 'number' && Number.isFinite(size) ? size : 0,
    });
  }
  return out;
}

export function fileRefs(unitId: string, submission: unknown): UploadedFileRef[] {
  return submittedFiles(submission).map((file) => ({
    name: file.originalname,
    size: file.size,
    url: REVIEW_ROUTES.file
      .replace(':unitId', encodeURIComponent(unitId))
      .replace(':filename', encodeURIComponent(file.filename)),
  }));
}
