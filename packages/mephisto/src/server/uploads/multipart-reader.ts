/**
 * Reads a multipart body: its text fields into memory (within fieldSizeLimit / fieldsLimit, and
 * bodyLimit for all of them together), its files streamed one by one into the files directory under
 * fresh safe names (stored-file-name.ts), each fsync'd (durable-file.ts). Any failure while reading
 * deletes the files already written, so a body refused here leaves nothing behind; parser errors
 * become the specific codes of server-errors.ts.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { UploadedFile } from '@mephisto-ts/task-client/wire';
import type { FastifyRequest } from 'fastify';
import { MephistoError } from '../../core/index.js';
import type { ServerContext } from '../server-context.js';
import {
  MalformedJsonFieldError,
  MalformedMultipartError,
  UploadLimitError,
  UploadsDisabledError,
} from '../server-errors.js';
import { syncDirectory, writeFileDurably } from './durable-file.js';
import { storedFileName } from './stored-file-name.js';
import { StoredUploads } from './stored-uploads.js';

export interface MultipartBody {
  /** Each text field by name; a name sent more than once gives the list of its values. */
  readonly fields: Readonly<Record<string, string | string[]>>;
  readonly uploads: StoredUploads;
}

/**
 * Reads the whole multipart body of `request` (a route inside `withMultipart`).
 * @throws UploadsDisabledError for a file when the server has no files directory
 * @throws UploadLimitError, MalformedMultipartError, MalformedJsonFieldError; nothing is kept then
 */
export async function readMultipart(
  request: FastifyRequest,
  route: string,
  context: ServerContext,
): Promise<MultipartBody> {
  const { limits } = context;
  // Absolute, so the records' `destination` and `path` stay right whatever the working directory.
  const filesDir = context.filesDir === undefined ? undefined : resolve(context.filesDir);
  const fields: Record<string, string | string[]> = {};
  const files: UploadedFile[] = [];
  let fieldBytes = 0;
  let dirReady = false;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (part.fieldnameTruncated)
          throw new UploadLimitError(route, 'fieldSizeLimit', 'a field name is longer than 100 bytes');
        if (part.valueTruncated)
          throw new UploadLimitError(
            route,
            'fieldSizeLimit',
            `the field ${part.fieldname} is larger than ${limits.fieldSizeLimit} bytes`,
          );
        // A part sent with Content-Type application/json arrives parsed; keep every field as text.
        const value = typeof part.value === 'string' ? part.value : JSON.stringify(part.value);
        fieldBytes += Buffer.byteLength(value);
        if (fieldBytes > limits.bodyLimit)
          throw new UploadLimitError(
            route,
            'bodyLimit',
            `the fields together are larger than ${limits.bodyLimit} bytes`,
          );
        const previous = fields[part.fieldname];
        fields[part.fieldname] =
          previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
        continue;
      }
      if (filesDir === undefined) throw new UploadsDisabledError(route);
      if (!dirReady) {
        await mkdir(filesDir, { recursive: true });
        dirReady = true;
      }
      const filename = storedFileName(context.clock.now(), part.fieldname, part.filename);
      // The parser stops a file at fileSizeLimit and marks it truncated: refuse it before it is named.
      const size = await writeFileDurably(filesDir, filename, part.file, () => {
        if (part.file.truncated)
          throw new UploadLimitError(
            route,
            'fileSizeLimit',
            `the file ${JSON.stringify(part.filename)} is larger than ${limits.fileSizeLimit} bytes`,
          );
      });
      const path = join(filesDir, filename);
      files.push({
        fieldname: part.fieldname,
        originalname: part.filename,
        encoding: part.encoding,
        mimetype: part.mimetype,
        destination: filesDir,
        filename,
        path,
        size,
      });
    }
    if (filesDir !== undefined && files.length > 0) await syncDirectory(filesDir);
  } catch (error) {
    await new StoredUploads(files).discard();
    throw multipartError(error, route, context);
  }
  return { fields, uploads: new StoredUploads(files) };
}

/**
 * Our error for what reading the body threw: the parser's limit errors become the limit codes, its
 * other errors (and busboy's plain `Error`s: no boundary, a part cut short, …) a malformed body.
 * Anything else (a disk error, a bug) is returned as it is, to be answered as a server failure.
 */
function multipartError(error: unknown, route: string, context: ServerContext): unknown {
  if (!(error instanceof Error) || error instanceof MephistoError) return error;
  const { limits } = context;
  const code = (error as { code?: unknown }).code;
  switch (code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new UploadLimitError(
        route,
        'fileSizeLimit',
        `a file is larger than ${limits.fileSizeLimit} bytes`,
      );
    case 'FST_FILES_LIMIT':
      return new UploadLimitError(route, 'filesLimit', `there are more than ${limits.filesLimit} files`);
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
      return new UploadLimitError(route, 'fieldsLimit', `there are more than ${limits.fieldsLimit} fields`);
    case 'FST_INVALID_JSON_FIELD_ERROR':
      return new MalformedJsonFieldError(route, 'sent as application/json', error.message);
  }
  const fromParser =
    (typeof code === 'string' && code.startsWith('FST_')) ||
    (code === undefined && Object.getPrototypeOf(error) === Error.prototype);
  return fromParser ? new MalformedMultipartError(route, error.message, { cause: error }) : error;
}
