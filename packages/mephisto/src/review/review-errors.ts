/**
 * The errors the review service and its server raise on purpose, and the HTTP status each code is
 * answered with. Codes and their meaning and remedy are in the registry (core/errors.ts).
 */
import { MephistoError, type ErrorCode } from '../core/index.js';

/** A review action the unit's state does not allow (not submitted yet, or decided the other way). */
export class ReviewRefusedError extends MephistoError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly unitId: string | null = null,
  ) {
    super(code, message);
  }
}

/** A request the review API cannot take: bad JSON, a missing or mistyped field, a bad cursor, … */
export class ReviewRequestError extends MephistoError {
  constructor(
    message: string,
    readonly problems: readonly string[] = [],
  ) {
    super('MEPHISTO_ERR_REVIEW_INVALID_REQUEST', message);
  }
}

/** A download of a file the unit's submission does not list, or that is gone from disk. */
export class ReviewFileNotFoundError extends MephistoError {
  constructor(unitId: string, filename: string) {
    super(
      'MEPHISTO_ERR_REVIEW_FILE_NOT_FOUND',
      `unit ${unitId} has no uploaded file named ${JSON.stringify(filename)}`,
    );
  }
}

/** The review server could not bind its address. */
export class ReviewListenError extends MephistoError {
  constructor(host: string, port: number, cause: unknown) {
    super(
      'MEPHISTO_ERR_REVIEW_LISTEN',
      `the review server could not listen on ${host}:${port}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

/** HTTP status per code; any other MephistoError is a 400 unless it names a missing entity (404). */
const STATUS_OF_CODE: Partial<Record<ErrorCode, number>> = {
  MEPHISTO_ERR_REVIEW_INVALID_REQUEST: 400,
  MEPHISTO_ERR_INVALID_ARGUMENT: 400,
  MEPHISTO_ERR_REVIEW_UNAUTHORIZED: 401,
  MEPHISTO_ERR_REVIEW_FORBIDDEN: 403,
  MEPHISTO_ERR_REVIEW_ROUTE_NOT_FOUND: 404,
  MEPHISTO_ERR_REVIEW_FILE_NOT_FOUND: 404,
  MEPHISTO_ERR_REVIEW_KEY_REUSED: 409,
  MEPHISTO_ERR_REVIEW_NOT_SUBMITTED: 409,
  MEPHISTO_ERR_REVIEW_CONFLICT: 409,
  MEPHISTO_ERR_TRANSITION_CONFLICT: 409,
  MEPHISTO_ERR_REVIEW_BODY_TOO_LARGE: 413,
  MEPHISTO_ERR_REVIEW_UNSUPPORTED_MEDIA_TYPE: 415,
  MEPHISTO_ERR_TYPE_NOT_AVAILABLE: 501,
  MEPHISTO_ERR_UNKNOWN_TYPE: 500,
  MEPHISTO_ERR_STORE_CONNECTION: 503,
  MEPHISTO_ERR_REVIEW_INTERNAL: 500,
};

export function httpStatusOf(error: MephistoError): number {
  const status = STATUS_OF_CODE[error.code];
  if (status !== undefined) return status;
  if (error.code.endsWith('_NOT_FOUND')) return 404;
  if (error.code.endsWith('_ALREADY_EXISTS')) return 409;
  return 400;
}
