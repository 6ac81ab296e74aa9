/**
 * One poller per watched run, shared by all of its listeners (every open `/monitor/events` stream):
 * every `pollMs` it reads the run's probe (a few index-only queries, see ReviewStore.probeRun) and
 * only when that changed builds a full snapshot and hands it to the listeners. So a run watched by ten
 * browsers costs the same as one, and an idle run costs one probe per interval. A poller stops when
 * its last listener leaves; {@link RunMonitorHub.close} stops them all.
 */
import type { Logger } from 'pino';
import type { Clock } from '../core/index.js';
import type { Store } from '../store/store.js';
import type { MonitorSnapshot } from './review-api.js';
import { buildMonitorSnapshot, probeKey } from './monitor-snapshot.js';

export type SnapshotListener = (snapshot: MonitorSnapshot) => void;

/** The fastest poll allowed: the API promises at most 4 snapshots per second. */
export const MIN_POLL_MS = 250;

interface Poller {
  readonly listeners: Set<SnapshotListener>;
  timer: NodeJS.Timeout | undefined;
  lastKey: string | undefined;
  latest: MonitorSnapshot | undefined;
  running: Promise<void> | undefined;
}

export class RunMonitorHub {
  readonly #pollers = new Map<string, Poller>();
  readonly #pollMs: number;
  #closed = false;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** @default 1000 (at least {@link MIN_POLL_MS}) */
    pollMs = 1000,
  ) {
    this.#pollMs = Math.max(MIN_POLL_MS, pollMs);
  }

  /**
   * Calls `listener` with a snapshot whenever the run changes, starting with the current one (sent
   * once it is read). Returns the function that stops listening.
   */
  subscribe(runId: string, listener: SnapshotListener): () => void {
    if (this.#closed) return () => undefined;
    let poller = this.#pollers.get(runId);
    if (!poller) {
      poller = {
        listeners: new Set(),
        timer: undefined,
        lastKey: undefined,
        latest: undefined,
        running: undefined,
      };
      this.#pollers.set(runId, poller);
      this.#schedule(runId, poller, 0);
    } else if (poller.latest) {
      listener(poller.latest);
    }
    poller.listeners.add(listener);
    return () => {
      const current = this.#pollers.get(runId);
      if (!current) return;
      current.listeners.delete(listener);
      if (current.listeners.size === 0) this.#stop(runId, current);
    };
  }

  /** Stops every poller and waits for a poll under way. */
  async close(): Promise<void> {
    this.#closed = true;
    const running: Promise<void>[] = [];
    for (const [runId, poller] of [...this.#pollers.entries()]) {
      this.#stop(runId, poller);
      if (poller.running) running.push(poller.running);
    }
    await Promise.allSettled(running);
  }

  #schedule(runId: string, poller: Poller, delay: number): void {
    poller.timer = setTimeout(() => {
      poller.timer = undefined;
      poller.running = this.#poll(runId, poller).finally(() => {
        poller.running = undefined;
        if (this.#pollers.get(runId) === poller && !this.#closed) this.#schedule(runId, poller, this.#pollMs);
      });
    }, delay);
    poller.timer.unref();
  }

  #stop(runId: string, poller: Poller): void {
    if (poller.timer) clearTimeout(poller.timer);
    poller.timer = undefined;
    this.#pollers.delete(runId);
  }

  async #poll(runId: string, poller: Poller): Promise<void> {
    try {
      const probe = await this.store.review.probeRun(runId);
      const key = probeKey(probe, this.clock.now());
      if (key === poller.lastKey) return;
      const snapshot = await buildMonitorSnapshot(this.store, this.clock, runId, probe);
      poller.lastKey = key;
      poller.latest = snapshot;
      if (this.#pollers.get(runId) !== poller) return;
      for (const listener of poller.listeners) listener(snapshot);
    } catch (error) {
      if (!this.#closed) this.log.warn({ err: error, runId }, 'the monitor could not read the run');
    }
  }
}
