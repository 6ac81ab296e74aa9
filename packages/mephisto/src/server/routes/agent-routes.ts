/**
 * `POST /request_agent` and `POST /submit_task`: a worker asks for a unit and hands it in.
 *
 * `/request_agent` answers with the whole `agent_details` packet, as Mephisto's router did, within
 * `requestAgentTimeoutMs` (503 `MEPHISTO_ERR_ENGINE_TIMEOUT` otherwise; a unit the engine gives after
 * that is found again by a retry with the same `agent_registration_id`). `/submit_task` answers
 * "Submitted!" only once the engine has committed the data; it takes JSON or multipart/form-data with
 * files (uploads/), whose files are durable before the submit and deleted again if it is refused.
 */
import { randomUUID } from 'node:crypto';
import {
  PACKET_TYPES,
  ROUTES,
  STATUS_REPLIES,
  type AgentDetailsPacket,
  type StatusReply,
} from '@mephisto-ts/task-client/wire';
import type { FastifyInstance } from 'fastify';
import type { AgentDetails } from '../../run/live-run.js';
import { AgentNotLiveError } from '../../run/run-errors.js';
import { parseBody, requestAgentSchema } from '../request-body.js';
import { AgentNotYoursError, EngineTimeoutError } from '../server-errors.js';
import type { ServerContext } from '../server-context.js';
import { withMultipart } from '../uploads/multipart-scope.js';
import { taskSubmitOf } from '../uploads/submit-from-request.js';

export function agentRoutes(app: FastifyInstance, context: ServerContext): void {
  const { liveRun, owners } = context;

  app.post(ROUTES.requestAgent, async (request): Promise<AgentDetailsPacket> => {
    const body = parseBody(ROUTES.requestAgent, requestAgentSchema, request.body);
    const requestId = randomUUID();
    const pending = liveRun.requestAgent(body.provider_data);
    const details = await withDeadline(pending, context.limits.requestAgentTimeoutMs, () => {
      const log = context.log.child({ requestId, worker: body.provider_data.worker_name });
      pending.then(
        (late) => {
          log.warn({ agentId: late.agent_id }, 'the engine answered after the request timed out');
        },
        (error: unknown) => {
          log.error({ err: error }, 'the engine failed after the request timed out');
        },
      );
      return new EngineTimeoutError(ROUTES.requestAgent, context.limits.requestAgentTimeoutMs);
    });
    if (details.agent_id !== null && details.worker_id !== null)
      owners.record(details.agent_id, details.worker_id);
    return agentDetailsPacket(requestId, details, context.clock.now());
  });

  withMultipart(app, context.limits, (scope) => {
    scope.post(ROUTES.submitTask, async (request): Promise<StatusReply> => {
      const submit = await taskSubmitOf(request, context);
      const { agentId } = submit;
      await submit.uploads.keepIfAccepted(context.log, async () => {
        assertOwnAgent(context, agentId, submit.workerId);
        try {
          await liveRun.submitUnit(agentId, submit.data);
        } catch (error) {
          if (error instanceof AgentNotLiveError) owners.forget(agentId);
          throw error;
        }
      });
      owners.forget(agentId);
      return { status: STATUS_REPLIES.submitted };
    });
  });
}

/**
 * The worker an agent belongs to, as far as this process knows: the server gave it out, or the run
 * has it working on a unit here.
 */
export function workerOfAgent(context: ServerContext, agentId: string): string | undefined {
  return context.owners.ownerOf(agentId) ?? context.liveRun.workerOfAgent(agentId);
}

/**
 * Refuses a request that names its worker (`worker_id`) for an agent known to be another worker's.
 * @throws AgentNotYoursError
 */
export function assertOwnAgent(context: ServerContext, agentId: string, workerId: string | undefined): void {
  if (workerId === undefined) return;
  const owner = workerOfAgent(context, agentId);
  if (owner !== undefined && owner !== workerId) throw new AgentNotYoursError(agentId, workerId);
}

/** Mephisto's `agent_details` packet for the engine's answer (plus our `failure_code`). */
export function agentDetailsPacket(
  requestId: string,
  details: AgentDetails,
  nowMs: number,
): AgentDetailsPacket {
  return {
    packet_type: PACKET_TYPES.agentDetails,
    // Mephisto put its backend channel id here; there is no channel in one process, and the router
    // matched answers by data.request_id falling back to subject_id, so the request id serves both.
    subject_id: requestId,
    data: {
      request_id: requestId,
      worker_id: details.worker_id,
      agent_id: details.agent_id,
      init_task_data: details.init_task_data,
      failure_reason: details.failure_reason,
      failure_code: details.failure_code,
    },
    server_timestamp: nowMs / 1000,
  };
}

/** `work`, or the error `onTimeout` returns once `ms` passed first. */
function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(onTimeout());
    }, ms);
  });
  return Promise.race([work, deadline]).finally(() => {
    clearTimeout(timer);
  });
}
