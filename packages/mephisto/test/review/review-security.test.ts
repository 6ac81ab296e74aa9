/**
 * The review server's defences, over real HTTP: the session token, same-origin only (Origin,
 * Sec-Fetch-Site, Host), JSON bodies only, security headers on every answer, the built app (or the
 * not-built page) at `/`, and the separation from the worker-facing task server.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { NOT_BUILT_PAGE } from '../../src/review/server/review-app-static.js';
import { exposureWarning } from '../../src/review/server/review-server.js';
import { bearerMatches, newSessionToken } from '../../src/review/server/review-security.js';
import { STORE_TARGETS, useStore } from '../store/store-targets.js';
import { errorCode, rawRequest, serveReview, type ServedReview } from './review-api-client.js';
import { newKey, seedRun } from './review-fixtures.js';

const SQLITE = STORE_TARGETS.find((t) => t.name === 'sqlite-memory');
if (!SQLITE) throw new Error('no sqlite-memory target');

describe('review server security [sqlite-memory]', () => {
  const h = useStore(SQLITE);
  let served: ServedReview | undefined;
  afterEach(async () => {
    await served?.close();
    served = undefined;
  });

  async function serve(options: Parameters<typeof serveReview>[1] = {}): Promise<ServedReview> {
    served = await serveReview(h.store, options);
    return served;
  }

  it('binds 127.0.0.1 and prints a URL with the token in its fragment', async () => {
    const { server } = await serve();
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).toBe(`${server.origin}/#token=${server.token}`);
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newSessionToken()).not.toBe(server.token);
  });

  it('warns about any address other machines may reach', () => {
    expect(exposureWarning('127.0.0.1')).toBeNull();
    expect(exposureWarning('localhost')).toBeNull();
    expect(exposureWarning('::1')).toBeNull();
    expect(exposureWarning('0.0.0.0')).toMatch(/^WARNING: .*0\.0\.0\.0/);
    expect(exposureWarning('192.168.1.5')).toMatch(/WARNING/);
  });

  it('needs the session token: none or another → 401 with WWW-Authenticate', async () => {
    const { client } = await serve();
    const none = await client.get('/api/tasks', { authorization: undefined });
    expect(none.status).toBe(401);
    expect(errorCode(none)).toBe('MEPHISTO_ERR_REVIEW_UNAUTHORIZED');
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    const wrong = await client.get('/api/tasks', { authorization: `Bearer ${newSessionToken()}` });
    expect(wrong.status).toBe(401);
    expect((await client.get('/api/tasks', { authorization: 'Basic abc' })).status).toBe(401);
    expect((await client.get('/api/tasks')).status).toBe(200);
    // Unknown API routes too: nothing under /api answers without the token.
    expect((await client.get('/api/nothing', { authorization: undefined })).status).toBe(401);
    expect(bearerMatches(`bearer ${client.server.token}`, client.server.token)).toBe(true);
  });

  it('refuses other origins, cross-site fetches and foreign Hosts (403), before reading anything', async () => {
    const { server } = await serve();
    const host = new URL(server.origin).host;
    const auth = { authorization: `Bearer ${server.token}` };
    const get = (headers: Record<string, string>) =>
      rawRequest(server.origin, '/api/tasks', { headers: { ...auth, ...headers } });
    const evil = await get({ origin: 'http://evil.example' });
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.text)).toMatchObject({ error: { code: 'MEPHISTO_ERR_REVIEW_FORBIDDEN' } });
    expect((await get({ origin: 'null' })).status).toBe(403);
    expect((await get({ origin: `http://localhost:1` })).status).toBe(403);
    expect((await get({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await get({ 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect((await get({ host: `evil.example:${new URL(server.origin).port}` })).status).toBe(403);
    // Its own origin, as a browser sends it, is fine.
    expect((await get({ origin: `http://${host}`, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await get({ host: `localhost:${new URL(server.origin).port}` })).status).toBe(200);
    // A cross-site POST is refused even with the token and JSON.
    const seeded = await seedRun(h.store);
    const unit = seeded.completed[0];
    const post = await rawRequest(server.origin, `/api/units/${unit?.id ?? ''}/actions`, {
      method: 'POST',
      headers: { ...auth, origin: 'http://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'approve', idempotency_key: newKey() }),
    });
    expect(post.status).toBe(403);
    expect((await h.store.getUnit(unit?.id ?? '')).status).toBe('completed');
  });

  it('takes bodies as application/json only (415), and answers bad JSON and oversized bodies', async () => {
    const { client } = await serve();
    const seeded = await seedRun(h.store);
    const path = `/api/units/${seeded.completed[0]?.id ?? ''}/actions`;
    const body = JSON.stringify({ action: 'approve', idempotency_key: newKey() });
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const response = await client.call(path, { body, headers: { 'content-type': type } });
      expect(response.status, type).toBe(415);
      expect(errorCode(response)).toBe('MEPHISTO_ERR_REVIEW_UNSUPPORTED_MEDIA_TYPE');
    }
    const noType = await client.call(path, { method: 'POST', headers: { 'content-type': undefined } });
    expect(noType.status).toBe(415);
    const bad = await client.call(path, { body: '{"action": ', headers: {} });
    expect(bad.status).toBe(400);
    expect(errorCode(bad)).toBe('MEPHISTO_ERR_REVIEW_INVALID_REQUEST');
    const empty = await client.call(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    expect(empty.status).toBe(400);
    const huge = await client.call(path, {
      body: JSON.stringify({ action: 'approve', feedback: 'x'.repeat(1_100_000) }),
    });
    expect(huge.status).toBe(413);
    expect(errorCode(huge)).toBe('MEPHISTO_ERR_REVIEW_BODY_TOO_LARGE');
    expect(
      (await client.call(path, { body, headers: { 'content-type': 'application/json; charset=utf-8' } }))
        .status,
    ).toBe(200);
  });

  it('sends the security headers on API answers, the app, errors and the not-found page', async () => {
    const { client } = await serve();
    for (const [path, auth] of [
      ['/api/tasks', true],
      ['/api/tasks', false],
      ['/', false],
      ['/assets/app.js', false],
      ['/nothing.js', false],
    ] as const) {
      const response = await client.get(path, auth ? {} : { authorization: undefined });
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-eval');
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    }
    const api = await client.get('/api/tasks');
    expect(api.headers.get('cache-control')).toBe('no-store');
    expect(api.headers.get('content-type')).toMatch(/^application\/json/);
    expect(api.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves the built app at / (and its own routes), or a plain page saying how to build it', async () => {
    const { client } = await serve();
    const index = await client.get('/', { authorization: undefined });
    expect(index.status).toBe(200);
    expect(index.text).toContain('review app');
    expect((await client.get('/runs/123', { authorization: undefined })).text).toContain('review app');
    expect((await client.get('/assets/app.js', { authorization: undefined })).text).toContain('console.log');
    expect((await client.get('/missing.js', { authorization: undefined })).status).toBe(404);
    const route = await client.get('/api/nothing');
    expect(route.status).toBe(404);
    expect(errorCode(route)).toBe('MEPHISTO_ERR_REVIEW_ROUTE_NOT_FOUND');
    await served?.close();

    const bare = await serve({ built: false });
    const page = await bare.client.get('/', { authorization: undefined });
    expect(page.status).toBe(200);
    expect(page.text).toBe(NOT_BUILT_PAGE);
    expect(page.text).not.toContain('<script');
    expect((await bare.client.get('/api/tasks')).status).toBe(200);
  });

  it('keeps the worker-facing task server apart: nothing under src/server imports src/review', async () => {
    const serverDir = fileURLToPath(new URL('../../src/server/', import.meta.url));
    const files = (await readdir(serverDir, { recursive: true })).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const text = await readFile(join(serverDir, file), 'utf8');
      expect(text, file).not.toMatch(/from '[^']*\/review\//);
    }
  });
});
