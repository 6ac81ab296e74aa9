import { describe, expect, it } from 'vitest';
import { ConfigDefaultsError, ConfigNotFoundError } from '../../src/core/config/config-errors.js';
import { loadTaskConfig } from '../../src/config/load-task-config.js';
import { packagePathOf, parseDefaultsEntry } from '../../src/config/defaults-list.js';
import { fixture, loadError, REQUIRED_TASK_YAML, tempConfigDir } from './config-test-helpers.js';

const CHAT = (name: string): string => fixture('chat_task', 'hydra_configs', 'conf', `${name}.yaml`);

describe('defaults list entries', () => {
  it('parses _self_, config names, group selections with override/optional keywords', () => {
    const origin = 'x.yaml:2:5';
    expect(parseDefaultsEntry({ entry: '_self_', origin })).toEqual({ kind: 'self', origin });
    expect(parseDefaultsEntry({ entry: 'base', origin })).toEqual({
      kind: 'config',
      name: 'base',
      optional: false,
      origin,
    });
    expect(parseDefaultsEntry({ entry: 'optional extra', origin })).toMatchObject({
      kind: 'config',
      name: 'extra',
      optional: true,
    });
    expect(parseDefaultsEntry({ entry: { '/mephisto/blueprint': 'static_task' }, origin })).toEqual({
      kind: 'group',
      group: 'mephisto/blueprint',
      absolute: true,
      option: 'static_task',
      override: false,
      optional: false,
      origin,
    });
    expect(parseDefaultsEntry({ entry: { 'override /mephisto/provider': 'mock' }, origin })).toMatchObject({
      override: true,
      group: 'mephisto/provider',
    });
    expect(parseDefaultsEntry({ entry: { 'optional profile': 'local_dev' }, origin })).toMatchObject({
      optional: true,
      absolute: false,
      group: 'profile',
    });
    expect(parseDefaultsEntry({ entry: { db: null }, origin })).toMatchObject({ option: null });
  });

  it('rejects shapes Hydra would reject or that are not supported, naming the entry', () => {
    const messages = [
      { a: 1, b: 2 },
      { 'replace /x': 'y' },
      { 'db@backup': 'x' },
      { db: ['a', 'b'] },
      42,
      'two words here',
    ].map((entry) => {
      const parsed = parseDefaultsEntry({ entry, origin: 'f.yaml:1:1' });
      return 'message' in parsed ? parsed.message : 'parsed';
    });
    expect(messages).toEqual([
      'defaults entry {"a":1,"b":2} must select exactly one group (group: option)',
      'defaults entry "replace /x": unknown keyword "replace" (expected optional or override)',
      'defaults entry "db@backup": package overrides (group@package) are not supported',
      'defaults entry "db": selecting several options of one group is not supported',
      'defaults entry 42 is neither a config name nor a group selection',
      'defaults entry "two words here" is not a config name',
    ]);
  });

  it('packages: _global_ is the root, _group_ the group path, anything else a key path', () => {
    expect(packagePathOf('_global_', 'conf', ['x'])).toEqual([]);
    expect(packagePathOf('_group_', 'profile', [])).toEqual(['profile']);
    expect(packagePathOf('_group_.sub', 'a/b', [])).toEqual(['a', 'b', 'sub']);
    expect(packagePathOf('_global_.mephisto.task', '', [])).toEqual(['mephisto', 'task']);
    expect(packagePathOf('foo.bar', '', [])).toEqual(['foo', 'bar']);
    expect(packagePathOf(undefined, 'conf', ['kept'])).toEqual(['kept']);
  });
});

describe('defaults list composition', () => {
  it("group selection sets mephisto.<group>._<group>_type and fills that type's defaults", async () => {
    const { config, sources } = await loadTaskConfig({ configPath: CHAT('example') });
    expect(config.mephisto.blueprint).toMatchObject({
      _blueprint_type: 'static_task',
      units_per_assignment: 1,
      use_golds: false,
    });
    expect(config.mephisto.architect).toEqual({
      _architect_type: 'local',
      server_type: 'node',
      hostname: 'localhost',
      port: 3000,
    });
    expect(config.mephisto.provider).toEqual({ _provider_type: 'mock' });
    expect(
      sources.map((s) =>
        s.kind === 'file'
          ? `file ${s.path.split('/').pop() ?? ''}`
          : s.kind === 'group'
            ? `${s.group}=${s.option}`
            : s.kind,
      ),
    ).toEqual([
      'defaults',
      'mephisto/blueprint=static_task',
      'mephisto/architect=local',
      'mephisto/provider=mock',
      'file base.yaml',
      'file example.yaml',
    ]);
  });

  it('- base includes another file of the same folder; the including file wins (its keys come after)', async () => {
    const { config } = await loadTaskConfig({ configPath: CHAT('example') });
    expect(config.mephisto.task.max_num_concurrent_units).toBe(20); // base says 50
    expect(config.mephisto.task.task_tags).toBe('dynamic,chat,testing'); // only base sets it
    expect(config.mephisto.task.task_description).toBe(
      'A short conversation between two people about a picture they both see.\n',
    );
  });

  it("_self_ first: the file's own keys are merged before its defaults, so base.yaml wins", async () => {
    const { config } = await loadTaskConfig({ configPath: CHAT('self_first') });
    expect(config.mephisto.task.max_num_concurrent_units).toBe(50);
    expect(config.mephisto.task.task_name).toBe('self-first');
  });

  it("_self_ also orders group defaults: a group selected after _self_ overrides the file's values, as in Hydra", async () => {
    const dir = tempConfigDir({
      'task.yaml': `defaults:\n  - /mephisto/architect: local\n  - _self_\n  - /mephisto/blueprint: static_task\n  - /mephisto/provider: mock\n${REQUIRED_TASK_YAML}  blueprint:\n    task_source: x.html\n    units_per_assignment: 4\n  architect:\n    port: 9000\n`,
    });
    const { config } = await loadTaskConfig({ configPath: `${dir}/task.yaml` });
    expect(config.mephisto.architect.port).toBe(9000);
    expect(config.mephisto.blueprint).toMatchObject({ units_per_assignment: 1, task_source: 'x.html' });
  });

  it('a profile with "override" entries changes choices made by another file (like Mephisto\'s profile/local_dev.yaml)', async () => {
    const { config, sources } = await loadTaskConfig({ configPath: CHAT('with_profile') });
    expect(config.mephisto.architect).toEqual({
      _architect_type: 'mock',
      server_type: 'node',
      should_run_server: true,
      port: 3000,
    });
    expect(config.mephisto.provider).toEqual({
      _provider_type: 'inhouse',
      ui_base_url: 'http://localhost:3000',
    });
    // The overridden choices keep the position of the original selections.
    expect(sources.filter((s) => s.kind === 'group')).toEqual([
      { kind: 'group', group: 'mephisto/blueprint', option: 'static_task' },
      { kind: 'group', group: 'mephisto/architect', option: 'mock' },
      { kind: 'group', group: 'mephisto/provider', option: 'inhouse' },
    ]);
  });

  it('search paths: a config named in a defaults list may come from another root', async () => {
    const shared = tempConfigDir({
      'profile/team.yaml': '# @package _global_\nmephisto:\n  task:\n    task_tags: team,shared\n',
    });
    const dir = tempConfigDir({
      'hydra_configs/conf/task.yaml': `defaults:\n  - /mephisto/blueprint: mock\n  - /mephisto/architect: mock\n  - /mephisto/provider: mock\n  - /profile: team\n${REQUIRED_TASK_YAML.replace('    task_tags: "a,b"\n', '')}  blueprint:\n    num_assignments: 1\n`,
    });
    const { config } = await loadTaskConfig({
      configPath: `${dir}/hydra_configs/conf/task.yaml`,
      searchPaths: [shared],
    });
    expect(config.mephisto.task.task_tags).toBe('team,shared');
  });

  it('optional entries are skipped when missing', async () => {
    const dir = tempConfigDir({
      'task.yaml': `defaults:\n  - /mephisto/blueprint: mock\n  - /mephisto/architect: mock\n  - /mephisto/provider: mock\n  - optional local_secrets\n  - optional /profile: missing\n${REQUIRED_TASK_YAML}  blueprint:\n    num_assignments: 1\n`,
    });
    await expect(loadTaskConfig({ configPath: `${dir}/task.yaml` })).resolves.toBeDefined();
  });

  it("a file's _<group>_type set to another type switches the group (defaults of the new type)", async () => {
    const dir = tempConfigDir({
      'task.yaml': `defaults:\n  - /mephisto/blueprint: mock\n  - /mephisto/architect: local\n  - /mephisto/provider: mock\n${REQUIRED_TASK_YAML}  blueprint:\n    num_assignments: 1\n  architect:\n    _architect_type: mock\n`,
    });
    const { config } = await loadTaskConfig({ configPath: `${dir}/task.yaml` });
    expect(config.mephisto.architect).toEqual({
      _architect_type: 'mock',
      server_type: 'node',
      should_run_server: false,
      port: 3000,
    });
  });

  it('a config without a defaults list can name its types directly; their defaults are filled', async () => {
    const dir = tempConfigDir({
      'task.yaml': `${REQUIRED_TASK_YAML}  blueprint:\n    _blueprint_type: mock\n    num_assignments: 1\n  architect:\n    _architect_type: local\n    port: 8000\n  provider:\n    _provider_type: inhouse\n`,
    });
    const { config } = await loadTaskConfig({ configPath: `${dir}/task.yaml` });
    expect(config.mephisto.architect).toEqual({
      _architect_type: 'local',
      server_type: 'node',
      hostname: 'localhost',
      port: 8000,
    });
    expect(config.mephisto.provider).toEqual({
      _provider_type: 'inhouse',
      ui_base_url: 'http://localhost:3000',
    });
  });

  it('selecting a group twice is an error pointing at the entry, with the override form', async () => {
    const dir = tempConfigDir({
      'task.yaml': `defaults:\n  - /mephisto/provider: mock\n  - /mephisto/provider: inhouse\n`,
    });
    const error = await loadError({ configPath: `${dir}/task.yaml` });
    expect(error).toBeInstanceOf(ConfigDefaultsError);
    expect((error as Error).message).toBe(
      'mephisto/provider is selected twice in the defaults lists; to change the earlier choice write "override /mephisto/provider: inhouse" [task.yaml:3:5]'.replace(
        'task.yaml',
        `${dir}/task.yaml`,
      ),
    );
    expect((error as ConfigDefaultsError).code).toBe('MEPHISTO_ERR_CONFIG_DEFAULTS');
  });

  it('an override entry that matches no selection is an error', async () => {
    const dir = tempConfigDir({ 'task.yaml': 'defaults:\n  - override /mephisto/provider: mock\n' });
    const error = await loadError({ configPath: `${dir}/task.yaml` });
    expect((error as ConfigDefaultsError).problems.map((p) => p.message)).toEqual([
      'override of mephisto/provider: nothing in the defaults lists selects mephisto/provider; write the entry without "override" to select it',
    ]);
  });

  it('files that include each other are reported as a loop', async () => {
    const dir = tempConfigDir({ 'a.yaml': 'defaults:\n  - b\n', 'b.yaml': 'defaults:\n  - a\n' });
    const error = await loadError({ configPath: `${dir}/a.yaml`, cwd: dir });
    expect((error as ConfigDefaultsError).problems.map((p) => p.message)).toEqual([
      'defaults lists include each other in a loop: a.yaml → b.yaml → a.yaml',
    ]);
  });

  it('an unknown group, a malformed entry and a defaults key that is not a list are errors', async () => {
    const dir = tempConfigDir({
      'task.yaml': 'defaults:\n  - /nowhere: x\n  - 42\n',
      'notlist.yaml': 'defaults: base\n',
    });
    const error = await loadError({ configPath: `${dir}/task.yaml`, cwd: dir });
    expect((error as ConfigDefaultsError).problems.map((p) => `${p.message} [${p.origin ?? ''}]`)).toEqual([
      'defaults entry 42 is neither a config name nor a group selection [task.yaml:3:5]',
      `defaults entry "/nowhere: x": no config group /nowhere (the built-in groups are /mephisto/blueprint, /mephisto/architect, /mephisto/provider; file groups are folders under ${dir}) [task.yaml:2:5]`,
    ]);
    const notList = await loadError({ configPath: `${dir}/notlist.yaml`, cwd: dir });
    expect((notList as Error).message).toBe(
      'defaults: expected a list of config names and group selections, got "base" [notlist.yaml:1:11]',
    );
  });

  it('a missing included file or group option is MEPHISTO_ERR_CONFIG_NOT_FOUND, listing what was tried', async () => {
    const dir = tempConfigDir({
      'conf/task.yaml': 'defaults:\n  - basis\n',
      'conf/opt.yaml': 'defaults:\n  - /profile: nope\n',
      'profile/x.yaml': '',
    });
    const error = await loadError({ configDir: dir, configName: 'task', cwd: dir });
    expect(error).toBeInstanceOf(ConfigNotFoundError);
    expect((error as Error).message).toBe(
      [
        'config "basis" named in the defaults list at conf/task.yaml:2:5 was not found; looked for:',
        '  - conf/basis.yaml',
        '  - conf/basis.yml',
        '  - basis.yaml',
        '  - basis.yml',
      ].join('\n'),
    );
    const option = await loadError({ configDir: dir, configName: 'opt', cwd: dir });
    expect((option as ConfigNotFoundError).code).toBe('MEPHISTO_ERR_CONFIG_NOT_FOUND');
    expect((option as ConfigNotFoundError).searched).toEqual(['profile/nope.yaml', 'profile/nope.yml']);
  });
});
