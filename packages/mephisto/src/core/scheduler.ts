import type { Clock } from './clock.js';

/** A pending timer; cancelling twice, or after it fired, does nothing. */
export interface Timer {
  cancel(): void;
}

/**
 * Runs callbacks later, in the same time as a {@link Clock}. Injected beside the clock so that every
 * timeout in the engine (assignment duration, patience, lifetime, …) can be driven by a fake clock.
 */
export interface Scheduler {
  /** Calls `fn` once, `delayMs` milliseconds from now (immediately for delays ≤ 0). */
  setTimer(delayMs: number, fn: () => void): Timer;
}

/** setTimeout caps delays at 2^31-1 ms (~24.8 days); longer timers (a 31-day task lifetime) are chained. */
const MAX_NODE_DELAY = 2 ** 31 - 1;

/**
 * Real timers. Timers are unref'd: a pending timeout never keeps a finished process alive.
 */
export function createSystemScheduler(clock: Clock): Scheduler {
  return {
    setTimer(delayMs, fn) {
      const due = clock.now() + Math.max(0, delayMs);
      let handle: NodeJS.Timeout | undefined;
      let cancelled = false;
      const arm = (): void => {
        const remaining = due - clock.now();
        if (remaining <= 0) {
          handle = undefined;
          if (!cancelled) fn();
          return;
        }
        handle = setTimeout(arm, Math.min(remaining, MAX_NODE_DELAY));
        handle.unref();
      };
      arm();
      return {
        cancel() {
          cancelled = true;
          if (handle) clearTimeout(handle);
        },
      };
    },
  };
}
