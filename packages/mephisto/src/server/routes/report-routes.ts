/**
 * `POST /submit_metadata` and `POST /log_error`: what a page reports besides its work.
 *
 * Metadata is validated and logged, not stored: storing it arrives with the onboarding and metadata
 * work, which gives it a place in the store. It may come as JSON or as multipart/form-data with files
 * (uploads/); the files are kept in the files directory and named in the log line, and only for an
 * agent at work in this process, so that nobody else can leave files on the server. Errors from the
 * page are logged with the agent they concern.
 */
import { ROUTES, STATUS_REPLIES, type StatusReply } from '@mephisto-ts/task-client/wire';
import type { FastifyInstance } from 'fastify';
import { AgentNotLiveError } from '../../run/run-errors.js';
import { logErrorSchema, parseBody } from '../request-body.js';
import type { ServerContext } from '../server-context.js';
import { withMultipart } from '../uploads/multipart-scope.js';
import { metadataSubmitOf } from '../uploads/submit-from-request.js';
import { assertOwnAgent, workerOfAgent } from './agent-routes.js';

export function reportRoutes(app: FastifyInstance, context: ServerContext): void {
  withMultipart(app, context.limits, (scope) => {
    scope.post(ROUTES.submitMetadata, async (request): Promise<StatusReply> => {
      const { agentId, workerId, data, uploads } = await metadataSubmitOf(request, context);
      await uploads.keepIfAccepted(context.log, () => {
        assertOwnAgent(context, agentId, workerId);
        if (uploads.files.length > 0 && workerOfAgent(context, agentId) === undefined)
          throw new AgentNotLiveError(agentId, null);
      });
      context.log.info({ agentId, metadata: data }, 'metadata received (not stored)');
      return { status: STATUS_REPLIES.metadataSubmitted };
    });
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
