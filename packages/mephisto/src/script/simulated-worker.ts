/**
 * A worker played by code: it asks a live run for a unit exactly as a browser's `/register_agent` would
 * (through {@link LiveRun.requestAgent}), then submits, disconnects, returns or sits on the unit as its
 * {@link WorkerBehaviour} says. The CLI's `--simulate-workers`, the engine benchmark and the testing kit
 * all drive runs with it, so the no-browser path is the same everywhere.
 */
import type { Scheduler } from '../core/scheduler.js';
import type { AgentDetails, LiveRun } from '../run/index.js';

/** What a simulated worker does with a unit it was given. */
export type WorkerOutcome =
  /** Submit data (after the think time): the unit completes. */
  | 'submit'
  /** Drop the connection: the engine marks the agent disconnected and offers the unit again. */
  | 'disconnect'
  /** Give the unit back (MTurk's "return"): the unit is offered again. */
  | 'return'
  /** Keep the unit and never answer, so the engine's timeouts have something to time out. */
  | 'never-submit';

/** Everything a behaviour callback knows about the unit at hand. */
export interface UnitAtHand {
  /** The worker's name (as the provider reports it). */
  readonly workerName: string;
  /** 0 for the worker's first unit, 1 for the second, … */
  readonly attempt: number;
  /** What the run answered to the worker's request. */
  readonly details: AgentDetails;
}

/**
 * How a simulated worker behaves. Every field may be a constant or a function of the unit at hand, so
 * one behaviour can, say, return every third unit.
 */
export interface WorkerBehaviour {
  /** @default 'submit' */
  readonly outcome?: WorkerOutcome | ((unit: UnitAtHand) => WorkerOutcome);
  /**
   * Milliseconds between being given the unit and acting on it, measured on the worker's scheduler
   * (so a {@link ManualClock} in tests decides when they pass). @default 0
   */
  readonly thinkTimeMs?: number | ((unit: UnitAtHand) => number);
  /**
   * Send one live update (`mephisto_bound_live_update`) before acting. The mock blueprint's task logic
   * waits for one, static tasks ignore it. `'auto'` sends one when the run's blueprint is `mock`.
   * @default 'auto'
   */
  readonly liveUpdate?: boolean | 'auto';
  /** The data submitted. @default `{ answer: 'simulated', worker: <name> }` */
  readonly submission?: (unit: UnitAtHand) => unknown;
  /** Units the worker takes before it stops (any outcome counts). @default Infinity */
  readonly maxUnits?: number;
}

/** What one worker did, for assertions and for the benchmark's figures. */
export interface WorkerRecord {
  readonly workerName: string;
  /** Units taken, in order, with what the worker did with each. */
  readonly units: readonly {
    readonly unitId: string;
    readonly agentId: string;
    readonly outcome: WorkerOutcome;
  }[];
  /** Requests the run refused (no unit available, blocked, capped, …), by failure reason. */
  readonly refusals: number;
  /** Milliseconds from each successful request to its answer, in order (wall-clock time). */
  readonly assignLatenciesMs: readonly number[];
}

export interface SimulatedWorkerOptions {
  /** The name the provider would report; the store's worker is found or created by it. */
  readonly workerName: string;
  /** @default {} (submit at once) */
  readonly behaviour?: WorkerBehaviour;
  /** Runs think times. @default real timers */
  readonly scheduler?: Scheduler;
}

/** Result of one {@link SimulatedWorker.takeUnit} call. */
export type TakeUnitResult =
  | {
      readonly taken: true;
      readonly unitId: string;
      readonly agentId: string;
      readonly outcome: WorkerOutcome;
    }
  | { readonly taken: false; readonly reason: string };

const realScheduler: Scheduler = {
  setTimer(delayMs, fn) {
    const handle = setTimeout(fn, Math.max(0, delayMs));
    return {
      cancel: () => {
        clearTimeout(handle);
      },
    };
  },
};

function pick<T>(value: T | ((unit: UnitAtHand) => T), unit: UnitAtHand): T {
  return typeof value === 'function' ? (value as (unit: UnitAtHand) => T)(unit) : value;
}

export class SimulatedWorker {
  readonly workerName: string;
  readonly #run: LiveRun;
  readonly #behaviour: WorkerBehaviour;
  readonly #scheduler: Scheduler;
  readonly #units: { unitId: string; agentId: string; outcome: WorkerOutcome }[] = [];
  readonly #latencies: number[] = [];
  #refusals = 0;
  #requests = 0;

  constructor(run: LiveRun, options: SimulatedWorkerOptions) {
    this.#run = run;
    this.workerName = options.workerName;
    this.#behaviour = options.behaviour ?? {};
    this.#scheduler = options.scheduler ?? realScheduler;
  }

  /** Whether the worker has taken as many units as its behaviour allows. */
  get finished(): boolean {
    return this.#units.length >= (this.#behaviour.maxUnits ?? Infinity);
  }

  get record(): WorkerRecord {
    return {
      workerName: this.workerName,
      units: [...this.#units],
      refusals: this.#refusals,
      assignLatenciesMs: [...this.#latencies],
    };
  }

  /**
   * Asks the run for a unit and, when given one, does with it what the behaviour says. Resolves once the
   * worker is done with the unit (submitted and acknowledged, disconnected, returned), or at once for
   * `never-submit`. Refusals resolve with `taken: false` and the run's reason.
   */
  async takeUnit(): Promise<TakeUnitResult> {
    const started = performance.now();
    // A fresh registration id per request, as a new browser page would have: the run hands a worker who
    // re-sends an id the unit they already hold (a reload), while a new id asks for more work.
    const details = await this.#run.requestAgent({
      worker_name: this.workerName,
      agent_registration_id: `${this.workerName}-${this.#requests++}`,
    });
    if (details.agent_id === null || details.failure_reason !== null) {
      this.#refusals++;
      return { taken: false, reason: details.failure_reason ?? details.failure_code ?? 'no unit' };
    }
    this.#latencies.push(performance.now() - started);
    const agentId = details.agent_id;
    const unit: UnitAtHand = { workerName: this.workerName, attempt: this.#units.length, details };
    const outcome = pick(this.#behaviour.outcome ?? 'submit', unit);
    const unitId = details.unit_id ?? '';
    this.#units.push({ unitId, agentId, outcome });

    const liveUpdate = this.#behaviour.liveUpdate ?? 'auto';
    if (liveUpdate === true || (liveUpdate === 'auto' && this.#run.taskRun.taskType === 'mock')) {
      await this.#run.sendLiveUpdate(agentId, { text: `hello from ${this.workerName}` });
    }
    const thinkTimeMs = pick(this.#behaviour.thinkTimeMs ?? 0, unit);
    if (thinkTimeMs > 0) await this.#sleep(thinkTimeMs);

    switch (outcome) {
      case 'submit': {
        const data = this.#behaviour.submission?.(unit) ?? { answer: 'simulated', worker: this.workerName };
        await this.#run.submitUnit(agentId, data);
        break;
      }
      case 'disconnect':
        await this.#run.reportDisconnect(agentId);
        break;
      case 'return':
        await this.#run.returnUnit(agentId);
        break;
      case 'never-submit':
        break;
    }
    return { taken: true, unitId, agentId, outcome };
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#scheduler.setTimer(ms, resolve);
    });
  }
}
