import { describe, expect, it } from 'vitest';
import { DEFAULT_TASK_LIFETIME_IN_SECONDS, TaskRunArgsSchema } from '../../src/core/config/task-run-args.js';
import { sectionDefaults, sectionFields, validateSection } from '../../src/core/config/config-section.js';

const REQUIRED = { task_title: 'T', task_description: 'D', task_reward: 0.5, task_tags: 'a,b' };

function check(input: Record<string, unknown>): { value?: Record<string, unknown>; messages: string[] } {
  const result = validateSection(TaskRunArgsSchema, input, ['mephisto', 'task']);
  return { value: result.value, messages: result.problems.map((p) => p.message) };
}

describe('TaskRunArgs (mephisto.task)', () => {
  it('has exactly the 15 fields of Mephisto, in its order', () => {
    expect(sectionFields(TaskRunArgsSchema).map(([key]) => key)).toEqual([
      'task_name',
      'task_title',
      'task_description',
      'task_reward',
      'task_tags',
      'task_lifetime_in_seconds',
      'assignment_duration_in_seconds',
      'no_submission_patience',
      'allowed_concurrent',
      'maximum_units_per_worker',
      'max_num_concurrent_units',
      'submission_timeout',
      'post_install_script',
      'force_rebuild',
      'resume_incomplete_run',
    ]);
  });

  it('defaults: task_lifetime_in_seconds 31 days, assignment_duration_in_seconds 1800, no_submission_patience 12 h, allowed_concurrent / maximum_units_per_worker / max_num_concurrent_units 0, submission_timeout 600, post_install_script "", force_rebuild and resume_incomplete_run false', () => {
    const { value, messages } = check(REQUIRED);
    expect(messages).toEqual([]);
    expect(value).toEqual({
      ...REQUIRED,
      task_lifetime_in_seconds: 2_678_400,
      assignment_duration_in_seconds: 1_800,
      no_submission_patience: 43_200,
      allowed_concurrent: 0,
      maximum_units_per_worker: 0,
      max_num_concurrent_units: 0,
      submission_timeout: 600,
      post_install_script: '',
      force_rebuild: false,
      resume_incomplete_run: false,
    });
    expect(DEFAULT_TASK_LIFETIME_IN_SECONDS).toBe(31 * 24 * 3600);
    expect(sectionDefaults(TaskRunArgsSchema)).toEqual({
      task_lifetime_in_seconds: 2_678_400,
      assignment_duration_in_seconds: 1_800,
      no_submission_patience: 43_200,
      allowed_concurrent: 0,
      maximum_units_per_worker: 0,
      max_num_concurrent_units: 0,
      submission_timeout: 600,
      post_install_script: '',
      force_rebuild: false,
      resume_incomplete_run: false,
    });
  });

  it('task_name is optional (absent, or null as in Optional[str]) and kept when given', () => {
    expect(check(REQUIRED).value).not.toHaveProperty('task_name');
    expect(check({ ...REQUIRED, task_name: null }).value).not.toHaveProperty('task_name');
    expect(check({ ...REQUIRED, task_name: 'my-task' }).value?.task_name).toBe('my-task');
    // An unquoted YAML number is taken as its text, as OmegaConf does for a str field.
    expect(check({ ...REQUIRED, task_name: 802 }).value?.task_name).toBe('802');
  });

  it('task_title, task_description, task_reward and task_tags are required, each reported with its meaning', () => {
    expect(check({}).messages).toEqual([
      "mephisto.task.task_title is required (a string shown to workers as the task's title)",
      'mephisto.task.task_description is required (a longer text telling workers what the task asks of them; shown by the crowd provider next to the title)',
      "mephisto.task.task_reward is required (what a worker is paid for one unit, in the provider's currency unit: dollars on MTurk, cents on Prolific)",
      'mephisto.task.task_tags is required (comma-separated keywords that help workers find the task (MTurk keywords))',
    ]);
  });

  it('task_title given as null is a wrong value, not a missing one', () => {
    expect(check({ ...REQUIRED, task_title: null }).messages).toEqual([
      'mephisto.task.task_title: expected a string, got null',
    ]);
  });

  it('task_reward must be a finite number ≥ 0; numeric text is accepted', () => {
    expect(check({ ...REQUIRED, task_reward: 'abc' }).messages).toEqual([
      'mephisto.task.task_reward: expected a number ≥ 0, got "abc"',
    ]);
    expect(check({ ...REQUIRED, task_reward: -0.1 }).messages).toEqual([
      'mephisto.task.task_reward: expected a number ≥ 0, got -0.1',
    ]);
    expect(check({ ...REQUIRED, task_reward: Infinity }).messages).toEqual([
      'mephisto.task.task_reward: expected a number ≥ 0, got Infinity',
    ]);
    expect(check({ ...REQUIRED, task_reward: '0.25' }).value?.task_reward).toBe(0.25);
    expect(check({ ...REQUIRED, task_reward: 0 }).value?.task_reward).toBe(0);
    expect(check({ ...REQUIRED, task_reward: 70 }).value?.task_reward).toBe(70);
  });

  it('task_tags: a comma-separated string, or a YAML list joined with commas', () => {
    expect(check({ ...REQUIRED, task_tags: 'static,task,testing' }).value?.task_tags).toBe(
      'static,task,testing',
    );
    expect(check({ ...REQUIRED, task_tags: ['static', 'task', 2024] }).value?.task_tags).toBe(
      'static,task,2024',
    );
    expect(check({ ...REQUIRED, task_tags: [{ a: 1 }] }).messages).toEqual([
      'mephisto.task.task_tags: expected a comma-separated string or a list of strings, got [{"a":1}]',
    ]);
  });

  it.each([
    'task_lifetime_in_seconds',
    'assignment_duration_in_seconds',
    'no_submission_patience',
    'allowed_concurrent',
    'maximum_units_per_worker',
    'max_num_concurrent_units',
    'submission_timeout',
  ])('%s must be an integer ≥ 0 (integer text accepted)', (field) => {
    expect(check({ ...REQUIRED, [field]: -1 }).messages).toEqual([
      `mephisto.task.${field}: expected an integer ≥ 0, got -1`,
    ]);
    expect(check({ ...REQUIRED, [field]: 1.5 }).messages).toEqual([
      `mephisto.task.${field}: expected an integer ≥ 0, got 1.5`,
    ]);
    expect(check({ ...REQUIRED, [field]: 'soon' }).messages).toEqual([
      `mephisto.task.${field}: expected an integer ≥ 0, got "soon"`,
    ]);
    expect(check({ ...REQUIRED, [field]: '42' }).value?.[field]).toBe(42);
    expect(check({ ...REQUIRED, [field]: null }).value?.[field]).toBe(
      sectionDefaults(TaskRunArgsSchema)[field],
    );
  });

  it('post_install_script is a string', () => {
    expect(check({ ...REQUIRED, post_install_script: 'link.sh' }).value?.post_install_script).toBe('link.sh');
    expect(check({ ...REQUIRED, post_install_script: ['a'] }).messages).toEqual([
      'mephisto.task.post_install_script: expected a string, got ["a"]',
    ]);
  });

  it.each(['force_rebuild', 'resume_incomplete_run'])(
    '%s is a boolean (yes/no/on/off text accepted, null = false)',
    (field) => {
      expect(check({ ...REQUIRED, [field]: true }).value?.[field]).toBe(true);
      expect(check({ ...REQUIRED, [field]: 'yes' }).value?.[field]).toBe(true);
      expect(check({ ...REQUIRED, [field]: 'Off' }).value?.[field]).toBe(false);
      expect(check({ ...REQUIRED, [field]: null }).value?.[field]).toBe(false);
      expect(check({ ...REQUIRED, [field]: 'maybe' }).messages).toEqual([
        `mephisto.task.${field}: expected true or false, got "maybe"`,
      ]);
    },
  );

  it('an unknown key in mephisto.task is an error naming the nearest valid key', () => {
    expect(check({ ...REQUIRED, task_rewrd: 1 }).messages).toEqual([
      'mephisto.task.task_rewrd: unknown key (set to 1); did you mean "task_reward"?',
    ]);
    expect(check({ ...REQUIRED, colour: 'red' }).messages[0]).toMatch(
      /^mephisto\.task\.colour: unknown key \(set to "red"\); valid keys are allowed_concurrent, assignment_duration_in_seconds, /,
    );
  });

  it('every field has a description for the reference doc', () => {
    for (const [key, info] of sectionFields(TaskRunArgsSchema)) {
      expect(info.description.length, key).toBeGreaterThan(20);
      expect(TaskRunArgsSchema.shape[key as keyof typeof TaskRunArgsSchema.shape].description).toBe(
        info.description,
      );
    }
  });
});
