import { describe, expect, it } from 'vitest';
import { ConfigInvalidError, ConfigSyntaxError } from '../../src/core/config/config-errors.js';
import { ERROR_CODES, MephistoError } from '../../src/core/errors.js';
import { parseConfigFile } from '../../src/config/config-file.js';
import {
  FIXTURES,
  fixture,
  loadError,
  mockConfigYaml,
  problemMessages,
  tempConfigDir,
} from './config-test-helpers.js';

describe('config errors', () => {
  it('reports ALL problems of a config at once, each with key path, value and expectation, and where it was written', async () => {
    const error = await loadError({
      configPath: fixture('broken', 'invalid.yaml'),
      overrides: ['mephisto.task.task_rewrd=3'],
      cwd: FIXTURES,
    });
    expect(error).toBeInstanceOf(ConfigInvalidError);
    expect((error as ConfigInvalidError).code).toBe('MEPHISTO_ERR_CONFIG_INVALID');
    expect((error as Error).message).toBe(
      [
        'invalid task config (7 problems):',
        '  - override "mephisto.task.task_rewrd=3": mephisto.task.task_rewrd is not in the config (given 3); did you mean "mephisto.task.task_reward"? to add a new key write +mephisto.task.task_rewrd=3 [override mephisto.task.task_rewrd=3]',
        "  - mephisto.task.task_title is required (a string shown to workers as the task's title) [broken/invalid.yaml:9:5]",
        '  - mephisto.task.task_reward: expected a number ≥ 0, got "abc" [broken/invalid.yaml:10:18]',
        '  - mephisto.task.allowed_concurrent: expected an integer ≥ 0, got -1 [broken/invalid.yaml:12:25]',
        "  - mephisto.blueprint.task_source is required (HTML file shown to workers for each unit; `${field}` placeholders are filled from the unit's data) [broken/invalid.yaml:7:5]",
        `  - mephisto.blueprint.data_cvs: unknown key for blueprint type "static_task" (set to "${fixture('broken', 'data.csv')}"); did you mean "data_csv"? [broken/invalid.yaml:7:15]`,
        '  - mephisto.architect._architect_type: unknown architect type "locall"; did you mean "local"? valid architect types are "local" and "mock" [broken/invalid.yaml:3:5]',
      ].join('\n'),
    );
  });

  it('an unknown blueprint type in the defaults list lists the valid ones and points at the entry', async () => {
    const dir = tempConfigDir({
      'task.yaml':
        'defaults:\n  - /mephisto/blueprint: statc_task\n  - /mephisto/architect: local\n  - /mephisto/provider: mock\n',
    });
    const error = await loadError({ configPath: `${dir}/task.yaml`, cwd: dir });
    const problems = (error as ConfigInvalidError).problems;
    expect(problems.find((p) => p.path === 'mephisto.blueprint._blueprint_type')).toEqual({
      path: 'mephisto.blueprint._blueprint_type',
      message:
        'mephisto.blueprint._blueprint_type: unknown blueprint type "statc_task"; did you mean "static_task"? valid blueprint types are "mock", "remote_procedure", "static_react_task" and "static_task"',
      origin: 'task.yaml:2:5',
    });
  });

  it('an unknown provider type far from any valid one lists them without a suggestion', async () => {
    const dir = tempConfigDir({
      'task.yaml': mockConfigYaml().replace('provider: mock', 'provider: crowdflower'),
    });
    expect(await problemMessages({ configPath: `${dir}/task.yaml` })).toEqual([
      'mephisto.provider._provider_type: unknown provider type "crowdflower"; valid provider types are "inhouse", "mock", "mturk", "mturk_sandbox" and "prolific"',
    ]);
  });

  it('an unknown key inside mephisto.provider names the nearest valid key', async () => {
    const dir = tempConfigDir({
      'task.yaml':
        mockConfigYaml().replace('provider: mock', 'provider: inhouse') +
        '  provider:\n    ui_base_ur: http://x\n',
    });
    expect(await problemMessages({ configPath: `${dir}/task.yaml` })).toEqual([
      'mephisto.provider.ui_base_ur: unknown key for provider type "inhouse" (set to "http://x"); did you mean "ui_base_url"?',
    ]);
  });

  it("unknown keys directly under mephisto are errors; unknown top-level keys are the user's", async () => {
    const dir = tempConfigDir({
      'task.yaml': mockConfigYaml('my_key: 1\n').replace('mephisto:\n', 'mephisto:\n  tsak:\n    x: 1\n'),
    });
    expect(await problemMessages({ configPath: `${dir}/task.yaml` })).toEqual([
      'mephisto.tsak: unknown key (set to {"x":1}); did you mean "task"?',
    ]);
  });

  it('YAML syntax errors are MEPHISTO_ERR_CONFIG_SYNTAX with file:line:column', async () => {
    const error = await loadError({ configPath: fixture('broken', 'syntax.yaml'), cwd: FIXTURES });
    expect(error).toBeInstanceOf(ConfigSyntaxError);
    expect((error as ConfigSyntaxError).code).toBe('MEPHISTO_ERR_CONFIG_SYNTAX');
    expect((error as Error).message).toBe('broken/syntax.yaml:5:1: Missing closing "quote');
  });

  it('every syntax error of a file is reported, each with its position', () => {
    try {
      parseConfigFile('a: 1\na: 2\nb: [1, 2\n', '/x/f.yaml', 'f.yaml');
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigSyntaxError).problems.map((p) => `${p.file}:${p.line}:${p.column}`)).toEqual([
        'f.yaml:2:1',
        'f.yaml:4:1',
      ]);
      expect((error as Error).message).toMatch(/^f\.yaml:2:1: Map keys must be unique\nf\.yaml:4:1: /);
    }
  });

  it('a file whose top level is not a mapping is a syntax error', async () => {
    const error = await loadError({ configPath: fixture('broken', 'list.yaml'), cwd: FIXTURES });
    expect((error as Error).message).toBe(
      'broken/list.yaml:1:1: the top level of a config file must be a mapping of keys',
    );
  });

  it('an empty file is an empty config', () => {
    expect(parseConfigFile('', '/x/e.yaml', 'e.yaml').data).toEqual({});
    expect(parseConfigFile('# only a comment\n', '/x/e.yaml', 'e.yaml').data).toEqual({});
  });

  it('the config error codes are registered with a meaning and a remedy', () => {
    for (const code of [
      'MEPHISTO_ERR_CONFIG_INVALID',
      'MEPHISTO_ERR_CONFIG_NOT_FOUND',
      'MEPHISTO_ERR_CONFIG_SYNTAX',
      'MEPHISTO_ERR_CONFIG_OVERRIDE',
      'MEPHISTO_ERR_CONFIG_DEFAULTS',
    ] as const) {
      expect(ERROR_CODES[code].meaning.length).toBeGreaterThan(20);
      expect(ERROR_CODES[code].remedy.length).toBeGreaterThan(20);
    }
    expect(new ConfigInvalidError([])).toBeInstanceOf(MephistoError);
  });

  it('the package header and key positions are read with the yaml library', () => {
    const file = parseConfigFile(
      '# @package _global_\n\ndefaults:\n  - base\nmephisto:\n  task:\n    task_reward: 1\n',
      '/x/f.yaml',
      'f.yaml',
    );
    expect(file.packageHeader).toBe('_global_');
    expect(file.defaults).toEqual([{ entry: 'base', origin: 'f.yaml:4:5' }]);
    expect(file.positions.get('mephisto.task.task_reward')).toBe('f.yaml:7:18');
    expect(file.data).toEqual({ mephisto: { task: { task_reward: 1 } } });
  });
});
