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

export class LiveAgentSession implements AgentSession {
  /** Made when `signal` is first read: most units finish without anyone looking at it. */
  #abort: AbortController | undefined;
  #submitted: { data: unknown } | undefined;
  #gone: AgentGoneError | undefined;
  readonly #submitWaiters: Waiter<unknown>[] = [];
  readonly #updates: unknown[] = [];
  readonly #updateWaiters: Waiter<unknown>[] = [];
  readonly #seenUpdateIds = new Set<unknown>();
  readonly #listeners = new Set<(data: Readonly<Record<string, unknown>>) => void>();
  readonly #buffered: Readonly<Record<string, unknown>>[] = [];
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
    return new Promise((resolve, reject) => this.#submitWaiters.push({ resolve, reject }));
  }

  nextLiveUpdate(): Promise<unknown> {
    const next = this.#updates.shift();
    if (next !== undefined) return Promise.resolve(next);
    if (!this.live) return Promise.reject(this.#endError());
    return new Promise((resolve, reject) => this.#updateWaiters.push({ resolve, reject }));
  }

  sendLiveUpdate(data: Readonly<Record<string, unknown>>): void {
    if (!this.live) return;
    if (this.#listeners.size === 0) {
      if (this.#buffered.length < MAX_BUFFERED_MESSAGES) this.#buffered.push(data);
      return;
    }
    for (const listener of this.#listeners) listener(data);
  }

  // --- the live run's side ----------------------------------------------------------------------------

  /** A worker's live update (`mephisto_bound_live_update`); a repeated `update_id` is dropped. */
  pushLiveUpdate(data: Readonly<Record<string, unknown>>): void {
    const updateId = data.update_id;
    if (updateId !== undefined) {
      if (this.#seenUpdateIds.has(updateId)) return;
      if (this.#seenUpdateIds.size >= MAX_SEEN_UPDATE_IDS) this.#seenUpdateIds.clear();
      this.#seenUpdateIds.add(updateId);
    }
    const waiter = this.#updateWaiters.shift();
    if (waiter) waiter.resolve(data);
    else this.#updates.push(data);
  }

  /** Subscribes the worker's page to client-bound updates; buffered ones are delivered first. */
  subscribe(listener: (data: Readonly<Record<string, unknown>>) => void): () => void {
    this.#listeners.add(listener);
    for (const data of this.#buffered.splice(0)) listener(data);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** The submit was committed: resolve the blueprint's wait, end the live-update stream. */
  markSubmitted(data: unknown): void {
    if (!this.live) return;
    this.#submitted = { data };
    for (const waiter of this.#submitWaiters.splice(0)) waiter.resolve(data);
    this.#finish();
  }

  /** The agent left without submitting: every wait rejects, the signal aborts. */
  markGone(reason: AgentGoneReason): void {
    if (!this.live) return;
    this.#gone = new AgentGoneError(this.agent.id, reason);
    for (const waiter of this.#submitWaiters.splice(0)) waiter.reject(this.#gone);
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
    if (this.#updateWaiters.length > 0 || this.#abort) {
      const error = this.#endError();
      for (const waiter of this.#updateWaiters.splice(0)) waiter.reject(error);
      this.#abort?.abort(error);
    }
    this.#updates.length = 0;
    this.#listeners.clear();
    this.#buffered.length = 0;
  }
}
