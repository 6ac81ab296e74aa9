/**
 * `POST /submit_onboarding`. Not served yet.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../server-context.js';

export function onboardingRoutes(_app: FastifyInstance, _context: ServerContext): void {
  // Filled in by the onboarding-route work (issue 4).
}
