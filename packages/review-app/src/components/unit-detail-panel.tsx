import { useEffect, useRef } from 'react';
import type { ReviewActionResult, UnitDetail, UnitRow } from 'mephisto-ts/review-api';
import { useReviewClient } from '../api/review-client-context.js';
import { useApiData } from '../hooks/use-api-data.js';
import { hrefs } from '../routing/app-route.js';
import { actionLabel, formatDateTime, formatMoney, reviewSummary, statusLabel } from '../format/format.js';
import { ErrorMessage } from './error-message.js';
import { FileDownloadLink } from './file-download-link.js';
import { JsonTree } from './json-tree.js';
import { ReviewActions } from './review-actions.js';

/**
 * One unit: its facts, input data and submission (as text, see JsonTree), uploaded files, review
 * history and the per-unit review actions. Keyed by unit id by its parent, so each unit starts fresh.
 * Its heading takes focus when it opens, so keyboard and screen-reader users land on it.
 *
 * Test ids: `unit-detail`, `unit-detail-title`, `unit-detail-close`, `unit-detail-loading`,
 * `unit-detail-error`, `unit-detail-status`, `unit-detail-worker`, `unit-detail-review`, `unit-input`
 * (+`-raw`), `unit-submission` (+`-raw`), `unit-files`, `unit-file-${index}`, `unit-history`,
 * `unit-history-${index}`, and the `unit-*` ids of ReviewActions.
 */
export function UnitDetailPanel({
  runId,
  unitId,
  onUnitChanged,
}: {
  runId: string;
  unitId: string;
  onUnitChanged: (row: UnitRow) => void;
}) {
  const client = useReviewClient();
  const detail = useApiData((signal) => client.getUnit(unitId, signal), [client, unitId]);
  const titleRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    titleRef.current?.focus();
  }, []);

  const unit = detail.data;
  return (
    <aside className="panel unit-detail" aria-labelledby="unit-detail-title" data-testid="unit-detail">
      <div className="panel-header">
        <h2 id="unit-detail-title" ref={titleRef} tabIndex={-1} data-testid="unit-detail-title">
          Unit {unitId}
        </h2>
        <a className="button-link" href={hrefs.run(runId)} data-testid="unit-detail-close">
          Close<span className="visually-hidden"> unit details</span>
        </a>
      </div>
      {detail.error !== null && <ErrorMessage error={detail.error} testId="unit-detail-error" />}
      {unit === null && detail.loading && (
        <p className="muted" data-testid="unit-detail-loading">
          Loading unit…
        </p>
      )}
      {unit !== null && <UnitFacts unit={unit} />}
      {unit !== null && (
        <ReviewActions<ReviewActionResult>
          idPrefix="unit"
          legend={`Review unit ${unitId}`}
          targets={[unitId]}
          send={(body, key) => client.reviewUnit(unitId, { ...body, idempotency_key: key })}
          describe={(result) =>
            result.applied
              ? `Done. The unit is now ${statusLabel(result.unit.status)}.`
              : `Already done by an earlier request. The unit is ${statusLabel(result.unit.status)}.`
          }
          onDone={(result) => {
            onUnitChanged(result.unit);
            detail.reload();
          }}
        />
      )}
    </aside>
  );
}

function UnitFacts({ unit }: { unit: UnitDetail }) {
  return (
    <>
      <dl className="facts">
        <dt>Status</dt>
        <dd data-testid="unit-detail-status">
          <span className={`status-badge status-${unit.status}`}>{statusLabel(unit.status)}</span>
        </dd>
        <dt>Worker</dt>
        <dd data-testid="unit-detail-worker">
          {unit.workerId === null ? (
            '—'
          ) : (
            <a href={hrefs.worker(unit.workerId)}>{unit.workerName ?? unit.workerId}</a>
          )}
        </dd>
        <dt>Assignment</dt>
        <dd>{unit.assignmentId}</dd>
        <dt>Assigned</dt>
        <dd>{formatDateTime(unit.assignedAt)}</dd>
        <dt>Submitted</dt>
        <dd>{formatDateTime(unit.submittedAt)}</dd>
        <dt>Pay</dt>
        <dd>{formatMoney(unit.pay)}</dd>
        <dt>Review</dt>
        <dd data-testid="unit-detail-review">
          {reviewSummary(unit.review)}
          {unit.review.feedback !== null && <span className="feedback"> “{unit.review.feedback}”</span>}
        </dd>
      </dl>

      <h3>Input data</h3>
      <JsonTree value={unit.inputData} testId="unit-input" />

      <h3>Submission</h3>
      <JsonTree value={unit.submission} testId="unit-submission" />

      <h3>Files</h3>
      {unit.files.length === 0 ? (
        <p className="muted" data-testid="unit-files">
          No uploaded files.
        </p>
      ) : (
        <ul data-testid="unit-files">
          {unit.files.map((file, index) => (
            <li key={file.url}>
              <FileDownloadLink file={file} testId={`unit-file-${index}`} />
            </li>
          ))}
        </ul>
      )}

      <h3>Review history</h3>
      {unit.history.length === 0 ? (
        <p className="muted" data-testid="unit-history">
          Not reviewed yet.
        </p>
      ) : (
        <ol className="history" data-testid="unit-history">
          {unit.history.map((entry, index) => (
            <li key={`${entry.at}-${index}`} data-testid={`unit-history-${index}`}>
              <strong>{actionLabel(entry.action)}</strong>
              {entry.amount !== null && <> {formatMoney(entry.amount)}</>}{' '}
              <span className="muted">{formatDateTime(entry.at)}</span>
              {entry.feedback !== null && <span className="feedback"> “{entry.feedback}”</span>}
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
