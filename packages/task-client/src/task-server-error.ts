import type { ErrorReply } from './wire/index.js';

/** `code` of a {@link TaskServerError} when the server could not be reached at all. */
export const NETWORK_ERROR_CODE = 'network_error';
/** `code` of a {@link TaskServerError} for a refusal that carried no `{error: {code, message}}` body. */
export const HTTP_ERROR_CODE = 'http_error';

/**
 * Why a call to the task server failed. A mephisto-ts server refuses with `{error: {code, message}}`
 * (the wire type `ErrorReply`); `code` and `message` are then the server's own, so a page can show the
 * message and branch on the stable code (see docs/errors.md). mephisto-task rejected with an axios
 * error instead; this keeps the same "the promise rejects" contract with a more useful reason.
 */
export class TaskServerError extends Error {
  /**
   * @param route the route called, without query (`/submit_task`)
   * @param status the HTTP status, or null when no answer came (network failure)
   * @param code the server's error code, {@link HTTP_ERROR_CODE} or {@link NETWORK_ERROR_CODE}
   */
  constructor(
    readonly route: string,
    readonly status: number | null,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TaskServerError';
  }

  /** The error for a non-2xx answer whose body was already read as `body`. */
  static fromReply(route: string, status: number, body: string): TaskServerError {
    const reply = parseErrorReply(body);
    if (reply) return new TaskServerError(route, status, reply.error.code, reply.error.message);
    const detail = body.trim() === '' ? '' : `: ${body.trim().slice(0, 200)}`;
    return new TaskServerError(route, status, HTTP_ERROR_CODE, `${route} answered HTTP ${status}${detail}`);
  }

  /** The error for a request that got no answer (`fetch` rejected). */
  static unreachable(route: string, cause: unknown): TaskServerError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new TaskServerError(
      route,
      null,
      NETWORK_ERROR_CODE,
      `the task server could not be reached (${route}: ${reason})`,
      { cause },
    );
  }
}

function parseErrorReply(body: string): ErrorReply | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || !('error' in parsed)) return null;
  const error: unknown = parsed.error;
  if (typeof error !== 'object' || error === null) return null;
  const { code, message } = error as Record<string, unknown>;
  return typeof code === 'string' && typeof message === 'string' ? { error: { code, message } } : null;
}
