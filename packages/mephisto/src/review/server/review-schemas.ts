/**
 * The review API's bodies, path parameters and queries as zod schemas, each tied to its type in
 * review-api.ts, and the one function that turns a failed check into a 400
 * MEPHISTO_ERR_REVIEW_INVALID_REQUEST naming every field at fault. Bodies are strict: a misspelt
 * field (`ammount`) is an error, not silently ignored.
 */
import { z } from 'zod';
import type {
  BulkReviewRequest,
  IdempotentRequest,
  QualificationCreateRequest,
  QualificationGrantRequest,
  QualificationRevokeRequest,
  ReviewActionRequest,
  UnitStatusName,
  WorkerBlockRequest,
} from '../review-api.js';
import { ReviewRequestError } from '../review-errors.js';
import { MAX_BULK_UNITS, MAX_TEXT } from '../review-service.js';

const id = z.string().regex(/^[1-9]\d{0,18}$/, 'must be a decimal id');
/** A client's key: a UUID fits; long enough not to collide by accident, short enough to index. */
const idempotencyKey = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{8,200}$/, 'must be 8 to 200 letters, digits, "_", ".", ":" or "-" (a UUID)');
const text = z.string().max(MAX_TEXT, `must be at most ${MAX_TEXT} characters`);
const requiredText = text.refine((v) => v.trim() !== '', 'must not be empty');
const amount = z
  .number()
  .positive('must be more than 0')
  .refine((v) => Math.abs(Math.round(v * 100) - v * 100) < 1e-6, 'must be whole cents (at most 2 decimals)');

const actionVariants = {
  approve: { action: z.literal('approve'), feedback: text.optional() },
  reject: { action: z.literal('reject'), feedback: requiredText },
  soft_reject: { action: z.literal('soft_reject'), feedback: text.optional() },
  bonus: { action: z.literal('bonus'), amount, reason: requiredText },
};

export const reviewActionSchema = z.discriminatedUnion('action', [
  z.strictObject({ ...actionVariants.approve, idempotency_key: idempotencyKey }),
  z.strictObject({ ...actionVariants.reject, idempotency_key: idempotencyKey }),
  z.strictObject({ ...actionVariants.soft_reject, idempotency_key: idempotencyKey }),
  z.strictObject({ ...actionVariants.bonus, idempotency_key: idempotencyKey }),
]) satisfies z.ZodType<ReviewActionRequest>;

const unitIds = z
  .array(id)
  .min(1, 'must name at least one unit')
  .max(MAX_BULK_UNITS, `must name at most ${MAX_BULK_UNITS} units`);

export const bulkReviewSchema = z.discriminatedUnion('action', [
  z.strictObject({ ...actionVariants.approve, unit_ids: unitIds, idempotency_key: idempotencyKey }),
  z.strictObject({ ...actionVariants.reject, unit_ids: unitIds, idempotency_key: idempotencyKey }),
  z.strictObject({ ...actionVariants.soft_reject, unit_ids: unitIds, idempotency_key: idempotencyKey }),
  z.strictObject({ ...actionVariants.bonus, unit_ids: unitIds, idempotency_key: idempotencyKey }),
]) satisfies z.ZodType<BulkReviewRequest>;

export const workerBlockSchema = z.strictObject({
  reason: requiredText,
  idempotency_key: idempotencyKey,
}) satisfies z.ZodType<WorkerBlockRequest>;

export const idempotentSchema = z.strictObject({
  idempotency_key: idempotencyKey,
}) satisfies z.ZodType<IdempotentRequest>;

const qualificationName = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .refine((v) => v.trim() !== '', 'must not be blank');

export const qualificationCreateSchema = z.strictObject({
  name: qualificationName,
  description: z.string().max(500, 'must be at most 500 characters').optional(),
}) satisfies z.ZodType<QualificationCreateRequest>;

export const qualificationGrantSchema = z.strictObject({
  worker_id: id,
  value: z.number().int('must be an integer').min(-2_147_483_648).max(2_147_483_647).optional(),
  idempotency_key: idempotencyKey,
}) satisfies z.ZodType<QualificationGrantRequest>;

export const qualificationRevokeSchema = z.strictObject({
  worker_id: id,
  idempotency_key: idempotencyKey,
}) satisfies z.ZodType<QualificationRevokeRequest>;

export const runParamsSchema = z.object({ runId: id });
export const unitParamsSchema = z.object({ unitId: id });
export const workerParamsSchema = z.object({ workerId: id });
export const qualificationParamsSchema = z.object({ name: qualificationName });
export const fileParamsSchema = z.object({
  unitId: id,
  filename: z.string().min(1).max(255, 'must be at most 255 characters'),
});

const STATUS_NAMES = [
  'created',
  'launched',
  'assigned',
  'completed',
  'accepted',
  'mixed',
  'rejected',
  'soft_rejected',
  'expired',
] as const satisfies readonly UnitStatusName[];

/** `status=a,b` or `status=a&status=b`. */
const statusList = z
  .union([z.string(), z.array(z.string())])
  .transform((value) =>
    (Array.isArray(value) ? value : [value]).flatMap((s) => s.split(',')).filter((s) => s !== ''),
  )
  .pipe(z.array(z.enum(STATUS_NAMES, { error: `must be statuses among ${STATUS_NAMES.join(', ')}` })));

export const unitPageQuerySchema = z.strictObject({
  status: statusList.optional(),
  q: z.string().max(200, 'must be at most 200 characters').optional(),
  worker_id: id.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce
    .number()
    .int('must be an integer')
    .min(1, 'must be at least 1')
    .max(500, 'must be at most 500')
    .optional(),
});

/** `value` checked against `schema`; a failure names every field at fault. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: 'body' | 'query' | 'path',
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.length === 0 ? where : issue.path.join('.');
    return `${path}: ${issue.message}`;
  });
  throw new ReviewRequestError(`invalid ${where}: ${problems.join('; ')}`, problems);
}
