import { describe, expect, it } from 'vitest';
import { UNIT_STATUSES, deriveAssignmentStatus, isTaskRunComplete } from '../../src/core/index.js';
import type { AssignmentStatus, UnitStatus } from '../../src/core/index.js';

describe('deriveAssignmentStatus (spec §2.6)', () => {
  it('an assignment without units is created', () => {
    expect(deriveAssignmentStatus([])).toBe('created');
  });

  it.each(UNIT_STATUSES)('units all %s → that status', (s) => {
    expect(deriveAssignmentStatus([s])).toBe(s);
    expect(deriveAssignmentStatus([s, s, s])).toBe(s);
  });

  const cases: [UnitStatus[], AssignmentStatus][] = [
    // any created → created
    [['created', 'launched'], 'created'],
    [['launched', 'created', 'completed'], 'created'],
    [['accepted', 'expired', 'created'], 'created'],
    // else any launched → launched
    [['launched', 'assigned'], 'launched'],
    [['completed', 'launched', 'expired'], 'launched'],
    // else any assigned → assigned
    [['assigned', 'completed'], 'assigned'],
    [['rejected', 'assigned', 'expired'], 'assigned'],
    // else all accepted or rejected → mixed
    [['accepted', 'rejected'], 'mixed'],
    [['rejected', 'accepted', 'accepted'], 'mixed'],
    // else all final → completed
    [['accepted', 'soft_rejected'], 'completed'],
    [['completed', 'expired'], 'completed'],
    [['accepted', 'rejected', 'expired'], 'completed'],
    [['completed', 'accepted'], 'completed'],
    [['soft_rejected', 'rejected'], 'completed'],
  ];
  it.each(cases)('%j → %s', (units, expected) => {
    expect(deriveAssignmentStatus(units)).toBe(expected);
    expect(deriveAssignmentStatus([...units].reverse())).toBe(expected);
  });

  it('accepts any iterable, consumed once', () => {
    function* gen(): Generator<UnitStatus> {
      yield 'accepted';
      yield 'rejected';
    }
    expect(deriveAssignmentStatus(gen())).toBe('mixed');
    expect(deriveAssignmentStatus(new Set<UnitStatus>(['launched', 'assigned']))).toBe('launched');
  });
});

describe('isTaskRunComplete (spec §2.7)', () => {
  it('a run without assignments is not complete', () => {
    expect(isTaskRunComplete([], true)).toBe(false);
  });

  it('is complete when no assignment is created, launched or assigned and the generator is done', () => {
    expect(
      isTaskRunComplete([['completed'], ['accepted', 'rejected'], ['expired'], ['soft_rejected']], true),
    ).toBe(true);
  });

  it('is never complete while the data source may still produce assignments', () => {
    expect(isTaskRunComplete([['completed'], ['accepted']], false)).toBe(false);
  });

  it.each<UnitStatus>(['created', 'launched', 'assigned'])(
    'one assignment still %s keeps the run open',
    (s) => {
      expect(isTaskRunComplete([['completed'], ['accepted', s]], true)).toBe(false);
      expect(isTaskRunComplete([[s], ['completed']], true)).toBe(false);
    },
  );

  it('an assignment with no units counts as created, so the run stays open', () => {
    expect(isTaskRunComplete([['completed'], []], true)).toBe(false);
  });

  it('accepts lazy iterables', () => {
    function* assignments(): Generator<Iterable<UnitStatus>> {
      yield new Set<UnitStatus>(['completed']);
      yield ['expired', 'accepted'];
    }
    expect(isTaskRunComplete(assignments(), true)).toBe(true);
  });
});
