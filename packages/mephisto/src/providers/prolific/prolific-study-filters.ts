/**
 * A run's qualification requirements and block qualification as Prolific study filters. Prolific has
 * no qualification values, only participant groups, and the provider keeps one group per qualification
 * (a grant adds the participant, a revocation removes them), so a group holds "has the qualification":
 *
 * | requirement                                             | on the study                            |
 * |---------------------------------------------------------|-----------------------------------------|
 * | `Exists`                                                | its group in a `participant_group_allowlist` |
 * | `DoesNotExist`, the block qualification                 | its group in the `participant_group_blocklist` |
 * | `EqualTo`, `GreaterThan(OrEqualTo)`, `LessThan(OrEqualTo)`, `In` | its group allowlisted (holding it is necessary); the value is not expressible: a warning |
 * | `NotEqualTo`, `NotIn`                                   | nothing (a warning)                     |
 * | `applicable_providers` without `prolific`               | nothing                                 |
 *
 * Whatever Prolific cannot express is still enforced by mephisto-ts when a participant asks for work
 * (the worker pool's qualification check), so an allowlist is only ever a necessary condition: it keeps
 * out participants who could never be given a unit, and never someone who could.
 *
 * Allowlists are one filter per qualification, since one filter's groups are alternatives (a member of
 * any may take part) while the study's filters must all hold. The blocklist is one filter: being in any
 * of its groups keeps a participant out.
 */
import { blockQualificationOf, requirementAppliesTo, type ProviderRunContext } from '../crowd-provider.js';

/** The filter that keeps a participant group's members out of a study. */
export const GROUP_BLOCKLIST_FILTER = 'participant_group_blocklist';
/** The filter that lets only a participant group's members into a study. */
export const GROUP_ALLOWLIST_FILTER = 'participant_group_allowlist';

/** Which qualifications' groups a study allows and excludes, and what could not be expressed. */
export interface StudyFilterPlan {
  /** Qualifications whose group a participant must be in (one allowlist filter each). */
  readonly allow: readonly string[];
  /** Qualifications whose group keeps a participant out (with the provider's block list). */
  readonly exclude: readonly string[];
  /** One line per requirement Prolific cannot express (fully), in plain words. */
  readonly warnings: readonly string[];
}

const VALUE_COMPARATORS: ReadonlySet<string> = new Set([
  'EqualTo',
  'GreaterThan',
  'GreaterThanOrEqualTo',
  'LessThan',
  'LessThanOrEqualTo',
  'In',
]);

/** The plan for a run (pure: no group is looked up or made). */
export function planStudyFilters(context: ProviderRunContext): StudyFilterPlan {
  const allow: string[] = [];
  const exclude: string[] = [];
  const warnings: string[] = [];
  const add = (list: string[], name: string): void => {
    if (!list.includes(name)) list.push(name);
  };
  for (const requirement of context.qualifications ?? []) {
    if (!requirementAppliesTo(requirement, ['prolific'])) continue;
    const name = requirement.qualification_name;
    const { comparator } = requirement;
    const described = `${name} ${comparator}${requirement.value === undefined || requirement.value === null ? '' : ` ${JSON.stringify(requirement.value)}`}`;
    if (comparator === 'Exists') add(allow, name);
    else if (comparator === 'DoesNotExist') add(exclude, name);
    else if (VALUE_COMPARATORS.has(comparator)) {
      add(allow, name);
      warnings.push(
        `requirement "${described}": Prolific filters on holding ${name} only (its participant group); ` +
          'the value is checked by mephisto-ts when a participant asks for work',
      );
    } else
      warnings.push(
        `requirement "${described}" cannot be expressed as a Prolific filter; ` +
          'it is checked by mephisto-ts when a participant asks for work',
      );
  }
  const block = blockQualificationOf(context);
  if (block !== null) add(exclude, block);
  return { allow, exclude, warnings };
}

/** Participant group ids to filter a study on (the provider's block-list group is always excluded). */
export interface StudyFilterGroups {
  readonly blockGroupId: string;
  readonly allowGroupIds: readonly string[];
  readonly excludeGroupIds: readonly string[];
}

/** The study's `filters`: the blocklist (block list and excluded groups), then one allowlist per group. */
export function studyFilters(groups: StudyFilterGroups): Record<string, unknown>[] {
  const blocked = [...new Set([groups.blockGroupId, ...groups.excludeGroupIds])];
  return [
    { filter_id: GROUP_BLOCKLIST_FILTER, selected_values: blocked },
    ...[...new Set(groups.allowGroupIds)].map((id) => ({
      filter_id: GROUP_ALLOWLIST_FILTER,
      selected_values: [id],
    })),
  ];
}
