/**
 * Every route of REVIEW_ROUTES over real HTTP, with the answers the review app is written against;
 * each kind of bad input with its code; submitted data coming back as JSON data; the download rules.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_BULK_UNITS } from '../../src/review/review-service.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  BulkReviewResult,
  MonitorSnapshot,
  QualificationSummary,
  ReviewActionResult,
  TaskSummary,
  UnitDetail,
  UnitPage,
  WorkerDetail,
} from '../../src/review/review-api.js';
import { STORE_TARGETS, useStore } from '../store/store-targets.js';
import { errorCode, rawRequest, serveReview, type ServedReview } from './review-api-client.js';
import { newKey, seedRun, type SeededRun } from './review-fixtures.js';

const SQLITE = STORE_TARGETS.find((t) => t.name === 'sqlite-file');
if (!SQLITE) throw new Error('no sqlite-file target');

const EVIL = '<script>alert("x")</script>';
const STORED_NAME = '1767225600000-0123456789abcdef-upload-notes.txt';

describe('review API routes [sqlite-file]', () => {
  const h = useStore(SQLITE);
  let served: ServedReview;
  let seeded: SeededRun;
  beforeEach(async () => {
    seeded = await seedRun(h.store, {
      units: 12,
      completed: 6,
      assigned: 2,
      providerArgs: { budget_in_dollars: 20 },
      data: (i) => ({
        answer: EVIL,
        index: i,
        files: i === 0 ? [{ filename: STORED_NAME, originalname: '<b>notes</b>.txt', size: 5 }] : [],
      }),
    });
    served = await serveReview(h.store);
  });
  afterEach(async () => {
    await served.close();
  });

  const unit = (i: number) => {
    const u = seeded.completed[i];
    if (!u) throw new Error(`no completed unit ${i}`);
    return u;
  };

  it('GET /api/tasks lists tasks with their runs, counts and spend from the payments ledger', async () => {
    const c = served.client;
    const path = `/api/units/${unit(0).id}/actions`;
    expect((await c.post(path, { action: 'approve', idempotency_key: newKey() })).status).toBe(200);
    await c.post(path, { action: 'bonus', amount: 1, reason: 'good', idempotency_key: newKey() });
    // Refused by the provider: recorded as failed in the ledger, not spend.
    served.provider.failNext('payBonus', new Error('insufficient funds'));
    await c.post(path, { action: 'bonus', amount: 2, reason: 'more', idempotency_key: newKey() });
    const response = await c.get<TaskSummary[]>('/api/tasks');
    expect(response.status).toBe(200);
    const task = response.body.find((t) => t.name === seeded.taskName);
    expect(task).toMatchObject({ taskType: 'static_task' });
    expect(task?.runs).toEqual([
      {
        id: seeded.run.id,
        taskId: seeded.run.taskId,
        created: seeded.run.creationDate.toISOString(),
        ended: false,
        unitsByStatus: { launched: 4, assigned: 2, completed: 5, accepted: 1 },
        spend: 1.5,
        spendDetail: {
          paid: 1.5,
          pending: 0,
          owed: 0,
          rewards: 0.5,
          bonuses: 1,
          fees: 0,
          total: 1.5,
          budget: 20,
          awaitingReview: 2.5,
          awaitingReviewUnits: 5,
        },
      },
    ]);
  });

  it('GET /api/runs/:runId/units pages with a cursor and filters; bad queries are 400', async () => {
    const c = served.client;
    const base = `/api/runs/${seeded.run.id}/units`;
    const first = await c.get<UnitPage>(`${base}?limit=5`);
    expect(first.status).toBe(200);
    expect(first.body.total).toBe(12);
    expect(first.body.units).toHaveLength(5);
    const second = await c.get<UnitPage>(`${base}?limit=5&cursor=${first.body.nextCursor ?? ''}`);
    const third = await c.get<UnitPage>(`${base}?limit=5&cursor=${second.body.nextCursor ?? ''}`);
    expect(third.body.nextCursor).toBeNull();
    expect([...first.body.units, ...second.body.units, ...third.body.units].map((u) => u.unitId)).toEqual(
      seeded.units.map((u) => u.id),
    );
    expect((await c.get<UnitPage>(`${base}?status=completed,assigned`)).body.total).toBe(8);
    expect((await c.get<UnitPage>(`${base}?status=completed&status=launched`)).body.total).toBe(10);
    const worker = seeded.workers[1];
    expect(
      (await c.get<UnitPage>(`${base}?worker_id=${worker?.id ?? ''}`)).body.units.every(
        (u) => u.workerId === worker?.id,
      ),
    ).toBe(true);
    expect(
      (await c.get<UnitPage>(`${base}?q=${encodeURIComponent(worker?.name ?? '')}`)).body.total,
    ).toBeGreaterThan(0);
    for (const bad of [
      'limit=0',
      'limit=501',
      'limit=abc',
      'status=done',
      'cursor=zzz',
      'worker_id=abc',
      'other=1',
    ]) {
      const response = await c.get(`${base}?${bad}`);
      expect(response.status, bad).toBe(400);
      expect(errorCode(response)).toBe('MEPHISTO_ERR_REVIEW_INVALID_REQUEST');
    }
    expect(errorCode(await c.get('/api/runs/abc/units'))).toBe('MEPHISTO_ERR_REVIEW_INVALID_REQUEST');
    const missing = await c.get('/api/runs/999999999/units');
    expect(missing.status).toBe(404);
    expect(errorCode(missing)).toBe('MEPHISTO_ERR_TASK_RUN_NOT_FOUND');
  });

  it('GET /api/units/:unitId returns untrusted data as JSON data, never as markup', async () => {
    const response = await served.client.get<UnitDetail>(`/api/units/${unit(0).id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.body.submission).toMatchObject({ answer: EVIL, index: 0 });
    expect(typeof (response.body.submission as { answer: unknown }).answer).toBe('string');
    expect(response.body.inputData).toEqual({ item: 0 });
    expect(response.body.files).toEqual([
      { name: '<b>notes</b>.txt', size: 5, url: `/api/units/${unit(0).id}/files/${STORED_NAME}` },
    ]);
    expect(response.body.history).toEqual([]);
    expect(response.body).toMatchObject({ unitId: unit(0).id, status: 'completed', runId: seeded.run.id });
    expect((await served.client.get(`/api/units/999999999`)).status).toBe(404);
    expect(errorCode(await served.client.get('/api/units/12x'))).toBe('MEPHISTO_ERR_REVIEW_INVALID_REQUEST');
  });

  it('POST /api/units/:unitId/actions: each action, a retry with the key, refusals and bad bodies', async () => {
    const c = served.client;
    const path = (i: number) => `/api/units/${unit(i).id}/actions`;
    const key = newKey();
    const approved = await c.post<ReviewActionResult>(path(0), {
      action: 'approve',
      feedback: 'good',
      idempotency_key: key,
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      applied: true,
      unit: { status: 'accepted', review: { status: 'accepted', feedback: 'good' } },
    });
    expect(approved.body.provider).toEqual({ state: 'done', message: null });
    const retry = await c.post<ReviewActionResult>(path(0), {
      action: 'approve',
      feedback: 'good',
      idempotency_key: key,
    });
    expect(retry.body).toMatchObject({ applied: false, unit: { status: 'accepted' } });
    const rejected = await c.post<ReviewActionResult>(path(1), {
      action: 'reject',
      feedback: 'spam',
      idempotency_key: newKey(),
    });
    expect(rejected.body.unit.status).toBe('rejected');
    const soft = await c.post<ReviewActionResult>(path(2), {
      action: 'soft_reject',
      idempotency_key: newKey(),
    });
    expect(soft.body.unit.status).toBe('soft_rejected');
    const bonus = await c.post<ReviewActionResult>(path(0), {
      action: 'bonus',
      amount: 1.5,
      reason: 'great',
      idempotency_key: newKey(),
    });
    expect(bonus.body.unit.review.bonus).toBe(1.5);
    expect(served.provider.reviewCalls.map((call) => call.duty)).toEqual([
      'approveWork',
      'rejectWork',
      'approveWork',
      'payBonus',
    ]);

    const conflict = await c.post(path(0), { action: 'reject', feedback: 'no', idempotency_key: newKey() });
    expect(conflict.status).toBe(409);
    expect(errorCode(conflict)).toBe('MEPHISTO_ERR_REVIEW_CONFLICT');
    const launched = seeded.units.find((u) => u.status === 'launched');
    const notSubmitted = await c.post(`/api/units/${launched?.id ?? ''}/actions`, {
      action: 'approve',
      idempotency_key: newKey(),
    });
    expect(notSubmitted.status).toBe(409);
    expect(errorCode(notSubmitted)).toBe('MEPHISTO_ERR_REVIEW_NOT_SUBMITTED');
    const reused = await c.post(path(0), { action: 'approve', feedback: 'other', idempotency_key: key });
    expect(reused.status).toBe(409);
    expect(errorCode(reused)).toBe('MEPHISTO_ERR_REVIEW_KEY_REUSED');
    const missing = await c.post('/api/units/999999999/actions', {
      action: 'approve',
      idempotency_key: newKey(),
    });
    expect(missing.status).toBe(404);

    const bad: unknown[] = [
      { action: 'approve' },
      { action: 'approve', idempotency_key: 'short' },
      { action: 'approve', idempotency_key: 'has spaces in it' },
      { action: 'delete', idempotency_key: newKey() },
      { action: 'reject', idempotency_key: newKey() },
      { action: 'reject', feedback: '   ', idempotency_key: newKey() },
      { action: 'bonus', amount: -1, reason: 'r', idempotency_key: newKey() },
      { action: 'bonus', amount: 0, reason: 'r', idempotency_key: newKey() },
      { action: 'bonus', amount: 0.123, reason: 'r', idempotency_key: newKey() },
      { action: 'bonus', amount: '1', reason: 'r', idempotency_key: newKey() },
      { action: 'bonus', amount: 1, idempotency_key: newKey() },
      { action: 'bonus', amount: 5000, reason: 'too much', idempotency_key: newKey() },
      { action: 'approve', idempotency_key: newKey(), ammount: 1 },
      [],
      'approve',
      null,
    ];
    for (const body of bad) {
      const response = await c.post(path(3), body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(errorCode(response)).toBe('MEPHISTO_ERR_REVIEW_INVALID_REQUEST');
    }
    expect((await h.store.getUnit(unit(3).id)).status).toBe('completed');
  });

  it('POST /api/units/bulk-actions applies per unit; a retry applies nothing more; bad bodies are 400', async () => {
    const c = served.client;
    const ids = [unit(0).id, unit(1).id, unit(2).id, seeded.assigned[0]?.id ?? ''];
    const request = { action: 'approve', unit_ids: ids, idempotency_key: newKey() };
    const first = await c.post<BulkReviewResult>('/api/units/bulk-actions', request);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ applied: 3, skipped: 0 });
    expect(first.body.failed).toEqual([
      { unitId: ids[3], code: 'MEPHISTO_ERR_REVIEW_NOT_SUBMITTED', message: expect.any(String) as string },
    ]);
    const again = await c.post<BulkReviewResult>('/api/units/bulk-actions', request);
    expect(again.body).toEqual({ applied: 0, skipped: 3, failed: first.body.failed });
    const bonus = await c.post<BulkReviewResult>('/api/units/bulk-actions', {
      action: 'bonus',
      amount: 0.1,
      reason: 'all',
      unit_ids: [unit(0).id, unit(4).id],
      idempotency_key: newKey(),
    });
    expect(bonus.body).toMatchObject({ applied: 2 });
    for (const body of [
      { action: 'approve', unit_ids: [], idempotency_key: newKey() },
      { action: 'approve', unit_ids: ['x'], idempotency_key: newKey() },
      {
        action: 'approve',
        unit_ids: Array.from({ length: MAX_BULK_UNITS + 1 }, (_, i) => String(1_000_000 + i)),
        idempotency_key: newKey(),
      },
      { action: 'approve', idempotency_key: newKey() },
      { action: 'reject', unit_ids: [unit(5).id], idempotency_key: newKey() },
    ]) {
      const response = await c.post('/api/units/bulk-actions', body);
      expect(response.status).toBe(400);
      expect(errorCode(response)).toBe('MEPHISTO_ERR_REVIEW_INVALID_REQUEST');
    }
  });

  it('workers: detail across tasks, block and unblock (idempotent), bad bodies', async () => {
    const c = served.client;
    const worker = seeded.workers[0];
    if (!worker) throw new Error('seed');
    const detail = await c.get<WorkerDetail>(`/api/workers/${worker.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      id: worker.id,
      name: worker.name,
      providerType: 'mock',
      blocked: false,
      blockReason: null,
    });
    expect(detail.body.units.length).toBeGreaterThan(0);
    expect(detail.body.units[0]).toMatchObject({ taskName: seeded.taskName });
    const key = newKey();
    const blocked = await c.post<WorkerDetail>(`/api/workers/${worker.id}/block`, {
      reason: 'spam',
      idempotency_key: key,
    });
    expect(blocked.body).toMatchObject({ blocked: true, blockReason: 'spam' });
    expect(
      (
        await c.post<WorkerDetail>(`/api/workers/${worker.id}/block`, {
          reason: 'spam',
          idempotency_key: key,
        })
      ).status,
    ).toBe(200);
    expect(served.provider.reviewCalls.filter((call) => call.duty === 'blockWorker')).toHaveLength(1);
    const unblocked = await c.post<WorkerDetail>(`/api/workers/${worker.id}/unblock`, {
      idempotency_key: newKey(),
    });
    expect(unblocked.body.blocked).toBe(false);
    expect(errorCode(await c.post(`/api/workers/${worker.id}/block`, { idempotency_key: newKey() }))).toBe(
      'MEPHISTO_ERR_REVIEW_INVALID_REQUEST',
    );
    expect(
      errorCode(await c.post(`/api/workers/${worker.id}/block`, { reason: '', idempotency_key: newKey() })),
    ).toBe('MEPHISTO_ERR_REVIEW_INVALID_REQUEST');
    expect(errorCode(await c.post(`/api/workers/${worker.id}/unblock`, {}))).toBe(
      'MEPHISTO_ERR_REVIEW_INVALID_REQUEST',
    );
    expect(errorCode(await c.get('/api/workers/999999999'))).toBe('MEPHISTO_ERR_WORKER_NOT_FOUND');
    expect(
      errorCode(await c.post('/api/workers/999999999/block', { reason: 'x', idempotency_key: newKey() })),
    ).toBe('MEPHISTO_ERR_WORKER_NOT_FOUND');
  });

  it('qualifications: create (201, then 200), list, grant and revoke; bad bodies', async () => {
    const c = served.client;
    const worker = seeded.workers[0];
    if (!worker) throw new Error('seed');
    const created = await c.post<QualificationSummary>('/api/qualifications', {
      name: 'trusted',
      description: 'good work',
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ name: 'trusted', description: 'good work', granted: 0 });
    expect((await c.post('/api/qualifications', { name: 'trusted' })).status).toBe(200);
    expect((await c.post('/api/qualifications', { name: 'trusted', description: 'else' })).status).toBe(409);
    const granted = await c.post<QualificationSummary>('/api/qualifications/trusted/grant', {
      worker_id: worker.id,
      value: 2,
      idempotency_key: newKey(),
    });
    expect(granted.body.granted).toBe(1);
    expect((await c.get<QualificationSummary[]>('/api/qualifications')).body).toEqual([
      { name: 'trusted', description: 'good work', granted: 1 },
    ]);
    expect((await c.get<WorkerDetail>(`/api/workers/${worker.id}`)).body.qualifications).toEqual([
      { name: 'trusted', value: 2 },
    ]);
    const revoked = await c.post<QualificationSummary>('/api/qualifications/trusted/revoke', {
      worker_id: worker.id,
      idempotency_key: newKey(),
    });
    expect(revoked.body.granted).toBe(0);
    expect(
      errorCode(
        await c.post('/api/qualifications/nope/grant', { worker_id: worker.id, idempotency_key: newKey() }),
      ),
    ).toBe('MEPHISTO_ERR_QUALIFICATION_NOT_FOUND');
    for (const [path, body] of [
      ['/api/qualifications', {}],
      ['/api/qualifications', { name: '' }],
      ['/api/qualifications', { name: 'x', extra: 1 }],
      ['/api/qualifications/trusted/grant', { worker_id: worker.id }],
      ['/api/qualifications/trusted/grant', { worker_id: worker.id, value: 1.5, idempotency_key: newKey() }],
      ['/api/qualifications/trusted/revoke', { idempotency_key: newKey() }],
    ] as const) {
      const response = await c.post(path, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(errorCode(response)).toBe('MEPHISTO_ERR_REVIEW_INVALID_REQUEST');
    }
  });

  it('GET /api/runs/:runId/monitor gives the snapshot', async () => {
    const response = await served.client.get<MonitorSnapshot>(`/api/runs/${seeded.run.id}/monitor`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      runId: seeded.run.id,
      taskName: seeded.taskName,
      unitsByStatus: { launched: 4, assigned: 2, completed: 6 },
      activeWorkers: 2,
      // Nothing reviewed yet: nothing spent; the submitted work is only an estimate beside it.
      spend: 0,
      spendDetail: {
        paid: 0,
        pending: 0,
        owed: 0,
        rewards: 0,
        bonuses: 0,
        fees: 0,
        total: 0,
        budget: 20,
        awaitingReview: 3,
        awaitingReviewUnits: 6,
      },
      recentErrors: [],
      recentRefusals: [],
    });
    expect(errorCode(await served.client.get('/api/runs/999999999/monitor'))).toBe(
      'MEPHISTO_ERR_TASK_RUN_NOT_FOUND',
    );
  });

  it('file downloads: only files the submission records, as nosniff attachments from the run\u2019s uploads', async () => {
    const c = served.client;
    const uploads = join(served.dataDir, 'runs', seeded.run.id, 'uploads');
    await mkdir(uploads, { recursive: true });
    await writeFile(join(uploads, STORED_NAME), '<html><script>alert(1)</script></html>');
    await writeFile(join(uploads, 'not-recorded.txt'), 'secret');
    const path = `/api/units/${unit(0).id}/files/${STORED_NAME}`;
    const ok = await c.get(path);
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('<html><script>alert(1)</script></html>');
    expect(ok.headers.get('content-disposition')).toBe(`attachment; filename="${STORED_NAME}"`);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
    expect(ok.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect((await c.get(path, { authorization: undefined })).status).toBe(401);
    for (const other of [
      `/api/units/${unit(0).id}/files/not-recorded.txt`,
      `/api/units/${unit(1).id}/files/${STORED_NAME}`,
      `/api/units/${unit(0).id}/files/..%2F..%2Fdatabase.db`,
      `/api/units/${unit(0).id}/files/.hidden`,
    ]) {
      const response = await c.get(other);
      expect(response.status, other).toBe(404);
      expect(errorCode(response)).toBe('MEPHISTO_ERR_REVIEW_FILE_NOT_FOUND');
    }
    const traversal = await rawRequest(
      c.server.origin,
      `/api/units/${unit(0).id}/files/../../../etc/passwd`,
      {
        headers: { authorization: `Bearer ${c.server.token}` },
      },
    );
    expect(traversal.status).toBe(404);
    expect(traversal.text).not.toContain('root:');
    // Recorded but gone from disk.
    const { rm } = await import('node:fs/promises');
    await rm(join(uploads, STORED_NAME));
    expect(errorCode(await c.get(path))).toBe('MEPHISTO_ERR_REVIEW_FILE_NOT_FOUND');
  });
});
