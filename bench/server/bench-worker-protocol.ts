/**
 * Messages between the server benchmark (the parent, which runs the task server) and its worker
 * processes (each simulating many browsers over real HTTP and WebSocket on loopback).
 */

/** Parent → worker process. */
export type ToWorker =
  | {
      /** Open `count` workers: request a unit, open the socket, send `alive` and one heartbeat. */
      readonly kind: 'connect';
      readonly baseUrl: string;
      readonly count: number;
      /** Distinguishes worker names across levels and processes. */
      readonly namePrefix: string;
    }
  /** Every connected worker submits its unit, then does `rounds - 1` more whole units. */
  | { readonly kind: 'work'; readonly rounds: number }
  /**
   * `count` workers each loop for `durationMs`: take a unit (request, socket, alive, heartbeat), think
   * a random time (uniform on [0, 2 × meanThinkMs]), submit. Starts are drawn so that the offered load
   * is steady from the first second (bench-worker-process.ts, firstDelay).
   */
  | {
      readonly kind: 'paced';
      readonly baseUrl: string;
      readonly count: number;
      readonly namePrefix: string;
      readonly meanThinkMs: number;
      readonly durationMs: number;
    }
  /** Close every socket and exit. */
  | { readonly kind: 'close' };

/** Worker process → parent. */
export type FromWorker =
  | { readonly kind: 'ready' }
  | { readonly kind: 'connected'; readonly samples: Samples }
  | { readonly kind: 'worked'; readonly samples: Samples }
  | { readonly kind: 'paced'; readonly samples: Samples }
  | { readonly kind: 'failed'; readonly message: string };

export interface Samples {
  /** `/request_agent` round trips, ms. */
  readonly requestAgentMs: number[];
  /** `/submit_task` round trips, ms. */
  readonly submitMs: number[];
  /** Units submitted and acknowledged. */
  completed: number;
  /** Failed requests, refusals, socket errors and unexpected closes, with the first few messages. */
  errors: number;
  readonly errorSamples: string[];
  /** CPU time (user + system) the worker process spent in the phase, ms. */
  cpuMs: number;
  /** The longest the worker process's own event loop stood still (paced phase): latency it added. */
  loopDelayMaxMs: number;
}

export function emptySamples(): Samples {
  return {
    requestAgentMs: [],
    submitMs: [],
    completed: 0,
    errors: 0,
    errorSamples: [],
    cpuMs: 0,
    loopDelayMaxMs: 0,
  };
}
