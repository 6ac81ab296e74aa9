/** Money in the ledger is whole cents; configs and the wire speak dollars. */

/** Dollars to whole cents, rounded to the nearest cent (0.1 + 0.2 dollars is 30 cents). */
export function toCents(dollars: number): number {
  return Math.round(dollars * 100);
}

/** Whole cents to dollars. */
export function toDollars(cents: number): number {
  return cents / 100;
}
