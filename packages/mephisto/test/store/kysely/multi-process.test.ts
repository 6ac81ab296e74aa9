/**
 * Several processes on one SQLite file: they may all open (and migrate) a brand-new database at the
 * same moment and write at once; every write lands, none is refused for a busy database.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { knownMigrations } from '../../../src/store/kysely/migrations/index.js';
import { openStore } from '../../../src/store/open-store.js';

const run = promisify(execFile);
const CHILD = join(import.meta.dirname, 'open-child.ts');
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('four processes open a new SQLite file at once and each writes 50 rows concurrently', async () => {
  dir = mkdtempSync(join(tmpdir(), 'mephisto-multi-'));
  const path = join(dir, 'shared.db');
  const outputs = await Promise.all(
    ['a', 'b', 'c', 'd'].map((name) =>
      run(process.execPath, ['--import', 'tsx', CHILD, path, name, '50'], { timeout: 60_000 }),
    ),
  );
  expect(outputs.map((o) => o.stdout.trim())).toEqual(['ok', 'ok', 'ok', 'ok']);
  const store = await openStore({ kind: 'sqlite', path });
  try {
    expect(await store.schemaStatus()).toEqual({
      applied: Object.keys(knownMigrations('sqlite')).sort(),
      pending: [],
    });
    expect((await store.countRows()).projects).toBe(200);
  } finally {
    await store.close();
  }
}, 90_000);
