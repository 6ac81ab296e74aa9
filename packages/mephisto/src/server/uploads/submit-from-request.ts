/**
 * A `/submit_task` or `/submit_metadata` request as its route handles it, whichever form it came in:
 * JSON (`{USED_AGENT_ID, final_data | metadata, …}`), or multipart/form-data with the data as JSON
 * text in a field and any number of files, which are already durable in the files directory when
 * this resolves. The data then carries Mephisto's `files` and `filesByFields`. A request refused here
 * (bad fields, bad JSON, files with data that is not an object) leaves no file behind.
 */
import { ROUTES } from '@mephisto-ts/task-client/wire';
import type { FastifyRequest } from 'fastify';
import {
  multipartSubmitMetadataSchema,
  multipartSubmitTaskSchema,
  parseBody,
  parseJsonField,
  submitMetadataSchema,
  submitTaskSchema,
} from '../request-body.js';
import type { ServerContext } from '../server-context.js';
import { InvalidRequestError } from '../server-errors.js';
import { readMultipart } from './multipart-reader.js';
import { isPlainObject, StoredUploads, withUploads } from './stored-uploads.js';

export interface Submit {
  readonly agentId: string;
  /** The worker the page says it is (mephisto-ts's optional `worker_id`). */
  readonly workerId: string | undefined;
  /** The submitted data (`final_data`, or the metadata), with the upload records when multipart. */
  readonly data: unknown;
  /** The files written for this request; none for a JSON body. */
  readonly uploads: StoredUploads;
}

/** The `/submit_task` request's agent, worker and final data. */
export async function taskSubmitOf(request: FastifyRequest, context: ServerContext): Promise<Submit> {
  const route = ROUTES.submitTask;
  if (!request.isMultipart()) {
    const body = parseBody(route, submitTaskSchema, request.body);
    return {
      agentId: body.USED_AGENT_ID,
      workerId: body.worker_id,
      data: body.final_data,
      uploads: StoredUploads.none,
    };
  }
  const { fields, uploads } = await readMultipart(request, route, context);
  return uploads.keepIfAccepted(context.log, () => {
    const body = parseBody(route, multipartSubmitTaskSchema, fields);
    // Mephisto's router read final_string_data first.
    const [field, text] =
      body.final_string_data !== undefined
        ? ['final_string_data', body.final_string_data]
        : ['final_data', body.final_data ?? ''];
    const data = parseJsonField(route, field, text);
    return {
      agentId: body.USED_AGENT_ID,
      workerId: body.worker_id,
      data: carryUploads(route, field, data, uploads),
      uploads,
    };
  });
}

/** The `/submit_metadata` request's agent, worker and metadata. */
export async function metadataSubmitOf(request: FastifyRequest, context: ServerContext): Promise<Submit> {
  const route = ROUTES.submitMetadata;
  if (!request.isMultipart()) {
    const body = parseBody(route, submitMetadataSchema, request.body);
    return {
      agentId: body.USED_AGENT_ID,
      workerId: body.worker_id,
      data: body.metadata,
      uploads: StoredUploads.none,
    };
  }
  const { fields, uploads } = await readMultipart(request, route, context);
  return uploads.keepIfAccepted(context.log, () => {
    const body = parseBody(route, multipartSubmitMetadataSchema, fields);
    const data = body.metadata === undefined ? {} : parseJsonField(route, 'metadata', body.metadata);
    return {
      agentId: body.USED_AGENT_ID,
      workerId: body.worker_id,
      data: carryUploads(route, 'metadata', data, uploads),
      uploads,
    };
  });
}

/** `data` with `files` / `filesByFields`; files can only ride on a JSON object. */
function carryUploads(route: string, field: string, data: unknown, uploads: StoredUploads): unknown {
  if (uploads.files.length > 0 && !isPlainObject(data))
    throw new InvalidRequestError(route, [`${field}: must be a JSON object to carry the uploaded files`]);
  return withUploads(data, uploads);
}
