import type { UnitStatusName } from 'mephisto-ts/review-api';
import { UNIT_STATUS_ORDER, countUnits, statusLabel } from '../format/format.js';

/**
 * One-of status filter as toggle buttons (aria-pressed), with counts when the run's summary is known.
 * Test ids: `status-chip-all`, `status-chip-${status}`.
 */
export function StatusFilterChips({
  value,
  onChange,
  counts,
}: {
  value: UnitStatusName | null;
  onChange: (status: UnitStatusName | null) => void;
  counts: Partial<Record<UnitStatusName, number>> | null;
}) {
  return (
    <div className="chips" role="group" aria-label="Filter units by status">
      <button
        type="button"
        className="chip"
        aria-pressed={value === null}
        data-testid="status-chip-all"
        onClick={() => {
          onChange(null);
        }}
      >
        All{counts && <span className="chip-count">{countUnits(counts)}</span>}
      </button>
      {UNIT_STATUS_ORDER.map((status) => (
        <button
          key={status}
          type="button"
          className="chip"
          aria-pressed={value === status}
          data-testid={`status-chip-${status}`}
          onClick={() => {
            onChange(status);
          }}
        >
          {statusLabel(status)}
          {counts && <span className="chip-count">{counts[status] ?? 0}</span>}
        </button>
      ))}
    </div>
  );
}
