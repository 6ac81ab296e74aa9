/**
 * Screen 3, `#/workers/:workerId`: a worker's totals, qualifications, block state (block with a reason,
 * unblock) and units across every task, newest first.
 *
 * Test ids: `worker-screen`, `worker-name`, `worker-loading`, `worker-error`, `worker-provider`,
 * `worker-block-state` (data-blocked="true|false"), `worker-totals`, `worker-total-units`,
 * `worker-total-accepted`, `worker-total-rejected`, `worker-total-earned`, `worker-qualifications`,
 * `worker-qualification-${name}`, `worker-block-reason`, `worker-block`, `worker-unblock`,
 * `worker-block-invalid`, `worker-block-running`/`-result`/`-error`/`-retry`, the `worker-grant-*` ids of
 * QualificationGrantForm, `worker-units`, `worker-unit-${unitId}`.
 */
import { useId, useState } from 'react';
import type { WorkerDetail } from 'mephisto-ts/review-api';
import { useReviewClient } from '../api/review-client-context.js';
import { ActionOutcomeView } from '../components/action-outcome-view.js';
import { ErrorMessage } from '../components/error-message.js';
import { QualificationGrantForm } from '../components/qualification-grant-form.js';
import { formatDateTime, formatMoney, reviewSummary, statusLabel } from '../format/format.js';
import { useApiData } from '../hooks/use-api-data.js';
import { useIdempotentAction } from '../hooks/use-idempotent-action.js';
import { hrefs } from '../routing/app-route.js';
import { ScreenTitle } from './screen-title.js';

export function WorkerScreen({ workerId }: { workerId: string }) {
  const client = useReviewClient();
  const worker = useApiData((signal) => client.getWorker(workerId, signal), [client, workerId]);
  const qualifications = useApiData((signal) => client.listQualifications(signal), [client]);
  const data = worker.data;

  return (
    <section data-testid="worker-screen">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <a href={hrefs.tasks()}>Tasks</a> › Worker
      </nav>
      <ScreenTitle testId="worker-name">Worker {data ? data.name : workerId}</ScreenTitle>
      {worker.error !== null && <ErrorMessage error={worker.error} testId="worker-error" />}
      {data === null && worker.loading && (
        <p className="muted" data-testid="worker-loading">
          Loading worker…
        </p>
      )}
      {data !== null && (
        <>
          <div className="cards">
            <section className="card" aria-labelledby="worker-about">
              <h2 id="worker-about">About</h2>
              <dl className="facts">
                <dt>Id</dt>
                <dd>{data.id}</dd>
                <dt>Provider</dt>
                <dd data-testid="worker-provider">{data.providerType}</dd>
                <dt>State</dt>
                <dd data-testid="worker-block-state" data-blocked={data.blocked}>
                  {data.blocked ? (
                    <>
                      <span className="status-badge status-rejected">Blocked</span>
                      {data.blockReason !== null && <> “{data.blockReason}”</>}
                    </>
                  ) : (
                    <span className="status-badge status-accepted">Active</span>
                  )}
                </dd>
              </dl>
              <BlockControls worker={data} onChanged={worker.setData} />
            </section>
            <section className="card" aria-labelledby="worker-totals-title">
              <h2 id="worker-totals-title">Totals</h2>
              <dl className="facts" data-testid="worker-totals">
                <dt>Units</dt>
                <dd data-testid="worker-total-units">{data.totals.units}</dd>
                <dt>Accepted</dt>
                <dd data-testid="worker-total-accepted">{data.totals.accepted}</dd>
                <dt>Rejected</dt>
                <dd data-testid="worker-total-rejected">{data.totals.rejected}</dd>
                <dt>Earned</dt>
                <dd data-testid="worker-total-earned">{formatMoney(data.totals.earned)}</dd>
              </dl>
            </section>
          </div>

          <section className="card" aria-labelledby="worker-qualifications-title">
            <h2 id="worker-qualifications-title">Qualifications</h2>
            {data.qualifications.length === 0 ? (
              <p className="muted" data-testid="worker-qualifications">
                None.
              </p>
            ) : (
              <ul data-testid="worker-qualifications">
                {data.qualifications.map((qualification) => (
                  <li key={qualification.name} data-testid={`worker-qualification-${qualification.name}`}>
                    {qualification.name}: <strong>{qualification.value}</strong>
                  </li>
                ))}
              </ul>
            )}
            {qualifications.error !== null && <ErrorMessage error={qualifications.error} />}
            {qualifications.data !== null && (
              <QualificationGrantForm
                idPrefix="worker-grant"
                legend="Qualify this worker"
                qualifications={qualifications.data}
                workerId={data.id}
                onChanged={() => {
                  worker.reload();
                  qualifications.reload();
                }}
              />
            )}
          </section>

          <section className="card" aria-labelledby="worker-units-title">
            <h2 id="worker-units-title">Units across tasks</h2>
            <WorkerUnits worker={data} />
          </section>
        </>
      )}
    </section>
  );
}

function BlockControls({
  worker,
  onChanged,
}: {
  worker: WorkerDetail;
  onChanged: (worker: WorkerDetail) => void;
}) {
  const client = useReviewClient();
  const ids = useId();
  const [reason, setReason] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const action = useIdempotentAction(
    (payload: { kind: 'block' | 'unblock'; reason: string }, key: string): Promise<WorkerDetail> =>
      payload.kind === 'block'
        ? client.blockWorker(worker.id, { idempotency_key: key, reason: payload.reason })
        : client.unblockWorker(worker.id, { idempotency_key: key }),
  );
  const done = (result: WorkerDetail | null): void => {
    if (result === null) return;
    setReason('');
    onChanged(result);
  };

  return (
    <div className="block-controls">
      {worker.blocked ? (
        <button
          type="button"
          data-testid="worker-unblock"
          disabled={action.running}
          onClick={() => void action.run({ kind: 'unblock', reason: '' }).then(done)}
        >
          Unblock worker
        </button>
      ) : (
        <>
          <div className="field">
            <label htmlFor={`${ids}-reason`}>Reason for blocking (required)</label>
            <textarea
              id={`${ids}-reason`}
              data-testid="worker-block-reason"
              rows={2}
              value={reason}
              onChange={(event) => {
                setReason(event.target.value);
              }}
            />
          </div>
          <button
            type="button"
            className="danger"
            data-testid="worker-block"
            disabled={action.running}
            onClick={() => {
              if (reason.trim() === '') {
                setInvalid('Blocking needs a reason.');
                return;
              }
              setInvalid(null);
              void action.run({ kind: 'block', reason: reason.trim() }).then(done);
            }}
          >
            Block worker
          </button>
        </>
      )}
      {invalid !== null && (
        <p className="invalid" role="alert" data-testid="worker-block-invalid">
          {invalid}
        </p>
      )}
      <ActionOutcomeView
        outcome={action.outcome}
        describe={(result) => (result.blocked ? 'Worker blocked.' : 'Worker unblocked.')}
        onRetry={() => void action.retry().then(done)}
        testIdPrefix="worker-block"
      />
    </div>
  );
}

function WorkerUnits({ worker }: { worker: WorkerDetail }) {
  if (worker.units.length === 0) {
    return (
      <p className="muted" data-testid="worker-units">
        No units yet.
      </p>
    );
  }
  return (
    <table className="data-table" data-testid="worker-units">
      <caption className="visually-hidden">Units of worker {worker.name}, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Task</th>
          <th scope="col">Unit</th>
          <th scope="col">Status</th>
          <th scope="col">Submitted</th>
          <th scope="col" className="number">
            Pay
          </th>
          <th scope="col">Review</th>
        </tr>
      </thead>
      <tbody>
        {worker.units.map((unit) => (
          <tr key={unit.unitId} data-testid={`worker-unit-${unit.unitId}`}>
            <td>{unit.taskName}</td>
            <td>
              <a href={hrefs.run(unit.runId, unit.unitId)}>{unit.unitId}</a>
            </td>
            <td>
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
