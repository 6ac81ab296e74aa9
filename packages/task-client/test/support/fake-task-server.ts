/**
 * A task server behind a fake `fetch`: routes answer from handlers the test sets, and every request is
 * recorded with its parsed body, so a test can check what the page sent as well as drive what it got.
 */
import { vi } from 'vitest';
import type { AgentDetailsData, AgentDetailsPacket } from '../../src/wire/index.js';

export interface RecordedRequest {
  method: string;
  url: URL;
  headers: Headers;
  /** Parsed JSON, the FormData of a multipart body, or undefined. */
  body: unknown;
}

type Handler = (request: RecordedRequest) => Response | Promise<Response>;

export function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), { status, headers: { 'Content-Type': 'application/json' } });
}

export function agentDetails(data: Partial<AgentDetailsData>): AgentDetailsPacket {
  return {
    packet_type: 'agent_details',
    subject_id: 'request-1',
    data: { request_id: 'request-1', worker_id: null, agent_id: null, ...data },
  };
}

export class FakeTaskServer {
  readonly requests: RecordedRequest[] = [];
  private readonly handlers = new Map<string, Handler>();

  constructor() {
    this.on('GET', '/task_config.json', () => json({ task_title: 'T', mephisto_task_version: '2.0.4' }));
    this.on('POST', '/submit_task', () => json({ status: 'Submitted!' }));
    this.on('POST', '/submit_metadata', () => json({ status: 'Submitted metadata' }));
    this.on('POST', '/log_error', () => json({ status: 'Error log sent!' }));
  }

  /** Answers `method path` with `handler` (replacing any earlier one). */
  on(method: string, path: string, handler: Handler): this {
    this.handlers.set(`${method} ${path}`, handler);
    return this;
  }

  /** The requests made to `path`. */
  to(path: string): RecordedRequest[] {
    return this.requests.filter((request) => request.url.pathname === path);
  }

  readonly fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input), 'http://localhost:3000');
    const method = init.method ?? 'GET';
    const body =
      typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : (init.body ?? undefined);
    const request: RecordedRequest = { method, url, headers: new Headers(init.headers), body };
    this.requests.push(request);
    const handler = this.handlers.get(`${method} ${url.pathname}`);
    if (!handler) {
      return json({ error: { code: 'MEPHISTO_ERR_ROUTE_NOT_FOUND', message: `no route ${method}` } }, 404);
    }
    return handler(request);
  };

  /** Makes this server the page's `fetch` until `vi.unstubAllGlobals()`. */
  install(): this {
    vi.stubGlobal('fetch', this.fetch);
    return this;
  }
}
