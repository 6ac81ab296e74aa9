import { describe, expect, it } from 'vitest';
import { loadTaskConfig } from '../../src/config/load-task-config.js';
import { resolveInterpolations } from '../../src/config/interpolation.js';
import { fixture, mockConfigYaml, problemMessages, tempConfigDir } from './config-test-helpers.js';

function resolve(tree: Record<string, unknown>, env: Record<string, string> = {}) {
  const result = resolveInterpolations(tree, { env });
  return { tree: result.tree, messages: result.problems.map((p) => p.message) };
}

describe('${…} interpolation', () => {
  it('${key.path}: an absolute key path, keeping the referenced type', () => {
    const { tree, messages } = resolve({
      a: { b: { c: 42, d: true, e: null, f: [1, 2] } },
      copy: '${a.b.c}',
      flag: '${a.b.d}',
      nothing: '${a.b.e}',
      list: '${a.b.f}',
      node: '${a.b}',
    });
    expect(messages).toEqual([]);
    expect(tree).toMatchObject({
      copy: 42,
      flag: true,
      nothing: null,
      list: [1, 2],
      node: { c: 42, d: true },
    });
  });

  it('${task_dir} inside a string (${task_dir}/data.csv) joins as text', () => {
    const { tree } = resolve({
      task_dir: '/tasks/x',
      data_csv: '${task_dir}/data.csv',
      n: 3,
      label: 'n=${n}, ok=${ok}',
      ok: false,
    });
    expect(tree.data_csv).toBe('/tasks/x/data.csv');
    expect(tree.label).toBe('n=3, ok=false');
  });

  it('list indexes: ${list[0]} and ${list.0}', () => {
    const { tree } = resolve({ list: ['x', { y: 'z' }], a: '${list[0]}', b: '${list.1.y}' });
    expect(tree).toMatchObject({ a: 'x', b: 'z' });
  });

  it('relative keys: ${.sibling} and ${..uncle}', () => {
    const { tree } = resolve({ top: 1, m: { a: 'A', b: '${.a}', inner: { c: '${..a}', d: '${...top}' } } });
    expect(tree).toMatchObject({ m: { b: 'A', inner: { c: 'A', d: 1 } } });
  });

  it('chains: a reference to a value that is itself an interpolation', () => {
    const { tree } = resolve({ a: '${b}/x', b: '${c}/y', c: '/root' });
    expect(tree.a).toBe('/root/y/x');
  });

  it('${oc.env:NAME} and ${oc.env:NAME,default} (quoted defaults, null default)', () => {
    const { tree, messages } = resolve(
      {
        set: '${oc.env:MY_VAR}',
        fallback: '${oc.env:NOT_SET,fallback value}',
        quoted: "${oc.env:NOT_SET,'a,b'}",
        nulled: '${oc.env:NOT_SET,null}',
        wins: '${oc.env:MY_VAR,unused}',
        embedded: 'key=${oc.env:MY_VAR}!',
      },
      { MY_VAR: 'secret' },
    );
    expect(messages).toEqual([]);
    expect(tree).toEqual({
      set: 'secret',
      fallback: 'fallback value',
      quoted: 'a,b',
      nulled: null,
      wins: 'secret',
      embedded: 'key=secret!',
    });
  });

  it('nested: ${oc.env:DATA,${task_dir}/data.csv} and a key built from an interpolation', () => {
    const { tree } = resolve({
      task_dir: '/t',
      data: '${oc.env:DATA,${task_dir}/data.csv}',
      which: 'b',
      options: { a: 1, b: 2 },
      picked: '${options.${which}}',
    });
    expect(tree.data).toBe('/t/data.csv');
    expect(tree.picked).toBe(2);
  });

  it('\\${ writes a literal ${', () => {
    const { tree } = resolve({ a: 'price: \\${amount}', amount: 3 });
    expect(tree.a).toBe('price: ${amount}');
  });

  it('a missing key is reported on the key holding the interpolation, with a suggestion', () => {
    const { tree, messages } = resolve({ task_dir: '/t', data_csv: '${task_dirr}/data.csv' });
    expect(messages).toEqual([
      'data_csv: ${task_dirr} refers to task_dirr, which is not in the config; did you mean "task_dir"?',
    ]);
    // The failed value keeps its text so later checks see what was written.
    expect(tree.data_csv).toBe('${task_dirr}/data.csv');
  });

  it('an unset environment variable without default is reported', () => {
    expect(resolve({ key: '${oc.env:API_KEY}' }).messages).toEqual([
      'key: environment variable API_KEY is not set (needed by ${oc.env:API_KEY}); set it, or give a default: ${oc.env:API_KEY,<default>}',
    ]);
  });

  it('cycles are detected and reported once', () => {
    const { messages } = resolve({ a: '${b}', b: '${c}', c: '${a}', d: '${a}' });
    expect(messages).toEqual(['a: interpolation cycle: a → b → c → a']);
    expect(resolve({ m: { x: '${m}' } }).messages).toEqual(['m: interpolation cycle: m → m.x → m']);
  });

  it('unknown resolvers, unclosed ${ and structures inside text are reported', () => {
    expect(resolve({ when: '${now:%Y}' }).messages).toEqual([
      'when: unknown resolver "now" in ${now:%Y}; supported: oc.env',
    ]);
    expect(resolve({ a: 'x ${b' }).messages).toEqual(['a: unclosed "${" in "x ${b"']);
    expect(resolve({ m: { k: 1 }, a: 'x ${m}' }).messages).toEqual([
      'a: ${m} in "x ${m}" is {"k":1}; only a string, number, boolean or null can be part of a text',
    ]);
  });

  it('all problems are reported, not just the first', () => {
    expect(resolve({ a: '${x}', b: '${oc.env:NOPE}', c: '${y}' }).messages).toHaveLength(3);
  });
});

describe('interpolation in loaded configs', () => {
  it('static_react_task: task_source ${task_dir}/webapp/build/bundle.js resolves against the task directory', async () => {
    const { config } = await loadTaskConfig({
      configPath: fixture('static_react_task', 'hydra_configs', 'conf', 'example_local_mock.yaml'),
    });
    const blueprint = config.mephisto.blueprint;
    expect(blueprint._blueprint_type).toBe('static_react_task');
    if (blueprint._blueprint_type !== 'static_react_task') return;
    expect(blueprint.task_source).toBe(fixture('static_react_task', 'webapp', 'build', 'bundle.js'));
    expect(blueprint.extra_source_dir).toBe(fixture('static_react_task', 'webapp', 'src', 'static'));
  });

  it('interpolation runs after overrides, so ${task_dir} follows a task_dir= override; env comes from the env option', async () => {
    const dir = tempConfigDir({
      'task.yaml': mockConfigYaml(
        'data: ${task_dir}/d.json\nsecret: ${oc.env:SECRET,none}\nport: ${mephisto.architect.port}\n',
      ),
    });
    const { config } = await loadTaskConfig({
      configPath: `${dir}/task.yaml`,
      overrides: ['task_dir=/elsewhere'],
      env: { SECRET: 's3' },
    });
    expect(config).toMatchObject({
      task_dir: '/elsewhere',
      data: '/elsewhere/d.json',
      secret: 's3',
      port: 3000,
    });
  });

  it('a typed field reading an environment variable gets the text converted (${oc.env:PORT,3000} → 3000)', async () => {
    const dir = tempConfigDir({
      'task.yaml': mockConfigYaml().replace(
        '  blueprint:',
        '  architect:\n    port: ${oc.env:PORT,3000}\n  blueprint:',
      ),
    });
    const loaded = await loadTaskConfig({ configPath: `${dir}/task.yaml`, env: { PORT: '8123' } });
    expect(loaded.config.mephisto.architect.port).toBe(8123);
    const fallback = await loadTaskConfig({ configPath: `${dir}/task.yaml`, env: {} });
    expect(fallback.config.mephisto.architect.port).toBe(3000);
  });

  it('a failed interpolation is reported once (not again as a wrong value)', async () => {
    const dir = tempConfigDir({
      'task.yaml': mockConfigYaml().replace(
        '  blueprint:',
        '  architect:\n    port: ${oc.env:PORT}\n  blueprint:',
      ),
    });
    expect(await problemMessages({ configPath: `${dir}/task.yaml`, env: {} })).toEqual([
      'mephisto.architect.port: environment variable PORT is not set (needed by ${oc.env:PORT}); set it, or give a default: ${oc.env:PORT,<default>}',
    ]);
  });
});
