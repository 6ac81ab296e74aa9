/**
 * Screen 5, `#/runs/:runId/monitor`: a run, live. Units by status, active workers, submissions per minute
 * (SubmissionsChart), spend so far (the payments ledger's total, and its parts when the server sends
 * them: paid, pending, owed, fees, the budget, and apart the estimate of the work awaiting review),
 * recent errors and worker-facing refusals, updated from the run's event stream (useMonitorStream) with
 * a live / reconnecting indicator.
 *
 * Test ids: `monitor-screen`, `monitor-title`, `monitor-task-name`, `monitor-connection`
 * (data-state="connecting|live|reconnecting"), `monitor-ended`, `monitor-error`, `monitor-loading`,
 * `monitor-updated-at`, `monitor-active-workers`, `monitor-spend`, `monitor-submissions-total`,
 * `monitor-spend-detail` (+ `-paid`, `-pending`, `-owed`, `-fees`, `-awaiting`, `-budget`, and
 * `-budget-bar`, a meter, when the run has a budget), `monitor-units-by-status` (+ `-${status}`),
 * `monitor-chart`, `monitor-chart-bar-${index}`, `monitor-errors` (+ `monitor-error-${index}`),
 * `monitor-refusals` (+ `monitor-refusal-${index}`), `monitor-units-link`.
 */
import type { MonitorSnapshot, SpendDetail } from 'mephisto-ts/review-api';
import { ErrorMessage } from '../components/error-message.js';
import { StatusCounts } from '../components/status-counts.js';
import { SubmissionsChart } from '../components/submissions-chart.js';
import { countUnits, formatDateTime, formatMoney } from '../format/format.js';
import { useMonitorStream, type MonitorConnection } from '../hooks/use-monitor-stream.js';
import { hrefs } from '../routing/app-route.js';
import { ScreenTitle } from './screen-title.js';

const CONNECTION_TEXT: Record<MonitorConnection, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
};

export function MonitorScreen({ runId }: { runId: string }) {
  const { snapshot, connection, error } = useMonitorStream(runId);
  return (
    <section data-testid="monitor-screen">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <a href={hrefs.tasks()}>Tasks</a> ›{' '}
        <a href={hrefs.run(runId)} data-testid="monitor-units-link">
          Run {runId} units
        </a>
      </nav>
      <div className="screen-header">
        <ScreenTitle testId="monitor-title">Live monitor: run {runId}</ScreenTitle>
        <p
          className={`connection connection-${connection}`}
          role="status"
          data-testid="monitor-connection"
          data-state={connection}
        >
          <span className="connection-dot" aria-hidden="true" />
          {CONNECTION_TEXT[connection]}
        </p>
      </div>
      {error !== null && <ErrorMessage error={error} testId="monitor-error" />}
      {snapshot === null ? (
        <p className="muted" data-testid="monitor-loading">
          Waiting for the first snapshot…
        </p>
      ) : (
        <MonitorBody snapshot={snapshot} />
      )}
    </section>
  );
}

function MonitorBody({ snapshot }: { snapshot: MonitorSnapshot }) {
  const submissionsInWindow = snapshot.submissionsPerMinute.reduce((sum, bucket) => sum + bucket.count, 0);
  return (
    <>
      <p className="muted">
        <span data-testid="monitor-task-name">{snapshot.taskName}</span>
        {snapshot.ended && (
          <>
            {' '}
            · <strong data-testid="monitor-ended">Run ended</strong>
          </>
        )}{' '}
        · updated <span data-testid="monitor-updated-at">{formatDateTime(snapshot.at)}</span>
      </p>

      <dl className="stats">
        <div>
          <dt>Active workers</dt>
          <dd data-testid="monitor-active-workers">{snapshot.activeWorkers}</dd>
        </div>
        <div>
          <dt>Spend so far</dt>
          <dd data-testid="monitor-spend">{formatMoney(snapshot.spend)}</dd>
        </div>
        <div>
          <dt>Submissions, last hour</dt>
          <dd data-testid="monitor-submissions-total">{submissionsInWindow}</dd>
        </div>
        <div>
          <dt>Units</dt>
          <dd>{countUnits(snapshot.unitsByStatus)}</dd>
        </div>
      </dl>

      {snapshot.spendDetail !== undefined && <SpendParts spend={snapshot.spendDetail} />}

      <div className="cards">
        <section className="card" aria-labelledby="monitor-status-title">
          <h2 id="monitor-status-title">Units by status</h2>
          <StatusCounts byStatus={snapshot.unitsByStatus} testId="monitor-units-by-status" />
        </section>
        <section className="card grow" aria-labelledby="monitor-chart-title">
          <h2 id="monitor-chart-title">Submissions per minute</h2>
          <SubmissionsChart buckets={snapshot.submissionsPerMinute} />
        </section>
      </div>

      <div className="cards">
        <section className="card grow" aria-labelledby="monitor-errors-title">
          <h2 id="monitor-errors-title">Recent errors</h2>
          <EventList
            testId="monitor-errors"
            itemTestId="monitor-error"
            empty="No errors."
            events={snapshot.recentErrors.map((entry) => ({ ...entry, who: null }))}
          />
        </section>
        <section className="card grow" aria-labelledby="monitor-refusals-title">
          <h2 id="monitor-refusals-title">Refused workers</h2>
          <EventList
            testId="monitor-refusals"
            itemTestId="monitor-refusal"
            empty="No worker was refused."
            events={snapshot.recentRefusals.map((entry) => ({
              ...entry,
              who: entry.workerName ?? 'A worker',
            }))}
          />
        </section>
      </div>
    </>
  );
}

/** The spend in parts, from the payments ledger, and apart the estimate of the work awaiting review. */
function SpendParts({ spend }: { spend: SpendDetail }) {
  const units = spend.awaitingReviewUnits;
  return (
    <section className="card" aria-labelledby="monitor-spend-title" data-testid="monitor-spend-detail">
      <h2 id="monitor-spend-title">Spend, from the payments ledger</h2>
      <dl className="facts">
        <dt>Paid</dt>
        <dd data-testid="monitor-spend-detail-paid">{formatMoney(spend.paid)}</dd>
        <dt>Pending</dt>
        <dd>
          <span data-testid="monitor-spend-detail-pending">{formatMoney(spend.pending)}</span>{' '}
          <span className="muted small">sent to the provider, not confirmed yet</span>
        </dd>
        <dt>Owed</dt>
        <dd>
          <span data-testid="monitor-spend-detail-owed">{formatMoney(spend.owed)}</span>{' '}
          <span className="muted small">in-house work, to pay by hand</span>
        </dd>
        <dt>Fees</dt>
        <dd>
          <span data-testid="monitor-spend-detail-fees">{formatMoney(spend.fees)}</span>{' '}
          <span className="muted small">the platform&apos;s, included above</span>
        </dd>
        <dt>Budget</dt>
        <dd data-testid="monitor-spend-detail-budget">
          {spend.budget === null ? (
            'No budget'
          ) : (
            <>
              {formatMoney(spend.total)} of {formatMoney(spend.budget)}{' '}
              <meter
                className="budget-meter"
                data-testid="monitor-spend-detail-budget-bar"
                aria-label="Spend of the budget"
                min={0}
                max={spend.budget}
                high={spend.budget * 0.9}
                value={Math.min(spend.total, spend.budget)}
              />
            </>
          )}
        </dd>
        <dt>Awaiting review (estimate)</dt>
        <dd>
          <span data-testid="monitor-spend-detail-awaiting">{formatMoney(spend.awaitingReview)}</span>{' '}
          <span className="muted small">
            rewards of {units} submitted {units === 1 ? 'unit' : 'units'} not reviewed yet, before fees; not
            in the spend
          </span>
        </dd>
      </dl>
    </section>
  );
}

function EventList({
  events,
  testId,
  itemTestId,
  empty,
}: {
  events: { at: string; code: string; message: string; who: string | null }[];
  testId: string;
  itemTestId: string;
  empty: string;
}) {
  if (events.length === 0) {
    return (
      <p className="muted" data-testid={testId}>
        {empty}
      </p>
    );
  }
  return (
    <ol className="event-list" data-testid={testId}>
      {events.map((event, index) => (
        <li key={`${event.at}-${index}`} data-testid={`${itemTestId}-${index}`}>
          <span className="muted small">{formatDateTime(event.at)}</span>{' '}
          {event.who !== null && <strong>{event.who}: </strong>}
          {event.message} <code className="small">{event.code}</code>
        </li>
      ))}
    </ol>
  );
}
