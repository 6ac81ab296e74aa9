/**
 * Money as MTurk handles it: amounts travel as strings of US dollars (`"5"`, `"0.3"`, `"101.42"`), and
 * the fake keeps whole cents so sums are exact. MTurk's commission (requester.mturk.com/pricing): 20% of
 * the reward or bonus, plus 20% more on the reward of HITs with 10 or more assignments, at least $0.01
 * per assignment or bonus paid.
 */

/** Cents for a currency string, or null when it is not one (negative, symbols, more than 2 decimals). */
export function parseCurrency(amount: string): number | null {
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(amount.trim());
  if (match === null) return null;
  const dollars = Number(match[1]);
  const cents = Number((match[2] ?? '0').padEnd(2, '0'));
  return dollars * 100 + cents;
}

/** `"12.30"` for 1230 cents. */
export function formatCurrency(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Commission in percent on a reward paid for an assignment of a HIT with `maxAssignments`. */
export function rewardFeePercent(maxAssignments: number): number {
  return maxAssignments >= 10 ? 40 : 20;
}

/** Commission on a bonus, in percent. */
export const BONUS_FEE_PERCENT = 20;

/** MTurk's commission in cents on `cents` at `percent`: rounded half up, at least one cent. */
export function commissionCents(cents: number, percent: number): number {
  if (cents <= 0) return 0;
  return Math.max(1, Math.floor((cents * percent + 50) / 100));
}
