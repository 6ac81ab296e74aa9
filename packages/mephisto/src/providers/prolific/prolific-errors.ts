/** What the Prolific provider and its API client throw. */
import { MephistoError } from '../../core/index.js';

/** No Prolific API token where the provider looks (`PROLIFIC_API_TOKEN`), or Prolific refused it (401). */
export class ProlificCredentialsError extends MephistoError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MEPHISTO_ERR_PROVIDER_CREDENTIALS', message, options);
  }
}

/**
 * A Prolific API call failed: refused (4xx, quoting Prolific's message and per-field details), or still
 * failing after the client's retries (429, 5xx, timeouts, network), or answered with a body the client
 * does not understand. Also thrown by the provider when Prolific's state forbids a duty (approving a
 * returned submission, a bonus whose payment cannot be confirmed yet).
 */
export class ProlificApiError extends MephistoError {
  constructor(
    message: string,
    /** The HTTP status, or null when no reply came (timeout, network) or the error is the provider's own. */
    readonly status: number | null = null,
    /** Prolific's `detail` (a message or per-field lists), when it sent one. */
    readonly detail: unknown = null,
    options?: { cause?: unknown },
  ) {
    super('MEPHISTO_ERR_PROVIDER_API', message, options);
  }

  /**
   * Whether the request may have had its effect although no success came back (a 5xx, a timeout, a lost
   * connection): for a call that is not idempotent, the caller must not simply send it again.
   */
  get outcomeUnknown(): boolean {
    return this.status === null || this.status >= 500;
  }
}

/** A worker's page registered with Prolific data this run cannot accept (another run's study, no session). */
export class ProlificRegistrationError extends MephistoError {
  constructor(message: string) {
    super('MEPHISTO_ERR_PROVIDER_REGISTRATION', message);
  }
}
