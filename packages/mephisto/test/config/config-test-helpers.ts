/** Shared helpers of the config tests: fixture paths, temporary config folders, problem extraction. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { ConfigInvalidError } from '../../src/core/config/config-errors.js';
import type { LoadTaskConfigOptions } from '../../src/config/load-task-config.js';
import { loadTaskConfig } from '../../src/config/load-task-config.js';

export const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'configs');

/** Absolute path of a fixture file or folder. */
export function fixture(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

/** A fresh folder holding the given files (path → text); returns its absolute path. */
export function tempConfigDir(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'mephisto-config-'));
  for (const [path, text] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  return root;
}

/** The minimum a config needs besides the group selections: the four required task fields. */
export const REQUIRED_TASK_YAML = `mephisto:
  task:
    task_title: "A title"
    task_description: "A description"
    task_reward: 0.5
    task_tags: "a,b"
`;

/** Defaults list selecting the mock blueprint/architect/provider (the mock blueprint needs num_assignments). */
export const MOCK_DEFAULTS_YAML = `defaults:
  - /mephisto/blueprint: mock
  - /mephisto/architect: mock
  - /mephisto/provider: mock
`;

/** A complete, valid mock config as one file's text, with extra YAML appended at the top level. */
export function mockConfigYaml(extra = ''): string {
  return `${MOCK_DEFAULTS_YAML}${REQUIRED_TASK_YAML}  blueprint:\n    num_assignments: 1\n${extra}`;
}

/** Loads a config that must fail validation and returns its problem messages (without origins). */
export async function problemMessages(options: LoadTaskConfigOptions): Promise<string[]> {
  const error = await loadTaskConfig(options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigInvalidError);
  return (error as ConfigInvalidError).problems.map((p) => p.message);
}

/** Loads a config and returns the rejection (to check its class, code and message). */
export async function loadError(options: LoadTaskConfigOptions): Promise<unknown> {
  return loadTaskConfig(options).then(
    () => {
      throw new Error('expected the config to be rejected');
    },
    (e: unknown) => e,
  );
}
