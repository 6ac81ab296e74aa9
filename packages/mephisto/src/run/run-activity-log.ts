/**
 * A run's worker-facing refusals and errors, appended to the store's activity log
 * (ReviewStore.recordRunActivity) so the monitor shows them whichever process serves the run.
 *
 * Never in a worker's way: {@link RunActivityLog.refusal} and {@link RunActivityLog.error} only push to
 * a buffer; a timer on the run's scheduler writes it at most once per `flushMs`, in one statement. It
 * is capped, because refusals come as fast as workers ask (1,000 workers polling an exhausted run): a
 * flush keeps the newest {@link MAX_PER_FLUSH} entries of each kind (the monitor shows 50) and the log
 * keeps the newest {@link KEEP_PER_RUN} per run and kind. A failed write is logged and dropped.
 */
import type { Logger } from 'pino';
import { MephistoError, type Clock, type Scheduler, type Timer } from '../core/index.js';
import type { NewRunActivity, RunActivityKind, Store } from '../store/store.js';

export const MAX_PER_FLUSH = 50;
export const KEEP_PER_RUN = 200;
/** @default flush interval */
export const ACTIVITY_FLUSH_MS = 1000;

export class RunActivityLog {
  #buffer: NewRunActivity[] = [];
  #timer: Timer | undefined;
  #writing: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(
    private readonly store: Store,
    private readonly scheduler: Scheduler,
    private readonly clock: Clock,
    private readonly taskRunId: string,
    private readonly log: Logger,
    private readonly flushMs = ACTIVITY_FLUSH_MS,
  ) {}

  /** A worker asked for work and got none (`code` from run/refusals.ts). */
  refusal(code: string, message: string, workerName: string | null): void {
    this.#add('refusal', code, message, workerName);
  }

  /** Something failed in the run; `what` says what was being done. */
  error(what: string, error: unknown): void {
    const code = error instanceof MephistoError ? error.code : 'MEPHISTO_ERR_INTERNAL';
    const reason = error instanceof Error ? error.message : String(error);
    this.#add('error', code, `${what}: ${reason}`, null);
  }

  /** Writes what is buffered now; resolves once written (or dropped after a failure). */
  flush(): Promise<void> {
    this.#timer?.cancel();
    this.#timer = undefined;
    const entries = capPerKind(this.#buffer.splice(0));
    if (entries.length > 0) {
      this.#writing = this.#writing.then(() =>
        this.store.review.recordRunActivity(entries, { keep: KEEP_PER_RUN }).catch((error: unknown) => {
          this.log.warn(
            { err: error, count: entries.length },
            'could not record the run\u2019s refusals and errors',
          );
        }),
      );
    }
    return this.#writing;
  }

  /** Writes the rest and stops: later entries are dropped (the run is over). */
  close(): Promise<void> {
    this.#closed = true;
    return this.flush();
  }

  #add(kind: RunActivityKind, code: string, message: string, workerName: string | null): void {
    if (this.#closed) return;
    this.#buffer.push({
      taskRunId: this.taskRunId,
      kind,
      code,
      message,
      workerName,
      at: new Date(this.clock.now()),
    });
    // Bounded between flushes too: keep the newest.
    if (this.#buffer.length > 4 * MAX_PER_FLUSH)
      this.#buffer.splice(0, this.#buffer.length - 2 * MAX_PER_FLUSH);
    this.#timer ??= this.scheduler.setTimer(this.flushMs, () => {
      this.#timer = undefined;
      void this.flush();
    });
  }
}

/** The newest MAX_PER_FLUSH entries of each kind, in their order. */
function capPerKind(entries: NewRunActivity[]): NewRunActivity[] {
  const counts = new Map<RunActivityKind, number>();
  const kept: NewRunActivity[] = [];
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i];
    if (entry === undefined) continue;
    const n = counts.get(entry.kind) ?? 0;
    if (n >= MAX_PER_FLUSH) continue;
    counts.set(entry.kind, n + 1);
    kept.push(entry);
  }
  return kept.reverse();
}
