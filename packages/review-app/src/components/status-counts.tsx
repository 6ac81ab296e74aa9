import type { UnitStatusName } from 'mephisto-ts/review-api';
import { UNIT_STATUS_ORDER, statusLabel } from '../format/format.js';

/**
 * Unit counts by status as a compact list, statuses with no units left out.
 * Test ids: `${testId}` (the list), `${testId}-${status}` (one count).
 */
export function StatusCounts({
  byStatus,
  testId,
}: {
  byStatus: Partial<Record<UnitStatusName, number>>;
  testId: string;
}) {
  const present = UNIT_STATUS_ORDER.filter((status) => (byStatus[status] ?? 0) > 0);
  if (present.length === 0) {
    return (
      <p className="muted" data-testid={testId}>
        No units
      </p>
    );
  }
  return (
    <ul className="status-counts" data-testid={testId}>
      {present.map((status) => (
        <li key={status} data-testid={`${testId}-${status}`}>
          <span className={`status-badge status-${status}`}>{statusLabel(status)}</span>{' '}
          <strong>{byStatus[status]}</strong>
        </li>
      ))}
    </ul>
  );
}
