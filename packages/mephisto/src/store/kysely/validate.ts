/** Argument checks shared by the store's operations; each failure names the argument and the value. */
import { InvalidArgumentError } from '../../core/index.js';
import type { StatusMatch } from '../store.js';

/** A value as it appears in a message: strings quoted, everything else as JavaScript prints it. */
function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/**
 * An argument's name for a message, or a function that builds it: bulk operations check every row, and
 * building a name like `assignments[41203].units[0].payAmount` per row only to drop it costs more than the
 * check.
 */
export type Label = string | (() => string);

export function label(argument: Label): string {
  return typeof argument === 'string' ? argument : argument();
}

export function requireName(value: unknown, argument: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InvalidArgumentError(`${argument} must be a non-empty string, got ${show(value)}`);
  }
  return value;
}

export function requireFinite(value: unknown, argument: Label): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidArgumentError(`${label(argument)} must be a finite number, got ${String(value)}`);
  }
  return value;
}

/** An integer that fits the 32-bit INTEGER columns of PostgreSQL (SQLite's would take more). */
export function requireInteger(value: unknown, argument: Label): number {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < -2_147_483_648 ||
    value > 2_147_483_647
  ) {
    throw new InvalidArgumentError(`${label(argument)} must be a 32-bit integer, got ${String(value)}`);
  }
  return value;
}

/** The expected statuses of a compare-and-set as a non-empty list of known statuses. */
export function statusList<S extends string>(
  match: StatusMatch<S>,
  known: readonly S[],
  argument: string,
): readonly S[] {
  const list: unknown = typeof match === 'string' ? [match] : match;
  if (!Array.isArray(list) || list.length === 0) {
    throw new InvalidArgumentError(`${argument} must name at least one status`);
  }
  return list.map((status: unknown) => requireStatus(status, known, argument));
}

export function requireStatus<S extends string>(status: unknown, known: readonly S[], argument: string): S {
  if (!(known as readonly unknown[]).includes(status)) {
    throw new InvalidArgumentError(
      `${argument}: ${show(status)} is not one of ${known.map((s) => `"${s}"`).join(', ')}`,
    );
  }
  return status as S;
}
