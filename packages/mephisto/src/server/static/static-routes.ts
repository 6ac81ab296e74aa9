/**
 * The pages and assets a worker's browser loads (`/task_index`, `/welcome`, the task bundle, the
 * provider's `wrap_crowd_source.js`). Not served yet. `GET /` itself is registered by the socket
 * routes (the same path upgrades to the WebSocket) and answers plain HTTP with {@link sendTaskPage}.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ServerContext } from '../server-context.js';

export function staticRoutes(_app: FastifyInstance, _context: ServerContext): void {
  // Filled in by the static-serving work (issue 4).
}

/** Answers a plain `GET /` with the task page. */
export function sendTaskPage(_context: ServerContext, reply: FastifyReply): void {
  reply.callNotFound();
}
