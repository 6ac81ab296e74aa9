import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ABSTRACTION_GROUPS,
  createArgsRegistry,
  defaultArgsRegistry,
  typeKeyOf,
} from '../../src/core/config/args-registry.js';
import {
  defaultedField,
  literalKind,
  requiredField,
  stringKind,
} from '../../src/core/config/config-field.js';
import { sectionFields } from '../../src/core/config/config-section.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import type { TaskConfig } from '../../src/core/config/task-config.js';
import {
  knownConfigKeys,
  parseTaskConfig,
  taskNameOf,
  validateTaskConfig,
} from '../../src/core/config/task-config.js';
import { ConfigInvalidError } from '../../src/core/config/config-errors.js';

const registry = createArgsRegistry();

const STATIC_SHARED_DEFAULTS = {
  use_screening_task: false,
  use_golds: false,
  min_golds: 1,
  max_incorrect_golds: 0,
  units_per_assignment: 1,
  task_source_review: '',
};

function validConfig(mephisto: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    task_dir: '/tasks/x',
    mephisto: {
      blueprint: { _blueprint_type: 'mock', num_assignments: 1 },
      architect: { _architect_type: 'mock' },
      provider: { _provider_type: 'mock' },
      task: { task_title: 'T', task_description: 'D', task_reward: 1, task_tags: 'a' },
      ...mephisto,
    },
  };
}

function problemsOf(raw: unknown): string[] {
  const result = validateTaskConfig(raw, registry);
  return result.ok ? [] : result.problems.map((p) => p.message);
}

describe('argument schemas per type', () => {
  it('registers the blueprint types static_task, static_react_task, remote_procedure and mock', () => {
    expect(registry.types('blueprint')).toEqual([
      'mock',
      'remote_procedure',
      'static_react_task',
      'static_task',
    ]);
    expect(registry.types('architect')).toEqual(['local', 'mock']);
    expect(registry.types('provider')).toEqual(['inhouse', 'mock', 'mturk', 'mturk_sandbox', 'prolific']);
  });

  it('static_task defaults: the shared static args (units_per_assignment 1, task_source_review "", use_screening_task/use_golds false, min_golds 1, max_incorrect_golds 0)', () => {
    expect(registry.defaults('blueprint', 'static_task')).toEqual({
      _blueprint_type: 'static_task',
      ...STATIC_SHARED_DEFAULTS,
    });
  });

  it('static_task and static_react_task share data_csv/data_json/data_jsonl, extra_source_dir, onboarding_qualification, block_qualification, screening and gold args', () => {
    const shared = [
      'block_qualification',
      'tips_location',
      'onboarding_qualification',
      'passed_qualification_name',
      'max_screening_units',
      'use_screening_task',
      'gold_qualification_base',
      'max_gold_units',
      'use_golds',
      'min_golds',
      'max_incorrect_golds',
      'units_per_assignment',
      'task_source_review',
      'extra_source_dir',
      'data_json',
      'data_jsonl',
      'data_csv',
      'task_source',
    ];
    const keys = (type: string): string[] =>
      sectionFields(registry.get('blueprint', type) ?? z.strictObject({})).map(([k]) => k);
    expect(keys('static_task')).toEqual([
      '_blueprint_type',
      ...shared,
      'preview_source',
      'onboarding_source',
    ]);
    expect(keys('static_react_task')).toEqual(['_blueprint_type', ...shared, 'link_task_source']);
    expect(keys('remote_procedure')).toEqual(['_blueprint_type', ...shared, 'link_task_source']);
  });

  it('static_react_task and remote_procedure default link_task_source to false; task_source is required', () => {
    for (const type of ['static_react_task', 'remote_procedure']) {
      expect(registry.defaults('blueprint', type)).toEqual({
        _blueprint_type: type,
        ...STATIC_SHARED_DEFAULTS,
        link_task_source: false,
      });
      const fields = new Map(sectionFields(registry.get('blueprint', type) ?? z.strictObject({})));
      expect(fields.get('task_source')?.required).toBe(true);
    }
  });

  it('mock blueprint: num_assignments required; use_onboarding false, timeout_time 0, is_concurrent true, task_source_review placeholder', () => {
    expect(registry.defaults('blueprint', 'mock')).toEqual({
      _blueprint_type: 'mock',
      use_screening_task: false,
      use_onboarding: false,
      timeout_time: 0,
      is_concurrent: true,
      task_source_review: '/test/path/to/bundle.js',
    });
    expect(problemsOf(validConfig({ blueprint: { _blueprint_type: 'mock' } }))).toEqual([
      'mephisto.blueprint.num_assignments is required (how many assignments (each of two units) the mock task creates)',
    ]);
  });

  it('architects: local (hostname localhost, port 3000, server_type node) and mock (should_run_server false, port 3000)', () => {
    expect(registry.defaults('architect', 'local')).toEqual({
      _architect_type: 'local',
      server_type: 'node',
      hostname: 'localhost',
      port: 3000,
    });
    expect(registry.defaults('architect', 'mock')).toEqual({
      _architect_type: 'mock',
      server_type: 'node',
      should_run_server: false,
      port: 3000,
    });
  });

  it('architect port accepts Mephisto\'s string form "3000" and rejects out-of-range ports', () => {
    const ok = validateTaskConfig(
      validConfig({ architect: { _architect_type: 'local', port: '8080' } }),
      registry,
    );
    expect(ok.ok && ok.config.mephisto.architect.port).toBe(8080);
    expect(problemsOf(validConfig({ architect: { _architect_type: 'local', port: 70000 } }))).toEqual([
      'mephisto.architect.port: expected an integer port between 0 and 65535, got 70000',
    ]);
    expect(
      problemsOf(validConfig({ architect: { _architect_type: 'local', server_type: 'tornado' } })),
    ).toEqual(['mephisto.architect.server_type: expected one of "node", "flask", got "tornado"']);
  });

  it('providers: requester_name on every type; inhouse ui_base_url; prolific options and their defaults', () => {
    expect(registry.defaults('provider', 'mock')).toEqual({ _provider_type: 'mock' });
    const mturkDefaults = {
      endpoint: '',
      region: 'us-east-1',
      frame_height: 650,
      auto_approve_delay_in_seconds: 2_592_000,
    };
    expect(registry.defaults('provider', 'mturk')).toEqual({ _provider_type: 'mturk', ...mturkDefaults });
    expect(registry.defaults('provider', 'mturk_sandbox')).toEqual({
      _provider_type: 'mturk_sandbox',
      ...mturkDefaults,
    });
    expect(registry.defaults('provider', 'inhouse')).toEqual({
      _provider_type: 'inhouse',
      ui_base_url: 'http://localhost:3000',
    });
    expect(registry.defaults('provider', 'prolific')).toEqual({
      _provider_type: 'prolific',
      api_base_url: '',
      prolific_external_study_url: '',
      prolific_id_option: 'url_parameters',
      prolific_estimated_completion_time_in_minutes: 5,
      prolific_eligibility_requirements: [],
      prolific_workspace_name: 'My Workspace',
      prolific_project_name: 'Project',
      prolific_allow_list_group_name: 'Allow list',
      prolific_block_list_group_name: 'Block list',
    });
    for (const type of registry.types('provider')) {
      expect(
        new Map(sectionFields(registry.get('provider', type) ?? z.strictObject({}))).has('requester_name'),
      ).toBe(true);
    }
  });

  it('prolific_id_option and prolific_eligibility_requirements are checked', () => {
    const provider = {
      _provider_type: 'prolific',
      prolific_id_option: 'email',
      prolific_eligibility_requirements: [
        { name: 'ApprovalRateEligibilityRequirement' },
        { minimum_approval_rate: 90 },
      ],
    };
    expect(problemsOf(validConfig({ provider }))).toEqual([
      'mephisto.provider.prolific_id_option: expected one of "question", "url_parameters", "not_required", got "email"',
      'mephisto.provider.prolific_eligibility_requirements[1].name: expected a string, got nothing',
    ]);
  });

  it('the defaults handed out are copies (a run cannot change the schema defaults)', () => {
    const first = registry.defaults('provider', 'prolific');
    (first?.prolific_eligibility_requirements as unknown[]).push({ name: 'x' });
    expect(registry.defaults('provider', 'prolific')?.prolific_eligibility_requirements).toEqual([]);
  });

  it('every field of every type has a description', () => {
    for (const group of ABSTRACTION_GROUPS) {
      for (const type of registry.types(group)) {
        for (const [key, info] of sectionFields(registry.get(group, type) ?? z.strictObject({}))) {
          expect(info.description.length, `${group} ${type} ${key}`).toBeGreaterThan(20);
        }
      }
    }
  });
});

describe('ArgsRegistry is open', () => {
  const customSchema = z.strictObject({
    _blueprint_type: defaultedField(
      literalKind('survey'),
      'survey',
      'The blueprint type, chosen in the defaults list.',
    ),
    survey_url: requiredField(stringKind, 'Address of the external survey workers fill in.'),
  });

  it('a registered type can be selected, validated and listed', () => {
    const own = createArgsRegistry().register('blueprint', 'survey', customSchema);
    expect(own.types('blueprint')).toContain('survey');
    const result = validateTaskConfig(
      validConfig({ blueprint: { _blueprint_type: 'survey', survey_url: 'https://example.org' } }),
      own,
    );
    expect(result.ok).toBe(true);
    // The built-in registry used elsewhere is not affected.
    expect(registry.types('blueprint')).not.toContain('survey');
  });

  it('registering a type twice, or a schema whose type key does not accept the type, is refused', () => {
    const own = createArgsRegistry();
    expect(() => own.register('blueprint', 'mock', customSchema)).toThrow(InvalidArgumentError);
    expect(() => own.register('blueprint', 'other', customSchema)).toThrow(
      'the schema registered for blueprint type "other" needs a _blueprint_type field accepting "other"',
    );
  });

  it('defaultArgsRegistry holds the built-in types', () => {
    expect(defaultArgsRegistry.types('provider')).toEqual(registry.types('provider'));
    expect(typeKeyOf('provider')).toBe('_provider_type');
  });
});

describe('validateTaskConfig (the whole shape)', () => {
  it("accepts a complete config, fills the defaults and keeps the user's top-level keys", () => {
    const result = validateTaskConfig({ ...validConfig(), num_tasks: 3, my_setting: { a: 1 } }, registry);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const config: TaskConfig = result.config;
    expect(config.num_tasks).toBe(3);
    expect(config.my_setting).toEqual({ a: 1 });
    expect(config.mephisto.log_level).toBe('info');
    expect(config.mephisto.database).toEqual({ _database_type: 'singleton' });
    expect(Object.keys(config)).toEqual(['mephisto', 'task_dir', 'num_tasks', 'my_setting']);
  });

  it('num_tasks defaults to 5, log_level to info (any case accepted)', () => {
    const result = validateTaskConfig(validConfig({ log_level: 'DEBUG' }), registry);
    expect(result.ok && result.config.num_tasks).toBe(5);
    expect(result.ok && result.config.mephisto.log_level).toBe('debug');
    expect(problemsOf(validConfig({ log_level: 'loud' }))).toEqual([
      'mephisto.log_level: expected one of "trace", "debug", "info", "warning", "warn", "error", "critical", "fatal", got "loud"',
    ]);
  });

  it('task_name falls back to the blueprint type (taskNameOf)', () => {
    const config = parseTaskConfig(validConfig(), registry);
    expect(taskNameOf(config)).toBe('mock');
    const named = parseTaskConfig(
      validConfig({
        task: { task_name: 'n', task_title: 'T', task_description: 'D', task_reward: 1, task_tags: 'a' },
      }),
      registry,
    );
    expect(taskNameOf(named)).toBe('n');
  });

  it('reports a missing group, an unknown type (with suggestion and the valid ones) and unknown keys inside mephisto', () => {
    const raw = validConfig({ architect: undefined, provider: { _provider_type: 'mturkk' }, extra: 1 });
    expect(problemsOf(raw)).toEqual([
      'mephisto.extra: unknown key (set to 1); valid keys are architect, blueprint, database, log_level, provider, task',
      'mephisto.architect is not set (got nothing): select an architect type with "- /mephisto/architect: <type>" in the defaults list or the override mephisto/architect=<type>; valid architect types are "local" and "mock"',
      'mephisto.provider._provider_type: unknown provider type "mturkk"; did you mean "mturk"? valid provider types are "inhouse", "mock", "mturk", "mturk_sandbox" and "prolific"',
    ]);
  });

  it('reports a group without its type key, and a group that is not a mapping', () => {
    expect(problemsOf(validConfig({ blueprint: { num_assignments: 1 }, provider: 'mock' }))).toEqual([
      'mephisto.blueprint._blueprint_type is required (the blueprint type to use); valid blueprint types are "mock", "remote_procedure", "static_react_task" and "static_task"',
      'mephisto.provider: expected a mapping of provider settings, got "mock"',
    ]);
  });

  it('reports a missing task_dir and a config that is not a mapping', () => {
    expect(problemsOf({ mephisto: validConfig().mephisto as object })).toEqual([
      "task_dir is required (the folder of the task: the run script's folder, or for a config file loaded directly the folder above its `hydra_configs/` folder)",
    ]);
    expect(problemsOf(['a'])[0]).toBe('the config: expected a mapping, got ["a"]');
  });

  it('parseTaskConfig throws one ConfigInvalidError listing every problem', () => {
    const raw = validConfig({ task: { task_reward: 'abc' } });
    expect(() => parseTaskConfig(raw, registry)).toThrow(ConfigInvalidError);
    try {
      parseTaskConfig(raw, registry);
    } catch (error) {
      expect((error as ConfigInvalidError).code).toBe('MEPHISTO_ERR_CONFIG_INVALID');
      expect((error as ConfigInvalidError).problems).toHaveLength(4);
      expect((error as Error).message).toBe(
        [
          'invalid task config (4 problems):',
          "  - mephisto.task.task_title is required (a string shown to workers as the task's title)",
          '  - mephisto.task.task_description is required (a longer text telling workers what the task asks of them; shown by the crowd provider next to the title)',
          '  - mephisto.task.task_reward: expected a number ≥ 0, got "abc"',
          '  - mephisto.task.task_tags is required (comma-separated keywords that help workers find the task (MTurk keywords))',
        ].join('\n'),
      );
    }
  });

  it('knownConfigKeys lists what the schemas define at a path, following the selected type', () => {
    const raw = validConfig();
    expect(knownConfigKeys(raw, [], registry)).toEqual(['mephisto', 'task_dir', 'num_tasks']);
    expect(knownConfigKeys(raw, ['mephisto'], registry)).toEqual([
      'blueprint',
      'architect',
      'provider',
      'task',
      'database',
      'log_level',
    ]);
    expect(knownConfigKeys(raw, ['mephisto', 'architect'], registry)).toEqual([
      '_architect_type',
      'server_type',
      'server_source_path',
      'should_run_server',
      'port',
    ]);
    expect(knownConfigKeys({}, ['mephisto', 'provider'], registry)).toEqual(['_provider_type']);
    expect(knownConfigKeys(raw, ['my_key'], registry)).toEqual([]);
  });
});
