/**
 * What the MTurk provider throws. Every error quotes MTurk's own words (the SDK error's name and
 * message), so a reviewer or operator sees what MTurk objected to.
 */
import { MephistoError } from '../../core/index.js';

/** MTurk's side of a failed call, as the SDK reported it. */
export interface MturkFailure {
  /** The error's name: `RequestError`, `ServiceFault`, `ThrottlingException`, `TimeoutError`, … */
  readonly name: string;
  readonly message: string;
  /** MTurk's `TurkErrorCode`, when it sent one. */
  readonly turkErrorCode?: string;
  /** HTTP status of the reply, when there was one. */
  readonly httpStatus?: number;
}

/** No usable AWS credentials were found, or AWS refused the ones given. */
export class MturkCredentialsError extends MephistoError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MEPHISTO_ERR_PROVIDER_CREDENTIALS', message, options);
  }
}

/**
 * A call to MTurk failed: refused as invalid (a RequestError, not retried), or still failing after the
 * retries (throttling, ServiceFault, timeouts). `failure` is MTurk's answer, for callers that act on it.
 */
export class MturkApiError extends MephistoError {
  constructor(
    readonly operation: string,
    readonly failure: MturkFailure,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(
      'MEPHISTO_ERR_PROVIDER_API',
      `MTurk ${operation} failed${attempts > 1 ? ` after ${attempts} attempts` : ''}: ${failure.name}: ` +
        failure.message,
      options,
    );
  }

  /**
   * Whether MTurk may have acted although no success came back: no reply (a timeout, a lost
   * connection) or a 5xx. A 4xx (a refusal, throttling) means it did nothing.
   */
  get outcomeUnknown(): boolean {
    const status = this.failure.httpStatus;
    return status === undefined || status >= 500;
  }
}

/** A duty MTurk cannot carry out in the assignment's state (rejecting work it already approved, …). */
export class MturkReviewError extends MephistoError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MEPHISTO_ERR_PROVIDER_API', message, options);
  }
}

/** A worker's page registered with MTurk data this run cannot accept (a preview, another run's HIT). */
export class MturkRegistrationError extends MephistoError {
  constructor(message: string) {
    super('MEPHISTO_ERR_PROVIDER_REGISTRATION', message);
  }
}

/** The MTurk account cannot pay for what was asked (MTurk's "insufficient funds"). */
export class MturkInsufficientFundsError extends MephistoError {
  constructor(operation: string, failure: MturkFailure, options?: { cause?: unknown }) {
    super(
      'MEPHISTO_ERR_BUDGET_EXCEEDED',
      `MTurk ${operation} refused: the account's balance is too low (${failure.message}). ` +
        'Top up the prepaid balance at requester.mturk.com (the sandbox always has $10,000).',
      options,
    );
  }
}

/** The run cannot be put on MTurk as configured (a server address MTurk will not frame, …). */
export class MturkSetupError extends MephistoError {
  constructor(message: string) {
    super('MEPHISTO_ERR_RUN_SETUP', message);
  }
}
