/**
 * The one place where a failure becomes an HTTP answer. Every refused request gets
 * `{error: {code, message}}` (the wire type `ErrorReply`) with a stable code from docs/errors.md and
 * the status chosen below; nothing else in the server picks a status for an error.
 */
import type { ErrorReply } from '@mephisto-ts/task-client/wire';
import type { FastifyInstance } from 'fastify';
import { MephistoError, type ErrorCode } from '../core/index.js';
import { AgentNotLiveError } from '../run/run-errors.js';

export interface HttpFailure {
  readonly status: number;
  readonly code: ErrorCode;
  readonly message: string;
}

/** HTTP statuses of the MephistoError codes a worker's request can meet; any other code is a 500. */
const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  MEPHISTO_ERR_MALFORMED_JSON: 400,
  MEPHISTO_ERR_INVALID_REQUEST: 400,
  MEPHISTO_ERR_INVALID_ARGUMENT: 400,
  MEPHISTO_ERR_AGENT_NOT_YOURS: 403,
  MEPHISTO_ERR_ROUTE_NOT_FOUND: 404,
  MEPHISTO_ERR_FILE_NOT_FOUND: 404,
  MEPHISTO_ERR_AGENT_NOT_LIVE: 409,
  MEPHISTO_ERR_TRANSITION_CONFLICT: 409,
  // A well-formed request that this run's configuration does not allow.
  MEPHISTO_ERR_UPLOADS_DISABLED: 409,
  MEPHISTO_ERR_ONBOARDING_NOT_ENABLED: 409,
  MEPHISTO_ERR_AGENT_GONE: 410,
  MEPHISTO_ERR_BODY_TOO_LARGE: 413,
  MEPHISTO_ERR_FILE_TOO_LARGE: 413,
  MEPHISTO_ERR_TOO_MANY_FILES: 413,
  MEPHISTO_ERR_FIELD_TOO_LARGE: 413,
  MEPHISTO_ERR_TOO_MANY_FIELDS: 413,
  MEPHISTO_ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  MEPHISTO_ERR_ENGINE_TIMEOUT: 503,
};

/** Fastify's own request errors (body parsing), by their `FST_ERR_*` code. */
const FASTIFY_ERRORS: Readonly<Record<string, { code: ErrorCode; message?: string }>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'MEPHISTO_ERR_MALFORMED_JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'MEPHISTO_ERR_MALFORMED_JSON',
    message: 'the body is empty but its content type is application/json',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'MEPHISTO_ERR_BODY_TOO_LARGE' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'MEPHISTO_ERR_INVALID_REQUEST' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'MEPHISTO_ERR_UNSUPPORTED_MEDIA_TYPE',
    message:
      'this route accepts application/json bodies only (multipart/form-data is accepted by /submit_task and /submit_metadata)',
  },
  // @fastify/multipart's limits, should one escape the upload reader's own errors (uploads/).
  FST_REQ_FILE_TOO_LARGE: { code: 'MEPHISTO_ERR_FILE_TOO_LARGE' },
  FST_FILES_LIMIT: { code: 'MEPHISTO_ERR_TOO_MANY_FILES' },
  FST_FIELDS_LIMIT: { code: 'MEPHISTO_ERR_TOO_MANY_FIELDS' },
  FST_PARTS_LIMIT: { code: 'MEPHISTO_ERR_TOO_MANY_FIELDS' },
};

function errorProperty(error: unknown, key: 'code' | 'statusCode'): unknown {
  return typeof error === 'object' && error !== null && key in error
    ? (error as Record<string, unknown>)[key]
    : undefined;
}

/** What a worker is answered for `error`. */
export function httpFailureOf(error: unknown): HttpFailure {
  if (error instanceof MephistoError) {
    let status = STATUS_BY_CODE[error.code] ?? (error.code.endsWith('_NOT_FOUND') ? 404 : 500);
    // An agent no run of this server knows is missing rather than in the wrong state.
    if (error instanceof AgentNotLiveError && error.status === null) status = 404;
    return { status, code: error.code, message: error.message };
  }
  const fastifyCode = errorProperty(error, 'code');
  const known = typeof fastifyCode === 'string' ? FASTIFY_ERRORS[fastifyCode] : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (known)
    return { status: STATUS_BY_CODE[known.code] ?? 400, code: known.code, message: known.message ?? message };
  const statusCode = errorProperty(error, 'statusCode');
  if (error instanceof SyntaxError && statusCode === 400)
    return {
      status: 400,
      code: 'MEPHISTO_ERR_MALFORMED_JSON',
      message: `the body is not valid JSON: ${message}`,
    };
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500)
    return { status: statusCode, code: 'MEPHISTO_ERR_INVALID_REQUEST', message };
  return { status: 500, code: 'MEPHISTO_ERR_INTERNAL', message: 'the server failed to answer; see its log' };
}

export function errorReply(failure: HttpFailure): ErrorReply {
  return { error: { code: failure.code, message: failure.message } };
}

/** Installs the error and not-found handlers: every failure is logged and answered as an ErrorReply. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const failure = httpFailureOf(error);
    const about = { reqId: request.id, method: request.method, url: request.url, code: failure.code };
    if (failure.status >= 500) request.log.error({ ...about, err: error }, 'request failed');
    else request.log.info({ ...about, reason: failure.message }, 'request refused');
    return reply.code(failure.status).send(errorReply(failure));
  });
  app.setNotFoundHandler((request, reply) => {
    const failure: HttpFailure = {
      status: 404,
      code: 'MEPHISTO_ERR_ROUTE_NOT_FOUND',
      message: `no route ${request.method} ${request.url.split('?')[0] ?? ''}`,
    };
    return reply.code(404).send(errorReply(failure));
  });
}
