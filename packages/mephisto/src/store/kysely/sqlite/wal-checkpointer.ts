/**
 * WAL checkpoints off the event loop, for a busy SQLite file.
 *
 * SQLite copies the write-ahead log back into the database file (a checkpoint) inside the COMMIT that
 * grows the log past 1,000 pages: on a busy run, every few hundred commits one of them stops the
 * event loop for tens of milliseconds, and every request waiting on it shows it in its latency. Once a
 * store is busy ({@link CHECKPOINTER_AFTER_WRITES} write operations, or a log of
 * {@link CHECKPOINTER_AFTER_WAL_BYTES}: a bulk launch writes megabytes in a few operations), it turns
 * SQLite's own checkpoints off on its connection and a worker thread with a connection of its own runs
 * PASSIVE checkpoints (which never wait for, or block, readers and writers) every
 * {@link CHECKPOINT_EVERY_MS}, on the other core. Small stores (most tests, short runs) never start
 * one and keep SQLite's default.
 *
 * If the worker cannot start or fails, the connection gets SQLite's automatic checkpoints back, so the
 * log never grows without bound. Stopping runs a last checkpoint and closes the worker's connection
 * before the store closes its own (SQLite checkpoints and removes the log when the last connection
 * closes).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';

/**
 * Write operations (not commits: the group commit puts hundreds in one) before a store starts its
 * checkpointer.
 */
export const CHECKPOINTER_AFTER_WRITES = 2_000;
/** A log this large starts the checkpointer too: half of the 1,000 pages at which SQLite checkpoints. */
export const CHECKPOINTER_AFTER_WAL_BYTES = 2 * 1024 * 1024;
/** How often the worker checkpoints. */
export const CHECKPOINT_EVERY_MS = 250;
/** SQLite's default `wal_autocheckpoint`, put back if the worker fails. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1000;

/** The worker: plain CommonJS (an eval'd worker), given the resolved better-sqlite3 module path. */
const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.modulePath);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 0');
let checkpoints = 0;
function checkpoint() {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    checkpoints++;
  } catch (error) {
    // SQLITE_BUSY: another checkpoint is running (another process); the next tick tries again.
    if (!String(error && error.code).startsWith('SQLITE_BUSY')) throw error;
  }
}
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.postMessage({ stopped: true, checkpoints });
  parentPort.close();
});
parentPort.postMessage({ started: true });
`;

export class WalCheckpointer {
  #worker: Worker | undefined;
  #stopping: Promise<void> | undefined;
  #started = false;
  /** PASSIVE checkpoints the worker ran, known once it stopped (for tests). */
  checkpoints = 0;

  constructor(
    private readonly raw: BetterSqlite3.Database,
    private readonly path: string,
    private readonly onFailure: (error: unknown) => void = () => undefined,
    private readonly everyMs = CHECKPOINT_EVERY_MS,
  ) {}

  get running(): boolean {
    return this.#worker !== undefined && this.#stopping === undefined;
  }

  /** Starts the worker (once); SQLite's own checkpoints stop when the worker is ready. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    let worker: Worker;
    try {
      worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          modulePath: createRequire(import.meta.url).resolve('better-sqlite3'),
          path: this.path,
          everyMs: this.everyMs,
        },
      });
    } catch (error) {
      this.onFailure(error);
      return;
    }
    // Not unref'd: the store's close stops it. (An unref'd worker let a busy server process's event
    // loop be judged idle and exit mid-run in the server benchmark, on Node 20.)
    this.#worker = worker;
    worker.on('message', (message: { started?: boolean; stopped?: boolean; checkpoints?: number }) => {
      if (message.started === true && this.#stopping === undefined && this.raw.open)
        this.raw.pragma('wal_autocheckpoint = 0');
      if (message.stopped === true) this.checkpoints = message.checkpoints ?? 0;
    });
    worker.on('error', (error) => {
      this.#worker = undefined;
      if (this.raw.open) this.raw.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
      this.onFailure(error);
    });
  }

  /** Stops the worker after a last checkpoint; resolves once its connection is closed. Idempotent. */
  stop(): Promise<void> {
    const worker = this.#worker;
    if (worker === undefined) return Promise.resolve();
    this.#stopping ??= new Promise<void>((resolve) => {
      worker.once('exit', () => {
        this.#worker = undefined;
        resolve();
      });
      worker.postMessage('stop');
    });
    return this.#stopping;
  }
}
