import { useId, useRef, useState, type ReactNode } from 'react';
import type { ReviewActionRequest } from 'mephisto-ts/review-api';
import { useIdempotentAction } from '../hooks/use-idempotent-action.js';
import { formatMoney } from '../format/format.js';
import { ActionOutcomeView } from './action-outcome-view.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A review action as the contract defines it, before its idempotency key is added. */
export type ReviewActionBody = DistributiveOmit<ReviewActionRequest, 'idempotency_key'>;

export interface ReviewActionsProps<R> {
  /** Prefix of every test id below: `unit` in the detail panel, `bulk` for the selection. */
  idPrefix: string;
  legend: string;
  /**
   * The unit ids the action applies to. Part of the action's identity: a retry re-sends the same body to
   * the same targets with the same key, even if the selection changed meanwhile.
   */
  targets: readonly string[];
  /**
   * Shown instead of the fields and buttons while there is nothing to act on, e.g. "Select units to
   * review them together". The last action's outcome stays visible.
   */
  disabledReason?: string | null;
  send: (body: ReviewActionBody, idempotencyKey: string, targets: readonly string[]) => Promise<R>;
  describe: (result: R) => ReactNode;
  onDone?: (result: R) => void;
}

/**
 * Approve / soft-reject / reject (with feedback to the worker; required to reject) and a bonus (amount and
 * reason). Each click is one user action with a fresh idempotency key; every button is disabled while a
 * request is in flight, and the answer or the server's error shows inline.
 *
 * Test ids (P = idPrefix): `P-feedback`, `P-approve`, `P-soft-reject`, `P-reject`, `P-bonus-amount`,
 * `P-bonus-reason`, `P-bonus`, `P-bonus-total`, `P-invalid` (a form problem, nothing sent), and from
 * ActionOutcomeView `P-running`, `P-result`, `P-error`, `P-retry`.
 */
export function ReviewActions<R>({
  idPrefix,
  legend,
  targets,
  disabledReason = null,
  send,
  describe,
  onDone,
}: ReviewActionsProps<R>) {
  const [feedback, setFeedback] = useState('');
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const feedbackRef = useRef<HTMLTextAreaElement>(null);
  const amountRef = useRef<HTMLInputElement>(null);
  const reasonRef = useRef<HTMLInputElement>(null);
  const ids = useId();
  const action = useIdempotentAction(
    (payload: { targets: readonly string[]; body: ReviewActionBody }, key: string) =>
      send(payload.body, key, payload.targets),
  );
  const targetCount = targets.length;
  const disabled = action.running;

  const submit = async (body: ReviewActionBody): Promise<void> => {
    setInvalid(null);
    const result = await action.run({ targets, body });
    if (result === null) return;
    if (body.action === 'bonus') {
      setAmount('');
      setReason('');
    } else {
      setFeedback('');
    }
    onDone?.(result);
  };

  const refuse = (problem: string, field: HTMLElement | null): void => {
    setInvalid(problem);
    field?.focus();
  };

  const trimmedFeedback = feedback.trim();
  const optionalFeedback = trimmedFeedback === '' ? {} : { feedback: trimmedFeedback };
  const bonusAmount = parseDollars(amount);

  return (
    <fieldset className="review-actions" data-testid={`${idPrefix}-actions`}>
      <legend>{legend}</legend>
      {disabledReason !== null ? (
        <p className="muted">{disabledReason}</p>
      ) : (
        <>
          <div className="field">
            <label htmlFor={`${ids}-feedback`}>Feedback to the worker (required to reject)</label>
            <textarea
              id={`${ids}-feedback`}
              ref={feedbackRef}
              data-testid={`${idPrefix}-feedback`}
              rows={2}
              value={feedback}
              onChange={(event) => {
                setFeedback(event.target.value);
              }}
            />
          </div>
          <div className="button-row">
            <button
              type="button"
              className="primary"
              data-testid={`${idPrefix}-approve`}
              disabled={disabled}
              onClick={() => void submit({ action: 'approve', ...optionalFeedback })}
            >
              Approve
            </button>
            <button
              type="button"
              data-testid={`${idPrefix}-soft-reject`}
              disabled={disabled}
              onClick={() => void submit({ action: 'soft_reject', ...optionalFeedback })}
            >
              Soft-reject
            </button>
            <button
              type="button"
              className="danger"
              data-testid={`${idPrefix}-reject`}
              disabled={disabled}
              onClick={() => {
                if (trimmedFeedback === '') {
                  refuse('Rejecting needs feedback: tell the worker what was wrong.', feedbackRef.current);
                  return;
                }
                void submit({ action: 'reject', feedback: trimmedFeedback });
              }}
            >
              Reject
            </button>
          </div>
          <div className="bonus-row">
            <div className="field">
              <label htmlFor={`${ids}-amount`}>Bonus (dollars)</label>
              <input
                id={`${ids}-amount`}
                ref={amountRef}
                data-testid={`${idPrefix}-bonus-amount`}
                type="number"
                inputMode="decimal"
                min="0.01"
                step="0.01"
                value={amount}
                onChange={(event) => {
                  setAmount(event.target.value);
                }}
              />
            </div>
            <div className="field grow">
              <label htmlFor={`${ids}-reason`}>Bonus reason (shown to the worker)</label>
              <input
                id={`${ids}-reason`}
                ref={reasonRef}
                data-testid={`${idPrefix}-bonus-reason`}
                type="text"
                value={reason}
                onChange={(event) => {
                  setReason(event.target.value);
                }}
              />
            </div>
            <button
              type="button"
              data-testid={`${idPrefix}-bonus`}
              disabled={disabled}
              onClick={() => {
                if (bonusAmount === null) {
                  refuse('Enter a bonus of at least $0.01, in dollars and cents.', amountRef.current);
                  return;
                }
                if (reason.trim() === '') {
                  refuse('A bonus needs a reason for the worker.', reasonRef.current);
                  return;
                }
                void submit({ action: 'bonus', amount: bonusAmount, reason: reason.trim() });
              }}
            >
              Pay bonus
            </button>
          </div>
          {bonusAmount !== null && targetCount > 1 && (
            <p className="muted" data-testid={`${idPrefix}-bonus-total`}>
              {formatMoney(bonusAmount)} to each of {targetCount} units:{' '}
              {formatMoney(bonusAmount * targetCount)} in all.
            </p>
          )}
          {invalid !== null && (
            <p className="invalid" role="alert" data-testid={`${idPrefix}-invalid`}>
              {invalid}
            </p>
          )}
        </>
      )}
      <ActionOutcomeView
        outcome={action.outcome}
        describe={describe}
        onRetry={() => {
          void action.retry().then((result) => {
            if (result === null) return;
            setFeedback('');
            setAmount('');
            setReason('');
            onDone?.(result);
          });
        }}
        testIdPrefix={idPrefix}
      />
    </fieldset>
  );
}

/** A positive amount in whole cents, or null. */
function parseDollars(text: string): number | null {
  if (text.trim() === '') return null;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0.01) return null;
  const cents = Math.round(value * 100);
  return Math.abs(cents - value * 100) < 1e-6 ? cents / 100 : null;
}
