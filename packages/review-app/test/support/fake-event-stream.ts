/**
 * The server's end of one monitor event stream: FakeReviewServer answers GET
 * /api/runs/:runId/monitor/events with a streamed text/event-stream response whose body is this
 * stream, and keeps it in `server.streams` (newest last). The test writes the wire text (`send`, or
 * `event`, `retry`, `comment`) and ends the response (`end`) or breaks the connection (`fail`); the app
 * reads it as it would a real response. Nothing is sent unless the test sends it.
 */
import type { RecordedRequest } from './fake-review-server.js';

export class FakeEventStream {
  readonly body: ReadableStream<Uint8Array>;
  /** The app cancelled the body or aborted the request. */
  closedByClient = false;
  private controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  private finished = false;
  private readonly encoder = new TextEncoder();

  constructor(readonly request: RecordedRequest) {
    this.body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.controller = controller;
      },
      cancel: () => {
        this.closedByClient = true;
        this.finished = true;
      },
    });
    const { signal } = request;
    const abort = (): void => {
      if (this.finished) return;
      this.closedByClient = true;
      this.finished = true;
      this.controller?.error(signal?.reason ?? new DOMException('Aborted', 'AbortError'));
    };
    if (signal?.aborted) abort();
    else signal?.addEventListener('abort', abort, { once: true });
  }

  /** Whether the response is still streaming. */
  get open(): boolean {
    return !this.finished;
  }

  /** Sends wire text (or bytes) as one chunk, as is: it may end anywhere, even inside a line. */
  send(chunk: string | Uint8Array): void {
    if (this.finished) throw new Error('the event stream is closed');
    this.controller?.enqueue(typeof chunk === 'string' ? this.encoder.encode(chunk) : chunk);
  }

  /** Sends one event `type` whose data is `data` as JSON (or as is, for a string), in one chunk. */
  event(type: string, data: unknown): void {
    const text = typeof data === 'string' ? data : JSON.stringify(data);
    this.send(
      `event: ${type}\n${text
        .split('\n')
        .map((line) => `data: ${line}\n`)
        .join('')}\n`,
    );
  }

  /** Sets the app's reconnection delay, as the real server does first thing (`retry: 3000`). */
  retry(milliseconds: number): void {
    this.send(`retry: ${milliseconds}\n\n`);
  }

  /** A comment line, as the server's heartbeat. */
  comment(text = 'heartbeat'): void {
    this.send(`: ${text}\n\n`);
  }

  /** The server ends the response. */
  end(): void {
    if (this.finished) return;
    this.finished = true;
    this.controller?.close();
  }

  /** The connection breaks mid-stream. */
  fail(): void {
    if (this.finished) return;
    this.finished = true;
    this.controller?.error(new TypeError('network error'));
  }
}
