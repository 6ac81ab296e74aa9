/**
 * The pages and assets a worker's browser loads (`/`, `/task_index`, `/welcome`, the task bundle, the
 * provider's `wrap_crowd_source.js`). Not served yet.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../server-context.js';

export function staticRoutes(_app: FastifyInstance, _context: ServerContext): void {
  // Filled in by the static-serving work (issue 4).
}
