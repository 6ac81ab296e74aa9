/**
 * Multipart submits with files, and `GET /download_file/:file`. Not served yet.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../server-context.js';

export function fileRoutes(_app: FastifyInstance, _context: ServerContext): void {
  // Filled in by the file-upload work (issue 4).
}
