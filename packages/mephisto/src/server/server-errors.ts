/**
 * Errors the task server raises on purpose while answering a worker. Their codes are in the
 * ERROR_CODES registry (docs/errors.md); the HTTP status of each is chosen in error-handler.ts.
 */
import { MephistoError } from '../core/index.js';

/** A request body or query that is valid JSON but not the shape the route expects. */
export class InvalidRequestError extends MephistoError {
  constructor(
    readonly route: string,
    readonly problems: readonly string[],
  ) {
    super('MEPHISTO_ERR_INVALID_REQUEST', `${route}: ${problems.join('; ')}`);
  }
}

/** A submit for an agent the server gave to another worker than the one the request names. */
export class AgentNotYoursError extends MephistoError {
  constructor(
    readonly agentId: string,
    readonly workerId: string,
  ) {
    super('MEPHISTO_ERR_AGENT_NOT_YOURS', `agent ${agentId} does not belong to worker ${workerId}`);
  }
}

/** The engine did not answer within the server's limit. */
export class EngineTimeoutError extends MephistoError {
  constructor(
    readonly route: string,
    readonly timeoutMs: number,
  ) {
    super(
      'MEPHISTO_ERR_ENGINE_TIMEOUT',
      `${route}: the server could not answer within ${timeoutMs / 1000} s; please try again`,
    );
  }
}
