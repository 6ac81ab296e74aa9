/**
 * Reading an operation's JSON input as MTurk's front end does: required members present, numbers in
 * range, timestamps as epoch seconds (the AWS JSON protocol's encoding), and paging tokens. A problem is
 * AWS's `ValidationException`.
 */
import { validationError } from './mturk-api-error.js';

export type JsonObject = Readonly<Record<string, unknown>>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function missing(name: string): Error {
  return validationError(`Value null at '${name}' failed to satisfy constraint: Member must not be null`);
}

function badType(name: string, expected: string): Error {
  return validationError(`Value at '${name}' failed to satisfy constraint: Member must be ${expected}`);
}

export function requiredString(input: JsonObject, name: string): string {
  const value = input[name];
  if (value === undefined || value === null) throw missing(name);
  if (typeof value !== 'string') throw badType(name, 'a string');
  return value;
}

export function optionalString(input: JsonObject, name: string): string | null {
  const value = input[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw badType(name, 'a string');
  return value;
}

/** A string of at most `max` characters (MTurk's length constraints). */
export function boundedString(value: string, name: string, max: number, min = 0): string {
  if (value.length > max || value.length < min)
    throw validationError(
      `Value '${value.slice(0, 40)}' at '${name}' failed to satisfy constraint: ` +
        `Member must have length between ${min} and ${max}`,
    );
  return value;
}

export function optionalInteger(input: JsonObject, name: string, min: number, max: number): number | null {
  const value = input[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw badType(name, 'an integer');
  if (value < min || value > max)
    throw validationError(
      `Value '${value}' at '${name}' failed to satisfy constraint: Member must have value between ${min} and ${max}`,
    );
  return value;
}

export function requiredInteger(input: JsonObject, name: string, min: number, max: number): number {
  const value = optionalInteger(input, name, min, max);
  if (value === null) throw missing(name);
  return value;
}

export function optionalBoolean(input: JsonObject, name: string): boolean | null {
  const value = input[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'boolean') throw badType(name, 'a boolean');
  return value;
}

/** A timestamp member (epoch seconds, possibly fractional) as epoch milliseconds. */
export function requiredTimestamp(input: JsonObject, name: string): number {
  const value = input[name];
  if (value === undefined || value === null) throw missing(name);
  if (typeof value === 'number' && Number.isFinite(value)) return Math.round(value * 1000);
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return Date.parse(value);
  throw badType(name, 'a timestamp');
}

export function optionalArray(input: JsonObject, name: string): readonly unknown[] | null {
  const value = input[name];
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) throw badType(name, 'a list');
  return value as readonly unknown[];
}

/** Epoch milliseconds as the epoch seconds the AWS JSON protocol sends. */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextToken: string | undefined;
}

/**
 * One page of `items` for `MaxResults` (1–100; `defaultSize` when absent) and `NextToken` (opaque: the
 * offset, tied to the operation so a token of another listing is refused).
 */
export function paginate<T>(
  items: readonly T[],
  input: JsonObject,
  listing: string,
  defaultSize = 10,
): Page<T> {
  const size = optionalInteger(input, 'MaxResults', 1, 100) ?? defaultSize;
  const token = optionalString(input, 'NextToken');
  let offset = 0;
  if (token !== null) {
    const decoded = decodeToken(token);
    if (decoded === null || decoded.listing !== listing)
      throw validationError(
        `Value '${token}' at 'nextToken' failed to satisfy constraint: Member must be a valid token`,
      );
    offset = decoded.offset;
  }
  const pageItems = items.slice(offset, offset + size);
  const next = offset + size < items.length ? encodeToken(listing, offset + size) : undefined;
  return { items: pageItems, nextToken: next };
}

function encodeToken(listing: string, offset: number): string {
  return Buffer.from(JSON.stringify({ l: listing, o: offset })).toString('base64');
}

function decodeToken(token: string): { listing: string; offset: number } | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (isJsonObject(parsed) && typeof parsed.l === 'string' && typeof parsed.o === 'number')
      return { listing: parsed.l, offset: parsed.o };
    return null;
  } catch {
    return null;
  }
}
