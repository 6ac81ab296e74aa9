/**
 * The worker-facing task server: Mephisto's router routes (spec §6.3) served from the process that
 * runs the task, straight onto a {@link LiveRun}. One route group per file under `routes/`; every body
 * is checked with zod inside its handler (request-body.ts) and every failure is answered in one place
 * (error-handler.ts). WebSocket packets are served by socket/ (docs/protocol.md, "WebSocket").
 */
import type { Server } from 'node:http';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerFactory,
} from 'fastify';
import type { Logger } from 'pino';
import type { Blueprint } from '../blueprints/blueprint.js';
import { systemClock, type Clock } from '../core/clock.js';
import { createSystemScheduler, type Scheduler } from '../core/scheduler.js';
import type { LiveRun } from '../run/live-run.js';
import { AgentOwners } from './agent-owners.js';
import { installErrorHandling } from './error-handler.js';
import { agentRoutes } from './routes/agent-routes.js';
import { fileRoutes } from './routes/file-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { onboardingRoutes } from './routes/onboarding-routes.js';
import { reportRoutes } from './routes/report-routes.js';
import { taskConfigRoute } from './routes/task-config-route.js';
import { socketRoutes } from './socket/socket-routes.js';
import type { StaticSite } from './static/static-site.js';
import { staticRoutes } from './static/static-routes.js';
import { DEFAULT_LIMITS, type ServerContext, type TaskServerLimits } from './server-context.js';

export type { TaskServerLimits } from './server-context.js';

export interface TaskServerOptions {
  /** The run whose units workers ask for and submit. */
  readonly liveRun: LiveRun;
  /** Whose `frontendArgs()` is served as task_config.json. @default liveRun.blueprint */
  readonly blueprint?: Blueprint;
  /** The server logs through a child of it (`component: 'task-server'`). */
  readonly logger: Logger;
  /** Body size and engine wait limits; each field falls back to {@link DEFAULT_LIMITS}. */
  readonly limits?: Partial<TaskServerLimits>;
  /** What `/get_timestamp` and packet timestamps read. @default the system clock */
  readonly clock?: Clock;
  /**
   * Runs the sockets' liveness checks (heartbeat loss, reconnect grace); a test passes its ManualClock.
   * @default real timers on `clock`
   */
  readonly scheduler?: Scheduler;
  /**
   * Where files uploaded with a multipart submit are stored (created when missing), and where
   * `/download_file/:file` reads from. @default uploads are refused with a clear error
   */
  readonly filesDir?: string;
  /** The pages and assets workers' browsers load. @default only the API routes are served */
  readonly site?: StaticSite;
  /**
   * An HTTP server already bound by the architect (see src/architects): the app serves on it instead
   * of creating its own, and must not `listen` (the architect attaches it).
   */
  readonly httpServer?: Server;
}

/**
 * Builds the Fastify app (not listening yet: call `listen`, and `close` when done). Responses carry
 * `Cache-Control: no-store`, as Mephisto's Flask router sent no-cache headers on every response.
 */
export function createTaskServer(options: TaskServerOptions): FastifyInstance {
  const limits: TaskServerLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const log = options.logger.child({ component: 'task-server', taskRunId: options.liveRun.taskRun.id });
  const loggerInstance: FastifyBaseLogger = log;
  const app: FastifyInstance = Fastify({
    loggerInstance,
    bodyLimit: limits.bodyLimit,
    // One line per refusal or failure (error-handler.ts) instead of two per request.
    logController: new LogController({ disableRequestLogging: true }),
    // request.log is the server's logger itself, not a child per request (a child costs an object and
    // a JSON serialisation of its bindings on every request, for a logger used only on failures); the
    // error handler names the request in its line instead.
    childLoggerFactory: (logger) => logger,
    // Closing must not wait for idle keep-alive connections (a streamed download can leave one that
    // Fastify does not see as idle yet, and `close` would wait out the keep-alive timeout).
    forceCloseConnections: true,
    ...(options.httpServer === undefined ? {} : { serverFactory: serveOn(options.httpServer) }),
  });
  // Bodies are JSON only: without this, text/plain would be parsed and refused as a bad shape, not a bad type.
  app.removeContentTypeParser('text/plain');
  const context: ServerContext = {
    liveRun: options.liveRun,
    log,
    clock: options.clock ?? systemClock,
    scheduler: options.scheduler ?? createSystemScheduler(options.clock ?? systemClock),
    limits,
    owners: new AgentOwners(),
    filesDir: options.filesDir,
    site: options.site,
  };
  installErrorHandling(app);
  app.addHook('onSend', (_request, reply, payload, done) => {
    void reply.header('Cache-Control', 'no-store');
    done(null, payload);
  });
  taskConfigRoute(app, context, options.blueprint ?? options.liveRun.blueprint);
  agentRoutes(app, context);
  reportRoutes(app, context);
  healthRoutes(app, context);
  onboardingRoutes(app, context);
  fileRoutes(app, context);
  socketRoutes(app, context);
  staticRoutes(app, context);
  return app;
}

/** Fastify's serverFactory for a server bound elsewhere: the app's handler joins its listeners. */
function serveOn(server: Server): FastifyServerFactory {
  return (handler) => {
    server.on('request', handler);
    return server;
  };
}
