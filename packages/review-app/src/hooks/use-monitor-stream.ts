import { useEffect, useState } from 'react';
import type { MonitorSnapshot } from 'mephisto-ts/review-api';
import { ApiError, isAbort } from '../api/api-error.js';
import { useReviewClient } from '../api/review-client-context.js';
import { SseParser } from '../api/sse-parser.js';

/** `connecting`: first connection; `live`: events are flowing; `reconnecting`: the stream dropped. */
export type MonitorConnection = 'connecting' | 'live' | 'reconnecting';

export interface MonitorStream {
  snapshot: MonitorSnapshot | null;
  connection: MonitorConnection;
  /** The last failed snapshot request (the stream itself reports only "dropped"). */
  error: unknown;
}

/**
 * Re-opening a dropped or refused stream waits the server's `retry:` delay (1 s until it sends one; at
 * least 50 ms, at most 5 min), doubling with each failure in a row up to 15 s (or the server's delay).
 */
const DEFAULT_RETRY_MS = 1000;
const MIN_RETRY_MS = 50;
const MAX_RETRY_MS = 300_000;
const RECONNECT_MAX_MS = 15_000;
/**
 * A stream that sends nothing at all, not even a heartbeat comment (the server sends one every 15 s),
 * for this long is taken as dead (a connection lost without a reset) and re-opened.
 */
export const MONITOR_STALL_MS = 45_000;

/**
 * A run's live monitor: one GET of the snapshot, then the `snapshot` events of REVIEW_ROUTES.monitorEvents,
 * read with `fetch` so the request carries the bearer header (SseParser reads the event stream).
 * A stream that ends, breaks or stalls shows "reconnecting" and is re-opened after the server's `retry:`
 * delay (backing off while it keeps failing); one the server refuses (an error status) is re-opened the
 * same way after a fresh GET of the snapshot, which shows the error if the GET fails too. A 401 ends it:
 * the client's onUnauthorized swaps in the expired-link screen. Leaving the screen aborts everything.
 */
export function useMonitorStream(runId: string): MonitorStream {
  const client = useReviewClient();
  const [snapshot, setSnapshot] = useState<MonitorSnapshot | null>(null);
  const [connection, setConnection] = useState<MonitorConnection>('connecting');
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    let retryMs = DEFAULT_RETRY_MS;
    let lastEventId = '';

    const fetchSnapshot = (): Promise<void> =>
      client.getMonitor(runId, signal).then(
        (value) => {
          if (signal.aborted) return;
          setSnapshot((current) => newer(current, value));
          setError(null);
        },
        (failure: unknown) => {
          if (!signal.aborted && !isAbort(failure)) setError(failure);
        },
      );

    const reconnect = (refetch: boolean): void => {
      if (signal.aborted) return;
      setConnection('reconnecting');
      const delay = Math.min(retryMs * 2 ** failures, Math.max(RECONNECT_MAX_MS, retryMs));
      failures += 1;
      timer = setTimeout(() => {
        void (refetch ? fetchSnapshot() : Promise.resolve()).then(() => {
          if (!signal.aborted) void open();
        });
      }, delay);
    };

    const open = async (): Promise<void> => {
      let body: ReadableStream<Uint8Array<ArrayBuffer>>;
      try {
        body = await client.openMonitorEvents(runId, signal, lastEventId);
      } catch (failure) {
        if (signal.aborted || (failure instanceof ApiError && failure.status === 401)) return;
        reconnect(failure instanceof ApiError); // refused: the GET tells why, if it can
        return;
      }
      if (signal.aborted) {
        body.cancel().catch(() => undefined);
        return;
      }
      setConnection('live');
      const parser = new SseParser(
        {
          onEvent: (event) => {
            if (event.type !== 'snapshot') return;
            const value = parseSnapshot(event.data);
            if (value === null) return; // not a snapshot: ignore it rather than blank the screen
            setSnapshot((current) => newer(current, value));
            setConnection('live');
          },
          onRetry: (milliseconds) => {
            retryMs = Math.min(Math.max(milliseconds, MIN_RETRY_MS), MAX_RETRY_MS);
          },
        },
        lastEventId,
      );
      await readText(body, signal, (text) => {
        failures = 0; // the server is talking: the next drop starts the backoff again
        parser.push(text);
        lastEventId = parser.lastEventId;
      });
      reconnect(false);
    };

    void fetchSnapshot();
    void open();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [client, runId]);

  return { snapshot, connection, error };
}

/**
 * Decodes `body` as UTF-8 text into `onText` until it ends, breaks, is aborted with `signal`, or sends
 * nothing for MONITOR_STALL_MS; never rejects.
 */
async function readText(
  body: ReadableStream<Uint8Array<ArrayBuffer>>,
  signal: AbortSignal,
  onText: (text: string) => void,
): Promise<void> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  const stop = (): void => {
    reader.cancel().catch(() => undefined);
  };
  let stall = setTimeout(stop, MONITOR_STALL_MS);
  signal.addEventListener('abort', stop);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || signal.aborted) return;
      clearTimeout(stall);
      stall = setTimeout(stop, MONITOR_STALL_MS);
      onText(value);
    }
  } catch {
    // The connection broke (or was aborted): the caller re-opens it, or has left.
  } finally {
    clearTimeout(stall);
    signal.removeEventListener('abort', stop);
    stop();
  }
}

/** Keeps the later of two snapshots, so a slow GET cannot replace a newer streamed one. */
function newer(current: MonitorSnapshot | null, next: MonitorSnapshot): MonitorSnapshot {
  if (current === null) return next;
  const nextAt = Date.parse(next.at);
  const currentAt = Date.parse(current.at);
  if (Number.isNaN(nextAt) || Number.isNaN(currentAt)) return next;
  return nextAt >= currentAt ? next : current;
}

function parseSnapshot(data: unknown): MonitorSnapshot | null {
  if (typeof data !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  return 'runId' in value && 'unitsByStatus' in value && 'at' in value ? (value as MonitorSnapshot) : null;
}
