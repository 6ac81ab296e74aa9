/** Errors the engine raises on purpose; their codes are in the ERROR_CODES registry (docs/errors.md). */
import { MephistoError } from '../core/index.js';

/** Why an agent's session ended before (or instead of) a submit. */
export type AgentGoneReason = 'disconnect' | 'timeout' | 'returned' | 'expired' | 'submitted' | 'shutdown';

/**
 * Raised into a blueprint's waits (`awaitSubmit`, `nextLiveUpdate`) when the agent is no longer
 * working: it disconnected, timed out, returned the unit, expired with the run, or already submitted.
 */
export class AgentGoneError extends MephistoError {
  constructor(
    readonly agentId: string,
    readonly reason: AgentGoneReason,
  ) {
    super('MEPHISTO_ERR_AGENT_GONE', `agent ${agentId} is no longer working on its unit (${reason})`);
  }
}

/** A submit, live update or subscription for an agent that is not working on a unit of this run. */
export class AgentNotLiveError extends MephistoError {
  constructor(
    readonly agentId: string,
    readonly status: string | null,
  ) {
    super(
      'MEPHISTO_ERR_AGENT_NOT_LIVE',
      status === null
        ? `agent ${agentId} is not working on a unit of this run`
        : `agent ${agentId} is "${status}", no longer working on its unit`,
    );
  }
}

/** `resume_incomplete_run` found a run that the new config may not continue. */
export class ResumeConflictError extends MephistoError {
  constructor(
    readonly taskRunId: string,
    readonly problems: readonly string[],
  ) {
    super(
      'MEPHISTO_ERR_RESUME_CONFLICT',
      `cannot resume task run ${taskRunId}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

/** The crowd provider refused to launch units (they are back in `created`). */
export class ProviderLaunchError extends MephistoError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MEPHISTO_ERR_PROVIDER_LAUNCH', message, options);
  }
}

/** The config and the blueprint / provider objects handed to the operator do not belong together. */
export class RunSetupError extends MephistoError {
  constructor(message: string) {
    super('MEPHISTO_ERR_RUN_SETUP', message);
  }
}
