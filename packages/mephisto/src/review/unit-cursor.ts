/**
 * The `cursor` of a unit page: the last unit's (creation date, id), the keyset the next page starts
 * after. Opaque to clients (base64url), checked on the way back in: a cursor that does not decode to a
 * date and an id is a bad request, not an empty page.
 */
import { ReviewRequestError } from './review-errors.js';

export interface UnitCursor {
  readonly creationDate: Date;
  readonly unitId: string;
}

export function encodeUnitCursor(cursor: UnitCursor): string {
  return Buffer.from(`${cursor.creationDate.getTime()}.${cursor.unitId}`, 'utf8').toString('base64url');
}

export function decodeUnitCursor(text: string): UnitCursor {
  const decoded = /^[A-Za-z0-9_-]{1,80}$/.test(text) ? Buffer.from(text, 'base64url').toString('utf8') : '';
  const match = /^(\d{1,15})\.([1-9]\d{0,18})$/.exec(decoded);
  if (!match?.[1] || !match[2])
    throw new ReviewRequestError('cursor: not a cursor this server gave (pass nextCursor back unchanged)', [
      'cursor',
    ]);
  return { creationDate: new Date(Number(match[1])), unitId: match[2] };
}
