/**
 * Every timer of a live run, in one place so none is forgotten at shutdown (Mephisto's
 * submission_timeout thread that died holding its unit is the failure this guards against, quirk 5):
 *
 * - run-wide: `no_submission_patience` (re-armed on every submit) and `task_lifetime_in_seconds`;
 * - per agent: `assignment_duration_in_seconds` from the agent's creation, and `submission_timeout`
 *   once the blueprint's runUnit finished without a submit. Cancelled together when the agent submits
 *   or leaves.
 *
 * Timers run on the injected Scheduler, so tests drive hours with a ManualClock. A callback may be
 * async; its rejection is reported to `onError` rather than left unhandled.
 */
import type { Scheduler, Timer } from '../core/index.js';

export type AgentTimerKind = 'assignment_duration' | 'submission_timeout';
type RunTimerKind = 'patience' | 'lifetime';

export class LifecycleTimers {
  readonly #run = new Map<RunTimerKind, Timer>();
  readonly #agents = new Map<string, Map<AgentTimerKind, Timer>>();
  #stopped = false;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly onError: (error: unknown) => void,
  ) {}

  #set(delayMs: number, fire: () => void | Promise<void>): Timer {
    return this.scheduler.setTimer(delayMs, () => {
      if (this.#stopped) return;
      try {
        const result = fire();
        if (result instanceof Promise) result.catch(this.onError);
      } catch (error) {
        this.onError(error);
      }
    });
  }

  /** (Re)arms `no_submission_patience`: `fire` runs after `delayMs` without another call. 0 = none. */
  armPatience(delayMs: number, fire: () => void | Promise<void>): void {
    this.#run.get('patience')?.cancel();
    if (this.#stopped || delayMs <= 0) return;
    this.#run.set('patience', this.#set(delayMs, fire));
  }

  /** Arms the run's lifetime deadline. */
  armLifetime(delayMs: number, fire: () => void | Promise<void>): void {
    this.#run.get('lifetime')?.cancel();
    if (this.#stopped) return;
    this.#run.set('lifetime', this.#set(delayMs, fire));
  }

  cancelRunTimer(kind: RunTimerKind): void {
    this.#run.get(kind)?.cancel();
    this.#run.delete(kind);
  }

  /** Arms one of an agent's timers (replacing the same kind); a delay of 0 fires on the next turn. */
  armAgent(agentId: string, kind: AgentTimerKind, delayMs: number, fire: () => void | Promise<void>): void {
    if (this.#stopped) return;
    let timers = this.#agents.get(agentId);
    if (!timers) {
      timers = new Map();
      this.#agents.set(agentId, timers);
    }
    timers.get(kind)?.cancel();
    timers.set(
      kind,
      this.#set(delayMs, () => {
        timers.delete(kind);
        return fire();
      }),
    );
  }

  /** Cancels every timer of the agent (it submitted or left). */
  cancelAgent(agentId: string): void {
    const timers = this.#agents.get(agentId);
    if (!timers) return;
    for (const timer of timers.values()) timer.cancel();
    this.#agents.delete(agentId);
  }

  /** Agents with a pending timer (for tests: nothing must leak). */
  get agentCount(): number {
    return this.#agents.size;
  }

  /** Cancels everything; later arms are ignored. */
  stop(): void {
    this.#stopped = true;
    for (const timer of this.#run.values()) timer.cancel();
    this.#run.clear();
    for (const id of [...this.#agents.keys()]) this.cancelAgent(id);
  }
}
