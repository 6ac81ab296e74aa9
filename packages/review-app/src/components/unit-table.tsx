import type { UnitRow } from 'mephisto-ts/review-api';
import { hrefs } from '../routing/app-route.js';
import { formatDateTime, formatMoney, reviewSummary, statusLabel } from '../format/format.js';

/**
 * A run's loaded units with selection checkboxes. The unit id links to its detail panel and the worker
 * name to the worker page, so the table is usable with the keyboard alone.
 * Test ids: `units-table`, `unit-select-all`, `unit-row-${unitId}`, `unit-select-${unitId}`,
 * `unit-open-${unitId}`, `unit-status-${unitId}`.
 */
export function UnitTable({
  runId,
  units,
  selected,
  activeUnitId,
  onToggle,
  onToggleAll,
}: {
  runId: string;
  units: UnitRow[];
  selected: ReadonlySet<string>;
  activeUnitId: string | null;
  onToggle: (unitId: string) => void;
  onToggleAll: () => void;
}) {
  const allSelected = units.length > 0 && units.every((unit) => selected.has(unit.unitId));
  return (
    <table className="data-table" data-testid="units-table">
      <caption className="visually-hidden">Units of run {runId}</caption>
      <thead>
        <tr>
          <th scope="col" className="select-cell">
            <input
              type="checkbox"
              aria-label="Select every loaded unit"
              data-testid="unit-select-all"
              checked={allSelected}
              disabled={units.length === 0}
              onChange={onToggleAll}
            />
          </th>
          <th scope="col">Unit</th>
          <th scope="col">Worker</th>
          <th scope="col">Status</th>
          <th scope="col">Submitted</th>
          <th scope="col" className="number">
            Pay
          </th>
          <th scope="col">Review</th>
        </tr>
      </thead>
      <tbody>
        {units.map((unit) => (
          <tr
            key={unit.unitId}
            data-testid={`unit-row-${unit.unitId}`}
            className={unit.unitId === activeUnitId ? 'active' : undefined}
            aria-selected={selected.has(unit.unitId)}
          >
            <td className="select-cell">
              <input
                type="checkbox"
                aria-label={`Select unit ${unit.unitId}`}
                data-testid={`unit-select-${unit.unitId}`}
                checked={selected.has(unit.unitId)}
                onChange={() => {
                  onToggle(unit.unitId);
                }}
              />
            </td>
            <td>
              <a
                href={hrefs.run(runId, unit.unitId)}
                data-testid={`unit-open-${unit.unitId}`}
                aria-current={unit.unitId === activeUnitId ? 'true' : undefined}
              >
                {unit.unitId}
              </a>
            </td>
            <td>
              {unit.workerId === null ? (
                <span className="muted">—</span>
              ) : (
                <a href={hrefs.worker(unit.workerId)}>{unit.workerName ?? unit.workerId}</a>
              )}
            </td>
            <td data-testid={`unit-status-${unit.unitId}`}>
              <span className={`status-badge status-${unit.status}`}>{statusLabel(unit.status)}</span>
            </td>
            <td>{formatDateTime(unit.submittedAt)}</td>
            <td className="number">{formatMoney(unit.pay)}</td>
            <td>{reviewSummary(unit.review)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
