/**
 * `mephisto qual create|grant|revoke|list`, in-process against a seeded SQLite file: every command,
 * repeated runs that are harmless, and the errors.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { QualificationSummary } from '../../src/review/review-api.js';
import { openStore } from '../../src/store/open-store.js';
import { seedRun, type SeededRun } from '../review/review-fixtures.js';
import { runMephisto, tempDir } from './run-cli.js';

let dir: string;
let cleanup: () => void;
let db: string;
let seeded: SeededRun;

beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  db = join(dir, 'q.db');
  const store = await openStore({ kind: 'sqlite', path: db });
  seeded = await seedRun(store, { workers: ['ann'] });
  await store.close();
});
afterEach(() => {
  cleanup();
});

const mephisto = (...args: string[]) =>
  runMephisto(['--db', db, ...args], { env: { MEPHISTO_DATA_DIR: dir } });

describe('mephisto qual', () => {
  it('creates, grants, revokes and lists; each again is harmless', async () => {
    const ann = seeded.workers[0]?.name ?? '';
    expect(await mephisto('qual', 'create', 'trusted', '--description', 'good work')).toEqual({
      code: 0,
      stdout: 'Created qualification trusted.\n',
      stderr: '',
    });
    expect((await mephisto('qual', 'create', 'trusted')).stdout).toBe(
      'Qualification trusted already exists.\n',
    );
    expect((await mephisto('qual', 'grant', 'trusted', ann, '--value', '2')).stdout).toBe(
      `Granted trusted (value 2) to ${ann}.\n`,
    );
    expect((await mephisto('qual', 'grant', 'trusted', ann, '--value', '2')).stdout).toBe(
      `${ann} already holds trusted with value 2.\n`,
    );
    const list = await mephisto('qual', 'list');
    expect(list.stdout).toMatch(/^Qualification\s+Granted\s+Description\ntrusted\s+1\s+good work\n$/);
    expect(JSON.parse((await mephisto('qual', 'list', '--json')).stdout) as QualificationSummary[]).toEqual([
      { name: 'trusted', description: 'good work', granted: 1 },
    ]);
    expect((await mephisto('qual', 'revoke', 'trusted', ann)).stdout).toBe(`Revoked trusted from ${ann}.\n`);
    expect((await mephisto('qual', 'revoke', 'trusted', ann)).stdout).toBe(`${ann} does not hold trusted.\n`);
    const store = await openStore({ kind: 'sqlite', path: db });
    try {
      const reviews = await store.findWorkerReviews({ workerId: seeded.workers[0]?.id ?? '' });
      expect(reviews.map((r) => [r.updatedQualificationValue, r.revokedQualificationId !== null])).toEqual([
        [2, false],
        [null, true],
      ]);
    } finally {
      await store.close();
    }
  });

  it('reports unknown qualifications and workers, and bad arguments', async () => {
    const ann = seeded.workers[0]?.name ?? '';
    const unknown = await mephisto('qual', 'grant', 'nope', ann);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(
      'error [MEPHISTO_ERR_QUALIFICATION_NOT_FOUND]: no qualification is named "nope"',
    );
    await mephisto('qual', 'create', 'trusted');
    const nobody = await mephisto('qual', 'revoke', 'trusted', 'nobody');
    expect(nobody.stderr).toContain('error [MEPHISTO_ERR_WORKER_NOT_FOUND]');
    const value = await mephisto('qual', 'grant', 'trusted', ann, '--value', 'high');
    expect(value.code).toBe(2);
    expect(value.stderr).toContain('expected an integer');
    expect((await mephisto('qual', 'create')).code).toBe(2);
    const conflict = await mephisto('qual', 'create', 'trusted', '--description', 'another');
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain('error [MEPHISTO_ERR_QUALIFICATION_ALREADY_EXISTS]');
    const help = await runMephisto(['qual', '--help']);
    expect(help.stdout).toMatch(/^\s+grant \[options\] <name> <worker>/m);
  });
});
