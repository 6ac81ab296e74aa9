import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configToYaml } from '../../src/config/config-yaml.js';
import { loadTaskConfig } from '../../src/config/load-task-config.js';
import { parseTaskConfig } from '../../src/core/config/task-config.js';
import { fixture, tempConfigDir } from './config-test-helpers.js';

describe('configToYaml', () => {
  it('prints a resolved config that reads back to the same config (init_params round trip)', async () => {
    const { config } = await loadTaskConfig({
      configPath: fixture('prolific_task', 'hydra_configs', 'conf', 'example_local_prolific.yaml'),
    });
    const text = configToYaml(config);
    expect(parse(text)).toEqual(config);
    expect(parseTaskConfig(parse(text))).toEqual(config);
    // The quoted task_name stays a string when read back.
    expect(text).toContain('task_name: "0802"');
  });

  it('the printed YAML loads again through loadTaskConfig unchanged', async () => {
    const { config } = await loadTaskConfig({
      configPath: fixture('simple_static_task', 'hydra_configs', 'conf', 'example_local_mock.yaml'),
    });
    const dir = tempConfigDir({ 'dump.yaml': configToYaml(config) });
    const again = await loadTaskConfig({ configPath: `${dir}/dump.yaml` });
    expect(again.config).toEqual(config);
  });

  it('starts with mephisto, keeps key order and does not fold long strings', () => {
    const long = 'word '.repeat(40).trim();
    const text = configToYaml({ mephisto: { task: { task_description: long } }, task_dir: '/t' });
    expect(text).toBe(`mephisto:\n  task:\n    task_description: ${long}\ntask_dir: /t\n`);
  });
});
