/** Qualification requirements (spec §4.9): shapes accepted, and every comparator against grants. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/index.js';
import {
  makeQualificationRequirement,
  meetsRequirement,
  validateQualificationRequirement,
  workerIsQualified,
  type QualificationRequirement,
} from '../../src/run/index.js';

describe('qualification requirements', () => {
  it.each([
    ['GreaterThan', 3, [4], [3, undefined]],
    ['GreaterThanOrEqualTo', 3, [3, 4], [2, undefined]],
    ['LessThan', 3, [2], [3, undefined]],
    ['LessThanOrEqualTo', 3, [3, 0], [4, undefined]],
    ['EqualTo', 1, [1], [0, undefined]],
    ['NotEqualTo', 1, [0], [1, undefined]],
    ['Exists', null, [0, 5], [undefined]],
    ['DoesNotExist', null, [undefined], [0, 1]],
    ['In', [1, 2], [1, 2], [3, undefined]],
    ['NotIn', [1, 2], [3], [1, undefined]],
  ] as const)('%s %j', (comparator, value, pass, fail) => {
    const requirement = makeQualificationRequirement('q', comparator, value);
    for (const granted of pass) expect(meetsRequirement(granted, requirement), `grant ${granted}`).toBe(true);
    for (const granted of fail)
      expect(meetsRequirement(granted, requirement), `grant ${granted}`).toBe(false);
  });

  it('refuses malformed requirements with a message naming the problem', () => {
    const bad: unknown[] = [
      { qualification_name: '', comparator: 'Exists' },
      { qualification_name: 'q', comparator: 'Bigger', value: 1 },
      { qualification_name: 'q', comparator: 'GreaterThan', value: 1.5 },
      { qualification_name: 'q', comparator: 'Exists', value: 1 },
      { qualification_name: 'q', comparator: 'In', value: 1 },
      { qualification_name: 'q', comparator: 'EqualTo', value: 1, applicable_providers: 'mturk' },
    ];
    for (const requirement of bad)
      expect(() => validateQualificationRequirement(requirement)).toThrow(InvalidArgumentError);
  });

  it('worker_is_qualified: all requirements must hold; unknown qualifications are skipped and reported', () => {
    const requirements: QualificationRequirement[] = [
      { qualification_name: 'a', comparator: 'GreaterThan', value: 1 },
      { qualification_name: 'ghost', comparator: 'Exists' },
    ];
    const unknown: string[] = [];
    const known = new Set(['a']);
    expect(workerIsQualified(new Map([['a', 2]]), known, requirements, (n) => unknown.push(n))).toBe(true);
    expect(unknown).toEqual(['ghost']);
    expect(workerIsQualified(new Map([['a', 1]]), known, requirements)).toBe(false);
    expect(workerIsQualified(new Map(), known, [])).toBe(true);
  });
});
