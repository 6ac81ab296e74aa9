/**
 * `GET /download_file/:file`: a file uploaded with a multipart submit, by its stored name (the
 * `filename` of a record in the submission's `files`), as Mephisto's router served `/tmp/<file>` to
 * its architects. Only the files directory is read, and only plain names (uploads/stored-file-name.ts);
 * anything else is 400 `MEPHISTO_ERR_INVALID_REQUEST`, an unknown name 404 `MEPHISTO_ERR_FILE_NOT_FOUND`.
 * Like Mephisto's route it asks for no credentials: the unguessable name (64 random bits) is the key.
 * Multipart submits themselves are served by agent-routes.ts and report-routes.ts.
 */
import { ROUTES } from '@mephisto-ts/task-client/wire';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseBody } from '../request-body.js';
import type { ServerContext } from '../server-context.js';
import { isServableFileName } from '../uploads/stored-file-name.js';
import {
  attachmentDisposition,
  DOWNLOAD_HEADERS,
  downloadContentType,
  openStoredFile,
} from '../uploads/stored-file-reader.js';

const ROUTE = `${ROUTES.downloadFile}/:file`;

const downloadParamsSchema = z.object({
  file: z.string().refine(isServableFileName, 'must be a file name (no "/", "\\", "..", NUL or leading dot)'),
});

export function fileRoutes(app: FastifyInstance, context: ServerContext): void {
  app.get(ROUTE, async (request, reply) => {
    const { file } = parseBody(ROUTE, downloadParamsSchema, request.params);
    const opened = await openStoredFile(context.filesDir, file);
    return reply
      .headers(DOWNLOAD_HEADERS)
      .header('Content-Type', downloadContentType(file))
      .header('Content-Disposition', attachmentDisposition(file))
      .header('Content-Length', opened.size)
      .send(opened.stream);
  });
}
