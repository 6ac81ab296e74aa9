/** `GET /is_alive` and `GET /get_timestamp` (milliseconds, as Mephisto's node router). */
import { ROUTES, STATUS_REPLIES, type StatusReply, type TimestampReply } from '@mephisto-ts/task-client/wire';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../server-context.js';

export function healthRoutes(app: FastifyInstance, context: ServerContext): void {
  app.get(ROUTES.isAlive, (): StatusReply => ({ status: STATUS_REPLIES.alive }));
  app.get(ROUTES.getTimestamp, (): TimestampReply => ({ timestamp: context.clock.now() }));
}
