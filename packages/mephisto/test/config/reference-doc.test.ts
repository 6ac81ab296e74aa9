import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderConfigReference } from '../../src/config/reference-doc.js';
import { ABSTRACTION_GROUPS, createArgsRegistry } from '../../src/core/config/args-registry.js';
import { sectionFields } from '../../src/core/config/config-section.js';
import { TaskRunArgsSchema } from '../../src/core/config/task-run-args.js';

const DOC = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  '..',
  'docs',
  'config-reference.md',
);

describe('docs/config-reference.md', () => {
  it('equals what scripts/generate-config-reference.ts generates (run it after changing a schema)', () => {
    expect(readFileSync(DOC, 'utf8')).toBe(renderConfigReference());
  });

  it('lists every TaskRunArgs field and every field of every registered type', () => {
    const doc = renderConfigReference();
    for (const [key] of sectionFields(TaskRunArgsSchema)) expect(doc).toContain(`| \`${key}\` |`);
    const registry = createArgsRegistry();
    for (const group of ABSTRACTION_GROUPS) {
      for (const type of registry.types(group)) {
        expect(doc).toContain(`### ${group} \`${type}\``);
      }
    }
    expect(doc).toContain('| `task_reward` | number | — | yes |');
    expect(doc).toContain('| `submission_timeout` | integer | `600` | no |');
  });
});
