/**
 * Ids the MTurk fake hands out. MTurk's are 30 upper-case letters and digits (HITs, assignments, HIT
 * types, HIT groups, qualification types); the default generator makes ids of that shape from a counter
 * per kind, so a test sees the same ids on every run.
 */

export type MturkIdKind = 'hit' | 'assignment' | 'hitType' | 'hitGroup' | 'qualificationType' | 'request';

export interface MturkIdSource {
  /** A fresh id of `kind`: never returned before by this source. */
  next(kind: MturkIdKind): string;
}

const KIND_LETTER: Readonly<Record<MturkIdKind, string>> = {
  hit: 'H',
  assignment: 'A',
  hitType: 'T',
  hitGroup: 'G',
  qualificationType: 'Q',
  request: 'R',
};

/** `3<kind letter><counter in base 36, zero-padded>`: 30 characters, like MTurk's ids. */
export class SequentialMturkIds implements MturkIdSource {
  readonly #counters = new Map<MturkIdKind, number>();

  next(kind: MturkIdKind): string {
    const count = (this.#counters.get(kind) ?? 0) + 1;
    this.#counters.set(kind, count);
    return `3${KIND_LETTER[kind]}${count.toString(36).toUpperCase().padStart(28, '0')}`;
  }
}
