/**
 * The committed generated documents must equal what the generators produce now, so a new error code or
 * a changed transition table cannot ship with stale docs.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

interface GeneratedDoc {
  readonly path: string;
  readonly script: string;
  render(current: string): string;
}

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

// The generators live in scripts/, outside this package's TypeScript project, so they are loaded by
// URL (a static import would pull them into the package's rootDir); the interface above is their shape.
const { GENERATED_DOCS } = (await import(
  pathToFileURL(`${repoRoot}scripts/docs/generated-docs.ts`).href
)) as {
  GENERATED_DOCS: readonly GeneratedDoc[];
};

describe('generated docs', () => {
  it('covers the error codes and the data model', () => {
    expect(GENERATED_DOCS.map((doc) => doc.path)).toEqual(['docs/errors.md', 'docs/data-model.md']);
  });

  for (const doc of GENERATED_DOCS) {
    it(`${doc.path} is up to date (regenerate with: npx tsx ${doc.script})`, () => {
      const committed = readFileSync(`${repoRoot}${doc.path}`, 'utf8');
      expect(committed).toBe(doc.render(committed));
    });
  }
});
