/**
 * Group commit for a store's SQLite connection.
 *
 * A commit, not the statements before it, is what a write costs on a file database: appending the
 * WAL frames takes a dozen system calls whatever the transaction holds. So write operations queue
 * here, and whenever the connection is free the queue so far runs as one transaction, then one COMMIT
 * for all. An operation that throws is undone alone, exactly as if it had run by itself: the batch is
 * rolled back and run again with each operation inside its own SAVEPOINT (savepoints on every batch
 * cost a tenth of a claim, for a failure that is rare). Every caller's promise settles only after the
 * COMMIT, so "resolved means committed" holds as before; under concurrent load the cost of a commit is
 * shared by the batch.
 *
 * Operations in a batch run one after another and each sees the ones before it, so the result is the
 * same as running them one by one, which is what the connection mutex did anyway.
 */
// node:timers' own function, not the global one: a test that installs fake timers replaces the global
// setImmediate, and every write would then wait for the test to advance its clock.
import { setImmediate } from 'node:timers';
import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { beginImmediate } from './busy-wait.js';

/** An operation: asynchronous (Kysely queries) or synchronous (prepared statements). */
type Work<T> = (db: Kysely<Database>) => Promise<T> | T;

interface Job {
  work: Work<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Upper bound on operations per transaction, so no caller waits behind an unbounded batch. */
const MAX_BATCH = 256;

export class GroupCommit {
  readonly #queue: Job[] = [];
  /** Settles when the queue runs empty; undefined while idle. */
  #draining: Promise<void> | undefined;
  readonly #begin: () => Promise<void>;
  // Transaction control runs on the raw connection, as prepared statements: cheaper than building
  // each through Kysely, and safe because it only ever runs while a batch holds the connection.
  readonly #savepoint: BetterSqlite3.Statement;
  readonly #release: BetterSqlite3.Statement;
  readonly #rollbackTo: BetterSqlite3.Statement;
  readonly #commit: BetterSqlite3.Statement;
  readonly #rollback: BetterSqlite3.Statement;

  /**
   * @param db the Kysely instance over `raw`: its connection mutex is what a batch holds
   * @param raw the connection itself
   * @param busyTimeoutMs how long to wait for another connection's write lock
   */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly raw: BetterSqlite3.Database,
    busyTimeoutMs: number,
    /**
     * Called after each successful COMMIT with the number of operations it held (the backend counts
     * them to start its checkpointer).
     */
    private readonly onCommit: (operations: number) => void = () => undefined,
  ) {
    this.#begin = beginImmediate(raw, busyTimeoutMs);
    this.#savepoint = raw.prepare('savepoint job');
    this.#release = raw.prepare('release job');
    this.#rollbackTo = raw.prepare('rollback to job');
    this.#commit = raw.prepare('commit');
    this.#rollback = raw.prepare('rollback');
  }

  /** Runs `work` atomically in the next batch; resolves with its result once the batch is committed. */
  run<T>(work: Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.#draining ??= this.#drain();
    });
  }

  /** Resolves once every operation queued so far has settled (used before closing). */
  async idle(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  async #drain(): Promise<void> {
    // Start after the event loop's poll phase: every operation queued by the I/O callbacks of this
    // turn joins the batch (requests from many sockets arriving together), not only those queued in
    // the same tick. On a busy server this turns one commit per request into one per turn; on an idle
    // one it costs a turn of the loop, microseconds.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, MAX_BATCH);
        try {
          await this.db.connection().execute((conn) => this.#runBatch(conn, batch));
        } catch (error) {
          // The connection could not be had or the transaction not started (closed store, another
          // connection kept the write lock past the timeout): nothing of the batch happened.
          for (const job of batch) job.reject(error);
        }
      }
    } finally {
      this.#draining = undefined;
    }
  }

  async #runBatch(conn: Kysely<Database>, batch: Job[]): Promise<void> {
    await this.#begin();
    try {
      // First without a savepoint per operation (two statements each, a tenth of a claim's cost). Almost
      // every batch succeeds whole; if an operation fails, everything is rolled back, nothing has been
      // settled, and the batch is redone with savepoints so each operation stands or falls alone.
      if (await this.#runJobs(conn, batch, false)) return;
      await this.#begin();
      await this.#runJobs(conn, batch, true);
    } catch (error) {
      // A transaction-control statement failed: leave the connection usable for the next batch. No
      // job of this batch has settled yet, so the caller rejects them all.
      if (this.raw.inTransaction) this.#rollback.run();
      throw error;
    }
  }

  /**
   * Settles every job of `batch`, or puts it back in the queue, unless it throws; returns true. Without
   * `savepoints` an operation that fails in a batch of several makes it roll everything back and return
   * false, having settled nothing: the caller redoes the batch with savepoints. (Running an operation
   * again is safe: each leaves nothing behind when its transaction is undone, and none is settled
   * before the commit.)
   */
  async #runJobs(conn: Kysely<Database>, batch: Job[], savepoints: boolean): Promise<boolean> {
    const outcomes: Outcome[] = [];
    for (let i = 0; i < batch.length; i++) {
      const job = batch[i] as Job;
      if (savepoints) this.#savepoint.run();
      try {
        // A synchronous operation (prepared statements) is not awaited: a batch of them runs in
        // one go, without a promise and a turn of the microtask queue each.
        const result = job.work(conn);
        const value: unknown = isThenable(result) ? await result : result;
        if (savepoints) this.#release.run();
        outcomes.push({ ok: true, value });
      } catch (error) {
        if (!this.raw.inTransaction) {
          // SQLite itself rolled the transaction back (disk full, I/O error): the operations before
          // this one are undone too. They did nothing wrong, so they go back to the front of the
          // queue; this one fails.
          this.#queue.unshift(...batch.slice(0, i), ...batch.slice(i + 1));
          job.reject(error);
          return true;
        }
        if (!savepoints) {
          this.#rollback.run();
          // A lone operation needs no savepoint: the whole (one-job) transaction was its own.
          if (batch.length === 1) {
            job.reject(error);
            return true;
          }
          return false;
        }
        this.#rollbackTo.run();
        this.#release.run();
        outcomes.push({ ok: false, error });
      }
    }
    try {
      this.#commit.run();
    } catch (error) {
      if (this.raw.inTransaction) this.#rollback.run();
      for (const job of batch) job.reject(error);
      return true;
    }
    this.onCommit(batch.length);
    // Settled only now: a caller learns of success once the change is durable.
    batch.forEach((job, i) => {
      const outcome = outcomes[i] as Outcome;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    });
    return true;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
