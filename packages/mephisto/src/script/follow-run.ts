/**
 * Following a launched run to its end, as `mephisto run` and run scripts both do: print the launch
 * report, show progress, turn Ctrl-C into a clean shutdown, print the summary, shut the operator down.
 */
import type { TaskConfig } from '../core/config/task-config.js';
import type { LiveRun, Operator, RunEnd } from '../run/index.js';
import {
  exitCodeForSignal,
  handleInterrupts,
  type InterruptSignal,
  type SignalSource,
} from './interrupts.js';
import { ProgressReporter, type ProgressSink } from './progress-reporter.js';
import { formatLaunchReport, formatRunSummary } from './run-report.js';

export interface FollowRunOptions {
  readonly operator: Operator;
  readonly run: LiveRun;
  readonly config: TaskConfig;
  /** Launch report, progress and summary. */
  readonly output: ProgressSink;
  readonly signals: SignalSource;
  /** Ends the process on a second Ctrl-C. */
  readonly exit: (code: number) => void;
  /** Called (and awaited) after the launch report, before waiting for the end. */
  readonly onLaunched?: (run: LiveRun) => void | Promise<void>;
  /**
   * Work that goes on beside the run (simulated workers): started after `onLaunched`, awaited after
   * the run ended, so it settles before the summary is printed.
   */
  readonly alongside?: (run: LiveRun) => Promise<unknown>;
}

export interface FollowedRun {
  readonly end: RunEnd;
  readonly interruptedBy?: InterruptSignal;
  /** 0 when the run completed, 130/143 when a signal stopped it, 1 otherwise. */
  readonly exitCode: number;
}

/** Reports on `run` until it ends, then shuts `operator` down (always, even on error). */
export async function followRun(options: FollowRunOptions): Promise<FollowedRun> {
  const { operator, run, output } = options;
  let interruptedBy: InterruptSignal | undefined;
  const release = handleInterrupts(options.signals, {
    onInterrupt(signal) {
      interruptedBy = signal;
      output.write(`\n${signal}: shutting the run down (press Ctrl-C again to exit at once)\n`);
      void operator.shutdown(`interrupted by ${signal}`);
    },
    onForce(signal) {
      options.exit(exitCodeForSignal(signal));
    },
  });
  const progress = new ProgressReporter(run, output);
  // The engine's timers are unref'd and, until a worker shows up, nothing else may be pending: without
  // a handle of our own Node would see an idle loop and exit (code 13) while we wait for the end.
  const keepAlive = setInterval(() => undefined, 2 ** 30);
  try {
    output.write(formatLaunchReport(run, options.config, run.links()));
    await options.onLaunched?.(run);
    const alongside = options.alongside?.(run);
    // Its failure is reported after the run ended, not as an unhandled rejection meanwhile.
    alongside?.catch(() => undefined);
    progress.start();
    const end = await run.ended;
    progress.stop();
    await alongside;
    output.write(formatRunSummary(end));
    const exitCode =
      interruptedBy !== undefined ? exitCodeForSignal(interruptedBy) : end.reason === 'completed' ? 0 : 1;
    return { end, exitCode, ...(interruptedBy === undefined ? {} : { interruptedBy }) };
  } finally {
    clearInterval(keepAlive);
    progress.stop();
    release();
    await operator.shutdown('finished');
  }
}
