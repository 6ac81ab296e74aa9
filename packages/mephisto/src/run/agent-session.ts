/**
 * The server side of one agent working on one unit: what a blueprint's `runUnit` sees (the
 * {@link AgentSession} port) and what the live run feeds it (submits, live updates, the end). Holds no
 * timers and touches no store: the live run decides, the session only relays.
 */
import type { Agent, Assignment, Unit } from '../core/index.js';
import type { AgentSession } from '../blueprints/blueprint.js';
import { AgentGoneError, type AgentGoneReason } from './run-errors.js';

type Waiter<T> = { resolve: (value: T) => void; reject: (error: Error) => void };

/** Client-bound messages kept for a page that has not subscribed yet (a page load takes a moment). */
const MAX_BUFFERED_MESSAGES = 1000;
/** Update ids remembered for de-duplication (a browser resends an update it got no ack for). */
const MAX_SEEN_UPDATE_IDS = 10_000;

/**
 * The collections an agent uses only once live updates or waits happen: made on first use, so the
 * usual unit (the page loads, the worker submits) allocates none of them.
 */
interface Exchange {
  readonly submitWaiters: Waiter<unknown>[];
  readonly updates: unknown[];
  readonly updateWaiters: Waiter<unknown>[];
  readonly seenUpdateIds: Set<unknown>;
  readonly listeners: Set<(data: Readonly<Record<string, unknown>>) => void>;
  readonly buffered: Readonly<Record<string, unknown>>[];
}

export class LiveAgentSession implements AgentSession {
  /** Made when `signal` is first read: most units finish without anyone looking at it. */
  #abort: AbortController | undefined;
  #submitted: { data: unknown } | undefined;
  #gone: AgentGoneError | undefined;
  #exchange: Exchange | undefined;
  /** Set when the blueprint's runUnit has settled. */
  runFinished = false;

  constructor(
    readonly agent: Agent,
    readonly unit: Unit,
    readonly assignment: Assignment,
    /** What the worker's page was given; sent again when the worker reconnects. */
    readonly initData: unknown,
    /** The registration id the page used, if any (a reload sends it again). */
    readonly registrationId: string | undefined,
  ) {}

  #x(): Exchange {
    this.#exchange ??= {
      submitWaiters: [],
      updates: [],
      updateWaiters: [],
      seenUpdateIds: new Set(),
      listeners: new Set(),
      buffered: [],
    };
    return this.#exchange;
  }

  /** Aborts when the agent submits or leaves (at once, if it already has), with the AgentGoneError as reason. */
  get signal(): AbortSignal {
    if (!this.#abort) {
      this.#abort = new AbortController();
      if (!this.live) this.#abort.abort(this.#endError());
    }
    return this.#abort.signal;
  }

  /** True until the agent submitted or left. */
  get live(): boolean {
    return this.#submitted === undefined && this.#gone === undefined;
  }

  // --- the blueprint's side ---------------------------------------------------------------------------

  awaitSubmit(): Promise<unknown> {
    if (this.#submitted) return Promise.resolve(this.#submitted.data);
    if (this.#gone) return Promise.reject(this.#gone);
    const waiters = this.#x().submitWaiters;
    return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  }

  nextLiveUpdate(): Promise<unknown> {
    const next = this.#exchange?.updates.shift();
    if (next !== undefined) return Promise.resolve(next);
    if (!this.live) return Promise.reject(this.#endError());
    const waiters = this.#x().updateWaiters;
    return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  }

  sendLiveUpdate(data: Readonly<Record<string, unknown>>): void {
    if (!this.live) return;
    const x = this.#x();
    if (x.listeners.size === 0) {
      if (x.buffered.length < MAX_BUFFERED_MESSAGES) x.buffered.push(data);
      return;
    }
    for (const listener of x.listeners) listener(data);
  }

  // --- the live run's side ----------------------------------------------------------------------------

  /** A worker's live update (`mephisto_bound_live_update`); a repeated `update_id` is dropped. */
  pushLiveUpdate(data: Readonly<Record<string, unknown>>): void {
    const x = this.#x();
    const updateId = data.update_id;
    if (updateId !== undefined) {
      if (x.seenUpdateIds.has(updateId)) return;
      if (x.seenUpdateIds.size >= MAX_SEEN_UPDATE_IDS) x.seenUpdateIds.clear();
      x.seenUpdateIds.add(updateId);
    }
    const waiter = x.updateWaiters.shift();
    if (waiter) waiter.resolve(data);
    else x.updates.push(data);
  }

  /** Subscribes the worker's page to client-bound updates; buffered ones are delivered first. */
  subscribe(listener: (data: Readonly<Record<string, unknown>>) => void): () => void {
    const x = this.#x();
    x.listeners.add(listener);
    for (const data of x.buffered.splice(0)) listener(data);
    return () => {
      x.listeners.delete(listener);
    };
  }

  /** The submit was committed: resolve the blueprint's wait, end the live-update stream. */
  markSubmitted(data: unknown): void {
    if (!this.live) return;
    this.#submitted = { data };
    const x = this.#exchange;
    if (x !== undefined && x.submitWaiters.length > 0)
      for (const waiter of x.submitWaiters.splice(0)) waiter.resolve(data);
    this.#finish();
  }

  /** The agent left without submitting: every wait rejects, the signal aborts. */
  markGone(reason: AgentGoneReason): void {
    if (!this.live) return;
    this.#gone = new AgentGoneError(this.agent.id, reason);
    const x = this.#exchange;
    if (x !== undefined && x.submitWaiters.length > 0)
      for (const waiter of x.submitWaiters.splice(0)) waiter.reject(this.#gone);
    this.#finish();
  }

  /**
   * Why the session is over, for a wait or the signal: the AgentGoneError of the leave, or a new one for
   * a submit (made only when something needs it, so a normal submit builds no error).
   */
  #endError(): AgentGoneError {
    return this.#gone ?? new AgentGoneError(this.agent.id, 'submitted');
  }

  #finish(): void {
    const x = this.#exchange;
    if ((x !== undefined && x.updateWaiters.length > 0) || this.#abort) {
      const error = this.#endError();
      if (x !== undefined) for (const waiter of x.updateWaiters.splice(0)) waiter.reject(error);
      this.#abort?.abort(error);
    }
    if (x === undefined) return;
    x.updates.length = 0;
    x.listeners.clear();
    x.buffered.length = 0;
  }
}
