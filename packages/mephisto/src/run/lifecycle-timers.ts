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
type RunTimerKind = 'patience' | 'lifetime' | 'budget';

export class LifecycleTimers {
  readonly #run = new Map<RunTimerKind, Timer>();
  /** Agents' timers, one map per kind (not a map per agent: one fewer allocation per unit given out). */
  readonly #agents: Readonly<Record<AgentTimerKind, Map<string, Timer>>> = {
    assignment_duration: new Map(),
    submission_timeout: new Map(),
  };
  /** The latest patience asked for this turn, not yet armed (see armPatience). */
  #patience: { delayMs: number; fire: () => void | Promise<void> } | undefined;
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

  /**
   * (Re)arms `no_submission_patience`: `fire` runs after `delayMs` without another call. 0 = none.
   *
   * Re-arms asked for in the same turn of the event loop are done once, a microtask later: a group
   * commit settles a whole batch of submits at once, and each used to cancel and make a timer. The
   * deadline moves by microseconds (the clock does not advance within a turn).
   */
  armPatience(delayMs: number, fire: () => void | Promise<void>): void {
    const pending = this.#patience === undefined;
    this.#patience = { delayMs, fire };
    if (pending) queueMicrotask(this.#applyPatience);
  }

  readonly #applyPatience = (): void => {
    const patience = this.#patience;
    this.#patience = undefined;
    if (patience === undefined) return; // cancelled meanwhile
    this.#run.get('patience')?.cancel();
    this.#run.delete('patience');
    if (this.#stopped || patience.delayMs <= 0) return;
    this.#run.set('patience', this.#set(patience.delayMs, patience.fire));
  };

  /** Arms the run's lifetime deadline. */
  armLifetime(delayMs: number, fire: () => void | Promise<void>): void {
    this.#run.get('lifetime')?.cancel();
    if (this.#stopped) return;
    this.#run.set('lifetime', this.#set(delayMs, fire));
  }

  /** Arms (or re-arms) the look at the budget again, for a launch held back by it. */
  armBudgetRecheck(delayMs: number, fire: () => void | Promise<void>): void {
    this.#run.get('budget')?.cancel();
    if (this.#stopped) return;
    this.#run.set('budget', this.#set(delayMs, fire));
  }

  cancelRunTimer(kind: RunTimerKind): void {
    if (kind === 'patience') this.#patience = undefined;
    this.#run.get(kind)?.cancel();
    this.#run.delete(kind);
  }

  /** Arms one of an agent's timers (replacing the same kind); a delay of 0 fires on the next turn. */
  armAgent(agentId: string, kind: AgentTimerKind, delayMs: number, fire: () => void | Promise<void>): void {
    if (this.#stopped) return;
    const timers = this.#agents[kind];
    timers.get(agentId)?.cancel();
    timers.set(
      agentId,
      this.#set(delayMs, () => {
        timers.delete(agentId);
        return fire();
      }),
    );
  }

  /** Cancels every timer of the agent (it submitted or left). */
  cancelAgent(agentId: string): void {
    this.#cancel(this.#agents.assignment_duration, agentId);
    this.#cancel(this.#agents.submission_timeout, agentId);
  }

  #cancel(timers: Map<string, Timer>, agentId: string): void {
    const timer = timers.get(agentId);
    if (timer === undefined) return;
    timer.cancel();
    timers.delete(agentId);
  }

  /** Agents with a pending timer (for tests: nothing must leak). */
  get agentCount(): number {
    const { assignment_duration: duration, submission_timeout: submission } = this.#agents;
    let count = duration.size;
    for (const agentId of submission.keys()) if (!duration.has(agentId)) count++;
    return count;
  }

  /** Cancels everything; later arms are ignored. */
  stop(): void {
    this.#stopped = true;
    this.#patience = undefined;
    for (const timer of this.#run.values()) timer.cancel();
    this.#run.clear();
    for (const timers of [this.#agents.assignment_duration, this.#agents.submission_timeout]) {
      for (const timer of timers.values()) timer.cancel();
      timers.clear();
    }
  }
}
