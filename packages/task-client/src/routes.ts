/**
 * The HTTP calls a task page makes before its WebSocket opens, on the same routes as Mephisto's router
 * (spec §6.3). Each helper takes an optional `fetch` and base URL so it runs in a browser, in a test
 * against a real server, or in a simulated worker.
 */
import { MEPHISTO_TASK_VERSION, ROUTES, type RequestAgentBody } from './wire/http.js';
import type { AgentDetailsPacket, AgentRegistration } from './wire/packet.js';

export interface RequestOptions {
  /** Prepended to every route. @default '' (the page's own origin) */
  baseUrl?: string;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** The blueprint's front-end arguments (`task_config.json`); their keys depend on the blueprint. */
export type TaskConfig = Record<string, unknown>;

/** Raised for a non-2xx answer, with the status so callers can tell a timeout (408) from the rest. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly route: string,
    body: string,
  ) {
    super(`${route} answered HTTP ${status}${body ? `: ${body}` : ''}`);
    this.name = 'HttpError';
  }
}

/** Seconds since the epoch, the unit of every packet timestamp. */
export function pythonTime(): number {
  return Date.now() / 1000;
}

/** `GET /task_config.json?mephisto_task_version=…`: the blueprint's arguments for the page. */
export async function getTaskConfig(options: RequestOptions = {}): Promise<TaskConfig> {
  const route = `${ROUTES.taskConfig}?mephisto_task_version=${encodeURIComponent(MEPHISTO_TASK_VERSION)}`;
  return (await send(route, { method: 'GET' }, options)) as TaskConfig;
}

/**
 * `POST /request_agent`: registers the worker and asks for a unit. The answer is the whole
 * `agent_details` packet; the server may hold it while it decides.
 */
export async function requestAgent(
  registration: AgentRegistration,
  options: RequestOptions = {},
): Promise<AgentDetailsPacket> {
  const payload: RequestAgentBody = { provider_data: registration, client_timestamp: pythonTime() };
  const body = JSON.stringify(payload);
  return (await send(
    ROUTES.requestAgent,
    { method: 'POST', headers: { 'Content-Type': 'application/json' }, body },
    options,
  )) as AgentDetailsPacket;
}

async function send(route: string, init: RequestInit, options: RequestOptions): Promise<unknown> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const response = await doFetch(`${options.baseUrl ?? ''}${route}`, init);
  if (!response.ok) throw new HttpError(response.status, route, await response.text());
  return (await response.json()) as unknown;
}
