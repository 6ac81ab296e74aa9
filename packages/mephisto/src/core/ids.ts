import { randomInt } from 'node:crypto';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';

/**
 * Produces row ids. Ids are decimal strings of positive 63-bit integers at least 1,000,000, the same
 * space Mephisto uses, so a Mephisto database can later be imported without renumbering.
 */
export interface IdGenerator {
  next(): string;
  /**
   * The next id as a bigint, the form a database binds. Optional: when present, `next()` must be the
   * same sequence formatted as decimal, and the store draws ids here instead, which saves formatting
   * each id and parsing it back (a bulk creation draws 200,000 ids for 100,000 units).
   */
  nextBigInt?(): bigint;
}

/** 2020-01-01T00:00:00Z: ids count milliseconds from here. */
const ID_EPOCH_MS = 1_577_836_800_000;
const SEQUENCE_BITS = 22n;
const SEQUENCE_MASK = (1 << 22) - 1;

/**
 * Time-ordered ids: 41 bits of milliseconds since 2020 followed by a 22-bit sequence that starts at a
 * random point every millisecond. Ordered ids keep B-tree inserts at the right edge (fast bulk loads);
 * the random start makes collisions between processes sharing one PostgreSQL database vanishingly
 * unlikely, and the store retries the rare primary-key collision anyway.
 */
export class TimeOrderedIdGenerator implements IdGenerator {
  #lastMs = -1;
  /** The id of sequence 0 in `#lastMs` (the millisecond shifted into place, plus the 1,000,000 floor). */
  #base = 0n;
  #sequence = 0;
  constructor(private readonly clock: Clock = systemClock) {}

  next(): string {
    return this.nextBigInt().toString();
  }

  nextBigInt(): bigint {
    let ms = Math.max(this.clock.now() - ID_EPOCH_MS, 0);
    if (ms < this.#lastMs) ms = this.#lastMs; // the wall clock stepped back: stay monotonic
    if (ms !== this.#lastMs) {
      this.#setMillisecond(ms);
      this.#sequence = randomInt(0, 1 << 20); // leave room for 3M+ ids in this millisecond
    } else if (++this.#sequence > SEQUENCE_MASK) {
      this.#setMillisecond(ms + 1); // borrow the next millisecond rather than wrap
      this.#sequence = 0;
    }
    return this.#base + BigInt(this.#sequence);
  }

  #setMillisecond(ms: number): void {
    this.#lastMs = ms;
    this.#base = (BigInt(ms) << SEQUENCE_BITS) + 1_000_000n;
  }
}

/** Deterministic ids for tests: 1000001, 1000002, … (or from `start`). */
export class SequentialIdGenerator implements IdGenerator {
  #next: bigint;
  constructor(start: bigint | number = 1_000_001) {
    this.#next = BigInt(start);
  }
  next(): string {
    return this.nextBigInt().toString();
  }
  nextBigInt(): bigint {
    return this.#next++;
  }
}
