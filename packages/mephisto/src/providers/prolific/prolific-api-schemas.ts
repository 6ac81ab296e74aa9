/**
 * The parts of Prolific's replies the provider reads, as zod schemas. Loose objects: Prolific adds fields
 * freely, and only what is declared here is relied on. Money is in cents (hundredths) of the workspace's
 * currency; Prolific's study and submission statuses are upper-case words with spaces
 * (`AWAITING REVIEW`, `TIMED-OUT`).
 */
import { z } from 'zod';

/** The list envelope: `results`, and `_links.next.href` when there is another page. */
export function listSchema<T extends z.ZodType>(item: T) {
  return z.looseObject({
    results: z.array(item),
    _links: z.looseObject({ next: z.looseObject({ href: z.string().nullish() }).nullish() }).nullish(),
  });
}

export const UserSchema = z.looseObject({
  id: z.string(),
  email: z.string().nullish(),
  currency_code: z.string().nullish(),
  available_balance: z.number().nullish(),
  balance: z.number().nullish(),
});
export type ProlificUser = z.output<typeof UserSchema>;

export const WorkspaceSchema = z.looseObject({ id: z.string(), title: z.string() });
export type ProlificWorkspace = z.output<typeof WorkspaceSchema>;

export const WorkspaceBalanceSchema = z.looseObject({
  currency_code: z.string().nullish(),
  total_balance: z.number(),
  available_balance: z.number(),
});
export type ProlificWorkspaceBalance = z.output<typeof WorkspaceBalanceSchema>;

export const ProjectSchema = z.looseObject({ id: z.string(), title: z.string() });
export type ProlificProject = z.output<typeof ProjectSchema>;

/** Study statuses; `PROCESSING` is undocumented and transient. Unknown future ones still parse. */
export const STUDY_STATUSES = [
  'UNPUBLISHED',
  'SCHEDULED',
  'ACTIVE',
  'PAUSED',
  'AWAITING REVIEW',
  'COMPLETED',
  'PROCESSING',
] as const;
export type ProlificStudyStatus = (typeof STUDY_STATUSES)[number];

export const CompletionCodeSchema = z.looseObject({
  code: z.string(),
  code_type: z.string(),
  actions: z.array(z.looseObject({ action: z.string() })).nullish(),
});

export const StudySchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  internal_name: z.string().nullish(),
  status: z.string(),
  total_available_places: z.number().int(),
  places_taken: z.number().int().nullish(),
  external_study_url: z.string().nullish(),
  reward: z.number().nullish(),
  completion_codes: z.array(CompletionCodeSchema).nullish(),
  project: z.string().nullish(),
});
export type ProlificStudy = z.output<typeof StudySchema>;

/** Submission statuses (`%SESSION_ID%` is a submission's id). */
export const SUBMISSION_STATUSES = [
  'RESERVED',
  'ACTIVE',
  'AWAITING REVIEW',
  'APPROVED',
  'REJECTED',
  'RETURNED',
  'TIMED-OUT',
  'PROCESSING',
  'PARTIALLY APPROVED',
  'SCREENED OUT',
] as const;

/** `GET /submissions/{id}/` and a transition's reply. */
export const SubmissionSchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  study_id: z.string().nullish(),
  participant: z.string().nullish(),
  participant_id: z.string().nullish(),
  entered_code: z.string().nullish(),
});
export type ProlificSubmission = z.output<typeof SubmissionSchema>;

/**
 * An item of a submissions list: Prolific gives lists a different shape from single submissions
 * (`participant_id`, `bonus_payments`, …). `bonus_payments` is read as amounts in cents; the field's
 * exact shape is not documented, so anything else is kept raw and treated as unknown.
 */
export const SubmissionListItemSchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  participant_id: z.string().nullish(),
  participant: z.string().nullish(),
  study_code: z.string().nullish(),
  entered_code: z.string().nullish(),
  bonus_payments: z.array(z.unknown()).nullish(),
});
export type ProlificSubmissionListItem = z.output<typeof SubmissionListItemSchema>;

export const BulkBonusSchema = z.looseObject({
  id: z.string(),
  study: z.string().nullish(),
  amount: z.number(),
  fees: z.number().nullish(),
  total_amount: z.number().nullish(),
});
export type ProlificBulkBonus = z.output<typeof BulkBonusSchema>;

export const ParticipantGroupSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  workspace_id: z.string().nullish(),
  is_deleted: z.boolean().nullish(),
});
export type ProlificParticipantGroup = z.output<typeof ParticipantGroupSchema>;

export const GroupMemberSchema = z.looseObject({ participant_id: z.string() });

/** Prolific's error body: `{"error": {"status", "title", "detail", …}}`; `detail` a string or per-field lists. */
export const ErrorBodySchema = z.looseObject({
  error: z.looseObject({
    status: z.number().nullish(),
    title: z.string().nullish(),
    detail: z.unknown(),
  }),
});
