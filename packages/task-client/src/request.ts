/**
 * The HTTP layer under every route helper: `fetch` in place of mephisto-task's axios instance, with the
 * same two behaviours pages rely on. The provider wrapper's `getProviderURLParams` is merged into the
 * query of every request, and an answer is parsed as JSON when it is JSON (else returned as text).
 * Every failure rejects with a {@link TaskServerError} carrying the server's code and message.
 */
import { providerURLParams } from './provider-wrapper.js';
import { TaskServerError } from './task-server-error.js';

/** mephisto-ts addition, for tests and simulated workers; a page needs none of it. */
export interface RequestOptions {
  /** Prepended to relative routes. @default '' (the page's own origin) */
  baseUrl?: string;
  /** @default globalThis.fetch, read at call time */
  fetch?: typeof fetch;
}

/** Query parameters; null and undefined are left out, arrays repeat as `key[]`, objects become JSON. */
export type QueryParams = Record<string, unknown>;

/** `POST url` with `data` as JSON; resolves with the parsed answer. */
export function postData(url = '', data: unknown = {}, options: RequestOptions = {}): Promise<unknown> {
  return send(
    url,
    { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(data) },
    {},
    options,
  );
}

/**
 * `POST url` with `formData` as `multipart/form-data` (mephisto-core's `postMultipartData`). The
 * Content-Type header is left to `fetch`, which adds the boundary.
 */
export function postMultipartData(
  url: string,
  formData: FormData,
  options: RequestOptions = {},
): Promise<unknown> {
  return send(url, { method: 'POST', body: formData }, {}, options);
}

/** `GET url?params`; resolves with the parsed answer. */
export function getData(
  url: string,
  params: QueryParams = {},
  options: RequestOptions = {},
): Promise<unknown> {
  return send(url, { method: 'GET' }, params, options);
}

async function send(
  url: string,
  init: RequestInit,
  params: QueryParams,
  options: RequestOptions,
): Promise<unknown> {
  const target = withQuery(resolveUrl(url, options.baseUrl), { ...params, ...providerURLParams() });
  const route = routeOf(url);
  const doFetch = options.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await doFetch(target, init);
  } catch (error) {
    throw TaskServerError.unreachable(route, error);
  }
  let body: string;
  try {
    body = await response.text();
  } catch (error) {
    throw TaskServerError.unreachable(route, error);
  }
  if (!response.ok) throw TaskServerError.fromReply(route, response.status, body);
  return parseBody(body);
}

/** JSON when the body is JSON, else the text itself (as axios' default response transform). */
function parseBody(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

function resolveUrl(url: string, baseUrl: string | undefined): string {
  if (baseUrl === undefined || /^[a-z][a-z\d+.-]*:/i.test(url)) return url;
  return `${baseUrl}${url}`;
}

/** The path of `url` without origin, query or fragment, to name the route in errors. */
function routeOf(url: string): string {
  const path = url.replace(/^[a-z][a-z\d+.-]*:\/\/[^/]*/i, '');
  return path.split(/[?#]/)[0] ?? path;
}

/** `url` with `params` appended to its query (its fragment dropped, as axios does). */
export function withQuery(url: string, params: QueryParams): string {
  const pairs: string[] = [];
  const add = (key: string, value: unknown): void => {
    pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(queryValue(value))}`);
  };
  for (const [key, value] of Object.entries(params)) {
    if (value === null || value === undefined) continue;
    if (Array.isArray(value)) {
      for (const item of value as unknown[]) if (item !== null && item !== undefined) add(`${key}[]`, item);
    } else {
      add(key, value);
    }
  }
  const base = url.split('#')[0] ?? url;
  if (pairs.length === 0) return base;
  return `${base}${base.includes('?') ? '&' : '?'}${pairs.join('&')}`;
}

function queryValue(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return value.toString();
    case 'function':
    case 'symbol':
    case 'undefined':
      return '';
    default:
      return JSON.stringify(value);
  }
}
