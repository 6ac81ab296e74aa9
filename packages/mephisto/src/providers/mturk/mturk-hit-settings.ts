/**
 * How a run's settings map onto MTurk (the table in docs/providers/mturk.md):
 *
 * | mephisto-ts                                   | MTurk                                          |
 * |-----------------------------------------------|------------------------------------------------|
 * | `task.task_title`                             | HIT type `Title` (at most 128 characters)       |
 * | `task.task_description`                       | `Description` (at most 2000)                   |
 * | `task.task_tags` (text or list)               | `Keywords` (comma-separated)                   |
 * | `task.task_reward` (dollars)                  | `Reward` (`"0.30"`; whole cents)               |
 * | `task.assignment_duration_in_seconds`         | `AssignmentDurationInSeconds` (30 s – 1 year)  |
 * | `provider.auto_approve_delay_in_seconds`      | `AutoApprovalDelayInSeconds` (0 – 30 days)     |
 * | qualification requirements, block qualification | `QualificationRequirements` (at most 10)     |
 * | `task.task_lifetime_in_seconds`               | each HIT's `LifetimeInSeconds` (30 s – 1 year) |
 * | `provider.frame_height`                       | ExternalQuestion `FrameHeight`                 |
 * | one unit                                      | one HIT with `MaxAssignments` 1                |
 */
import { createHash } from 'node:crypto';
import type { QualificationRequirement as MturkRequirement } from '@aws-sdk/client-mturk';
import { MturkSetupError } from './mturk-errors.js';

/** MTurk's limits on durations, in seconds. */
export const MIN_DURATION_SECONDS = 30;
export const MAX_DURATION_SECONDS = 31_536_000;
export const MAX_AUTO_APPROVAL_DELAY_SECONDS = 2_592_000;
/** MTurk accepts at most this many qualification requirements per HIT type. */
export const MAX_REQUIREMENTS = 10;

export interface HitTypeSettings {
  readonly Title: string;
  readonly Description: string;
  readonly Keywords: string;
  readonly Reward: string;
  readonly AssignmentDurationInSeconds: number;
  readonly AutoApprovalDelayInSeconds: number;
  readonly QualificationRequirements: readonly MturkRequirement[];
}

function text(args: Readonly<Record<string, unknown>>, name: string): string {
  const value = args[name];
  if (typeof value !== 'string' || value.trim() === '')
    throw new MturkSetupError(`mephisto.task.${name} must be set for an MTurk run (it is shown to workers)`);
  return value.trim();
}

function seconds(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.round(value) : fallback;
}

export function clampDuration(value: number): number {
  return Math.min(MAX_DURATION_SECONDS, Math.max(MIN_DURATION_SECONDS, value));
}

/** `"0.30"` for 0.3; refuses amounts that are not whole cents or negative. */
export function dollars(amount: number, what: string): string {
  const cents = Math.round(amount * 100);
  if (!Number.isFinite(amount) || amount < 0 || Math.abs(cents - amount * 100) > 1e-6)
    throw new MturkSetupError(
      `${what} must be a non-negative amount of whole cents for MTurk, got ${amount}`,
    );
  return (cents / 100).toFixed(2);
}

/** The HIT type for a run: the task's texts, reward and durations, and the converted requirements. */
export function hitTypeSettings(
  taskArgs: Readonly<Record<string, unknown>>,
  providerArgs: { readonly auto_approve_delay_in_seconds: number },
  requirements: readonly MturkRequirement[],
): HitTypeSettings {
  const title = text(taskArgs, 'task_title');
  const description = text(taskArgs, 'task_description');
  if (title.length > 128)
    throw new MturkSetupError('mephisto.task.task_title is longer than MTurk allows (128)');
  if (description.length > 2000)
    throw new MturkSetupError('mephisto.task.task_description is longer than MTurk allows (2000)');
  const tags = taskArgs.task_tags;
  const keywords = Array.isArray(tags) ? tags.map(String).join(',') : typeof tags === 'string' ? tags : '';
  const reward = taskArgs.task_reward;
  if (typeof reward !== 'number')
    throw new MturkSetupError('mephisto.task.task_reward must be a number of dollars');
  if (requirements.length > MAX_REQUIREMENTS)
    throw new MturkSetupError(
      `MTurk takes at most ${MAX_REQUIREMENTS} qualification requirements per HIT; this run has ${requirements.length}`,
    );
  return {
    Title: title,
    Description: description,
    Keywords: keywords.slice(0, 1000),
    Reward: dollars(reward, 'mephisto.task.task_reward'),
    AssignmentDurationInSeconds: clampDuration(seconds(taskArgs.assignment_duration_in_seconds, 1800)),
    AutoApprovalDelayInSeconds: Math.min(
      MAX_AUTO_APPROVAL_DELAY_SECONDS,
      Math.max(0, Math.round(providerArgs.auto_approve_delay_in_seconds)),
    ),
    QualificationRequirements: requirements,
  };
}

/** A digest of the settings: equal settings, equal digest. */
export function settingsSignature(settings: HitTypeSettings): string {
  return createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 32);
}

/** Each HIT's lifetime: `task_lifetime_in_seconds`, within MTurk's limits. */
export function hitLifetimeSeconds(taskArgs: Readonly<Record<string, unknown>>): number {
  return clampDuration(seconds(taskArgs.task_lifetime_in_seconds, 31 * 24 * 3600));
}

const EXTERNAL_QUESTION_SCHEMA =
  'http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/ExternalQuestion.xsd';

function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** The ExternalQuestion that frames `url` at `frameHeight` pixels (0: the whole window). */
export function externalQuestion(url: string, frameHeight: number): string {
  return (
    `<ExternalQuestion xmlns="${EXTERNAL_QUESTION_SCHEMA}">` +
    `<ExternalURL>${escapeXml(url)}</ExternalURL>` +
    `<FrameHeight>${Math.max(0, Math.round(frameHeight))}</FrameHeight>` +
    '</ExternalQuestion>'
  );
}
