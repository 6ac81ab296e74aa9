/**
 * The draft study a run gets on Prolific, built from the run's task and provider args:
 *
 * - `name`/`description` from `task_title`/`task_description`, `reward` in cents from `task_reward`
 *   (Prolific counts in hundredths of the workspace's currency), `estimated_completion_time` from
 *   `prolific_estimated_completion_time_in_minutes`;
 * - `external_study_url`: `prolific_external_study_url`, or the task server's URL, with Prolific's
 *   placeholders as query parameters `PROLIFIC_PID`, `STUDY_ID`, `SESSION_ID` (Prolific fills them);
 * - one completion code per run (`COMPLETED`, manually reviewed), which the wrapper's redirect carries;
 * - `eligibility_requirements` from `prolific_eligibility_requirements`; `filters`: the block-list
 *   participant group and the groups of the run's excluding requirements and block qualification as a
 *   `participant_group_blocklist`, the groups of its requiring qualifications as allowlists
 *   (prolific-study-filters.ts; groups are live: blocking a worker later keeps them out of a running
 *   study too);
 * - one place (Prolific needs at least one); launches add places. Participants may take several units
 *   (`max_submissions_per_participant: -1`): mephisto-ts enforces its own per-worker caps.
 */
import { randomBytes } from 'node:crypto';
import type { ProlificProviderArgs } from '../../core/config/provider-args.js';
import type { ProviderRunContext } from '../crowd-provider.js';
import { studyFilters, type StudyFilterGroups } from './prolific-study-filters.js';

export const PROLIFIC_PLACEHOLDERS = {
  PROLIFIC_PID: '{{%PROLIFIC_PID%}}',
  STUDY_ID: '{{%STUDY_ID%}}',
  SESSION_ID: '{{%SESSION_ID%}}',
} as const;

export { GROUP_BLOCKLIST_FILTER } from './prolific-study-filters.js';

/** Where Prolific's eligibility requirement classes live (`_cls`). */
const REQUIREMENT_CLASS_PREFIX = 'web.eligibility.models.';

/**
 * The URL Prolific sends participants to. The configured one is used as given, with any of the three
 * placeholders it lacks appended as query parameters (the wrapper needs all three); the placeholders are
 * not URL-encoded, since Prolific looks for them literally.
 */
export function externalStudyUrl(
  args: Pick<ProlificProviderArgs, 'prolific_external_study_url'>,
  serverUrl: string,
): string {
  const base =
    args.prolific_external_study_url.trim() === '' ? serverUrl : args.prolific_external_study_url.trim();
  const missing = Object.entries(PROLIFIC_PLACEHOLDERS)
    .filter(([, placeholder]) => !base.includes(placeholder))
    .map(([name, placeholder]) => `${name}=${placeholder}`);
  if (missing.length === 0) return base;
  const separator = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${separator}${missing.join('&')}`;
}

/**
 * `prolific_eligibility_requirements` in Prolific's form. An item with `_cls` is sent as written; an
 * item `{name: 'X', field: value, …}` (Mephisto's short form) becomes
 * `{_cls: 'web.eligibility.models.X', attributes: [{name: 'field', value}, …]}`.
 */
export function eligibilityRequirements(
  items: ProlificProviderArgs['prolific_eligibility_requirements'],
): unknown[] {
  return items.map((item) => {
    const { name, ...fields } = item;
    if ('_cls' in fields) return fields;
    return {
      _cls: name.startsWith(REQUIREMENT_CLASS_PREFIX) ? name : `${REQUIREMENT_CLASS_PREFIX}${name}`,
      attributes: Object.entries(fields).map(([field, value]) => ({ name: field, value })),
    };
  });
}

/** `task_reward` (dollars, or the workspace currency's main unit) in whole cents. */
export function rewardCents(taskArgs: Readonly<Record<string, unknown>>): number {
  const reward = taskArgs.task_reward;
  const value = typeof reward === 'number' ? reward : Number(reward);
  return Number.isFinite(value) && value > 0 ? Math.round(value * 100) : 0;
}

/** A fresh completion code: 10 characters Prolific accepts (upper-case letters and digits). */
export function newCompletionCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return Array.from(randomBytes(10), (byte) => alphabet[byte % alphabet.length]).join('');
}

export interface StudySpecInput {
  readonly context: ProviderRunContext;
  readonly args: ProlificProviderArgs;
  readonly projectId: string;
  /** The participant groups the study filters on. */
  readonly groups: StudyFilterGroups;
  readonly completionCode: string;
  /** The study's `internal_name`: how a create whose reply was lost is found again. */
  readonly internalName: string;
}

/** The `POST /studies/` body for a run's draft study. */
export function studyCreateBody(input: StudySpecInput): Record<string, unknown> {
  const { context, args } = input;
  const title = typeof context.taskArgs.task_title === 'string' ? context.taskArgs.task_title : '';
  const description = context.taskArgs.task_description;
  return {
    name: title.trim() !== '' ? title : `Task run ${context.taskRun.id}`,
    internal_name: input.internalName,
    description: typeof description === 'string' && description.trim() !== '' ? description : title,
    external_study_url: externalStudyUrl(args, context.serverUrl),
    prolific_id_option: args.prolific_id_option,
    completion_option: 'code',
    completion_codes: [
      { code: input.completionCode, code_type: 'COMPLETED', actions: [{ action: 'MANUALLY_REVIEW' }] },
    ],
    total_available_places: 1,
    estimated_completion_time: args.prolific_estimated_completion_time_in_minutes,
    reward: rewardCents(context.taskArgs),
    eligibility_requirements: eligibilityRequirements(args.prolific_eligibility_requirements),
    filters: studyFilters(input.groups),
    submissions_config: { max_submissions_per_participant: -1 },
    project: input.projectId,
  };
}
