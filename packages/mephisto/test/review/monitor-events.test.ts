/**
 * `/monitor/events` over real HTTP: the first snapshot at once, another when the run changes (a
 * review, a refusal logged by the run, a payment reserved or settled), heartbeats, nothing when nothing
 * changed, and every stream ended when the server closes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { MonitorSnapshot } from '../../src/review/review-api.js';
import { STORE_TARGETS, useStore } from '../store/store-targets.js';
import { errorCode, serveReview, type ServedReview } from './review-api-client.js';
import { newKey, seedRun } from './review-fixtures.js';

const SQLITE = STORE_TARGETS.find((t) => t.name === 'sqlite-file');
if (!SQLITE) throw new Error('no sqlite-file target');

/** Reads an event stream: `next()` resolves with the next snapshot, `comments` counts heartbeats. */
class EventReader {
  readonly snapshots: MonitorSnapshot[] = [];
  comments = 0;
  ended = false;
  #buffer = '';
  #waiters: (() => void)[] = [];

  constructor(readonly response: Response) {
    void this.#pump();
  }

  async #pump(): Promise<void> {
    const reader = this.response.body?.getReader();
    if (!reader) return;
    const decoder = new TextDecoder();
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch {
        break;
      }
      if (chunk.done) break;
      this.#buffer += decoder.decode(chunk.value as Uint8Array, { stream: true });
      let end = this.#buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        if (block.startsWith(':')) this.comments++;
        const data = /^data: (.*)$/m.exec(block);
        if (/^event: snapshot$/m.test(block) && data?.[1])
          this.snapshots.push(JSON.parse(data[1]) as MonitorSnapshot);
        end = this.#buffer.indexOf('\n\n');
      }
      this.#wake();
    }
    this.ended = true;
    this.#wake();
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** Waits until `check` holds (or the timeout). */
  async until(check: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the event stream');
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }
}

describe('monitor events (SSE) [sqlite-file]', () => {
  const h = useStore(SQLITE);
  let served: ServedReview | undefined;
  afterEach(async () => {
    await served?.close();
    served = undefined;
  });

  async function open(path: string): Promise<EventReader> {
    if (!served) throw new Error('not serving');
    const response = await fetch(`${served.server.origin}${path}`, {
      headers: { authorization: `Bearer ${served.server.token}` },
    });
    return new EventReader(response);
  }

  it('pushes a snapshot at once, then on each change; heartbeats; ends every stream on close', async () => {
    served = await serveReview(h.store, { monitorPollMs: 250, heartbeatMs: 200 });
    const seeded = await seedRun(h.store, { units: 4, completed: 2, assigned: 1 });
    const path = `/api/runs/${seeded.run.id}/monitor/events`;
    const first = await open(path);
    const second = await open(path);
    expect(first.response.status).toBe(200);
    expect(first.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(first.response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(first.response.headers.get('content-security-policy')).toContain("script-src 'self'");
    await first.until(() => first.snapshots.length >= 1);
    await second.until(() => second.snapshots.length >= 1);
    expect(first.snapshots[0]).toMatchObject({
      runId: seeded.run.id,
      unitsByStatus: { completed: 2, assigned: 1, launched: 1 },
    });
    // Nothing changes: no new snapshot, only heartbeats.
    await first.until(() => first.comments >= 2);
    expect(first.snapshots).toHaveLength(1);

    const unit = seeded.completed[0];
    await served.client.post(`/api/units/${unit?.id ?? ''}/actions`, {
      action: 'approve',
      idempotency_key: newKey(),
    });
    await first.until(() => first.snapshots.length >= 2);
    expect(first.snapshots[1]?.unitsByStatus).toMatchObject({ completed: 1, accepted: 1 });
    await h.store.review.recordRunActivity([
      {
        taskRunId: seeded.run.id,
        kind: 'refusal',
        code: 'no_units',
        message: 'nothing left',
        workerName: 'w',
      },
    ]);
    await first.until(() => first.snapshots.length >= 3);
    expect(first.snapshots[2]?.recentRefusals).toMatchObject([{ code: 'no_units', workerName: 'w' }]);
    await second.until(() => second.snapshots.length >= 3);

    expect(served.server.events.openStreams).toBe(2);
    await served.server.close();
    await first.until(() => first.ended);
    await second.until(() => second.ended);
    expect(served.server.events.openStreams).toBe(0);
  });

  it('pushes a snapshot when only the payments ledger changes: a payment reserved, then settled', async () => {
    served = await serveReview(h.store, { monitorPollMs: 250 });
    const seeded = await seedRun(h.store, { units: 2, completed: 1, assigned: 0 });
    const reader = await open(`/api/runs/${seeded.run.id}/monitor/events`);
    await reader.until(() => reader.snapshots.length >= 1);
    expect(reader.snapshots[0]).toMatchObject({
      spend: 0,
      spendDetail: { total: 0, pending: 0, awaitingReview: 0.5, awaitingReviewUnits: 1 },
    });
    const key = `monitor-${seeded.run.id}`;
    await h.store.reservePayments({
      taskRunId: seeded.run.id,
      providerType: 'mock',
      budgetCents: null,
      entries: [{ kind: 'bonus', amountCents: 120, idempotencyKey: key }],
    });
    await reader.until(() => reader.snapshots.at(-1)?.spendDetail?.pending === 1.2);
    expect(reader.snapshots.at(-1)).toMatchObject({ spend: 1.2, spendDetail: { paid: 0, total: 1.2 } });
    await h.store.settlePayments([key], { status: 'paid' });
    await reader.until(() => reader.snapshots.at(-1)?.spendDetail?.paid === 1.2);
    expect(reader.snapshots.at(-1)).toMatchObject({ spend: 1.2, spendDetail: { pending: 0, total: 1.2 } });
  });

  it('a stream closed by the client is released; a missing run is a JSON 404; the token is needed', async () => {
    served = await serveReview(h.store);
    const seeded = await seedRun(h.store);
    const controller = new AbortController();
    const response = await fetch(`${served.server.origin}/api/runs/${seeded.run.id}/monitor/events`, {
      headers: { authorization: `Bearer ${served.server.token}` },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const events = served.server.events;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events.openStreams).toBe(1);
    controller.abort();
    const deadline = Date.now() + 3000;
    while (events.openStreams > 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events.openStreams).toBe(0);
    const missing = await served.client.get('/api/runs/999999999/monitor/events');
    expect(missing.status).toBe(404);
    expect(errorCode(missing)).toBe('MEPHISTO_ERR_TASK_RUN_NOT_FOUND');
    expect(
      (await served.client.get(`/api/runs/${seeded.run.id}/monitor/events`, { authorization: undefined }))
        .status,
    ).toBe(401);
  });
});
