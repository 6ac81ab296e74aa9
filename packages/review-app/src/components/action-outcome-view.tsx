import type { ReactNode } from 'react';
import type { ActionOutcome } from '../hooks/use-idempotent-action.js';
import { ErrorMessage } from './error-message.js';

/**
 * What became of the last action, inline under its buttons, in a polite live region:
 * `${testIdPrefix}-running`, `-result` (success text), `-error` (the server's message) and `-retry` (shown
 * when the outcome is unknown; it re-sends the same idempotency key).
 */
export function ActionOutcomeView<R>({
  outcome,
  describe,
  onRetry,
  testIdPrefix,
}: {
  outcome: ActionOutcome<R>;
  describe: (result: R) => ReactNode;
  onRetry: () => void;
  testIdPrefix: string;
}) {
  return (
    <div className="action-outcome" aria-live="polite">
      {outcome.kind === 'running' && (
        <p className="muted" data-testid={`${testIdPrefix}-running`}>
          Sending…
        </p>
      )}
      {outcome.kind === 'succeeded' && (
        <div className="success" data-testid={`${testIdPrefix}-result`}>
          {describe(outcome.result)}
        </div>
      )}
      {outcome.kind === 'failed' && (
        <ErrorMessage error={outcome.error} testId={`${testIdPrefix}-error`}>
          {outcome.retryable && (
            <p>
              The server may or may not have done it. Retrying is safe: it repeats the same request, which is
              applied at most once.{' '}
              <button type="button" data-testid={`${testIdPrefix}-retry`} onClick={onRetry}>
                Retry
              </button>
            </p>
          )}
        </ErrorMessage>
      )}
    </div>
  );
}
