/**
 * Errors the MTurk fake answers with, in the shapes MTurk's requester API uses (AWS JSON 1.1): a body
 * `{"__type": "<namespace>#<Name>", "Message": "...", "TurkErrorCode": "..."}` with HTTP 400 for the
 * requester's mistakes (`RequestError`) and 500 for the service's (`ServiceFault`). Messages end with
 * MTurk's ` (<epoch milliseconds>)` request stamp, as real replies do, so code that parses them meets
 * the same text.
 */

/** `__type` namespace of MTurk's modelled errors. */
export const MTURK_ERROR_NAMESPACE = 'com.amazonaws.mechanicalturk.model';
/** `__type` namespace of errors raised by the AWS front end before MTurk sees the request. */
export const AWS_CORAL_NAMESPACE = 'com.amazon.coral.service';

export class MturkApiError extends Error {
  constructor(
    /** The error's name, e.g. `RequestError`, `ServiceFault`, `ThrottlingException`. */
    readonly errorName: string,
    message: string,
    readonly httpStatus: number,
    options: {
      readonly namespace?: string;
      /** MTurk's own code (`AWS.MechanicalTurk.HitAlreadyExists`), when it sends one. */
      readonly turkErrorCode?: string;
      /** Coral errors spell the field `message`; MTurk's own `Message`. */
      readonly lowercaseMessage?: boolean;
    } = {},
  ) {
    super(message);
    this.name = 'MturkApiError';
    this.namespace = options.namespace ?? MTURK_ERROR_NAMESPACE;
    this.turkErrorCode = options.turkErrorCode;
    this.lowercaseMessage = options.lowercaseMessage ?? false;
  }

  readonly namespace: string;
  readonly turkErrorCode: string | undefined;
  readonly lowercaseMessage: boolean;

  /** The JSON body of the reply. */
  body(): Record<string, string> {
    const body: Record<string, string> = { __type: `${this.namespace}#${this.errorName}` };
    body[this.lowercaseMessage ? 'message' : 'Message'] = this.message;
    if (this.turkErrorCode !== undefined) body.TurkErrorCode = this.turkErrorCode;
    return body;
  }
}

/** A `RequestError` (HTTP 400): the request cannot be carried out as asked. */
export function requestError(message: string, nowMs: number, turkErrorCode?: string): MturkApiError {
  return new MturkApiError(
    'RequestError',
    `${message} (${nowMs})`,
    400,
    turkErrorCode === undefined ? {} : { turkErrorCode },
  );
}

/** A `ServiceFault` (HTTP 500): MTurk failed; the request may be retried. */
export function serviceFault(nowMs: number): MturkApiError {
  return new MturkApiError(
    'ServiceFault',
    `The service is unable to process your request at this time. Please try again later. (${nowMs})`,
    500,
    { turkErrorCode: 'AWS.ServiceUnavailable' },
  );
}

/** AWS's throttling reply (HTTP 400, `ThrottlingException`), which the SDK's retry logic recognises. */
export function throttlingError(): MturkApiError {
  return new MturkApiError('ThrottlingException', 'Rate exceeded', 400, {
    namespace: AWS_CORAL_NAMESPACE,
    lowercaseMessage: true,
  });
}

/** A required parameter missing or out of range (AWS's front-end validation, HTTP 400). */
export function validationError(message: string): MturkApiError {
  return new MturkApiError('ValidationException', `1 validation error detected: ${message}`, 400, {
    namespace: 'com.amazon.coral.validate',
    lowercaseMessage: true,
  });
}

/** An error of the AWS front end (authentication, unknown operation, malformed body). */
export function coralError(name: string, message: string, httpStatus = 400): MturkApiError {
  return new MturkApiError(name, message, httpStatus, {
    namespace: AWS_CORAL_NAMESPACE,
    lowercaseMessage: true,
  });
}
