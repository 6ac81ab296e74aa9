import { describe, expect, it } from 'vitest';
import {
  AlreadyExistsError,
  ENTITY_KINDS,
  ERROR_CODES,
  InvalidArgumentError,
  InvalidTransitionError,
  MephistoError,
  NotFoundError,
  TaskHasRunsError,
  TransitionConflictError,
} from '../../src/core/index.js';
import type { ErrorCode } from '../../src/core/index.js';

const CODES = Object.keys(ERROR_CODES) as ErrorCode[];

describe('error code registry', () => {
  it('gives every code a meaning and a remedy', () => {
    for (const code of CODES) {
      const info = ERROR_CODES[code];
      expect(info.meaning.trim().length, code).toBeGreaterThan(10);
      expect(info.remedy.trim().length, code).toBeGreaterThan(10);
    }
  });

  it('names codes MEPHISTO_ERR_UPPER_SNAKE, unique even ignoring case', () => {
    for (const code of CODES) expect(code).toMatch(/^MEPHISTO_ERR_[A-Z]+(_[A-Z]+)*$/);
    expect(new Set(CODES.map((c) => c.toLowerCase())).size).toBe(CODES.length);
  });

  it('gives distinct codes distinct meanings', () => {
    const meanings = CODES.map((c) => ERROR_CODES[c].meaning);
    expect(new Set(meanings).size).toBe(meanings.length);
  });

  it('has a not-found and an already-exists code per entity kind', () => {
    expect(new Set(ENTITY_KINDS).size).toBe(ENTITY_KINDS.length);
    for (const kind of ENTITY_KINDS) {
      expect(CODES).toContain(`MEPHISTO_ERR_${kind.toUpperCase()}_NOT_FOUND`);
      expect(CODES).toContain(`MEPHISTO_ERR_${kind.toUpperCase()}_ALREADY_EXISTS`);
    }
  });

  it('includes the codes the store and the CLI raise', () => {
    for (const code of [
      'MEPHISTO_ERR_INVALID_ARGUMENT',
      'MEPHISTO_ERR_INVALID_TRANSITION',
      'MEPHISTO_ERR_TRANSITION_CONFLICT',
      'MEPHISTO_ERR_TASK_HAS_RUNS',
      'MEPHISTO_ERR_STORE_CONFIG',
      'MEPHISTO_ERR_STORE_CONNECTION',
      'MEPHISTO_ERR_STORE_MIGRATION',
      'MEPHISTO_ERR_USAGE',
      'MEPHISTO_ERR_UNIT_NOT_FOUND',
    ]) {
      expect(CODES).toContain(code);
    }
  });
});

describe('error classes', () => {
  it.each(ENTITY_KINDS)('NotFoundError(%s) carries its entity code, entity and key', (kind) => {
    const err = new NotFoundError(kind, '1234567');
    expect(err).toBeInstanceOf(MephistoError);
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe(`MEPHISTO_ERR_${kind.toUpperCase()}_NOT_FOUND`);
    expect(err.entity).toBe(kind);
    expect(err.key).toBe('1234567');
    expect(err.name).toBe('NotFoundError');
    expect(err.message).toContain('1234567');
    expect(err.message).toContain(kind.replace(/_/g, ' '));
  });

  it.each(ENTITY_KINDS)('AlreadyExistsError(%s) carries its entity code, entity and key', (kind) => {
    const err = new AlreadyExistsError(kind, 'my-name');
    expect(err).toBeInstanceOf(MephistoError);
    expect(err.code).toBe(`MEPHISTO_ERR_${kind.toUpperCase()}_ALREADY_EXISTS`);
    expect(err.entity).toBe(kind);
    expect(err.key).toBe('my-name');
    expect(err.name).toBe('AlreadyExistsError');
    expect(err.message).toContain('my-name');
  });

  it('a custom message and a cause are kept', () => {
    const cause = new Error('SQLITE_CONSTRAINT');
    const err = new NotFoundError('unit', '5', 'unit 5 is gone', { cause });
    expect(err.message).toBe('unit 5 is gone');
    expect(err.cause).toBe(cause);
    const dup = new AlreadyExistsError('task', 'x', undefined, { cause });
    expect(dup.cause).toBe(cause);
  });

  it('InvalidArgumentError', () => {
    const err = new InvalidArgumentError('name must not be empty');
    expect(err).toBeInstanceOf(MephistoError);
    expect(err.code).toBe('MEPHISTO_ERR_INVALID_ARGUMENT');
    expect(err.name).toBe('InvalidArgumentError');
    expect(err.message).toBe('name must not be empty');
  });

  it('InvalidTransitionError names the entity and both statuses', () => {
    const err = new InvalidTransitionError('unit', 'completed', 'launched');
    expect(err.code).toBe('MEPHISTO_ERR_INVALID_TRANSITION');
    expect(err.name).toBe('InvalidTransitionError');
    expect([err.entity, err.from, err.to]).toEqual(['unit', 'completed', 'launched']);
    expect(err.message).toContain('"completed"');
    expect(err.message).toContain('"launched"');
  });

  it('TransitionConflictError carries the expected and the actual status', () => {
    const err = new TransitionConflictError(
      'agent',
      '42',
      ['in task', 'waiting'],
      'disconnect',
      'lost a race',
    );
    expect(err.code).toBe('MEPHISTO_ERR_TRANSITION_CONFLICT');
    expect(err.name).toBe('TransitionConflictError');
    expect(err.entity).toBe('agent');
    expect(err.id).toBe('42');
    expect(err.expected).toEqual(['in task', 'waiting']);
    expect(err.actual).toBe('disconnect');
    expect(err.message).toContain('"disconnect"');
    expect(err.message).toContain('"in task" or "waiting"');
    expect(err.message).toContain('lost a race');
  });

  it('TaskHasRunsError names the task', () => {
    const err = new TaskHasRunsError('1000001');
    expect(err.code).toBe('MEPHISTO_ERR_TASK_HAS_RUNS');
    expect(err.name).toBe('TaskHasRunsError');
    expect(err.taskId).toBe('1000001');
    expect(err.message).toContain('1000001');
  });

  it('MephistoError keeps any registered code', () => {
    for (const code of CODES) {
      const err = new MephistoError(code, 'x');
      expect(err.code).toBe(code);
      expect(err.name).toBe('MephistoError');
    }
  });
});
