/**
 * A review server on port 0 over a seeded store, and a small client that calls it the way the review
 * app does (Bearer token, JSON bodies), with ways to break each rule on purpose.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../src/store/store.js';
import { MockProvider } from '../../src/providers/mock/mock-provider.js';
import type { ReviewErrorReply } from '../../src/review/review-api.js';
import {
  startReviewServer,
  type ReviewServer,
  type ReviewServerOptions,
} from '../../src/review/server/review-server.js';
import { reviewServiceWith } from './review-fixtures.js';

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface ApiCall {
  method?: string;
  /** JSON-encoded unless a string. */
  body?: unknown;
  /** Headers to add or (with `undefined`) to leave out: `authorization`, `content-type`. */
  headers?: Record<string, string | undefined>;
}

export class ReviewApiClient {
  constructor(readonly server: ReviewServer) {}

  async call<T = unknown>(path: string, call: ApiCall = {}): Promise<ApiResponse<T>> {
    const method = call.method ?? (call.body === undefined ? 'GET' : 'POST');
    const headers: Record<string, string> = {};
    const defaults: Record<string, string | undefined> = {
      authorization: `Bearer ${this.server.token}`,
      ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...call.headers,
    };
    for (const [name, value] of Object.entries(defaults)) if (value !== undefined) headers[name] = value;
    const response = await fetch(`${this.server.origin}${path}`, {
      method,
      headers,
      ...(call.body === undefined
        ? {}
        : { body: typeof call.body === 'string' ? call.body : JSON.stringify(call.body) }),
    });
    const text = await response.text();
    let body: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('application/json')) body = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: body as T, text };
  }

  get<T>(path: string, headers?: Record<string, string | undefined>): Promise<ApiResponse<T>> {
    return this.call<T>(path, headers ? { headers } : {});
  }

  post<T>(
    path: string,
    body: unknown,
    headers?: Record<string, string | undefined>,
  ): Promise<ApiResponse<T>> {
    return this.call<T>(path, { body, ...(headers ? { headers } : {}) });
  }
}

/** The error code of a refused call (throws when the answer is not an error reply). */
export function errorCode(response: ApiResponse): string {
  const body = response.body as Partial<ReviewErrorReply> | string | null;
  if (typeof body !== 'object' || body === null || body.error === undefined)
    throw new Error(`not an error reply (${response.status}): ${response.text}`);
  return body.error.code;
}

export interface ServedReview {
  server: ReviewServer;
  client: ReviewApiClient;
  provider: MockProvider;
  dataDir: string;
  appDir: string;
  close(): Promise<void>;
}

/** A server with a fake built app (index.html + one asset) and a data directory for uploads. */
export async function serveReview(
  store: Store,
  options: Partial<ReviewServerOptions> & { built?: boolean } = {},
): Promise<ServedReview> {
  const root = await mkdtemp(join(tmpdir(), 'mephisto-review-'));
  const appDir = join(root, 'app');
  const dataDir = join(root, 'data');
  await mkdir(join(appDir, 'assets'), { recursive: true });
  if (options.built !== false) {
    await writeFile(
      join(appDir, 'index.html'),
      '<!doctype html><html><head><script type="module" src="./assets/app.js"></script></head><body>review app</body></html>',
    );
    await writeFile(join(appDir, 'assets', 'app.js'), 'console.log("app");');
  }
  const { service, provider } = reviewServiceWith(store, new MockProvider(), { dataDir });
  const server = await startReviewServer({ service, appDir, monitorPollMs: 250, ...options });
  return {
    server,
    client: new ReviewApiClient(server),
    provider,
    dataDir,
    appDir,
    async close() {
      await server.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** A request with exactly these headers (fetch will not send a forged Host or Origin). */
export function rawRequest(
  origin: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const url = new URL(path, origin);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        setHost: options.headers?.host === undefined,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => {
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}
