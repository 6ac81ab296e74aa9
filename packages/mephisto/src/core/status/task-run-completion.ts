import { deriveAssignmentStatus, type AssignmentStatus } from './assignment-status.js';
import type { UnitStatus } from './unit-status.js';

const INCOMPLETE: readonly AssignmentStatus[] = ['created', 'launched', 'assigned'];

/**
 * A run is complete when it has at least one assignment, none of its assignments still needs work,
 * and its data source is exhausted (`generatorDone`; a run fed by an endless generator never completes
 * on its own). Mephisto `TaskRun.sync_completion_status`.
 */
export function isTaskRunComplete(
  unitStatusesByAssignment: Iterable<Iterable<UnitStatus>>,
  generatorDone: boolean,
): boolean {
  if (!generatorDone) return false;
  let assignments = 0;
  for (const units of unitStatusesByAssignment) {
    assignments++;
    if (INCOMPLETE.includes(deriveAssignmentStatus(units))) return false;
  }
  return assignments > 0;
}
