import type { TransitionTable } from './transition-table.js';

/**
 * Unit status, Mephisto's `AssignmentState` minus `mixed` (which only an assignment can be).
 * Stored verbatim in `units.status`, so the strings match Mephisto's database.
 */
export const UNIT_STATUSES = [
  'created',
  'launched',
  'assigned',
  'completed',
  'accepted',
  'rejected',
  'soft_rejected',
  'expired',
] as const;
export type UnitStatus = (typeof UNIT_STATUSES)[number];

/** Statuses in which a unit still needs work (Mephisto `incomplete()`). */
export const INCOMPLETE_UNIT_STATUSES: readonly UnitStatus[] = ['created', 'launched', 'assigned'];
/** Statuses that cost money (Mephisto `payable()`): counted in spend. */
export const PAYABLE_UNIT_STATUSES: readonly UnitStatus[] = [
  'launched',
  'assigned',
  'completed',
  'accepted',
  'soft_rejected',
];
/** Work was submitted (Mephisto `completed()`): counted against `maximum_units_per_worker`. */
export const SUBMITTED_UNIT_STATUSES: readonly UnitStatus[] = [
  'completed',
  'accepted',
  'rejected',
  'soft_rejected',
];
/** Review outcomes (Mephisto `reviewed()`). */
export const REVIEWED_UNIT_STATUSES: readonly UnitStatus[] = ['accepted', 'rejected', 'soft_rejected'];
/** Nothing more will happen to the unit in this run (Mephisto `final_agent()` for units). */
export const FINAL_UNIT_STATUSES: readonly UnitStatus[] = [
  'completed',
  'accepted',
  'rejected',
  'soft_rejected',
  'expired',
];

/**
 * Allowed unit transitions. Entering `created` or `launched` always detaches the unit's agent and
 * worker (the unit is on offer again); every other transition keeps them.
 *
 * - created → launched: the provider put the unit on offer.
 * - launched → assigned: an agent was created for it (only through the store's atomic agent creation).
 * - assigned → launched: the agent disconnected, timed out or returned; the unit is offered again.
 * - assigned → completed: the agent submitted.
 * - completed → accepted / rejected / soft_rejected: review.
 * - rejected → accepted: a rejection overturned on review (MTurk allows approving a rejected assignment).
 * - created / launched / assigned → expired: the run ended, its lifetime ran out, or the provider expired it.
 * - launched → created: a launch rolled back (the provider refused, or a resume re-launches it).
 * - expired / rejected / soft_rejected → created: a resumed run offers the unit again, as Mephisto's
 *   `resume_assignments` does.
 */
export const UNIT_TRANSITIONS: TransitionTable<UnitStatus> = {
  created: ['launched', 'expired'],
  launched: ['assigned', 'created', 'expired'],
  assigned: ['launched', 'completed', 'expired'],
  completed: ['accepted', 'rejected', 'soft_rejected'],
  accepted: [],
  rejected: ['accepted', 'created'],
  soft_rejected: ['created'],
  expired: ['created'],
};

/** Statuses in which a unit has no agent. */
export const UNIT_STATUSES_WITHOUT_AGENT: readonly UnitStatus[] = ['created', 'launched'];

export function isUnitStatus(value: unknown): value is UnitStatus {
  return typeof value === 'string' && (UNIT_STATUSES as readonly string[]).includes(value);
}
