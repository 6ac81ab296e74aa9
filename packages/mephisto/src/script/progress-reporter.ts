/**
 * The live progress line of a running run. On a terminal it is a cli-progress bar redrawn in place;
 * anywhere else (a log file, CI, a test) it is a plain line printed when the figures change, at most
 * once per interval, so logs stay readable.
 */
import cliProgress from 'cli-progress';
import type { LiveRun } from '../run/index.js';
import { formatProgressLine, progressView, type ProgressView } from './run-report.js';

/** Where progress goes; a terminal stream when `isTTY` is true. */
export interface ProgressSink {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface ProgressReporterOptions {
  /** How often the figures are read, in milliseconds. @default 250 on a terminal, 2000 otherwise */
  readonly intervalMs?: number;
}

export class ProgressReporter {
  readonly #run: LiveRun;
  readonly #sink: ProgressSink;
  readonly #intervalMs: number;
  #bar: cliProgress.SingleBar | undefined;
  #timer: NodeJS.Timeout | undefined;
  #last = '';
  #stopped = false;

  constructor(run: LiveRun, sink: ProgressSink, options: ProgressReporterOptions = {}) {
    this.#run = run;
    this.#sink = sink;
    this.#intervalMs = options.intervalMs ?? (sink.isTTY === true ? 250 : 2000);
  }

  start(): void {
    const view = progressView(this.#run);
    if (this.#sink.isTTY === true) {
      this.#bar = new cliProgress.SingleBar(
        {
          format: 'units {value}/{total} done [{bar}] {percentage}% | {workers} workers active',
          // cli-progress writes cursor movements to the stream, which a TTY sink is.
          stream: this.#sink as unknown as NodeJS.WritableStream,
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      );
      this.#bar.start(view.total, view.done, { workers: view.activeWorkers });
    } else {
      this.#printIfChanged(view);
    }
    // Wall-clock refresh: progress is for the person watching, whatever clock the engine runs on.
    this.#timer = setInterval(() => {
      this.update();
    }, this.#intervalMs);
    this.#timer.unref();
  }

  /** Reads the figures now and redraws (or prints, if they changed). */
  update(): void {
    const view = progressView(this.#run);
    if (this.#bar !== undefined) {
      this.#bar.setTotal(view.total);
      this.#bar.update(view.done, { workers: view.activeWorkers });
    } else {
      this.#printIfChanged(view);
    }
  }

  /** Final redraw and stop; the terminal bar is left on screen with the last figures. Idempotent. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.update();
    this.#bar?.stop();
    this.#bar = undefined;
  }

  #printIfChanged(view: ProgressView): void {
    const line = formatProgressLine(view);
    if (line === this.#last) return;
    this.#last = line;
    this.#sink.write(`${line}\n`);
  }
}
