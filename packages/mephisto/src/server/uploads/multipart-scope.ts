/**
 * The two submit routes that accept `multipart/form-data` are registered inside their own Fastify
 * scope with @fastify/multipart, so every other route keeps answering a multipart body with 415
 * `MEPHISTO_ERR_UNSUPPORTED_MEDIA_TYPE`. The parser enforces the upload limits of TaskServerLimits;
 * multipart-reader.ts turns its limit errors into ours.
 */
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { TaskServerLimits } from '../server-context.js';

/** Registers `routes` in a child scope of `app` that parses multipart bodies within `limits`. */
export function withMultipart(
  app: FastifyInstance,
  limits: TaskServerLimits,
  routes: (scope: FastifyInstance) => void,
): void {
  void app.register(async (scope) => {
    await scope.register(fastifyMultipart, {
      throwFileSizeLimit: true,
      limits: {
        fileSize: limits.fileSizeLimit,
        files: limits.filesLimit,
        fieldSize: limits.fieldSizeLimit,
        fields: limits.fieldsLimit,
        // Never the first limit hit: files and fields each have their own.
        parts: limits.filesLimit + limits.fieldsLimit + 1,
      },
    });
    routes(scope);
  });
}
