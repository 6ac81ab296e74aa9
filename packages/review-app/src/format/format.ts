import type { ReviewActionName, ReviewRecord, UnitStatusName } from 'mephisto-ts/review-api';

/** Every unit status, in the order a reviewer cares about them (work to review first). */
export const UNIT_STATUS_ORDER: readonly UnitStatusName[] = [
  'completed',
  'accepted',
  'soft_rejected',
  'rejected',
  'mixed',
  'assigned',
  'launched',
  'created',
  'expired',
];

const STATUS_LABELS: Record<UnitStatusName, string> = {
  created: 'Created',
  launched: 'Launched',
  assigned: 'Assigned',
  completed: 'Completed (to review)',
  accepted: 'Accepted',
  mixed: 'Mixed',
  rejected: 'Rejected',
  soft_rejected: 'Soft-rejected',
  expired: 'Expired',
};

export function statusLabel(status: UnitStatusName): string {
  return STATUS_LABELS[status];
}

const ACTION_LABELS: Record<ReviewActionName, string> = {
  approve: 'Approved',
  reject: 'Rejected',
  soft_reject: 'Soft-rejected',
  bonus: 'Bonus paid',
};

export function actionLabel(action: ReviewActionName): string {
  return ACTION_LABELS[action];
}

const dollars = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

/** Dollars, e.g. `$1,234.50`. */
export function formatMoney(amount: number): string {
  return dollars.format(amount);
}

/** A date in the reader's locale, or an em dash for none. Unparseable text is shown as it came. */
export function formatDateTime(iso: string | null): string {
  if (iso === null) return '—';
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : new Date(time).toLocaleString();
}

/** Hours and minutes of a date, for chart labels. */
export function formatTime(iso: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time)
    ? iso
    : new Date(time).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

export function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / (1024 * 1024)).toFixed(1)} MB`;
}

/** A unit's review in a few words: "Accepted · bonus $1.00", or "Not reviewed". */
export function reviewSummary(review: ReviewRecord): string {
  const parts: string[] = [];
  if (review.status !== null) parts.push(statusLabel(review.status));
  if (review.bonus > 0) parts.push(`bonus ${formatMoney(review.bonus)}`);
  return parts.length === 0 ? 'Not reviewed' : parts.join(' · ');
}

/** Sum of a status → count record. */
export function countUnits(byStatus: Partial<Record<UnitStatusName, number>>): number {
  return Object.values(byStatus).reduce((sum, count) => sum + count, 0);
}
