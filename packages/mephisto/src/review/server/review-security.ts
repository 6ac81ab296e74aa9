/**
 * What keeps the review API for the person who started `mephisto review`, and the review app safe
 * with untrusted submissions on screen:
 *
 * - **Token.** 32 random bytes made at start, printed once in the URL's `#token=` fragment (never sent
 *   to a server, never in a Referer); every `/api` request carries it as `Authorization: Bearer`.
 *   Compared in constant time.
 * - **Same site only.** A request whose `Origin` is not this server's own (scheme + the Host it was
 *   sent to), or whose `Sec-Fetch-Site` says another site, is refused (403) before anything else, so a
 *   page elsewhere cannot drive the API through the reviewer's browser. Bound to a loopback address,
 *   the server also refuses a Host that is not a loopback name (DNS rebinding).
 * - **JSON only.** A request with a body must be `application/json` (415 otherwise), which a plain
 *   cross-site form cannot send without a CORS preflight (and no CORS is allowed).
 * - **Headers.** Every response: a CSP that allows scripts from this origin only (no inline script,
 *   no eval), `nosniff`, `no-referrer`, no framing; API responses are not cached.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MephistoError } from '../../core/index.js';
import { REVIEW_API_PREFIX } from '../review-api.js';

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; " +
    "frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
};

/** A fresh session token: 32 random bytes, base64url (43 characters). */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Whether `authorization` is `Bearer <token>`; constant time in the token's content. */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const match = /^Bearer +(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), digest(token));
}

const LOOPBACK_NAMES: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The hostname part of a Host header (`[::1]:8080` → `[::1]`). */
function hostnameOf(hostHeader: string): string {
  const bracket = /^(\[[^\]]+\])(?::\d+)?$/.exec(hostHeader);
  if (bracket?.[1]) return bracket[1];
  return hostHeader.replace(/:\d+$/, '');
}

export interface SecurityOptions {
  readonly token: string;
  /** Refuse Hosts other than loopback names (when bound to a loopback address). */
  readonly loopbackOnly: boolean;
}

function refuse(
  code:
    | 'MEPHISTO_ERR_REVIEW_FORBIDDEN'
    | 'MEPHISTO_ERR_REVIEW_UNAUTHORIZED'
    | 'MEPHISTO_ERR_REVIEW_UNSUPPORTED_MEDIA_TYPE',
  message: string,
): MephistoError {
  return new MephistoError(code, message);
}

/** Why `request` to the API is refused, or null. */
export function apiRefusal(request: FastifyRequest, options: SecurityOptions): MephistoError | null {
  const host = request.headers.host ?? '';
  if (options.loopbackOnly && !isLoopbackHost(hostnameOf(host)))
    return refuse(
      'MEPHISTO_ERR_REVIEW_FORBIDDEN',
      `requests must be addressed to this machine (Host "${host}")`,
    );
  const fetchSite = request.headers['sec-fetch-site'];
  if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none')
    return refuse(
      'MEPHISTO_ERR_REVIEW_FORBIDDEN',
      `cross-site requests are refused (Sec-Fetch-Site: ${fetchSite})`,
    );
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `http://${host}` && origin !== `https://${host}`)
    return refuse('MEPHISTO_ERR_REVIEW_FORBIDDEN', `requests from another origin (${origin}) are refused`);
  if (!bearerMatches(request.headers.authorization, options.token))
    return refuse(
      'MEPHISTO_ERR_REVIEW_UNAUTHORIZED',
      request.headers.authorization === undefined
        ? 'this API needs the session token: Authorization: Bearer <token>'
        : 'the session token is not this server\u2019s (a restarted server has a new one)',
    );
  if (request.method !== 'GET' && request.method !== 'HEAD' && request.method !== 'OPTIONS') {
    const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json')
      return refuse(
        'MEPHISTO_ERR_REVIEW_UNSUPPORTED_MEDIA_TYPE',
        `send the body as application/json (got ${type === '' || type === undefined ? 'no content type' : type})`,
      );
  }
  return null;
}

/**
 * Whether the request is for the API: by the route it matched, or by its path, compared loosely
 * (case, repeated slashes), so no spelling of `/api` slips past the checks, matched or not.
 */
export function isApiRequest(request: FastifyRequest): boolean {
  const isApi = (path: string): boolean =>
    path === REVIEW_API_PREFIX || path.startsWith(`${REVIEW_API_PREFIX}/`);
  const route = request.routeOptions.url;
  if (route !== undefined && isApi(route)) return true;
  return isApi((request.url.split('?')[0] ?? '').replace(/\/{2,}/g, '/').toLowerCase());
}

/**
 * Sets the security headers on every response and checks every `/api` request before its body is
 * read (onRequest): a refusal is thrown to the error handler.
 */
export function installSecurity(app: FastifyInstance, options: SecurityOptions): void {
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    void reply.headers(SECURITY_HEADERS);
    if (!isApiRequest(request)) return;
    void reply.header('Cache-Control', 'no-store');
    const refusal = apiRefusal(request, options);
    if (refusal) {
      if (refusal.code === 'MEPHISTO_ERR_REVIEW_UNAUTHORIZED')
        void reply.header('WWW-Authenticate', 'Bearer');
      throw refusal;
    }
  });
}
