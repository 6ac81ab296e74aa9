/**
 * The one place where a review API failure becomes an answer: `{ error: { code, message } }`
 * (ReviewErrorReply) with the status review-errors.ts gives the code. Fastify's own request errors
 * (bad JSON, a body too large) get review codes too; anything unexpected is a 500 whose details stay
 * in the log.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MephistoError, type ErrorCode } from '../../core/index.js';
import type { ReviewErrorReply } from '../review-api.js';
import { httpStatusOf } from '../review-errors.js';
import { isApiRequest } from './review-security.js';

interface Failure {
  readonly status: number;
  readonly code: ErrorCode;
  readonly message: string;
}

const FASTIFY_ERRORS: Readonly<Record<string, { status: number; code: ErrorCode; message: string }>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: 'MEPHISTO_ERR_REVIEW_INVALID_REQUEST',
    message: 'the body is not valid JSON',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'MEPHISTO_ERR_REVIEW_INVALID_REQUEST',
    message: 'the body is empty; send a JSON object',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'MEPHISTO_ERR_REVIEW_BODY_TOO_LARGE',
    message: 'the body is larger than 1 MiB',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'MEPHISTO_ERR_REVIEW_UNSUPPORTED_MEDIA_TYPE',
    message: 'send the body as application/json',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'MEPHISTO_ERR_REVIEW_INVALID_REQUEST',
    message: 'the Content-Length does not match the body',
  },
};

export function failureOf(error: unknown): Failure {
  if (error instanceof MephistoError)
    return { status: httpStatusOf(error), code: error.code, message: error.message };
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const known = typeof code === 'string' ? FASTIFY_ERRORS[code] : undefined;
  if (known) return known;
  const statusCode =
    typeof error === 'object' && error !== null ? (error as { statusCode?: unknown }).statusCode : undefined;
  if (error instanceof SyntaxError && statusCode === 400)
    return {
      status: 400,
      code: 'MEPHISTO_ERR_REVIEW_INVALID_REQUEST',
      message: 'the body is not valid JSON',
    };
  return {
    status: 500,
    code: 'MEPHISTO_ERR_REVIEW_INTERNAL',
    message: 'the review server failed to answer; see its log',
  };
}

function send(reply: FastifyReply, failure: Failure): FastifyReply {
  const body: ReviewErrorReply = { error: { code: failure.code, message: failure.message } };
  return reply.status(failure.status).type('application/json; charset=utf-8').send(body);
}

/**
 * Installs the error handler, and the not-found handler: an unknown API route is a JSON 404; any other
 * unknown path goes to `otherwise` (the review app's page for client-side routes).
 */
export function installReviewErrorHandling(
  app: FastifyInstance,
  otherwise: (request: FastifyRequest, reply: FastifyReply) => FastifyReply | Promise<FastifyReply>,
): void {
  app.setErrorHandler((error, request, reply) => {
    const failure = failureOf(error);
    if (failure.status >= 500) request.log.error({ err: error, code: failure.code }, 'review request failed');
    else request.log.debug({ code: failure.code, message: failure.message }, 'review request refused');
    return send(reply, failure);
  });
  app.setNotFoundHandler((request, reply) => {
    if (isApiRequest(request))
      return send(reply, {
        status: 404,
        code: 'MEPHISTO_ERR_REVIEW_ROUTE_NOT_FOUND',
        message: `no review API route is ${request.method} ${request.url.split('?')[0] ?? ''}`,
      });
    return otherwise(request, reply);
  });
}
