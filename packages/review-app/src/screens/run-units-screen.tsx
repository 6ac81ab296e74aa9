/**
 * Screen 2, `#/runs/:runId` and `#/runs/:runId/units/:unitId` (detail panel open): a run's units with
 * status filter chips, search by worker name or unit id, keyset "Load more", selection with bulk review
 * actions, and the per-unit detail panel (UnitDetailPanel).
 *
 * Test ids: `run-units-screen`, `run-units-title`, `run-monitor-link`, `status-chip-all`,
 * `status-chip-${status}`, `units-search` (input), `units-search-submit`, `units-search-clear`,
 * `units-count`, `units-loading`, `units-error`, `units-empty`, `units-load-more`, the table's
 * `units-table`, `unit-select-all`, `unit-row-${id}`, `unit-select-${id}`, `unit-open-${id}`,
 * `unit-status-${id}`; `bulk-selection` (the "N selected" text), `bulk-clear`, the `bulk-*` ids of
 * ReviewActions (`bulk-approve`, `bulk-reject`, `bulk-feedback`, `bulk-bonus-amount`, …, `bulk-result`,
 * `bulk-error`, `bulk-failed` listing units the server could not act on); and the `unit-*` ids of
 * UnitDetailPanel.
 */
import { useCallback, useId, useState } from 'react';
import type { BulkReviewResult, UnitStatusName } from 'mephisto-ts/review-api';
import { useReviewClient } from '../api/review-client-context.js';
import { ErrorMessage } from '../components/error-message.js';
import { ReviewActions } from '../components/review-actions.js';
import { StatusFilterChips } from '../components/status-filter-chips.js';
import { UnitDetailPanel } from '../components/unit-detail-panel.js';
import { UnitTable } from '../components/unit-table.js';
import { useApiData } from '../hooks/use-api-data.js';
import { useUnitPages, type UnitFilter } from '../hooks/use-unit-pages.js';
import { hrefs } from '../routing/app-route.js';
import { ScreenTitle } from './screen-title.js';

export function RunUnitsScreen({ runId, unitId }: { runId: string; unitId: string | null }) {
  const client = useReviewClient();
  const ids = useId();
  const [filter, setFilter] = useState<UnitFilter>({ status: null, q: '' });
  const [searchText, setSearchText] = useState('');
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const pages = useUnitPages(runId, filter);
  // The tasks list names the run's task and gives the chips their counts; the table works without it.
  const tasks = useApiData((signal) => client.listTasks(signal), [client]);
  const task = tasks.data?.find((candidate) => candidate.runs.some((run) => run.id === runId)) ?? null;
  const run = task?.runs.find((candidate) => candidate.id === runId) ?? null;

  const changeFilter = (next: UnitFilter): void => {
    // Acting on units the reviewer can no longer see would surprise them: a new filter clears the selection.
    setSelected(new Set());
    setFilter(next);
  };

  const toggle = useCallback((id: string) => {
    setSelected((previous) => {
      const next = new Set(previous);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  }, []);

  const allLoadedSelected = pages.units.length > 0 && pages.units.every((unit) => selected.has(unit.unitId));
  const toggleAll = (): void => {
    setSelected(allLoadedSelected ? new Set() : new Set(pages.units.map((unit) => unit.unitId)));
  };

  const selectedIds = [...selected];
  const refreshAfterChange = (): void => {
    pages.reload();
    tasks.reload();
  };

  return (
    <section
      data-testid="run-units-screen"
      className={unitId === null ? 'units-layout' : 'units-layout with-panel'}
    >
      <div className="units-main">
        <nav aria-label="Breadcrumb" className="breadcrumb">
          <a href={hrefs.tasks()}>Tasks</a> › {task ? task.name : 'Run'}
        </nav>
        <div className="screen-header">
          <ScreenTitle testId="run-units-title">Run {runId}: units</ScreenTitle>
          <a href={hrefs.monitor(runId)} data-testid="run-monitor-link">
            Live monitor
          </a>
        </div>

        <div className="filters">
          <StatusFilterChips
            value={filter.status}
            counts={run?.unitsByStatus ?? null}
            onChange={(status: UnitStatusName | null) => {
              changeFilter({ ...filter, status });
            }}
          />
          <form
            role="search"
            className="search"
            onSubmit={(event) => {
              event.preventDefault();
              changeFilter({ ...filter, q: searchText.trim() });
            }}
          >
            <label htmlFor={`${ids}-search`}>Search worker name or unit id</label>
            <input
              id={`${ids}-search`}
              type="search"
              data-testid="units-search"
              value={searchText}
              onChange={(event) => {
                setSearchText(event.target.value);
              }}
            />
            <button type="submit" data-testid="units-search-submit">
              Search
            </button>
            {filter.q !== '' && (
              <button
                type="button"
                data-testid="units-search-clear"
                onClick={() => {
                  setSearchText('');
                  changeFilter({ ...filter, q: '' });
                }}
              >
                Clear search
              </button>
            )}
          </form>
        </div>

        <p className="muted" data-testid="units-count" aria-live="polite">
          {pages.total === null
            ? 'Loading units…'
            : `Showing ${pages.units.length} of ${pages.total} units${filter.q === '' ? '' : ` matching “${filter.q}”`}.`}
        </p>
        {pages.error !== null && <ErrorMessage error={pages.error} testId="units-error" />}

        <BulkBar
          selectedIds={selectedIds}
          onClear={() => {
            setSelected(new Set());
          }}
          onDone={() => {
            setSelected(new Set());
            refreshAfterChange();
          }}
        />

        <UnitTable
          runId={runId}
          units={pages.units}
          selected={selected}
          activeUnitId={unitId}
          onToggle={toggle}
          onToggleAll={toggleAll}
        />
        {pages.total === 0 && <p data-testid="units-empty">No units match this filter.</p>}
        {pages.loading && pages.total !== null && (
          <p className="muted" data-testid="units-loading">
            Loading…
          </p>
        )}
        {pages.hasMore && (
          <button
            type="button"
            data-testid="units-load-more"
            disabled={pages.loading}
            onClick={pages.loadMore}
          >
            Load more
          </button>
        )}
      </div>

      {unitId !== null && (
        <UnitDetailPanel
          key={unitId}
          runId={runId}
          unitId={unitId}
          onUnitChanged={(row) => {
            pages.replaceUnit(row);
            tasks.reload();
          }}
        />
      )}
    </section>
  );
}

function BulkBar({
  selectedIds,
  onClear,
  onDone,
}: {
  selectedIds: string[];
  onClear: () => void;
  onDone: () => void;
}) {
  const client = useReviewClient();
  const count = selectedIds.length;
  return (
    <section className="bulk-bar" aria-label="Bulk review">
      <p>
        <strong data-testid="bulk-selection">
          {count === 0 ? 'No units selected' : `${count} unit${count === 1 ? '' : 's'} selected`}
        </strong>{' '}
        {count > 0 && (
          <button type="button" className="link-button" data-testid="bulk-clear" onClick={onClear}>
            Clear selection
          </button>
        )}
      </p>
      <ReviewActions<BulkReviewResult>
        idPrefix="bulk"
        legend="Review the selected units"
        targets={selectedIds}
        disabledReason={count === 0 ? 'Select units in the table to review them together.' : null}
        send={(body, key, unitIds) =>
          client.reviewUnits({ ...body, unit_ids: [...unitIds], idempotency_key: key })
        }
        describe={(result) => <BulkResultText result={result} />}
        onDone={onDone}
      />
    </section>
  );
}

function BulkResultText({ result }: { result: BulkReviewResult }) {
  return (
    <>
      <p>
        Applied to {result.applied} unit{result.applied === 1 ? '' : 's'}; skipped {result.skipped} (already
        done).{result.failed.length > 0 ? ` ${result.failed.length} could not be done:` : ''}
      </p>
      {result.failed.length > 0 && (
        <ul data-testid="bulk-failed">
          {result.failed.map((failure) => (
            <li key={failure.unitId}>
              Unit {failure.unitId}: {failure.message} <code className="small">{failure.code}</code>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
