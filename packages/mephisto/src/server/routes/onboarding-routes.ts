/**
 * `POST /submit_onboarding`: a page hands in its onboarding answers, as mephisto-task's
 * `postCompleteOnboarding` posts them (`{provider_data: {USED_AGENT_ID, onboarding_data}, client_timestamp}`).
 *
 * The engine runs no onboarding yet, so no agent can be onboarding: a well-formed request is answered
 * 409 `MEPHISTO_ERR_ONBOARDING_NOT_ENABLED` ("this run has no onboarding") and changes nothing; a
 * malformed one 400 `MEPHISTO_ERR_INVALID_REQUEST`, as on every route.
 *
 * Seam for the onboarding work: the engine must provide
 * `LiveRun.submitOnboarding(onboardingAgentId, onboardingData): Promise<AgentDetails>` (Mephisto's
 * `_on_submit_onboarding`: store the answers, move the onboarding agent to `waiting`, validate them
 * and answer with the worker's next step: a unit, or a refusal). This route then answers Mephisto's way,
 * with the whole `agent_details` packet (`agentDetailsPacket` in agent-routes.ts, bounded by
 * `requestAgentTimeoutMs` like `/request_agent`), and records the new agent's owner. Mephisto made
 * `onboarding_data` default to `{}`.
 */
import { ROUTES } from '@mephisto-ts/task-client/wire';
import type { FastifyInstance } from 'fastify';
import { parseBody, submitOnboardingSchema } from '../request-body.js';
import type { ServerContext } from '../server-context.js';
import { OnboardingNotEnabledError } from '../server-errors.js';

export function onboardingRoutes(app: FastifyInstance, _context: ServerContext): void {
  app.post(ROUTES.submitOnboarding, (request): never => {
    const body = parseBody(ROUTES.submitOnboarding, submitOnboardingSchema, request.body);
    // The refusal is logged by error-handler.ts, with the agent id in its message.
    throw new OnboardingNotEnabledError(body.provider_data.USED_AGENT_ID);
  });
}
