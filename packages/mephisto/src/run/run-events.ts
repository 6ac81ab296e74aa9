/**
 * What a live run tells the world as it goes: the worker server pushes status to browsers from these,
 * simulated workers retry when a unit is freed, the CLI shows progress. Listeners run synchronously
 * after the change is committed; a listener that throws is logged and does not disturb the run.
 */
import { EventEmitter } from 'node:events';
import type { Agent, Unit, UnitStatus } from '../core/index.js';
import type { RefusalCode } from './refusals.js';

/** Why a run ended. */
export type RunEndReason = 'completed' | 'no_submission_patience' | 'task_lifetime' | 'shutdown' | 'error';

export interface RunEnd {
  readonly reason: RunEndReason;
  /** More about the reason (the shutdown's reason text, the error's message); absent when none. */
  readonly detail?: string;
  /** The run's units per status once it ended. */
  readonly counts: Readonly<Record<UnitStatus, number>>;
}

/** Why a unit left a worker's hands. */
export type UnitFreedReason = 'completed' | 'disconnect' | 'timeout' | 'returned' | 'expired';

export interface RunEventMap {
  /** Units were put on offer (a batch of the launcher's, or a resume's re-launch). */
  'unit-launched': { readonly units: readonly Unit[] };
  /** A worker was given a unit (or, with `reconnect`, given back the one they hold). */
  'agent-assigned': { readonly agent: Agent; readonly unit: Unit; readonly reconnect: boolean };
  /** A submission was committed. */
  'unit-submitted': { readonly agent: Agent; readonly unit: Unit; readonly data: unknown };
  /**
   * A worker no longer holds the unit: it completed, or it is back on offer (disconnect, timeout,
   * return), or it expired. `unit` is its state afterwards.
   */
  'unit-freed': { readonly unit: Unit; readonly agent: Agent; readonly reason: UnitFreedReason };
  /** A worker asked for work and got none. */
  refusal: { readonly workerName: string; readonly code: RefusalCode; readonly message: string };
  /** The provider failed to launch units; they are back in `created` and will be tried again. */
  'launch-error': { readonly error: Error; readonly units: readonly Unit[] };
  /** The run ended; `ended` resolves with the same value. */
  ended: RunEnd;
}

export type RunEventName = keyof RunEventMap;
export type RunEventListener<K extends RunEventName> = (event: RunEventMap[K]) => void;

/** The listening side, which is what a LiveRun exposes. */
export interface RunEventSource {
  on<K extends RunEventName>(name: K, listener: RunEventListener<K>): this;
  once<K extends RunEventName>(name: K, listener: RunEventListener<K>): this;
  off<K extends RunEventName>(name: K, listener: RunEventListener<K>): this;
}

/** A typed event emitter whose listeners' errors go to `onListenerError` instead of the emitter. */
export class RunEvents implements RunEventSource {
  readonly #emitter = new EventEmitter();
  readonly #wrapped = new WeakMap<object, (event: unknown) => void>();

  constructor(private readonly onListenerError: (name: RunEventName, error: unknown) => void) {
    // Many simulated workers (or browser sessions) listen at once; that is not a leak.
    this.#emitter.setMaxListeners(0);
  }

  #wrap<K extends RunEventName>(name: K, listener: RunEventListener<K>): (event: unknown) => void {
    let wrapped = this.#wrapped.get(listener);
    if (!wrapped) {
      wrapped = (event: unknown) => {
        try {
          listener(event as RunEventMap[K]);
        } catch (error) {
          this.onListenerError(name, error);
        }
      };
      this.#wrapped.set(listener, wrapped);
    }
    return wrapped;
  }

  on<K extends RunEventName>(name: K, listener: RunEventListener<K>): this {
    this.#emitter.on(name, this.#wrap(name, listener));
    return this;
  }
  once<K extends RunEventName>(name: K, listener: RunEventListener<K>): this {
    this.#emitter.once(name, this.#wrap(name, listener));
    return this;
  }
  off<K extends RunEventName>(name: K, listener: RunEventListener<K>): this {
    const wrapped = this.#wrapped.get(listener);
    if (wrapped) this.#emitter.off(name, wrapped);
    return this;
  }
  emit<K extends RunEventName>(name: K, event: RunEventMap[K]): void {
    this.#emitter.emit(name, event);
  }
}
