/**
 * Group commit for a store's SQLite connection.
 *
 * A commit, not the statements before it, is what a write costs on a file database: appending the
 * WAL frames takes a dozen system calls whatever the transaction holds. So write operations queue
 * here, and whenever the connection is free the queue so far runs as one transaction: each operation
 * inside its own SAVEPOINT (an operation that throws is rolled back alone, exactly as if it had run by
 * itself), then one COMMIT for all. Every caller's promise settles only after that COMMIT, so "resolved
 * means committed" holds as before; under concurrent load the cost of a commit is shared by the batch.
 *
 * Operations in a batch run one after another and each sees the ones before it, so the result is the
 * same as running them one by one, which is what the connection mutex did anyway.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { beginImmediate } from './busy-wait.js';

type Work<T> = (db: Kysely<Database>) => Promise<T>;

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
    // Start a microtask later: operations queued in the same tick as this one join its batch.
    await Promise.resolve();
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
      await this.#runJobs(conn, batch);
    } catch (error) {
      // A transaction-control statement failed: leave the connection usable for the next batch. No
      // job of this batch has settled yet, so the caller rejects them all.
      if (this.raw.inTransaction) this.#rollback.run();
      throw error;
    }
  }

  /** Settles every job of `batch`, or puts it back in the queue, unless it throws. */
  async #runJobs(conn: Kysely<Database>, batch: Job[]): Promise<void> {
    const outcomes: Outcome[] = [];
    // A lone operation needs no savepoint: on error the whole (one-job) transaction is rolled back.
    const savepoints = batch.length > 1;
    for (let i = 0; i < batch.length; i++) {
      const job = batch[i] as Job;
      if (savepoints) this.#savepoint.run();
      try {
        const value = await job.work(conn);
        if (savepoints) this.#release.run();
        outcomes.push({ ok: true, value });
      } catch (error) {
        if (!this.raw.inTransaction) {
          // SQLite itself rolled the transaction back (disk full, I/O error): the operations before
          // this one are undone too. They did nothing wrong, so they go back to the front of the
          // queue; this one fails.
          this.#queue.unshift(...batch.slice(0, i), ...batch.slice(i + 1));
          job.reject(error);
          return;
        }
        if (savepoints) {
          this.#rollbackTo.run();
          this.#release.run();
        }
        outcomes.push({ ok: false, error });
      }
    }
    const lone = outcomes[0];
    if (!savepoints && lone?.ok === false) {
      this.#rollback.run();
      (batch[0] as Job).reject(lone.error);
      return;
    }
    try {
      this.#commit.run();
    } catch (error) {
      if (this.raw.inTransaction) this.#rollback.run();
      for (const job of batch) job.reject(error);
      return;
    }
    // Settled only now: a caller learns of success once the change is durable.
    batch.forEach((job, i) => {
      const outcome = outcomes[i] as Outcome;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    });
  }
}
