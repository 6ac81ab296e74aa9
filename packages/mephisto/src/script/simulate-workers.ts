/**
 * A crowd of {@link SimulatedWorker}s working a live run until it ends: the no-browser way to take a
 * run from launch to completion (`mephisto run --simulate-workers N`, the engine benchmark, tests).
 */
import type { Scheduler } from '../core/scheduler.js';
import type { LiveRun } from '../run/index.js';
import { SimulatedWorker, type WorkerBehaviour, type WorkerRecord } from './simulated-worker.js';

export interface SimulateWorkersOptions {
  /** How many workers work at once. */
  readonly count: number;
  /**
   * What each worker does; a function gives worker `index` (0-based) its own behaviour.
   * @default {} (take units and submit at once)
   */
  readonly behaviour?: WorkerBehaviour | ((index: number) => WorkerBehaviour);
  /** Worker names are `<prefix><index>`. @default 'sim_worker_' */
  readonly namePrefix?: string;
  /** Runs think times. @default real timers */
  readonly scheduler?: Scheduler;
}

/** A running simulation. */
export interface Simulation {
  readonly workers: readonly SimulatedWorker[];
  /**
   * Resolves once every worker has stopped: the run ended, the simulation was stopped, or each worker
   * took its `maxUnits`. Rejects if a worker's call into the run failed unexpectedly.
   */
  readonly done: Promise<readonly WorkerRecord[]>;
  /** Stops workers from asking for further units; work in hand is finished first. */
  stop(): void;
}

/** Run events after which a refused worker should ask again: a unit became available or a cap loosened. */
const RETRY_EVENTS = ['unit-launched', 'unit-freed', 'unit-submitted'] as const;

/**
 * Starts `count` workers on `run`. Each asks for a unit, deals with it, and asks again; a worker the
 * run refuses (nothing on offer, a cap reached) waits until the run launches or frees a unit, or a
 * submission loosens a cap, then asks again. Everything goes through the run's public API, so the
 * engine sees exactly what a browser would make it see.
 */
export function simulateWorkers(run: LiveRun, options: SimulateWorkersOptions): Simulation {
  if (!Number.isSafeInteger(options.count) || options.count < 1) {
    throw new RangeError(`simulateWorkers: count must be a positive integer, got ${options.count}`);
  }
  const prefix = options.namePrefix ?? 'sim_worker_';
  const behaviourOf = (index: number): WorkerBehaviour => {
    const behaviour = options.behaviour ?? {};
    return typeof behaviour === 'function' ? behaviour(index) : behaviour;
  };
  const workers = Array.from(
    { length: options.count },
    (_, index) =>
      new SimulatedWorker(run, {
        workerName: `${prefix}${index}`,
        behaviour: behaviourOf(index),
        ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }),
      }),
  );

  // Each event bumps `generation` and wakes every waiting worker; a worker refused at generation g
  // only asks again once something happened after g, so idle workers do not spin.
  let generation = 0;
  let stopped = false;
  let wake: (() => void)[] = [];
  const wakeAll = (): void => {
    generation++;
    const waiting = wake;
    wake = [];
    for (const resume of waiting) resume();
  };
  const onEvent = (): void => {
    wakeAll();
  };
  for (const name of RETRY_EVENTS) run.events.on(name, onEvent);
  void run.ended.then(
    () => {
      stopped = true;
      wakeAll();
    },
    () => {
      stopped = true;
      wakeAll();
    },
  );
  const changeAfter = (seen: number): Promise<void> =>
    seen !== generation || stopped
      ? Promise.resolve()
      : new Promise((resolve) => {
          wake.push(resolve);
        });

  const loop = async (worker: SimulatedWorker): Promise<WorkerRecord> => {
    while (!stopped && !worker.finished) {
      const seen = generation;
      const result = await worker.takeUnit();
      if (!result.taken) await changeAfter(seen);
    }
    return worker.record;
  };
  const done = Promise.all(workers.map(loop)).finally(() => {
    for (const name of RETRY_EVENTS) run.events.off(name, onEvent);
  });
  return {
    workers,
    done,
    stop() {
      stopped = true;
      wakeAll();
    },
  };
}
