/**
 * The helpers as a user's test sees them. They import `mephisto-ts` as a package, i.e. its build, so
 * without `npm run build` this file is skipped (the store's own suites cover the store itself).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const built = existsSync(fileURLToPath(new URL('../../mephisto/dist/index.js', import.meta.url)));

describe.skipIf(!built)(
  built ? '@mephisto-ts/testing' : '@mephisto-ts/testing (SKIPPED: run `npm run build` first)',
  () => {
    it('withTempSqliteStore gives a migrated store with predictable ids and time, then deletes it', async () => {
      const { ManualClock, withTempSqliteStore } = await import('../src/index.js');
      let databasePath = '';
      const task = await withTempSqliteStore(async (store, path) => {
        databasePath = path;
        expect(existsSync(path)).toBe(true);
        expect((await store.schemaStatus()).pending).toEqual([]);
        return store.createTask({ name: 'demo', taskType: 'static_task' });
      });
      expect(task.id).toBe('1000001');
      expect(task.creationDate.getTime()).toBe(new ManualClock().now());
      expect(existsSync(databasePath)).toBe(false);
    });

    it('closes and deletes the store when the test body throws', async () => {
      const { withTempSqliteStore } = await import('../src/index.js');
      let databasePath = '';
      await expect(
        withTempSqliteStore((_store, path) => {
          databasePath = path;
          return Promise.reject(new Error('test body failed'));
        }),
      ).rejects.toThrow('test body failed');
      expect(existsSync(databasePath)).toBe(false);
    });
  },
);
