/**
 * `POST /submit_metadata` and `POST /log_error`: what a page reports besides its work.
 *
 * Metadata is validated and logged, not stored: storing it (and its files) arrives with the onboarding
 * and metadata work, which gives it a place in the store. Errors from the page are logged with the
 * agent they concern.
 */
import { ROUTES, STATUS_REPLIES, type StatusReply } from '@mephisto-ts/task-client/wire';
import type { FastifyInstance } from 'fastify';
import { logErrorSchema, parseBody, submitMetadataSchema } from '../request-body.js';
import type { ServerContext } from '../server-context.js';

export function reportRoutes(app: FastifyInstance, context: ServerContext): void {
  app.post(ROUTES.submitMetadata, (request): StatusReply => {
    const body = parseBody(ROUTES.submitMetadata, submitMetadataSchema, request.body);
    context.log.info(
      { agentId: body.USED_AGENT_ID, metadata: body.metadata },
      'metadata received (not stored)',
    );
    return { status: STATUS_REPLIES.metadataSubmitted };
  });

  app.post(ROUTES.logError, (request): StatusReply => {
    const body = parseBody(ROUTES.logError, logErrorSchema, request.body);
    context.log.warn(
      {
        agentId: body.USED_AGENT_ID ?? null,
        error_data: body.error_data,
        client_timestamp: body.client_timestamp,
      },
      'error reported by a task page',
    );
    return { status: STATUS_REPLIES.errorLogged };
  });
}
