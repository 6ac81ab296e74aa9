/**
 * The review server (`mephisto review`): the review and monitor API and the built review app, on its
 * own Fastify app and port. It shares nothing with the worker-facing task server (src/server): the
 * two never run in one app, and nothing under src/server imports this folder, so no worker route can
 * reach review data.
 *
 * Binds 127.0.0.1 unless told otherwise; any other address is reported through `warn` (the CLI
 * prints it loudly). The printed URL carries the session token in its fragment: `…/#token=…`.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { RunMonitorHub } from '../run-monitor-hub.js';
import { ReviewListenError } from '../review-errors.js';
import type { ReviewService } from '../review-service.js';
import { closeStreamsOnShutdown, MonitorEvents } from './monitor-events.js';
import { defaultReviewAppDir, registerReviewApp } from './review-app-static.js';
import { installReviewErrorHandling } from './review-error-handler.js';
import { reviewRoutes } from './review-routes.js';
import { installSecurity, isLoopbackHost, newSessionToken } from './review-security.js';

export const DEFAULT_REVIEW_HOST = '127.0.0.1';
/** Request bodies above this are refused (a bulk action of 1,000 units is ~30 KB). */
export const REVIEW_BODY_LIMIT = 1024 * 1024;

export interface ReviewServerOptions {
  readonly service: ReviewService;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default a fresh random token */
  readonly token?: string;
  /** The built review app. @default packages/review-app/dist */
  readonly appDir?: string;
  readonly logger?: Logger;
  /** How often each watched run is checked for changes. @default 1000 (at least 250) */
  readonly monitorPollMs?: number;
  /** Comment lines on open monitor streams. @default 15000 */
  readonly heartbeatMs?: number;
  /** Told when the server binds an address other machines may reach. */
  readonly warn?: (message: string) => void;
  /**
   * Deliver provider calls a crash left pending, once listening.
   * @default true
   */
  readonly resumePending?: boolean;
}

export interface ReviewServer {
  readonly app: FastifyInstance;
  readonly token: string;
  /** `http://host:port` as a browser on this machine reaches it. */
  readonly origin: string;
  /** The origin plus `/#token=…`: what to open. */
  readonly url: string;
  readonly events: MonitorEvents;
  /** Ends monitor streams, stops listening. Idempotent. Does not close the store. */
  close(): Promise<void>;
}

/** The warning for a non-loopback address, or null. */
export function exposureWarning(host: string): string | null {
  if (isLoopbackHost(host)) return null;
  return (
    `WARNING: the review server listens on ${host}, which other machines may reach. Anyone who gets the ` +
    'URL with its token can approve, reject, pay bonuses and block workers. Prefer the default 127.0.0.1 ' +
    '(reach it from elsewhere through an SSH tunnel), and never expose it without TLS in front.'
  );
}

export async function startReviewServer(options: ReviewServerOptions): Promise<ReviewServer> {
  const host = options.host ?? DEFAULT_REVIEW_HOST;
  const port = options.port ?? 0;
  const token = options.token ?? newSessionToken();
  const logger = options.logger ?? pino({ level: 'silent' });
  const loggerInstance: FastifyBaseLogger = logger;
  const app: FastifyInstance = Fastify({
    loggerInstance,
    bodyLimit: REVIEW_BODY_LIMIT,
    // One line per refusal or failure (review-error-handler.ts) instead of two per request.
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: true,
  });
  const hub = new RunMonitorHub(
    options.service.store,
    options.service.store.clock,
    logger,
    options.monitorPollMs,
  );
  const events = new MonitorEvents({
    store: options.service.store,
    hub,
    ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
  });
  installSecurity(app, { token, loopbackOnly: isLoopbackHost(host) });
  const otherwise = await registerReviewApp(app, options.appDir ?? defaultReviewAppDir());
  installReviewErrorHandling(app, otherwise);
  closeStreamsOnShutdown(app, events);
  app.addHook('onClose', async () => {
    await hub.close();
  });
  reviewRoutes(app, options.service, events);

  const warning = exposureWarning(host);
  if (warning !== null) {
    logger.warn({ host }, warning);
    options.warn?.(warning);
  }
  try {
    await app.listen({ host, port });
  } catch (error) {
    await app.close().catch(() => undefined);
    throw new ReviewListenError(host, port, error);
  }
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  const origin = `http://${displayHost(host)}:${boundPort}`;
  if (options.resumePending !== false) {
    await options.service.resumePendingDeliveries().catch((error: unknown) => {
      logger.error({ err: error }, 'could not deliver review actions left pending');
    });
  }
  let closing: Promise<void> | undefined;
  return {
    app,
    token,
    origin,
    url: `${origin}/#token=${token}`,
    events,
    close() {
      closing ??= app.close();
      return closing;
    },
  };
}

/** The host as a browser on this machine writes it in a URL. */
function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
