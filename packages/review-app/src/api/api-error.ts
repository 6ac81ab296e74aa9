import type { ReviewErrorReply } from 'mephisto-ts/review-api';

/** The review server answered with an error status; `message` is the server's `error.message`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    /** The documented error code (docs/errors.md), or a `REVIEW_APP_*` code when the reply had none. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The request got no HTTP answer (offline, server stopped, connection reset). It may or may not have
 * reached the server, so an action that failed this way must be retried with the same idempotency key.
 */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
}

/**
 * True when a failed request may still have taken effect on the server: no answer, a server error or a
 * timeout/overload reply. Such a request is retried with its idempotency key; any other error is a
 * definitive refusal, after which the next attempt is a new user action with a new key.
 */
export function isOutcomeUnknown(error: unknown): boolean {
  if (error instanceof NetworkError) return true;
  return error instanceof ApiError && (error.status >= 500 || error.status === 408 || error.status === 429);
}

/** True for the rejection of a request the app aborted itself (a newer request replaced it). */
export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/** Builds the {@link ApiError} of a non-2xx response from its `{ error: { code, message } }` body. */
export async function apiErrorFrom(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's error page, an empty body): fall back to the status line below.
  }
  if (isErrorReply(body)) return new ApiError(response.status, body.error.code, body.error.message);
  const statusText = response.statusText === '' ? '' : ` ${response.statusText}`;
  return new ApiError(
    response.status,
    'REVIEW_APP_HTTP_ERROR',
    `The review server answered HTTP ${response.status}${statusText}.`,
  );
}

function isErrorReply(body: unknown): body is ReviewErrorReply {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const { error } = body;
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    'message' in error &&
    typeof error.code === 'string' &&
    typeof error.message === 'string'
  );
}

/** A sentence for the reader: the server's message, or what went wrong with the connection. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof NetworkError) {
    return `Could not reach the review server (${error.message}). Check that \`mephisto review\` is still running.`;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
