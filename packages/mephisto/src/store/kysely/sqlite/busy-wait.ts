/**
 * Waiting for another connection's lock without blocking the event loop.
 *
 * SQLite's own busy_timeout waits by sleeping the thread. Node runs everything on that thread, so
 * while one connection of this process slept waiting for another's write lock, the other could never
 * finish its transaction (its next step is a callback on the same, sleeping thread): two stores on one
 * file in one process would stall until the timeout, and a server sharing its file with a CLI command
 * would stop answering while it waited. So the connections run with busy_timeout 0, a busy database
 * fails at once with SQLITE_BUSY, and the store retries on a timer until the configured timeout.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type BetterSqlite3 from 'better-sqlite3';
import { isBusyDatabase } from '../db-errors.js';

/** Longest pause between two attempts. */
const MAX_PAUSE_MS = 50;

/**
 * Runs `attempt` until it does not fail with SQLITE_BUSY or `timeoutMs` (wall-clock time: this waits
 * for another process, not for the store's injected clock) has passed. Only for attempts that change
 * nothing when they fail, which every store operation guarantees.
 */
export async function retryWhileBusy<T>(attempt: () => Promise<T> | T, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let pause = 1; ; pause = Math.min(pause * 2, MAX_PAUSE_MS)) {
    try {
      return await attempt();
    } catch (error) {
      if (!isBusyDatabase(error) || Date.now() >= deadline) throw error;
    }
    await sleep(Math.min(pause, Math.max(1, deadline - Date.now())));
  }
}

/**
 * Returns a function that starts a write transaction, BEGIN IMMEDIATE: it takes the write lock up
 * front, so a transaction never fails half-way when one of its reads tries to become a write while
 * another connection writes. Must be called while holding the connection (inside Kysely's mutex).
 */
export function beginImmediate(raw: BetterSqlite3.Database, busyTimeoutMs: number): () => Promise<void> {
  const begin = raw.prepare('begin immediate');
  return () => retryWhileBusy(() => void begin.run(), busyTimeoutMs);
}
