/**
 * What one exported row holds: the columns, in order, that both formats write (JSONL keys, CSV header).
 * Names are snake_case, as in Mephisto's own data (DataBrowser, `database.db`), so scripts written
 * for Mephisto's exports read these with few changes.
 */
import type { UnitExportRow } from '../store/store.js';

/** The columns of an export, in the order they are written. */
export const EXPORT_COLUMNS = [
  'task_name',
  'task_run_id',
  'unit_id',
  'assignment_id',
  'unit_index',
  'status',
  'worker_id',
  'worker_name',
  'agent_id',
  'agent_status',
  'assigned_at',
  'submitted_at',
  'duration_seconds',
  'pay',
  'bonus_total',
  'review_status',
  'review_feedback',
  'reviewed_at',
  'data',
  'input_data',
] as const;
export type ExportColumn = (typeof EXPORT_COLUMNS)[number];

/** The columns holding JSON values (objects, arrays): nested in JSONL, JSON text in CSV. */
export const JSON_COLUMNS: ReadonlySet<ExportColumn> = new Set<ExportColumn>(['data', 'input_data']);

/**
 * One exported unit. Ids are decimal strings, dates ISO 8601 in UTC, money in dollars; a value that
 * does not apply (no worker yet, not submitted, not reviewed) is null.
 */
export interface ExportRecord {
  task_name: string;
  task_run_id: string;
  unit_id: string;
  assignment_id: string;
  unit_index: number;
  status: string;
  worker_id: string | null;
  worker_name: string | null;
  agent_id: string | null;
  agent_status: string | null;
  /** When the worker took the unit (the agent's creation). */
  assigned_at: string | null;
  /** When the worker submitted it. */
  submitted_at: string | null;
  /** `submitted_at - assigned_at`, in seconds. */
  duration_seconds: number | null;
  /** The unit's reward. */
  pay: number;
  /** Bonuses recorded for the unit in worker reviews (0 when none). */
  bonus_total: number;
  /** The latest review decision (`approved`, `rejected`, …, as recorded), null when not reviewed. */
  review_status: string | null;
  review_feedback: string | null;
  reviewed_at: string | null;
  /** What the worker submitted (untrusted), null when nothing. */
  data: unknown;
  /** The assignment's data the worker was shown, null when it has none. */
  input_data: unknown;
}

/** Floating-point sums of dollar amounts, without their noise (0.1 + 0.2 → 0.3): micro-dollars. */
export function roundMoney(dollars: number): number {
  return Math.round(dollars * 1e6) / 1e6;
}

export function toExportRecord(row: UnitExportRow, taskName: string): ExportRecord {
  const assigned = row.assignedAt;
  const submitted = row.submittedAt;
  return {
    task_name: taskName,
    task_run_id: row.taskRunId,
    unit_id: row.unitId,
    assignment_id: row.assignmentId,
    unit_index: row.unitIndex,
    status: row.status,
    worker_id: row.workerId,
    worker_name: row.workerName,
    agent_id: row.agentId,
    agent_status: row.agentStatus,
    assigned_at: assigned === null ? null : assigned.toISOString(),
    submitted_at: submitted === null ? null : submitted.toISOString(),
    duration_seconds:
      assigned === null || submitted === null ? null : (submitted.getTime() - assigned.getTime()) / 1000,
    pay: roundMoney(row.payAmount),
    bonus_total: roundMoney(row.bonusTotal),
    review_status: row.latestReview?.status ?? null,
    review_feedback: row.latestReview?.feedback ?? null,
    reviewed_at: row.latestReview?.reviewedAt.toISOString() ?? null,
    data: row.submission ?? null,
    input_data: row.inputData ?? null,
  };
}
