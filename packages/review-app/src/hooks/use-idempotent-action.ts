import { useCallback, useRef, useState } from 'react';
import { isOutcomeUnknown } from '../api/api-error.js';
import { newIdempotencyKey } from '../api/new-idempotency-key.js';

export type ActionOutcome<R> =
  | { kind: 'idle' }
  | { kind: 'running' }
  | { kind: 'succeeded'; result: R }
  /** `retryable`: the outcome is unknown, and retrying re-sends the same idempotency key. */
  | { kind: 'failed'; error: unknown; retryable: boolean };

export interface IdempotentAction<P, R> {
  outcome: ActionOutcome<R>;
  /** True while a request is in flight: buttons bind `disabled` to it. */
  running: boolean;
  /**
   * Starts a user action. Ignored (resolves null) while another is in flight, so a double click sends
   * one request. The action gets a fresh idempotency key, unless the previous attempt had the same
   * payload and an unknown outcome: then it is a retry and reuses that key. Resolves with the result,
   * or null when the action failed (the failure is in `outcome`).
   */
  run: (payload: P) => Promise<R | null>;
  /** Re-sends the last failed action with its key; only meaningful when `outcome.retryable`. */
  retry: () => Promise<R | null>;
}

interface PendingAttempt<P> {
  payload: P;
  fingerprint: string;
  key: string;
}

/**
 * Runs actions that carry an `idempotency_key` (approve, reject, bonus, block, grant…), one at a time.
 * The key identifies one user action across all its retries, so the server applies it at most once
 * whatever happens to the network; a definitive answer (success, or a refusal such as 400/409) ends it.
 */
export function useIdempotentAction<P, R>(
  send: (payload: P, idempotencyKey: string) => Promise<R>,
): IdempotentAction<P, R> {
  const [outcome, setOutcome] = useState<ActionOutcome<R>>({ kind: 'idle' });
  // Refs, not state: a second click can arrive before React re-renders the disabled button.
  const inFlight = useRef(false);
  const pending = useRef<PendingAttempt<P> | null>(null);
  const sendRef = useRef(send);
  sendRef.current = send;

  const attempt = useCallback(async (next: PendingAttempt<P>): Promise<R | null> => {
    if (inFlight.current) return null;
    inFlight.current = true;
    pending.current = next;
    setOutcome({ kind: 'running' });
    try {
      const result = await sendRef.current(next.payload, next.key);
      pending.current = null;
      setOutcome({ kind: 'succeeded', result });
      return result;
    } catch (error) {
      const retryable = isOutcomeUnknown(error);
      if (!retryable) pending.current = null;
      setOutcome({ kind: 'failed', error, retryable });
      return null;
    } finally {
      inFlight.current = false;
    }
  }, []);

  const run = useCallback(
    (payload: P): Promise<R | null> => {
      if (inFlight.current) return Promise.resolve(null);
      const fingerprint = JSON.stringify(payload);
      const previous = pending.current;
      const key = previous?.fingerprint === fingerprint ? previous.key : newIdempotencyKey();
      return attempt({ payload, fingerprint, key });
    },
    [attempt],
  );

  const retry = useCallback((): Promise<R | null> => {
    const previous = pending.current;
    return previous ? attempt(previous) : Promise.resolve(null);
  }, [attempt]);

  return { outcome, running: outcome.kind === 'running', run, retry };
}
