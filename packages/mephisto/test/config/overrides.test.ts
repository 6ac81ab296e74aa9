import { describe, expect, it } from 'vitest';
import { ConfigOverrideError } from '../../src/core/config/config-errors.js';
import { loadTaskConfig } from '../../src/config/load-task-config.js';
import { parseOverride, parseOverrideValue } from '../../src/config/overrides.js';
import { fixture, loadError, mockConfigYaml, problemMessages, tempConfigDir } from './config-test-helpers.js';

const REACT = fixture('static_react_task', 'hydra_configs', 'conf', 'example_local_mock.yaml');

describe('override values are read like Hydra (YAML)', () => {
  it.each([
    ['3', 3],
    ['0.5', 0.5],
    ['1e3', 1000],
    ['true', true],
    ['false', false],
    ['null', null],
    ["'3'", '3'],
    ['"true"', 'true'],
    ['[a,b]', ['a', 'b']],
    ['[1, 2]', [1, 2]],
    ['{a: 1}', { a: 1 }],
    ['', ''],
    ['hello world', 'hello world'],
    ['${task_dir}/x.csv', '${task_dir}/x.csv'],
    ['a: b', 'a: b'],
    ['http://localhost:3001', 'http://localhost:3001'],
  ])('%j → %j', (text, value) => {
    expect(parseOverrideValue(text)).toEqual(value);
  });
});

describe('parseOverride', () => {
  it('recognises key=value, +key=value, ++key=value, ~key, ~key=value and group=option', () => {
    expect(parseOverride('mephisto.task.task_reward=0.5')).toMatchObject({
      kind: 'set',
      mode: 'set',
      path: ['mephisto', 'task', 'task_reward'],
      value: 0.5,
    });
    expect(parseOverride('+extra.key=1')).toMatchObject({
      kind: 'set',
      mode: 'add',
      path: ['extra', 'key'],
      value: 1,
    });
    expect(parseOverride('++extra=[1]')).toMatchObject({ kind: 'set', mode: 'force', value: [1] });
    expect(parseOverride('~mephisto.task.task_name')).toMatchObject({ kind: 'delete', hasValue: false });
    expect(parseOverride('~num_tasks=5')).toMatchObject({ kind: 'delete', hasValue: true, value: 5 });
    expect(parseOverride('mephisto/provider=mock')).toMatchObject({
      kind: 'group',
      mode: 'set',
      group: 'mephisto/provider',
      option: 'mock',
    });
    expect(parseOverride('+/mephisto/provider=mock')).toMatchObject({
      kind: 'group',
      mode: 'add',
      group: 'mephisto/provider',
    });
    expect(parseOverride('~mephisto/provider')).toMatchObject({
      kind: 'group',
      mode: 'delete',
      option: null,
    });
    expect(parseOverride('a.list[1]=x')).toMatchObject({ path: ['a', 'list', 1] });
  });

  it('malformed overrides are problems with the expected forms', () => {
    const messages = [
      'mephisto.task.task_reward',
      '=3',
      'a..b=1',
      'mephisto/provider=',
      '++mephisto/provider=mock',
    ].map((text) => {
      const parsed = parseOverride(text);
      return 'message' in parsed ? parsed.message : 'parsed';
    });
    expect(messages).toEqual([
      'override "mephisto.task.task_reward": missing "=value" (to delete the key write ~mephisto.task.task_reward)',
      'override "=3": expected key=value, +key=value, ++key=value, ~key or group=option',
      'override "a..b=1": "a..b" is not a key path (write keys as a.b.c or a.list[0])',
      'override "mephisto/provider=": expected an option after "=", e.g. mephisto/provider=mock',
      'override "++mephisto/provider=mock": groups are chosen with mephisto/provider=option or +mephisto/provider=option',
    ]);
  });
});

describe('overrides applied by loadTaskConfig', () => {
  it('key=value changes existing keys (task_reward, units_per_assignment, task_tags as a list, port)', async () => {
    const { config } = await loadTaskConfig({
      configPath: REACT,
      overrides: [
        'mephisto.task.task_reward=0.75',
        'mephisto.blueprint.units_per_assignment=3',
        'mephisto.task.task_tags=[x,y]',
        'mephisto.architect.port=4000',
        'mephisto.task.task_title="Quoted title"',
      ],
    });
    expect(config.mephisto.task.task_reward).toBe(0.75);
    expect(config.mephisto.task.task_tags).toBe('x,y');
    expect(config.mephisto.task.task_title).toBe('Quoted title');
    expect(config.mephisto.architect.port).toBe(4000);
    expect(config.mephisto.blueprint).toMatchObject({ units_per_assignment: 3 });
  });

  it('key=value may set a schema key that the config leaves out (data_csv, requester_name)', async () => {
    const { config } = await loadTaskConfig({
      configPath: REACT,
      overrides: ['mephisto.blueprint.data_csv=${task_dir}/data.csv', 'mephisto.provider.requester_name=me'],
    });
    expect(config.mephisto.blueprint).toMatchObject({ data_csv: fixture('static_react_task', 'data.csv') });
    expect(config.mephisto.provider).toMatchObject({ requester_name: 'me' });
  });

  it('key=value on a key that does not exist is an error with "did you mean" and the + form', async () => {
    expect(
      await problemMessages({
        configPath: REACT,
        overrides: ['mephisto.task.task_rewrd=1', 'mephisto.blueprint.data_cvs=x.csv', 'colour=red'],
      }),
    ).toEqual([
      'override "mephisto.task.task_rewrd=1": mephisto.task.task_rewrd is not in the config (given 1); did you mean "mephisto.task.task_reward"? to add a new key write +mephisto.task.task_rewrd=1',
      'override "mephisto.blueprint.data_cvs=x.csv": mephisto.blueprint.data_cvs is not in the config (given "x.csv"); did you mean "mephisto.blueprint.data_csv"? to add a new key write +mephisto.blueprint.data_cvs=x.csv',
      'override "colour=red": colour is not in the config (given "red"); to add a new key write +colour=red',
    ]);
  });

  it('+key=value adds a new key (a user key), and refuses a key that exists', async () => {
    const { config } = await loadTaskConfig({ configPath: REACT, overrides: ['+my.own.setting=7'] });
    expect(config.my).toEqual({ own: { setting: 7 } });
    expect(await problemMessages({ configPath: REACT, overrides: ['+num_tasks=3'] })).toEqual([
      'override "+num_tasks=3": num_tasks is already set (to 5); write num_tasks=3 to change it, or ++num_tasks=3',
    ]);
  });

  it('+key=value inside mephisto.blueprint is still validated (unknown keys are errors)', async () => {
    expect(
      await problemMessages({ configPath: REACT, overrides: ['+mephisto.blueprint.colour=red'] }),
    ).toEqual([
      'mephisto.blueprint.colour: unknown key for blueprint type "static_react_task" (set to "red"); valid keys are _blueprint_type, block_qualification, data_csv, data_json, data_jsonl, extra_source_dir, gold_qualification_base, link_task_source, max_gold_units, max_incorrect_golds, max_screening_units, min_golds, onboarding_qualification, passed_qualification_name, task_source, task_source_review, tips_location, units_per_assignment, use_golds, use_screening_task',
    ]);
  });

  it('++key=value adds or changes', async () => {
    const { config } = await loadTaskConfig({
      configPath: REACT,
      overrides: ['++num_tasks=9', '++brand_new=[1,2]'],
    });
    expect(config.num_tasks).toBe(9);
    expect(config.brand_new).toEqual([1, 2]);
  });

  it('~key deletes (task_name then falls back to absent), ~key=value only when the value matches, and a missing key is an error', async () => {
    const { config } = await loadTaskConfig({
      configPath: REACT,
      overrides: [
        '~mephisto.task.task_name',
        '~mephisto.blueprint.extra_source_dir=${task_dir}/webapp/src/static',
      ],
    });
    expect(config.mephisto.task.task_name).toBeUndefined();
    expect(config.mephisto.blueprint).not.toHaveProperty('extra_source_dir');
    expect(
      await problemMessages({
        configPath: REACT,
        overrides: ['~mephisto.task.task_nam', '~mephisto.task.task_reward=1'],
      }),
    ).toEqual([
      'override "~mephisto.task.task_nam": mephisto.task.task_nam is not in the config, so there is nothing to delete; did you mean "mephisto.task.task_name"?',
      'override "~mephisto.task.task_reward=1": mephisto.task.task_reward is 0.05, not 1, so it was not deleted',
    ]);
  });

  it('~key of a required field leaves it missing, which validation reports', async () => {
    expect(await problemMessages({ configPath: REACT, overrides: ['~mephisto.task.task_title'] })).toEqual([
      "mephisto.task.task_title is required (a string shown to workers as the task's title)",
    ]);
  });

  it('group override mephisto/provider=inhouse switches the provider and fills its defaults', async () => {
    const { config, sources } = await loadTaskConfig({
      configPath: REACT,
      overrides: ['mephisto/provider=inhouse'],
    });
    expect(config.mephisto.provider).toEqual({
      _provider_type: 'inhouse',
      ui_base_url: 'http://localhost:3000',
    });
    expect(sources).toContainEqual({ kind: 'group', group: 'mephisto/provider', option: 'inhouse' });
    expect(sources).toContainEqual({ kind: 'override', text: 'mephisto/provider=inhouse' });
  });

  it('mephisto.provider._provider_type=prolific switches the group the same way', async () => {
    const { config } = await loadTaskConfig({
      configPath: REACT,
      overrides: ['mephisto.provider._provider_type=prolific'],
    });
    expect(config.mephisto.provider).toMatchObject({
      _provider_type: 'prolific',
      prolific_id_option: 'url_parameters',
    });
    // Keys of the new type can be set in the same command line.
    const again = await loadTaskConfig({
      configPath: REACT,
      overrides: ['mephisto.architect._architect_type=mock', 'mephisto.architect.should_run_server=true'],
    });
    expect(again.config.mephisto.architect).toEqual({
      _architect_type: 'mock',
      server_type: 'node',
      should_run_server: true,
      port: 3000,
    });
  });

  it('a group override for a group that no defaults list selects adds it', async () => {
    const dir = tempConfigDir({
      'task.yaml':
        'mephisto:\n  task:\n    task_title: t\n    task_description: d\n    task_reward: 1\n    task_tags: x\n',
    });
    const { config } = await loadTaskConfig({
      configPath: `${dir}/task.yaml`,
      overrides: [
        'mephisto/blueprint=mock',
        '+mephisto/architect=local',
        'mephisto/provider=mock',
        'mephisto.blueprint.num_assignments=2',
      ],
    });
    expect(config.mephisto.blueprint).toMatchObject({ _blueprint_type: 'mock', num_assignments: 2 });
    expect(config.mephisto.architect._architect_type).toBe('local');
  });

  it('~mephisto/provider drops the selection, which validation then reports', async () => {
    const messages = await problemMessages({ configPath: REACT, overrides: ['~mephisto/provider'] });
    expect(messages).toEqual([
      'mephisto.provider is not set (got nothing): select a provider type with "- /mephisto/provider: <type>" in the defaults list or the override mephisto/provider=<type>; valid provider types are "inhouse", "mock", "mturk", "mturk_sandbox" and "prolific"',
    ]);
  });

  it('an unknown type in a group override is reported with the valid types', async () => {
    expect(await problemMessages({ configPath: REACT, overrides: ['mephisto/architect=heroku'] })).toEqual([
      'mephisto.architect._architect_type: unknown architect type "heroku"; valid architect types are "local" and "mock"',
    ]);
  });

  it('a file group can be chosen by name (profile=…) or added (+profile=…)', async () => {
    const example = fixture('chat_task', 'hydra_configs', 'conf', 'example.yaml');
    const { config } = await loadTaskConfig({ configPath: example, overrides: ['+profile=sandboxed'] });
    expect(config.mephisto.architect).toMatchObject({ _architect_type: 'mock', should_run_server: true });
    expect(config.mephisto.provider._provider_type).toBe('inhouse');
    const nested = await loadTaskConfig({ configPath: example, overrides: ['profile=nested'] });
    // nested.yaml has no package header, so it lands under its group's key.
    expect(nested.config.profile).toEqual({ region: 'eu' });
  });

  it('+profile=… is merged after the primary config, so its values win (as a Mephisto profile does)', async () => {
    const example = fixture('chat_task', 'hydra_configs', 'conf', 'example.yaml');
    const { config, sources } = await loadTaskConfig({ configPath: example, overrides: ['+profile=fast'] });
    expect(config.mephisto.task.max_num_concurrent_units).toBe(5); // example.yaml says 20
    expect(sources.flatMap((s) => (s.kind === 'file' ? [s.path] : []))).toEqual([
      fixture('chat_task', 'hydra_configs', 'conf', 'base.yaml'),
      example,
      fixture('chat_task', 'hydra_configs', 'profile', 'fast.yaml'),
    ]);
  });

  it('+mephisto/provider=… is merged before the files, so its defaults never replace values they set', async () => {
    const dir = tempConfigDir({
      'task.yaml':
        'defaults:\n  - /mephisto/blueprint: mock\n  - /mephisto/architect: mock\nmephisto:\n  provider:\n    ui_base_url: http://proxy:8080\n' +
        '  blueprint:\n    num_assignments: 1\n  task:\n    task_title: t\n    task_description: d\n    task_reward: 1\n    task_tags: x\n',
    });
    const { config } = await loadTaskConfig({
      configPath: `${dir}/task.yaml`,
      overrides: ['+mephisto/provider=inhouse'],
    });
    expect(config.mephisto.provider).toEqual({ _provider_type: 'inhouse', ui_base_url: 'http://proxy:8080' });
  });

  it('malformed overrides and unknown groups are thrown together as MEPHISTO_ERR_CONFIG_OVERRIDE', async () => {
    const error = await loadError({ configPath: REACT, overrides: ['oops', 'nowhere/group=x'] });
    expect(error).toBeInstanceOf(ConfigOverrideError);
    expect((error as ConfigOverrideError).code).toBe('MEPHISTO_ERR_CONFIG_OVERRIDE');
    expect((error as ConfigOverrideError).problems.map((p) => p.message)).toEqual([
      'override "oops": missing "=value" (to delete the key write ~oops)',
      'override "nowhere/group=x": no config group nowhere/group (the built-in groups are mephisto/blueprint, mephisto/architect and mephisto/provider)',
    ]);
  });

  it('override values are traced as the origin of the problems they cause', async () => {
    const dir = tempConfigDir({ 'task.yaml': mockConfigYaml() });
    const error = await loadError({
      configPath: `${dir}/task.yaml`,
      overrides: ['mephisto.task.task_reward=abc'],
    });
    const [problem] = (error as { problems: { message: string; origin?: string }[] }).problems;
    expect(problem).toEqual({
      path: 'mephisto.task.task_reward',
      message: 'mephisto.task.task_reward: expected a number ≥ 0, got "abc"',
      origin: 'override mephisto.task.task_reward=abc',
    });
  });
});
