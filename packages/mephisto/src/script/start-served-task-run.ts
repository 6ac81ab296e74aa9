/**
 * Launching a run together with its worker-facing server, as `mephisto run` and run scripts do: the
 * architect binds its address first (the provider puts that URL into the links it hands out), then the
 * run is launched, then the task server is built over the live run and attached to the address.
 * Engine-only callers (tests, the testing kit) use {@link startTaskRun} directly.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { Architect } from '../architects/architect.js';
import { createArchitect } from '../architects/architect-registry.js';
import type { LiveRun } from '../run/index.js';
import { createTaskServer } from '../server/task-server.js';
import { StaticHtmlBlueprint } from '../blueprints/static-html/static-html-blueprint.js';
import { buildStaticSite, type StaticSite } from '../server/static/static-site.js';
import { startTaskRun, type StartedTaskRun, type StartTaskRunOptions } from './start-task-run.js';

export interface StartServedTaskRunOptions extends StartTaskRunOptions {
  /**
   * Folder under which each run keeps its uploaded files (`<dataDir>/runs/<task_run_id>/uploads`).
   * @default uploads are not accepted
   */
  readonly dataDir?: string;
  /**
   * The pages and assets to serve for the launched run. @default the built-in pages of static_task and
   * bundle-based blueprints (static_react_task) with the provider's wrap_crowd_source.js; only the API
   * for other blueprints
   */
  readonly site?: (run: LiveRun) => StaticSite | undefined | Promise<StaticSite | undefined>;
}

export interface ServedTaskRun extends StartedTaskRun {
  readonly architect: Architect;
  /** Base URL workers open; the mock architect without a server gives a URL nothing listens on. */
  readonly url: string;
  /** The task server, when the architect serves one. */
  readonly server: FastifyInstance | undefined;
  /** Closes the server and releases the address (after the operator was shut down). Idempotent. */
  close(): Promise<void>;
}

/**
 * @throws ArchitectListenError when the address cannot be bound; the errors of {@link startTaskRun}.
 *   Whatever was started is released before the error is rethrown.
 */
export async function startServedTaskRun(options: StartServedTaskRunOptions): Promise<ServedTaskRun> {
  const architect = createArchitect(options.config.mephisto.architect);
  let server: FastifyInstance | undefined;
  let started: StartedTaskRun | undefined;
  try {
    const url = await architect.reserve();
    started = await startTaskRun({ ...options, serverUrl: url });
    const httpServer = architect.httpServer;
    if (httpServer !== undefined) {
      const { run } = started;
      const site = options.site ? await options.site(run) : defaultSite(run, options.taskDir);
      server = createTaskServer({
        liveRun: run,
        logger: options.logger ?? pino({ level: 'silent' }),
        httpServer,
        ...(options.clock === undefined ? {} : { clock: options.clock }),
        ...(options.dataDir === undefined
          ? {}
          : { filesDir: join(options.dataDir, 'runs', run.taskRun.id, 'uploads') }),
        ...(site === undefined ? {} : { site }),
      });
      await architect.attach(server);
    }
    const app = server;
    let closed: Promise<void> | undefined;
    return {
      ...started,
      architect,
      url,
      server: app,
      close() {
        closed ??= (async () => {
          await app?.close();
          await architect.shutdown();
        })();
        return closed;
      },
    };
  } catch (error) {
    await started?.operator.shutdown('launch failed').catch(() => undefined);
    await server?.close().catch(() => undefined);
    await architect.shutdown().catch(() => undefined);
    throw error;
  }
}

/** Blueprints with pages of their own get them; others (the mock blueprint) serve only the API. */
function defaultSite(run: LiveRun, taskDir: string): StaticSite | undefined {
  const { blueprint, provider } = run;
  const hasPages = blueprint instanceof StaticHtmlBlueprint || 'taskSourcePath' in blueprint;
  return hasPages ? buildStaticSite({ blueprint, provider, taskDir }) : undefined;
}
