/**
 * What a review action does to a unit in each status: the one table the review service decides by,
 * inside the store's transaction (ReviewStore.applyUnitReviews calls it with the unit as locked).
 *
 * | action      | completed        | accepted | rejected        | soft_rejected | not submitted |
 * |-------------|------------------|----------|-----------------|---------------|---------------|
 * | approve     | → accepted       | skip     | → accepted (1)  | CONFLICT      | NOT_SUBMITTED |
 * | reject      | → rejected       | CONFLICT | skip            | CONFLICT      | NOT_SUBMITTED |
 * | soft_reject | → soft_rejected  | CONFLICT | CONFLICT        | skip          | NOT_SUBMITTED |
 * | bonus       | bonus            | bonus    | bonus           | bonus         | NOT_SUBMITTED |
 *
 * (1) overturns a rejection (MTurk can approve a rejected assignment; the unit transition table allows
 * it). An accepted unit is final: the worker is paid, so it is never rejected afterwards. "Not
 * submitted" is created, launched, assigned or expired. Codes are MEPHISTO_ERR_REVIEW_*.
 */
import type { Unit, UnitStatus } from '../core/index.js';
import type { UnitReviewActionKind, UnitReviewDecision } from '../store/store.js';

const SUBMITTED: readonly UnitStatus[] = ['completed', 'accepted', 'rejected', 'soft_rejected'];

const VERB: Readonly<Record<UnitReviewActionKind, string>> = {
  approve: 'approved',
  reject: 'rejected',
  soft_reject: 'soft-rejected',
  bonus: 'paid a bonus',
};

export function decideUnitReview(action: UnitReviewActionKind, unit: Unit): UnitReviewDecision {
  const status = unit.status;
  if (!SUBMITTED.includes(status)) {
    return {
      kind: 'refuse',
      code: 'MEPHISTO_ERR_REVIEW_NOT_SUBMITTED',
      message: `unit ${unit.id} is "${status}": it has no submitted work to be ${VERB[action]}`,
    };
  }
  const conflict = (why: string): UnitReviewDecision => ({
    kind: 'refuse',
    code: 'MEPHISTO_ERR_REVIEW_CONFLICT',
    message: `unit ${unit.id} cannot be ${VERB[action]}: it is "${status}"${why}`,
  });
  switch (action) {
    case 'bonus':
      return { kind: 'bonus' };
    case 'approve':
      if (status === 'completed' || status === 'rejected') return { kind: 'transition', to: 'accepted' };
      if (status === 'accepted') return { kind: 'skip', message: `unit ${unit.id} is already accepted` };
      return conflict(' (the worker was paid, the work marked unusable)');
    case 'reject':
      if (status === 'completed') return { kind: 'transition', to: 'rejected' };
      if (status === 'rejected') return { kind: 'skip', message: `unit ${unit.id} is already rejected` };
      return conflict(status === 'accepted' ? ' (the worker has been paid)' : '');
    case 'soft_reject':
      if (status === 'completed') return { kind: 'transition', to: 'soft_rejected' };
      if (status === 'soft_rejected')
        return { kind: 'skip', message: `unit ${unit.id} is already soft-rejected` };
      return conflict(status === 'accepted' ? ' (the worker has been paid)' : '');
  }
}
