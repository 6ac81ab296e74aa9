/**
 * Whether a worker meets a HIT's qualification requirement, by MTurk's comparators: `Exists` and
 * `DoesNotExist` on whether the worker has a score; `EqualTo`, `NotEqualTo`, `GreaterThan`(`OrEqualTo`),
 * `LessThan`(`OrEqualTo`), `In` and `NotIn` on the score (a worker without a score fails them); the
 * locale requirement on the worker's country. MTurk's system qualifications other than locale
 * (approval rate, Masters, …) are not modelled: every fake worker meets them.
 */
import type { QualificationRequirement } from './mturk-fake-model.js';

/** The worker's locale as MTurk knows it. */
export interface WorkerLocale {
  readonly Country: string;
  readonly Subdivision?: string;
}

const LOCALE_TYPE_ID = '00000000000000000071';
/** Ids of MTurk's system qualification types (besides locale) the fake treats as met. */
const SYSTEM_TYPE_IDS = new Set([
  '000000000000000000L0', // approval rate
  '00000000000000000040', // number of HITs approved
  '2F1QJWKUDD8XADTFD2Q0G6UTO95ALH', // Masters (sandbox)
  '2NDP2L92HECWY8NS8H3CK0CP5L9GHO', // Masters (live)
  '00000000000000000060', // adult content
]);

export function meetsRequirement(
  requirement: QualificationRequirement,
  score: number | null,
  locale: WorkerLocale,
): boolean {
  if (requirement.QualificationTypeId === LOCALE_TYPE_ID) return meetsLocale(requirement, locale);
  if (SYSTEM_TYPE_IDS.has(requirement.QualificationTypeId)) return true;
  const values = requirement.IntegerValues ?? [];
  const first = values[0];
  switch (requirement.Comparator) {
    case 'Exists':
      return score !== null;
    case 'DoesNotExist':
      return score === null;
    case 'EqualTo':
      return score !== null && score === first;
    case 'NotEqualTo':
      return score !== null && score !== first;
    case 'GreaterThan':
      return score !== null && first !== undefined && score > first;
    case 'GreaterThanOrEqualTo':
      return score !== null && first !== undefined && score >= first;
    case 'LessThan':
      return score !== null && first !== undefined && score < first;
    case 'LessThanOrEqualTo':
      return score !== null && first !== undefined && score <= first;
    case 'In':
      return score !== null && values.includes(score);
    case 'NotIn':
      return score !== null && !values.includes(score);
    default:
      return false;
  }
}

function meetsLocale(requirement: QualificationRequirement, locale: WorkerLocale): boolean {
  const matches = (requirement.LocaleValues ?? []).some(
    (value) =>
      value.Country === locale.Country &&
      (value.Subdivision === undefined || value.Subdivision === locale.Subdivision),
  );
  switch (requirement.Comparator) {
    case 'EqualTo':
    case 'In':
      return matches;
    case 'NotEqualTo':
    case 'NotIn':
      return !matches;
    default:
      return true;
  }
}

/** The comparators MTurk accepts in a requirement. */
export const COMPARATORS: ReadonlySet<string> = new Set([
  'LessThan',
  'LessThanOrEqualTo',
  'GreaterThan',
  'GreaterThanOrEqualTo',
  'EqualTo',
  'NotEqualTo',
  'Exists',
  'DoesNotExist',
  'In',
  'NotIn',
]);
