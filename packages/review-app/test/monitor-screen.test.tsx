// @vitest-environment happy-dom
import { act, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MonitorSnapshot } from 'mephisto-ts/review-api';
import { MONITOR_STALL_MS } from '../src/hooks/use-monitor-stream.js';
import { FakeReviewServer, TOKEN, errorReply } from './support/fake-review-server.js';
import { navigate, openApp, resetApp } from './support/render-app.js';

afterEach(() => {
  vi.useRealTimers();
  resetApp();
});

const EVENTS = '/api/runs/7/monitor/events';

function snapshotOf(server: FakeReviewServer, changes: Partial<MonitorSnapshot>): MonitorSnapshot {
  const base = server.data.monitors[0];
  if (!base) throw new Error('fixture has no monitor snapshot');
  return { ...structuredClone(base), ...changes };
}

function connectionState(): string | undefined {
  return screen.getByTestId('monitor-connection').dataset.state;
}

async function activeWorkersBecome(count: string): Promise<void> {
  await waitFor(() => {
    expect(screen.getByTestId('monitor-active-workers').textContent).toBe(count);
  });
}

/** Opens the monitor of run 7 and waits for the first snapshot and a live stream. */
async function openLiveMonitor(server?: FakeReviewServer): Promise<FakeReviewServer> {
  const opened = openApp('#/runs/7/monitor', server ? { server } : {});
  await screen.findByTestId('monitor-active-workers');
  await waitFor(() => {
    expect(connectionState()).toBe('live');
  });
  return opened.server;
}

describe('monitor screen', () => {
  it('shows the snapshot: counts, active workers, spend, chart, errors and refusals as text', async () => {
    openApp('#/runs/7/monitor');
    expect((await screen.findByTestId('monitor-active-workers')).textContent).toBe('3');
    expect(screen.getByTestId('monitor-task-name').textContent).toBe('Sentiment labels');
    expect(screen.getByTestId('monitor-spend').textContent).toBe('$12.50');
    expect(screen.getByTestId('monitor-units-by-status-completed').textContent).toContain('24');
    // 60 one-minute buckets, counts 0..6 repeating: 8 full cycles of 21 plus 0+1+2+3 = 174.
    expect(screen.getByTestId('monitor-submissions-total').textContent).toBe('174');
    const chart = screen.getByTestId('monitor-chart');
    expect(chart.getAttribute('role')).toBe('img');
    expect(chart.getAttribute('aria-label')).toContain('174');
    expect(within(chart).getAllByTestId(/^monitor-chart-bar-/)).toHaveLength(60);
    expect(screen.getByTestId('monitor-error-0').textContent).toContain('Bonus API timed out');
    const refusal = screen.getByTestId('monitor-refusal-0');
    expect(refusal.textContent).toContain('dave');
    expect(refusal.textContent).toContain('No units left <b>now</b>');
    expect(refusal.querySelector('b')).toBeNull();
  });

  it('shows the spend in parts from the payments ledger, the budget as "x of y" with a meter, and the estimate apart', async () => {
    openApp('#/runs/7/monitor');
    const detail = await screen.findByTestId('monitor-spend-detail');
    expect(detail.textContent).toContain('payments ledger');
    const text = (id: string) => screen.getByTestId(`monitor-spend-detail-${id}`).textContent;
    expect(text('paid')).toBe('$10.00');
    expect(text('pending')).toBe('$0.50');
    expect(text('owed')).toBe('$2.00');
    expect(text('fees')).toBe('$1.50');
    expect(text('budget')).toContain('$12.50 of $50.00');
    const meter = screen.getByTestId('monitor-spend-detail-budget-bar');
    expect(meter.getAttribute('value')).toBe('12.5');
    expect(meter.getAttribute('max')).toBe('50');
    expect(meter.getAttribute('aria-label')).toBe('Spend of the budget');
    // The estimate is shown apart, and not added to the spend.
    expect(text('awaiting')).toBe('$12.00');
    expect(detail.textContent).toContain('rewards of 24 submitted units not reviewed yet');
    expect(screen.getByTestId('monitor-spend').textContent).toBe('$12.50');
  });

  it('follows the spend in snapshot events: a run without a budget, and an older server without the parts', async () => {
    const server = await openLiveMonitor();
    const stream = server.latestStream();
    act(() => {
      stream.event(
        'snapshot',
        snapshotOf(server, {
          at: '2025-05-01T11:00:05.000Z',
          activeWorkers: 4,
          spend: 3,
          spendDetail: {
            paid: 0,
            pending: 0,
            owed: 3,
            rewards: 1,
            bonuses: 2,
            fees: 0,
            total: 3,
            budget: null,
            awaitingReview: 0.5,
            awaitingReviewUnits: 1,
          },
        }),
      );
    });
    await activeWorkersBecome('4');
    expect(screen.getByTestId('monitor-spend').textContent).toBe('$3.00');
    expect(screen.getByTestId('monitor-spend-detail-owed').textContent).toBe('$3.00');
    expect(screen.getByTestId('monitor-spend-detail-budget').textContent).toBe('No budget');
    expect(screen.queryByTestId('monitor-spend-detail-budget-bar')).toBeNull();
    expect(screen.getByTestId('monitor-spend-detail').textContent).toContain(
      'rewards of 1 submitted unit not',
    );

    const older = snapshotOf(server, { at: '2025-05-01T11:00:06.000Z', activeWorkers: 5, spend: 4 });
    delete older.spendDetail;
    act(() => {
      stream.event('snapshot', older);
    });
    await activeWorkersBecome('5');
    expect(screen.getByTestId('monitor-spend').textContent).toBe('$4.00');
    expect(screen.queryByTestId('monitor-spend-detail')).toBeNull();
  });

  it('opens the event stream with the bearer header and no token in the URL, then goes live', async () => {
    const server = new FakeReviewServer();
    const release = server.hold('GET', EVENTS);
    openApp('#/runs/7/monitor', { server });
    await screen.findByTestId('monitor-active-workers');
    expect(connectionState()).toBe('connecting');
    expect(screen.getByTestId('monitor-connection').textContent).toBe('Connecting…');
    release();
    await waitFor(() => {
      expect(connectionState()).toBe('live');
    });
    expect(screen.getByTestId('monitor-connection').textContent).toBe('Live');

    const [request] = server.to('GET', EVENTS);
    expect(request?.url.search).toBe('');
    expect(request?.headers.get('Authorization')).toBe(`Bearer ${TOKEN}`);
    expect(request?.headers.get('Accept')).toBe('text/event-stream');
    expect(request?.headers.get('Last-Event-ID')).toBeNull();
    for (const { url } of server.requests) expect(url.href).not.toContain(TOKEN);
  });

  it('updates from snapshot events, ignoring malformed ones and other event types', async () => {
    const server = await openLiveMonitor();
    const stream = server.latestStream();
    act(() => {
      stream.event(
        'snapshot',
        snapshotOf(server, {
          at: '2025-05-01T11:00:05.000Z',
          activeWorkers: 5,
          spend: 14,
          ended: true,
          recentErrors: [],
        }),
      );
    });
    await activeWorkersBecome('5');
    expect(screen.getByTestId('monitor-spend').textContent).toBe('$14.00');
    expect(screen.getByTestId('monitor-ended').textContent).toBe('Run ended');
    expect(screen.getByTestId('monitor-errors').textContent).toBe('No errors.');

    act(() => {
      stream.event('snapshot', 'not json');
      stream.event('snapshot', { hello: 'world' });
      stream.event('message', snapshotOf(server, { at: '2025-05-01T11:00:06.000Z', activeWorkers: 6 }));
      stream.send(`data: ${JSON.stringify(snapshotOf(server, { activeWorkers: 6 }))}\n\n`);
      // An older snapshot than the one shown is ignored too.
      stream.event('snapshot', snapshotOf(server, { at: '2025-05-01T11:00:01.000Z', activeWorkers: 1 }));
      stream.event('snapshot', snapshotOf(server, { at: '2025-05-01T11:00:07.000Z', activeWorkers: 7 }));
    });
    await activeWorkersBecome('7');
    expect(connectionState()).toBe('live');
  });

  it('reads events split anywhere across chunks, with multi-line data, CRLF ends and heartbeats', async () => {
    const server = await openLiveMonitor();
    const stream = server.latestStream();
    const snapshot = snapshotOf(server, { at: '2025-05-01T11:00:10.000Z', activeWorkers: 8 });
    const dataLines = JSON.stringify(snapshot, null, 2)
      .split('\n')
      .map((line) => `data: ${line}\r\n`)
      .join('');
    const wire = `retry: 3000\r\n\r\n: heartbeat\r\n\r\nevent: snapshot\r\n${dataLines}\r\n`;
    const bytes = new TextEncoder().encode(wire.replace('Sentiment labels', 'Sentiment labels ✓'));
    act(() => {
      // Cut every 7 bytes: inside lines, between CR and LF, inside the 3-byte ✓.
      for (let at = 0; at < bytes.length; at += 7) stream.send(bytes.slice(at, at + 7));
    });
    await activeWorkersBecome('8');
    expect(screen.getByTestId('monitor-task-name').textContent).toBe('Sentiment labels ✓');
  });

  it('shows "reconnecting" when the stream breaks, and re-opens it after the server\'s retry delay', async () => {
    const server = await openLiveMonitor();
    const first = server.latestStream();
    act(() => {
      first.retry(200);
      first.send(
        `id: 42\nevent: snapshot\ndata: ${JSON.stringify(snapshotOf(server, { at: '2025-05-01T11:01:00.000Z', activeWorkers: 4 }))}\n\n`,
      );
    });
    await activeWorkersBecome('4');
    act(() => {
      first.fail();
    });
    await waitFor(() => {
      expect(connectionState()).toBe('reconnecting');
      expect(screen.getByTestId('monitor-connection').textContent).toBe('Reconnecting…');
    });
    await waitFor(() => {
      expect(server.streams).toHaveLength(2);
    });
    await waitFor(() => {
      expect(connectionState()).toBe('live');
    });
    const reopened = server.to('GET', EVENTS)[1];
    expect(reopened?.headers.get('Last-Event-ID')).toBe('42');
    expect(reopened?.headers.get('Authorization')).toBe(`Bearer ${TOKEN}`);
    expect(server.to('GET', '/api/runs/7/monitor')).toHaveLength(1); // the stream brings the news

    act(() => {
      server
        .latestStream()
        .event('snapshot', snapshotOf(server, { at: '2025-05-01T11:02:00.000Z', activeWorkers: 1 }));
    });
    await activeWorkersBecome('1');
    // An event without an id keeps the last one for the next re-opening.
    act(() => {
      server.latestStream().fail();
    });
    await waitFor(() => {
      expect(server.streams).toHaveLength(3);
    });
    expect(server.to('GET', EVENTS)[2]?.headers.get('Last-Event-ID')).toBe('42');
  });

  it('backs off while re-opening fails, fetching a fresh snapshot after a refusal', async () => {
    const server = await openLiveMonitor();
    const first = server.latestStream();
    server.data.monitors[0] = snapshotOf(server, { at: '2025-05-01T11:02:00.000Z', activeWorkers: 9 });
    server.replyOnce(
      'GET',
      EVENTS,
      'network',
      errorReply(503, 'MEPHISTO_ERR_UNAVAILABLE', 'Shutting down'),
      new Response('<html>a proxy</html>', { status: 200, headers: { 'Content-Type': 'text/html' } }),
    );
    act(() => {
      first.retry(50);
      first.end(); // the server closed the response
    });
    await waitFor(() => {
      expect(connectionState()).toBe('reconnecting');
    });
    // 50 ms, then no answer: 100 ms; then 503: 200 ms, a GET; then not an event stream: 400 ms, a GET.
    await waitFor(
      () => {
        expect(server.streams).toHaveLength(2);
      },
      { timeout: 3000 },
    );
    await waitFor(() => {
      expect(connectionState()).toBe('live');
    });
    expect(server.to('GET', EVENTS)).toHaveLength(5);
    expect(server.to('GET', '/api/runs/7/monitor')).toHaveLength(3);
    expect(screen.getByTestId('monitor-active-workers').textContent).toBe('9');
    expect(screen.queryByTestId('monitor-error')).toBeNull();
  });

  it('shows the expired-link screen when the stream is refused with 401', async () => {
    const server = new FakeReviewServer().replyOnce(
      'GET',
      EVENTS,
      errorReply(401, 'MEPHISTO_ERR_REVIEW_UNAUTHORIZED', 'Bad token'),
    );
    openApp('#/runs/7/monitor', { server });
    const page = await screen.findByTestId('session-expired');
    expect(page.dataset.reason).toBe('rejected');
    expect(server.to('GET', EVENTS)).toHaveLength(1);
  });

  it('re-opens a stream that sends nothing, not even a heartbeat, for too long', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], shouldAdvanceTime: true });
    const server = await openLiveMonitor();
    const first = server.latestStream();
    const heartbeat = async (): Promise<void> => {
      act(() => {
        first.comment();
      });
      // Let the app read it before time jumps.
      await new Promise((resolve) => setImmediate(resolve));
    };
    await heartbeat();
    await act(() => vi.advanceTimersByTimeAsync(MONITOR_STALL_MS - 1000));
    await heartbeat();
    await act(() => vi.advanceTimersByTimeAsync(MONITOR_STALL_MS - 1000));
    expect(first.open).toBe(true);
    expect(connectionState()).toBe('live');

    await act(() => vi.advanceTimersByTimeAsync(1000));
    await waitFor(() => {
      expect(first.closedByClient).toBe(true);
    });
    await act(() => vi.advanceTimersByTimeAsync(1000)); // the default 1 s before re-opening
    await waitFor(() => {
      expect(server.streams).toHaveLength(2);
    });
    await waitFor(() => {
      expect(connectionState()).toBe('live');
    });
  });

  it('shows a failed snapshot request as an error', async () => {
    const server = new FakeReviewServer().replyOnce(
      'GET',
      '/api/runs/7/monitor',
      errorReply(404, 'MEPHISTO_ERR_RUN_NOT_FOUND', 'No run 7'),
    );
    openApp('#/runs/7/monitor', { server });
    expect((await screen.findByTestId('monitor-error')).textContent).toContain('No run 7');
    expect(screen.getByTestId('monitor-loading')).toBeTruthy();
  });

  it('closes its stream when leaving the screen, and does not re-open it', async () => {
    const server = await openLiveMonitor();
    const stream = server.latestStream();
    act(() => {
      stream.retry(50);
    });
    navigate('#/');
    await screen.findByTestId('tasks-screen');
    expect(stream.closedByClient).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.to('GET', EVENTS)).toHaveLength(1);
  });

  it('closes its stream when unmounted', async () => {
    const { server, unmount } = openApp('#/runs/7/monitor');
    await waitFor(() => {
      expect(server.streams).toHaveLength(1);
    });
    unmount();
    expect(server.latestStream().closedByClient).toBe(true);
  });
});
