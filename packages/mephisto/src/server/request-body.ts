/**
 * The shapes of the bodies workers post, as zod schemas checked inside each handler, and the one
 * function that turns a failed check into an {@link InvalidRequestError} naming every field at fault.
 * Each schema is tied to its wire type (`@mephisto-ts/task-client/wire`) so the two cannot drift.
 */
import type {
  LogErrorBody,
  RequestAgentBody,
  SubmitMetadataBody,
  SubmitOnboardingBody,
  SubmitTaskBody,
} from '@mephisto-ts/task-client/wire';
import { z } from 'zod';
import { InvalidRequestError, MalformedJsonFieldError } from './server-errors.js';

const agentId = z.string().min(1, 'must be a non-empty agent id');
const clientTimestamp = z.number().optional();

/** What `getAgentRegistration()` returns; providers add their own fields, which are kept. */
export const providerDataSchema = z.looseObject({
  worker_name: z.string().min(1, 'must be a non-empty worker name'),
  agent_registration_id: z.string().min(1).optional(),
  assignment_id: z.string().optional(),
  provider_type: z.string().optional(),
});

export const requestAgentSchema = z.object({
  provider_data: providerDataSchema,
  client_timestamp: clientTimestamp,
}) satisfies z.ZodType<RequestAgentBody>;

export const submitTaskSchema = z.object({
  USED_AGENT_ID: agentId,
  final_data: z.unknown().refine((v) => v !== undefined, 'is required'),
  client_timestamp: clientTimestamp,
  worker_id: z.string().min(1).optional(),
}) satisfies z.ZodType<SubmitTaskBody>;

export const submitMetadataSchema = z.object({
  USED_AGENT_ID: agentId,
  metadata: z.unknown().optional(),
  client_timestamp: clientTimestamp,
  worker_id: z.string().min(1).optional(),
}) satisfies z.ZodType<SubmitMetadataBody>;

export const submitOnboardingSchema = z.object({
  provider_data: z.looseObject({
    USED_AGENT_ID: agentId,
    onboarding_data: z.unknown().optional(),
  }),
  client_timestamp: clientTimestamp,
}) satisfies z.ZodType<SubmitOnboardingBody>;

// Multipart bodies: every field is text (multipart-reader.ts), a repeated name is a list and refused.
const textTimestamp = z
  .string()
  .regex(/^-?\d+(\.\d+)?$/, 'must be a decimal number of seconds')
  .transform(Number)
  .optional();

/** The text fields of a multipart `/submit_task`; the data is JSON text in one of two fields. */
export const multipartSubmitTaskSchema = z
  .object({
    USED_AGENT_ID: agentId,
    final_string_data: z.string().optional(),
    final_data: z.string().optional(),
    client_timestamp: textTimestamp,
    worker_id: z.string().min(1).optional(),
  })
  .refine((b) => b.final_string_data !== undefined || b.final_data !== undefined, {
    error: 'is required (or final_data): the submitted data as JSON text',
    path: ['final_string_data'],
  });

/** The text fields of a multipart `/submit_metadata`; `metadata` is JSON text. */
export const multipartSubmitMetadataSchema = z.object({
  USED_AGENT_ID: agentId,
  metadata: z.string().optional(),
  client_timestamp: textTimestamp,
  worker_id: z.string().min(1).optional(),
});

/**
 * The JSON value of a text field of a multipart body.
 * @throws MalformedJsonFieldError naming the field
 */
export function parseJsonField(route: string, field: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new MalformedJsonFieldError(route, field, error instanceof Error ? error.message : String(error));
  }
}

export const logErrorSchema = z.object({
  USED_AGENT_ID: agentId.nullable().optional(),
  error_data: z.unknown().refine((v) => v !== undefined, 'is required'),
  client_timestamp: clientTimestamp,
}) satisfies z.ZodType<LogErrorBody>;

export const taskConfigQuerySchema = z.object({
  mephisto_task_version: z.string().optional(),
});

/**
 * Checks `value` against `schema`.
 * @throws InvalidRequestError listing each problem as `field.path: message`
 */
export function parseBody<S extends z.ZodType>(route: string, schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const at = issue.path.length === 0 ? 'body' : issue.path.map(String).join('.');
    return `${at}: ${issue.message}`;
  });
  throw new InvalidRequestError(route, problems);
}
