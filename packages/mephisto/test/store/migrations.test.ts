/**
 * Store conformance: opening, migrating, reopening, and what a store reports about itself.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock, MephistoError, SequentialIdGenerator } from '../../src/core/index.js';
import { openStore } from '../../src/store/open-store.js';
import { resolveStoreConfig } from '../../src/store/store-config.js';
import type { StoreConfig } from '../../src/store/store-config.js';
import { Fixtures, rejectionOf } from './fixtures.js';
import { STORE_TARGETS, useStore } from './store-targets.js';

/** Mephisto's core tables (spec §1.3): countRows reports each under its name. */
const CORE_TABLES = [
  'projects',
  'tasks',
  'requesters',
  'task_runs',
  'assignments',
  'units',
  'workers',
  'agents',
  'onboarding_agents',
  'qualifications',
  'granted_qualifications',
  'worker_review',
];

for (const target of STORE_TARGETS) {
  describe.skipIf(!target.available)(`store conformance [${target.name}]: opening and migrations`, () => {
    const h = useStore(target);
    const f = new Fixtures(() => h.store);

    it('an opened store has every migration applied and none pending', async () => {
      const status = await h.store.schemaStatus();
      expect(status.applied.length).toBeGreaterThan(0);
      expect(new Set(status.applied).size).toBe(status.applied.length);
      expect(status.pending).toEqual([]);
      expect(await h.store.migrate()).toEqual([]);
      expect(await h.store.schemaStatus()).toEqual(status);
    });

    it('opening a new database migrates it (the default)', async () => {
      const store = await h.open(await h.newDatabase());
      const status = await store.schemaStatus();
      expect(status).toEqual(await h.store.schemaStatus());
      expect(status.pending).toEqual([]);
      const p = await store.createProject('works');
      expect(await store.findProjects()).toEqual([p]);
    });

    it('with migrate: false a new database shows every migration pending; migrate() applies them in order', async () => {
      const expected = (await h.store.schemaStatus()).applied;
      const store = await h.open(await h.newDatabase(), { migrate: false });
      expect(await store.schemaStatus()).toEqual({ applied: [], pending: expected });
      expect(await store.migrate()).toEqual(expected);
      expect(await store.schemaStatus()).toEqual({ applied: expected, pending: [] });
      expect(await store.migrate()).toEqual([]);
      const w = await store.createWorker({ name: 'w', providerType: 'mock' });
      expect(await store.getWorker(w.id)).toEqual(w);
    });

    if (target.persistent) {
      it('reopening keeps the data and applies nothing new', async () => {
        const config = await h.newDatabase();
        const clock = new ManualClock();
        const first = await h.open(config, { clock, ids: new SequentialIdGenerator(5_000_000) });
        const { agent, unit } = await new Fixtures(() => first).agentIn('completed');
        const q = await first.createQualification({ name: 'kept', description: 'é ✓' });
        const statusBefore = await first.schemaStatus();
        const countsBefore = await first.countRows();
        await first.close();

        const second = await h.open(config, { clock, ids: new SequentialIdGenerator(6_000_000) });
        expect(await second.schemaStatus()).toEqual(statusBefore);
        expect(await second.migrate()).toEqual([]);
        expect(await second.countRows()).toEqual(countsBefore);
        expect(await second.getAgent(agent.id)).toEqual(agent);
        expect(await second.getUnit(unit.id)).toEqual(unit);
        expect(await second.getQualification(q.id)).toEqual(q);
        // And it goes on from there.
        const next = await second.transitionAgent(agent.id, { from: 'completed', to: 'approved' });
        expect(next.unit.status).toBe('accepted');
      });
    }

    if (target.persistent) {
      it('a store opened with migrate: false on a migrated database works', async () => {
        const config = await h.newDatabase();
        const first = await h.open(config);
        const p = await first.createProject('p');
        await first.close();
        const second = await h.open(config, { migrate: false });
        expect((await second.schemaStatus()).pending).toEqual([]);
        expect(await second.getProject(p.id)).toEqual(p);
      });
    }

    it('reports its dialect and location', () => {
      expect(h.store.dialect).toBe(target.dialect);
      const config = h.config;
      if (config.kind === 'sqlite') expect(h.store.location).toBe(config.path);
      // A URL without password that designates the same database and schema again.
      else
        expect(resolveStoreConfig(h.store.location, {})).toEqual({
          kind: 'postgres',
          url: config.url,
          schema: config.schema,
        });
    });

    it('countRows reports every core table under Mephisto’s name', async () => {
      const empty = await h.store.countRows();
      for (const table of CORE_TABLES) expect(empty[table], table).toBe(0);
      expect(Object.keys(empty).some((t) => t.includes('migration'))).toBe(false);
      await f.agentIn('completed');
      await f.onboardingAgentIn('none');
      const w = await f.worker();
      const q = await f.qualification();
      await h.store.grantQualification({ qualificationId: q.id, workerId: w.id });
      await h.store.createWorkerReview({ workerId: w.id });
      await f.project();
      const counts = await h.store.countRows();
      expect(Object.fromEntries(CORE_TABLES.map((t) => [t, counts[t]]))).toEqual({
        projects: 1,
        tasks: 2,
        requesters: 2,
        task_runs: 2,
        assignments: 1,
        units: 1,
        workers: 3,
        agents: 1,
        onboarding_agents: 1,
        qualifications: 1,
        granted_qualifications: 1,
        worker_review: 1,
      });
    });

    if (target.dialect === 'sqlite') {
      it('foreign keys are enforced on the store’s own SQLite connection', async () => {
        // The store's connection is private; catch it as it prepares its statements.
        const prepare = vi.spyOn(Database.prototype, 'prepare');
        try {
          const config = await h.newDatabase();
          const store = await h.open(config);
          await store.findProjects();
          if (target.persistent) {
            await store.close();
            await (await h.open(config)).findProjects();
          }
          const connections = new Set(prepare.mock.contexts as Database.Database[]);
          expect(connections.size).toBeGreaterThan(0);
          for (const connection of connections) {
            if (!connection.open) continue;
            expect(Number(connection.pragma('foreign_keys', { simple: true }))).toBe(1);
          }
        } finally {
          prepare.mockRestore();
        }
      });
    }

    if (target.name === 'sqlite-file') {
      it('the file is left without foreign-key violations', async () => {
        await f.agentIn('approved');
        await f.agentIn('disconnect');
        const q = await f.qualification();
        const w = await f.worker();
        await h.store.grantQualification({ qualificationId: q.id, workerId: w.id });
        await h.store.deleteQualification(q.id);
        await h.store.close();
        const config = h.config;
        if (config.kind !== 'sqlite') throw new Error('unreachable');
        const db = new Database(config.path, { readonly: true });
        try {
          expect(db.pragma('foreign_key_check')).toEqual([]);
          expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        } finally {
          db.close();
        }
      });
    }
  });
}

describe('store conformance: opening failures', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mephisto-open-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function openError(config: StoreConfig): Promise<MephistoError> {
    const error = await rejectionOf(
      openStore(config, { clock: new ManualClock(), ids: new SequentialIdGenerator() }),
    );
    expect(error).toBeInstanceOf(MephistoError);
    return error as MephistoError;
  }

  it('a SQLite path that cannot be created → MEPHISTO_ERR_STORE_CONNECTION', async () => {
    const file = join(dir, 'plain-file');
    await writeFile(file, 'not a directory');
    const error = await openError({ kind: 'sqlite', path: join(file, 'database.db') });
    expect(error.code).toBe('MEPHISTO_ERR_STORE_CONNECTION');
    expect(error.message).toContain(join(file, 'database.db'));
  });

  it('a file that is not a SQLite database → MEPHISTO_ERR_STORE_CONNECTION', async () => {
    const file = join(dir, 'garbage.db');
    await writeFile(
      file,
      'this is not a database, just text that is long enough to look like a header '.repeat(20),
    );
    expect((await openError({ kind: 'sqlite', path: file })).code).toBe('MEPHISTO_ERR_STORE_CONNECTION');
  });

  it('an unreachable PostgreSQL server → MEPHISTO_ERR_STORE_CONNECTION, without the password', async () => {
    const error = await openError({
      kind: 'postgres',
      url: 'postgres://someone:hunter2@127.0.0.1:1/nothing',
    });
    expect(error.code).toBe('MEPHISTO_ERR_STORE_CONNECTION');
    expect(error.message).not.toContain('hunter2');
  });
});

describe.skipIf(!STORE_TARGETS.some((t) => t.dialect === 'postgres' && t.available))(
  'store conformance [postgres]: location hides the password',
  () => {
    const pg = STORE_TARGETS.find((t) => t.dialect === 'postgres');
    if (!pg) return;
    const h = useStore(pg);

    it('location is the URL with the password replaced', async () => {
      const config = await h.newDatabase();
      if (config.kind !== 'postgres') throw new Error('unreachable');
      // The test server trusts local connections, so a password is accepted and ignored.
      const url = new URL(config.url);
      url.username = url.username || 'postgres';
      url.password = 'hunter2';
      const store = await h.open({ ...config, url: url.toString() });
      expect(store.location).not.toContain('hunter2');
      expect(store.location).toContain(url.host);
      await store.createProject('ok');
    });
  },
);
