/**
 * Qualification requirements (spec §4.9): Mephisto's `{qualification_name, comparator, value,
 * applicable_providers}` dicts, checked against a worker's grants (`worker_is_qualified`).
 */
import { InvalidArgumentError } from '../core/index.js';
import type { GrantsByName } from '../store/store.js';

export const QUALIFICATION_COMPARATORS = [
  'GreaterThan',
  'GreaterThanOrEqualTo',
  'LessThan',
  'LessThanOrEqualTo',
  'EqualTo',
  'NotEqualTo',
  'Exists',
  'DoesNotExist',
  'In',
  'NotIn',
] as const;
export type QualificationComparator = (typeof QUALIFICATION_COMPARATORS)[number];

export interface QualificationRequirement {
  readonly qualification_name: string;
  readonly comparator: QualificationComparator;
  /** A number for the ordering and equality comparators, a list for In / NotIn, null for (Does Not) Exists. */
  readonly value?: number | readonly number[] | null;
  /** Providers that push this requirement to their own system; ignored by the local check (as in Mephisto). */
  readonly applicable_providers?: readonly string[] | null;
}

const ORDERING: readonly QualificationComparator[] = [
  'GreaterThan',
  'GreaterThanOrEqualTo',
  'LessThan',
  'LessThanOrEqualTo',
];
const PRESENCE: readonly QualificationComparator[] = ['Exists', 'DoesNotExist'];
const MEMBERSHIP: readonly QualificationComparator[] = ['In', 'NotIn'];

/**
 * Checks one requirement's shape (Mephisto's `as_valid_qualification_dict`) and returns it.
 * @throws InvalidArgumentError naming the requirement and what is wrong
 */
export function validateQualificationRequirement(requirement: unknown): QualificationRequirement {
  const where = `qualification requirement ${JSON.stringify(requirement)}`;
  if (typeof requirement !== 'object' || requirement === null)
    throw new InvalidArgumentError(`${where} must be an object`);
  const r = requirement as Record<string, unknown>;
  if (typeof r.qualification_name !== 'string' || r.qualification_name === '')
    throw new InvalidArgumentError(`${where}: qualification_name must be a non-empty string`);
  const comparator = r.comparator;
  if (!(QUALIFICATION_COMPARATORS as readonly unknown[]).includes(comparator)) {
    throw new InvalidArgumentError(
      `${where}: comparator must be one of ${QUALIFICATION_COMPARATORS.join(', ')}, got ${JSON.stringify(comparator)}`,
    );
  }
  const c = comparator as QualificationComparator;
  const value = r.value;
  if (PRESENCE.includes(c)) {
    if (value !== undefined && value !== null)
      throw new InvalidArgumentError(`${where}: ${c} takes no value (null), got ${JSON.stringify(value)}`);
  } else if (MEMBERSHIP.includes(c)) {
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'number' && Number.isFinite(v)))
      throw new InvalidArgumentError(`${where}: ${c} needs a list of numbers as value`);
  } else if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    (ORDERING.includes(c) && !Number.isInteger(value))
  ) {
    throw new InvalidArgumentError(
      `${where}: ${c} needs ${ORDERING.includes(c) ? 'an integer' : 'a number'} as value, got ${JSON.stringify(value)}`,
    );
  }
  const providers = r.applicable_providers;
  if (
    providers !== undefined &&
    providers !== null &&
    !(Array.isArray(providers) && providers.every((p) => typeof p === 'string'))
  ) {
    throw new InvalidArgumentError(`${where}: applicable_providers must be null or a list of provider types`);
  }
  return requirement as QualificationRequirement;
}

/** Builds a checked requirement (Mephisto's `make_qualification_dict`). */
export function makeQualificationRequirement(
  qualificationName: string,
  comparator: QualificationComparator,
  value: number | readonly number[] | null = null,
  applicableProviders: readonly string[] | null = null,
): QualificationRequirement {
  return validateQualificationRequirement({
    qualification_name: qualificationName,
    comparator,
    value,
    applicable_providers: applicableProviders,
  });
}

/** Whether a worker's grant `granted` (undefined: no grant) meets one requirement. */
export function meetsRequirement(
  granted: number | undefined,
  requirement: QualificationRequirement,
): boolean {
  const { comparator, value } = requirement;
  if (comparator === 'Exists') return granted !== undefined;
  if (comparator === 'DoesNotExist') return granted === undefined;
  if (granted === undefined) return false;
  switch (comparator) {
    case 'GreaterThan':
      return granted > (value as number);
    case 'GreaterThanOrEqualTo':
      return granted >= (value as number);
    case 'LessThan':
      return granted < (value as number);
    case 'LessThanOrEqualTo':
      return granted <= (value as number);
    case 'EqualTo':
      return granted === value;
    case 'NotEqualTo':
      return granted !== value;
    case 'In':
      return (value as readonly number[]).includes(granted);
    case 'NotIn':
      return !(value as readonly number[]).includes(granted);
  }
}

/**
 * Mephisto's `worker_is_qualified`: every requirement must be met. A requirement naming a
 * qualification that does not exist is skipped (`onUnknown` is told, to log a warning), as in
 * Mephisto.
 */
export function workerIsQualified(
  grants: GrantsByName,
  known: ReadonlySet<string>,
  requirements: readonly QualificationRequirement[],
  onUnknown?: (name: string) => void,
): boolean {
  for (const requirement of requirements) {
    if (!known.has(requirement.qualification_name)) {
      onUnknown?.(requirement.qualification_name);
      continue;
    }
    if (!meetsRequirement(grants.get(requirement.qualification_name), requirement)) return false;
  }
  return true;
}
