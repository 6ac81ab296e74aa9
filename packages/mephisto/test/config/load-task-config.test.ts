import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTaskConfig } from '../../src/config/load-task-config.js';
import { ConfigNotFoundError } from '../../src/core/config/config-errors.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { FIXTURES, fixture, loadError, mockConfigYaml, tempConfigDir } from './config-test-helpers.js';

describe("loading configs shaped like Mephisto's examples", () => {
  it('static_task with data_csv, preview_source and extra_source_dir (simple_static_task)', async () => {
    const { config, taskDir } = await loadTaskConfig({
      configPath: fixture('simple_static_task', 'hydra_configs', 'conf', 'example_local_mock.yaml'),
    });
    expect(taskDir).toBe(fixture('simple_static_task'));
    expect(config.mephisto.blueprint).toEqual({
      _blueprint_type: 'static_task',
      use_screening_task: false,
      use_golds: false,
      min_golds: 1,
      max_incorrect_golds: 0,
      units_per_assignment: 2,
      task_source_review: '',
      data_csv: fixture('simple_static_task', 'data', 'data.csv'),
      task_source: fixture('simple_static_task', 'server_files', 'demo_task.html'),
      preview_source: fixture('simple_static_task', 'server_files', 'demo_preview.html'),
      extra_source_dir: fixture('simple_static_task', 'server_files', 'extra_refs'),
    });
    expect(config.mephisto.task).toMatchObject({
      task_name: 'html-static-task-example',
      task_reward: 0.3,
      task_tags: 'static,task,testing',
      max_num_concurrent_units: 300,
    });
  });

  it('static_task with onboarding_source and onboarding_qualification; task_tags written as a YAML list', async () => {
    const { config } = await loadTaskConfig({
      configPath: fixture('simple_static_task', 'hydra_configs', 'conf', 'onboarding_local_mock.yaml'),
    });
    expect(config.mephisto.blueprint).toMatchObject({
      onboarding_qualification: 'static-onboarding-qual',
      onboarding_source: fixture('simple_static_task', 'server_files', 'demo_onboarding.html'),
    });
    expect(config.mephisto.task.task_tags).toBe('static,onboarding');
    expect(config.mephisto.task.task_name).toBeUndefined();
  });

  it('static_react_task with screening args (passed_qualification_name, block_qualification, use_screening_task, max_screening_units) and allowed_concurrent 1', async () => {
    const { config } = await loadTaskConfig({
      configPath: fixture('static_react_task', 'hydra_configs', 'conf', 'screening_local_mock.yaml'),
    });
    expect(config.mephisto.blueprint).toMatchObject({
      _blueprint_type: 'static_react_task',
      passed_qualification_name: 'react-screening-passed',
      block_qualification: 'react-screening-blocked',
      use_screening_task: true,
      max_screening_units: 3,
      link_task_source: false,
    });
    expect(config.mephisto.task.allowed_concurrent).toBe(1);
  });

  it('inhouse provider with ui_base_url, data_json, task_source_review, force_rebuild and a reward of 0', async () => {
    const { config } = await loadTaskConfig({
      configPath: fixture('form_composer_demo', 'hydra_configs', 'conf', 'example_local_inhouse.yaml'),
    });
    expect(config.mephisto.provider).toEqual({
      _provider_type: 'inhouse',
      ui_base_url: 'http://localhost:3001',
    });
    expect(config.mephisto.blueprint).toMatchObject({
      data_json: fixture('form_composer_demo', 'data', 'simple', 'task_data.json'),
      task_source_review: fixture('form_composer_demo', 'webapp', 'build', 'bundle.review.js'),
      units_per_assignment: 2,
    });
    expect(config.mephisto.task).toMatchObject({
      task_reward: 0,
      force_rebuild: true,
      task_name: 'Sample Questionnaire',
    });
  });

  it('prolific provider block: its options, eligibility requirements, log_level debug, a quoted task_name "0802" and a string port', async () => {
    const { config } = await loadTaskConfig({
      configPath: fixture('prolific_task', 'hydra_configs', 'conf', 'example_local_prolific.yaml'),
    });
    expect(config.mephisto.provider).toEqual({
      _provider_type: 'prolific',
      api_base_url: '',
      prolific_external_study_url:
        'https://example.com?participant_id={{%PROLIFIC_PID%}}&study_id={{%STUDY_ID%}}&submission_id={{%SESSION_ID%}}',
      prolific_id_option: 'url_parameters',
      prolific_estimated_completion_time_in_minutes: 5,
      prolific_eligibility_requirements: [
        {
          name: 'CustomWhitelistEligibilityRequirement',
          white_list: ['6463d32f50a18041930b71be', '6463d3922d7d99360896228f'],
        },
        { name: 'ApprovalRateEligibilityRequirement', minimum_approval_rate: 95, maximum_approval_rate: 100 },
      ],
      prolific_workspace_name: 'Lab Workspace',
      prolific_project_name: 'Reading',
      prolific_allow_list_group_name: 'Allow list',
      prolific_block_list_group_name: 'Block list',
    });
    expect(config.mephisto.architect).toMatchObject({ hostname: 'tasks.example.org', port: 8443 });
    expect(config.mephisto.log_level).toBe('debug');
    expect(config.mephisto.task).toMatchObject({ task_name: '0802', task_reward: 70 });
  });

  it('remote_procedure with block_qualification and max_num_concurrent_units', async () => {
    const { config } = await loadTaskConfig({
      configPath: fixture('remote_procedure', 'hydra_configs', 'conf', 'example_local_mock.yaml'),
    });
    expect(config.mephisto.blueprint).toMatchObject({
      _blueprint_type: 'remote_procedure',
      task_source: fixture('remote_procedure', 'webapp', 'build', 'bundle.js'),
      block_qualification: 'test_qual_block',
    });
    expect(config.mephisto.task).toMatchObject({ allowed_concurrent: 1, max_num_concurrent_units: 25 });
  });

  it('user keys at the top level pass through and may use interpolation (plain_task data_file)', async () => {
    const { config } = await loadTaskConfig({ configPath: fixture('plain_task', 'task.yaml') });
    expect(config.data_file).toBe(fixture('plain_task', 'data.json'));
    expect(config.num_tasks).toBe(5);
  });

  it('returns the sources in merge order and the composed (uninterpolated) tree', async () => {
    const path = fixture('static_react_task', 'hydra_configs', 'conf', 'example_local_mock.yaml');
    const { sources, composed } = await loadTaskConfig({
      configPath: path,
      overrides: ['mephisto.task.task_reward=1'],
    });
    expect(sources).toEqual([
      { kind: 'defaults' },
      { kind: 'group', group: 'mephisto/blueprint', option: 'static_react_task' },
      { kind: 'group', group: 'mephisto/architect', option: 'local' },
      { kind: 'group', group: 'mephisto/provider', option: 'mock' },
      { kind: 'file', path, package: '' },
      { kind: 'override', text: 'mephisto.task.task_reward=1' },
    ]);
    expect((composed.mephisto as { blueprint: { task_source: string } }).blueprint.task_source).toBe(
      '${task_dir}/webapp/build/bundle.js',
    );
  });

  it("drops Hydra's own `hydra:` settings, which are not part of the job config", async () => {
    const dir = tempConfigDir({
      'task.yaml': mockConfigYaml('hydra:\n  run:\n    dir: outputs/${now:%Y}\n'),
    });
    const { config } = await loadTaskConfig({ configPath: `${dir}/task.yaml` });
    expect(config).not.toHaveProperty('hydra');
  });
});

describe('task_dir', () => {
  it('a file under hydra_configs/: the folder above hydra_configs (examples/x/hydra_configs/conf/example.yaml → examples/x)', async () => {
    const { taskDir, config } = await loadTaskConfig({
      configPath: fixture('chat_task', 'hydra_configs', 'conf', 'example.yaml'),
    });
    expect(taskDir).toBe(fixture('chat_task'));
    expect(config.task_dir).toBe(fixture('chat_task'));
  });

  it('a file elsewhere: its own folder', async () => {
    const { taskDir } = await loadTaskConfig({ configPath: fixture('plain_task', 'task.yaml') });
    expect(taskDir).toBe(fixture('plain_task'));
  });

  it("the taskDir option (the run script's folder) replaces the derived one", async () => {
    const { taskDir } = await loadTaskConfig({
      configPath: fixture('plain_task', 'task.yaml'),
      taskDir: '/opt/run-script',
    });
    expect(taskDir).toBe('/opt/run-script');
  });

  it('the override task_dir=PATH wins over both; a relative PATH is taken from cwd', async () => {
    const { config } = await loadTaskConfig({
      configPath: fixture('plain_task', 'task.yaml'),
      taskDir: '/opt/run-script',
      overrides: ['task_dir=elsewhere/task'],
      cwd: '/srv',
    });
    expect(config.task_dir).toBe('/srv/elsewhere/task');
    expect(config.data_file).toBe('/srv/elsewhere/task/data.json');
  });

  it('configDir mode without hydra_configs: the config directory', async () => {
    const dir = tempConfigDir({ 'conf/task.yaml': mockConfigYaml() });
    const { taskDir } = await loadTaskConfig({ configDir: dir, configName: 'task' });
    expect(taskDir).toBe(dir);
  });

  it('no config file at all (overrides only): taskDir, else cwd', async () => {
    const overrides = [
      'mephisto/blueprint=mock',
      'mephisto/architect=mock',
      'mephisto/provider=mock',
      'mephisto.blueprint.num_assignments=1',
      'mephisto.task.task_title=t',
      'mephisto.task.task_description=d',
      'mephisto.task.task_reward=0',
      'mephisto.task.task_tags=x',
    ];
    const { taskDir } = await loadTaskConfig({ overrides, cwd: '/work/somewhere' });
    expect(taskDir).toBe('/work/somewhere');
  });
});

describe('finding the config (Hydra-like config directory and name)', () => {
  const example = fixture('static_react_task', 'hydra_configs', 'conf', 'example_local_mock.yaml');

  it.each([
    [
      'the hydra_configs folder, name without .yaml',
      fixture('static_react_task', 'hydra_configs'),
      'example_local_mock',
    ],
    [
      'the hydra_configs folder, name with .yaml',
      fixture('static_react_task', 'hydra_configs'),
      'example_local_mock.yaml',
    ],
    ['the conf folder itself', fixture('static_react_task', 'hydra_configs', 'conf'), 'example_local_mock'],
    ['the task folder (hydra_configs/conf inside it)', fixture('static_react_task'), 'example_local_mock'],
    ['a name with its folder', fixture('static_react_task', 'hydra_configs'), 'conf/example_local_mock'],
  ])('configDir = %s', async (_what, configDir, configName) => {
    const loaded = await loadTaskConfig({ configDir, configName });
    expect(loaded.sources).toContainEqual({ kind: 'file', path: example, package: '' });
    expect(loaded.taskDir).toBe(fixture('static_react_task'));
  });

  it('configPath may leave out .yaml, and a relative path is taken from cwd', async () => {
    const loaded = await loadTaskConfig({
      configPath: 'static_react_task/hydra_configs/conf/example_local_mock',
      cwd: FIXTURES,
    });
    expect(loaded.taskDir).toBe(dirname(dirname(dirname(example))));
  });

  it('a missing config is MEPHISTO_ERR_CONFIG_NOT_FOUND listing every path tried', async () => {
    const error = await loadError({
      configDir: fixture('static_react_task'),
      configName: 'nope',
      cwd: FIXTURES,
    });
    expect(error).toBeInstanceOf(ConfigNotFoundError);
    expect((error as Error).message).toBe(
      [
        `config file nope in ${fixture('static_react_task')} was not found; looked for:`,
        '  - static_react_task/nope',
        '  - static_react_task/nope.yaml',
        '  - static_react_task/nope.yml',
        '  - static_react_task/conf/nope',
        '  - static_react_task/conf/nope.yaml',
        '  - static_react_task/conf/nope.yml',
        '  - static_react_task/hydra_configs/conf/nope',
        '  - static_react_task/hydra_configs/conf/nope.yaml',
        '  - static_react_task/hydra_configs/conf/nope.yml',
      ].join('\n'),
    );
    const direct = await loadError({ configPath: 'missing.yaml', cwd: FIXTURES });
    expect((direct as Error).message).toBe(
      'config file missing.yaml was not found; looked for:\n  - missing.yaml',
    );
  });

  it('configPath together with configDir, or configDir without configName, is a usage error', async () => {
    await expect(loadTaskConfig({ configPath: 'a.yaml', configDir: 'b' })).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(loadTaskConfig({ configDir: 'b' })).rejects.toThrow(
      'configDir b was given without a configName',
    );
  });
});
