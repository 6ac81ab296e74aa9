/**
 * The pages and assets a worker's browser loads (the {@link StaticSite} of ServerContext): `GET` of
 * `/task_index`, `/welcome`, `/wrap_crowd_source.js`, the blueprint's files and the files of
 * `extra_source_dir`. `GET /` itself is registered by the socket routes (the same path upgrades to the
 * WebSocket) and answers plain HTTP with {@link sendTaskPage}. Nothing is registered without a site, so
 * an API-only server keeps answering unknown paths with `MEPHISTO_ERR_ROUTE_NOT_FOUND`.
 *
 * One wildcard route looks the decoded path up in the site's assets, then in `extra_source_dir`
 * (extra-source-files.ts decides what may be served there); anything else, including every traversal
 * attempt, gets the server's JSON 404. Every answer carries `X-Content-Type-Options: nosniff`. No
 * Content-Security-Policy is sent: task HTML routinely uses inline scripts and styles and loads from
 * CDNs, and the task page must run the scripts of the task's HTML, as Mephisto's did.
 */
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../server-context.js';
import { extraSourceFile } from './extra-source-files.js';
import { HTML_TYPE, readAsset } from './site-asset.js';
import type { StaticSite } from './static-site.js';

export function staticRoutes(app: FastifyInstance, context: ServerContext): void {
  const site = context.site;
  if (site === undefined) return;
  // A scope of its own, so @fastify/static's `sendFile` decorator cannot clash with another plugin's.
  void app.register(async (scope) => {
    if (site.extraSourceDir !== undefined) {
      await scope.register(fastifyStatic, {
        root: site.extraSourceDir,
        serve: false,
        index: false,
        // Cache-Control: no-store is set on every response by the server.
        cacheControl: false,
      });
    }
    scope.get('/*', (request, reply) => serveSiteFile(site, request, reply));
  });
}

/** Answers a plain `GET /` with the task page. */
export function sendTaskPage(context: ServerContext, reply: FastifyReply): void {
  const site = context.site;
  if (site === undefined) {
    reply.callNotFound();
    return;
  }
  void reply.header('X-Content-Type-Options', 'nosniff').type(HTML_TYPE).send(site.taskPage);
}

async function serveSiteFile(
  site: StaticSite,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const path = decodedPath(request.url);
  if (path === undefined) return notFound(reply);
  void reply.header('X-Content-Type-Options', 'nosniff');
  const asset = site.assets.get(path);
  if (asset !== undefined) return reply.type(asset.contentType).send(await readAsset(asset));
  if (site.extraSourceDir !== undefined) {
    const found = await extraSourceFile(site.extraSourceDir, path.slice(1));
    if (found !== undefined) return reply.sendFile(found.file, found.root);
  }
  return notFound(reply);
}

function notFound(reply: FastifyReply): FastifyReply {
  reply.callNotFound();
  return reply;
}

/** The URL's path, percent-decoded; undefined when it is malformed. */
function decodedPath(url: string): string | undefined {
  const raw = url.split('?')[0] ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}
