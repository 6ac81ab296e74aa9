/**
 * `GET /api/runs/:runId/monitor/events`: a text/event-stream of `snapshot` events, one as soon as the
 * stream opens and one whenever the run changes (RunMonitorHub polls it), with a comment line as
 * heartbeat so proxies and the browser keep the connection. Every stream is ended when the server
 * closes (preClose), so shutting down never waits on an open monitor tab.
 *
 * The stream needs the session token like every route, so the app reads it with `fetch` (an
 * EventSource cannot send an Authorization header).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../../store/store.js';
import type { MonitorSnapshot } from '../review-api.js';
import type { RunMonitorHub } from '../run-monitor-hub.js';

export interface MonitorEventsOptions {
  readonly store: Store;
  readonly hub: RunMonitorHub;
  /** @default 15000 */
  readonly heartbeatMs?: number;
}

export class MonitorEvents {
  readonly #streams = new Set<() => void>();

  constructor(private readonly options: MonitorEventsOptions) {}

  /** Open streams (tests check none is left behind). */
  get openStreams(): number {
    return this.#streams.size;
  }

  /** Ends every open stream. */
  closeAll(): void {
    for (const close of [...this.#streams]) close();
  }

  /** Serves the stream for `runId` (the run must exist: check before calling). */
  open(_request: FastifyRequest, reply: FastifyReply, runId: string): void {
    void reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    raw.write('retry: 3000\n\n');
    const send = (snapshot: MonitorSnapshot): void => {
      // JSON text has no raw newline, so the event is one data line.
      raw.write(`event: snapshot\ndata: ${JSON.stringify(snapshot)}\n\n`);
    };
    const unsubscribe = this.options.hub.subscribe(runId, send);
    const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), this.options.heartbeatMs ?? 15_000);
    heartbeat.unref();
    let closed = false;
    const close = (): void => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
      this.#streams.delete(close);
      if (!raw.writableEnded) raw.end();
    };
    this.#streams.add(close);
    // The response's 'close' (the connection went away). Not the request's: since Node 16 a request
    // emits 'close' as soon as its (empty) body was read, which would end the stream at once.
    raw.on('close', close);
  }
}

/** Ends the streams when the server closes, before Fastify waits for open requests. */
export function closeStreamsOnShutdown(app: FastifyInstance, events: MonitorEvents): void {
  app.addHook('preClose', (done) => {
    events.closeAll();
    done();
  });
}
