/**
 * Ctrl-C and `kill` for long-running commands: the first SIGINT or SIGTERM asks for a clean shutdown
 * (units expired, provider resources released, store closed), a second one gives up at once, as a user
 * pressing Ctrl-C twice expects.
 */

export type InterruptSignal = 'SIGINT' | 'SIGTERM';

/** Where signals come from: `process`, or an EventEmitter in tests. */
export interface SignalSource {
  on(signal: InterruptSignal, listener: () => void): unknown;
  off(signal: InterruptSignal, listener: () => void): unknown;
}

export interface InterruptHandlers {
  /** The first signal: start a clean shutdown. */
  onInterrupt(signal: InterruptSignal): void;
  /** A second signal while the shutdown is under way: stop now. */
  onForce(signal: InterruptSignal): void;
}

const SIGNALS: readonly InterruptSignal[] = ['SIGINT', 'SIGTERM'];

/**
 * Installs the handlers on `source` and returns a function that removes them. While installed they
 * replace Node's default (exit immediately), so the first signal no longer kills the process.
 */
export function handleInterrupts(source: SignalSource, handlers: InterruptHandlers): () => void {
  let interrupted = false;
  const listeners = SIGNALS.map((signal) => {
    const listener = (): void => {
      if (interrupted) {
        handlers.onForce(signal);
        return;
      }
      interrupted = true;
      handlers.onInterrupt(signal);
    };
    source.on(signal, listener);
    return [signal, listener] as const;
  });
  return () => {
    for (const [signal, listener] of listeners) source.off(signal, listener);
  };
}

/** The conventional exit code of a process ended by a signal: 128 + the signal's number. */
export function exitCodeForSignal(signal: InterruptSignal): number {
  return signal === 'SIGINT' ? 130 : 143;
}
