/**
 * Writes docs/config-reference.md from the config schemas. Run after changing a schema:
 *
 *     npx tsx scripts/generate-config-reference.ts
 *
 * The test packages/mephisto/test/config/reference-doc.test.ts fails while the file is out of date.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderConfigReference } from '../packages/mephisto/src/config/reference-doc.js';

const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'config-reference.md');
writeFileSync(target, renderConfigReference());
console.log(`wrote ${target}`);
