import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { MephistoError } from '../../src/core/errors.js';
import { exitCodeForSignal, handleInterrupts } from '../../src/script/interrupts.js';
import { parseScriptArgv } from '../../src/script/script-argv.js';

describe('parseScriptArgv', () => {
  it('splits overrides, conf=NAME and --db', () => {
    expect(
      parseScriptArgv(['mephisto.task.task_reward=1', 'conf=other', '--db', 'x.db', '~a.b', '+c=2']),
    ).toEqual({
      overrides: ['mephisto.task.task_reward=1', '~a.b', '+c=2'],
      db: 'x.db',
      configName: 'other',
    });
    expect(parseScriptArgv(['--db=postgres://h/db'])).toEqual({ overrides: [], db: 'postgres://h/db' });
    expect(parseScriptArgv([])).toEqual({ overrides: [] });
  });

  it('refuses unknown options and a --db without a value', () => {
    for (const argv of [['--verbose'], ['--db'], ['--db', '--other']]) {
      expect(() => parseScriptArgv(argv)).toThrow(MephistoError);
    }
    expect(() => parseScriptArgv(['-x'])).toThrow(/unknown option '-x'/);
  });
});

describe('handleInterrupts', () => {
  it('calls onInterrupt for the first signal, onForce for the next, and removes its listeners', () => {
    const source = new EventEmitter();
    const calls: string[] = [];
    const release = handleInterrupts(
      { on: (s, l) => source.on(s, l), off: (s, l) => source.off(s, l) },
      { onInterrupt: (s) => calls.push(`interrupt ${s}`), onForce: (s) => calls.push(`force ${s}`) },
    );
    source.emit('SIGTERM');
    source.emit('SIGINT');
    expect(calls).toEqual(['interrupt SIGTERM', 'force SIGINT']);
    release();
    expect(source.listenerCount('SIGINT') + source.listenerCount('SIGTERM')).toBe(0);
    expect([exitCodeForSignal('SIGINT'), exitCodeForSignal('SIGTERM')]).toEqual([130, 143]);
  });
});
