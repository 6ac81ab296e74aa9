import { describe, expect, it } from 'vitest';
import {
  ManualClock,
  SequentialIdGenerator,
  TimeOrderedIdGenerator,
  systemClock,
} from '../../src/core/index.js';

const MIN_ID = 1_000_000n;
const MAX_ID = 2n ** 63n; // exclusive

function checkId(id: string): bigint {
  expect(id).toMatch(/^[1-9][0-9]*$/);
  const n = BigInt(id);
  expect(n >= MIN_ID, id).toBe(true);
  expect(n < MAX_ID, id).toBe(true);
  return n;
}

describe('ManualClock', () => {
  it('starts at 2026-01-01T00:00:00Z unless told otherwise', () => {
    expect(new ManualClock().now()).toBe(Date.UTC(2026, 0, 1));
    expect(new ManualClock(12345).now()).toBe(12345);
  });

  it('moves only when told to', () => {
    const clock = new ManualClock(1000);
    expect(clock.now()).toBe(1000);
    expect(clock.now()).toBe(1000);
    clock.advance(250);
    expect(clock.now()).toBe(1250);
    clock.advance(0);
    expect(clock.now()).toBe(1250);
    clock.set(500);
    expect(clock.now()).toBe(500);
  });

  it('refuses to advance backwards or by a non-number', () => {
    const clock = new ManualClock(1000);
    expect(() => {
      clock.advance(-1);
    }).toThrow(RangeError);
    expect(() => {
      clock.advance(Number.NaN);
    }).toThrow(RangeError);
    expect(clock.now()).toBe(1000);
  });

  it('systemClock follows Date.now', () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});

describe('SequentialIdGenerator', () => {
  it('counts from 1000001 by default', () => {
    const ids = new SequentialIdGenerator();
    expect([ids.next(), ids.next(), ids.next()]).toEqual(['1000001', '1000002', '1000003']);
  });

  it('starts where told, exactly, beyond Number.MAX_SAFE_INTEGER', () => {
    const ids = new SequentialIdGenerator(2n ** 62n);
    expect(ids.next()).toBe('4611686018427387904');
    expect(ids.next()).toBe('4611686018427387905');
    expect(new SequentialIdGenerator(5_000_000).next()).toBe('5000000');
  });
});

describe('TimeOrderedIdGenerator', () => {
  it('produces decimal ids in [1,000,000, 2^63), strictly increasing within one millisecond', () => {
    const ids = new TimeOrderedIdGenerator(new ManualClock());
    let last = 0n;
    for (let i = 0; i < 10_000; i++) {
      const n = checkId(ids.next());
      expect(n > last).toBe(true);
      last = n;
    }
  });

  it('orders ids by time: a later millisecond always gives a larger id', () => {
    const clock = new ManualClock();
    const ids = new TimeOrderedIdGenerator(clock);
    let last = 0n;
    for (let i = 0; i < 200; i++) {
      const n = checkId(ids.next());
      expect(n > last).toBe(true);
      last = n;
      clock.advance(1 + (i % 3));
    }
    // Two generators: the one whose clock is a millisecond ahead always gives the larger id.
    const early = new TimeOrderedIdGenerator(new ManualClock(Date.UTC(2030, 0, 1)));
    const late = new TimeOrderedIdGenerator(new ManualClock(Date.UTC(2030, 0, 1) + 1));
    for (let i = 0; i < 20; i++) expect(BigInt(late.next()) > BigInt(early.next())).toBe(true);
  });

  it('stays monotonic when the clock steps backwards', () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1));
    const ids = new TimeOrderedIdGenerator(clock);
    let last = checkId(ids.next());
    for (const step of [-1, -1000, -86_400_000, 5, -3_600_000]) {
      clock.set(clock.now() + step);
      for (let i = 0; i < 5; i++) {
        const n = checkId(ids.next());
        expect(n > last, `after a step of ${step} ms`).toBe(true);
        last = n;
      }
    }
  });

  it('stays at least 1,000,000 with a clock before its epoch (or at 0)', () => {
    for (const now of [0, Date.UTC(2019, 0, 1), Date.UTC(2019, 11, 31, 23, 59, 59, 999)]) {
      const ids = new TimeOrderedIdGenerator(new ManualClock(now));
      let last = 0n;
      for (let i = 0; i < 50; i++) {
        const n = checkId(ids.next());
        expect(n > last).toBe(true);
        last = n;
      }
    }
  });

  it('borrows the next millisecond instead of wrapping when one millisecond runs out of sequence', () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const ids = new TimeOrderedIdGenerator(clock);
    const first = BigInt(ids.next());
    let last = first;
    // The sequence starts below 2^20 and has 22 bits: 2^22 + a few ids always exhaust it once, and a
    // borrowed millisecond (which starts its sequence at 0) needs another 2^22 to run out.
    for (let i = 0; i < 4_200_000; i++) {
      const n = BigInt(ids.next());
      if (n <= last) expect.fail(`id ${n} after ${last} at call ${i}`);
      last = n;
    }
    const msOf = (id: bigint): bigint => (id - 1_000_000n) >> 22n;
    expect(msOf(last)).toBe(msOf(first) + 1n);
    // When the clock catches up with the borrowed millisecond, ids keep increasing.
    clock.advance(1);
    expect(BigInt(ids.next()) > last).toBe(true);
  });

  it('uses the system clock by default', () => {
    const before = BigInt(Date.now() - Date.UTC(2020, 0, 1));
    const id = checkId(new TimeOrderedIdGenerator().next());
    const after = BigInt(Date.now() - Date.UTC(2020, 0, 1));
    const ms = (id - 1_000_000n) >> 22n;
    expect(ms >= before && ms <= after).toBe(true);
  });
});
