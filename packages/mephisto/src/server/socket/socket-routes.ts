/**
 * The WebSocket side of Mephisto's router protocol (spec §6.2, §6.4). Not served yet.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../server-context.js';

export function socketRoutes(_app: FastifyInstance, _context: ServerContext): void {
  // Filled in by the WebSocket work (issue 4).
}
