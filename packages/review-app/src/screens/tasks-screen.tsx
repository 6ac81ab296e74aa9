/**
 * Screen 1, `#/`: every task with its runs (unit counts by status, spend: the payments ledger's total,
 * whose parts the monitor shows), linking to a run's units and its live monitor.
 *
 * Test ids: `tasks-screen`, `tasks-refresh`, `tasks-loading`, `tasks-error`, `tasks-empty`,
 * `task-${taskId}` (a task's section), `task-name-${taskId}`, `run-row-${runId}`, `run-state-${runId}`,
 * `run-counts-${runId}` (+ `-${status}` per status), `run-spend-${runId}`, `run-link-${runId}` (to the
 * units), `run-monitor-link-${runId}`.
 */
import type { RunSummary, TaskSummary } from 'mephisto-ts/review-api';
import { useReviewClient } from '../api/review-client-context.js';
import { ErrorMessage } from '../components/error-message.js';
import { StatusCounts } from '../components/status-counts.js';
import { countUnits, formatDateTime, formatMoney } from '../format/format.js';
import { useApiData } from '../hooks/use-api-data.js';
import { hrefs } from '../routing/app-route.js';
import { ScreenTitle } from './screen-title.js';

export function TasksScreen() {
  const client = useReviewClient();
  const tasks = useApiData((signal) => client.listTasks(signal), [client]);
  return (
    <section data-testid="tasks-screen">
      <div className="screen-header">
        <ScreenTitle>Tasks and runs</ScreenTitle>
        <button type="button" data-testid="tasks-refresh" disabled={tasks.loading} onClick={tasks.reload}>
          Refresh
        </button>
      </div>
      {tasks.error !== null && <ErrorMessage error={tasks.error} testId="tasks-error" />}
      {tasks.data === null && tasks.loading && (
        <p className="muted" data-testid="tasks-loading">
          Loading tasks…
        </p>
      )}
      {tasks.data?.length === 0 && (
        <p data-testid="tasks-empty">No tasks yet. Launch one with `mephisto run`, then refresh.</p>
      )}
      {tasks.data?.map((task) => (
        <TaskSection key={task.id} task={task} />
      ))}
    </section>
  );
}

function TaskSection({ task }: { task: TaskSummary }) {
  const headingId = `task-heading-${task.id}`;
  return (
    <section className="card" aria-labelledby={headingId} data-testid={`task-${task.id}`}>
      <h2 id={headingId} data-testid={`task-name-${task.id}`}>
        {task.name} <span className="muted small">{task.taskType}</span>
      </h2>
      {task.runs.length === 0 ? (
        <p className="muted">No runs.</p>
      ) : (
        <table className="data-table">
          <caption className="visually-hidden">Runs of {task.name}</caption>
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Started</th>
              <th scope="col">State</th>
              <th scope="col">Units by status</th>
              <th scope="col" className="number" title="Paid, pending and owed, from the payments ledger">
                Spend
              </th>
              <th scope="col">
                <span className="visually-hidden">Links</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {task.runs.map((run) => (
              <RunRow key={run.id} run={run} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function RunRow({ run }: { run: RunSummary }) {
  const toReview = run.unitsByStatus.completed ?? 0;
  return (
    <tr data-testid={`run-row-${run.id}`}>
      <th scope="row">Run {run.id}</th>
      <td>{formatDateTime(run.created)}</td>
      <td data-testid={`run-state-${run.id}`}>{run.ended ? 'Ended' : 'Running'}</td>
      <td>
        <StatusCounts byStatus={run.unitsByStatus} testId={`run-counts-${run.id}`} />
        <span className="visually-hidden">{countUnits(run.unitsByStatus)} units in all</span>
      </td>
      <td className="number" data-testid={`run-spend-${run.id}`}>
        {formatMoney(run.spend)}
      </td>
      <td className="links">
        <a href={hrefs.run(run.id)} data-testid={`run-link-${run.id}`}>
          Review units{toReview > 0 ? ` (${toReview} to review)` : ''}
          <span className="visually-hidden"> of run {run.id}</span>
        </a>
        <a href={hrefs.monitor(run.id)} data-testid={`run-monitor-link-${run.id}`}>
          Live monitor<span className="visually-hidden"> of run {run.id}</span>
        </a>
      </td>
    </tr>
  );
}
