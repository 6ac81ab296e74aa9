import type { UnitStatus } from './unit-status.js';

/** An assignment's status is derived from its units' statuses and never stored. */
export type AssignmentStatus = UnitStatus | 'mixed';

/**
 * Mephisto's `Assignment.get_status` rules, in order: no units → created; a single distinct status →
 * that status; any created → created; any launched → launched; any assigned → assigned; all accepted or
 * rejected → mixed; otherwise (all final) → completed.
 */
export function deriveAssignmentStatus(unitStatuses: Iterable<UnitStatus>): AssignmentStatus {
  const seen = new Set(unitStatuses);
  if (seen.size === 0) return 'created';
  if (seen.size === 1) return seen.values().next().value as UnitStatus;
  if (seen.has('created')) return 'created';
  if (seen.has('launched')) return 'launched';
  if (seen.has('assigned')) return 'assigned';
  if ([...seen].every((s) => s === 'accepted' || s === 'rejected')) return 'mixed';
  // What is left is final (completed, accepted, rejected, soft_rejected, expired), in more than one kind.
  return 'completed';
}
