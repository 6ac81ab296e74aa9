/**
 * Reconciling a run with MTurk after crashes, on a real SQLite store (a file, restored from a copy to
 * roll the database back): HITs MTurk has but the store does not know are withdrawn, live units left
 * without a HIT get a new one, an interrupted launch's HIT is found by its token, and teardown withdraws
 * only what is still on offer.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TaskRun, Unit } from '../../../src/core/index.js';
import type { ProviderRunContext } from '../../../src/providers/crowd-provider.js';
import type { MturkProvider } from '../../../src/providers/mturk/mturk-provider.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { Fixtures } from '../../store/fixtures.js';
import { TEST_SERVER_URL } from '../provider-fixtures.js';
import { hitOf, startMturkHarness, type MturkHarness } from './mturk-test-kit.js';

let dir: string;
let path: string;
let store: Store;
let h: MturkHarness | undefined;
const providers: MturkProvider[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mephisto-ts-mturk-reconcile-'));
  path = join(dir, 'database.db');
  store = await openStore({ kind: 'sqlite', path });
});
afterEach(async () => {
  for (const provider of providers.splice(0)) provider.close();
  await h?.close();
  h = undefined;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A run of `count` units in the store, in `launched` (as the engine leaves them before launchUnits). */
async function launchedRun(count: number): Promise<{ run: TaskRun; units: Unit[] }> {
  const fixtures = new Fixtures(() => store);
  const run = await fixtures.taskRun({ providerType: 'mturk_sandbox' });
  const assignment = await fixtures.assignment({ taskRunId: run.id });
  const units: Unit[] = [];
  for (let i = 0; i < count; i++) {
    const unit = await store.createUnit({ assignmentId: assignment.id, unitIndex: i, payAmount: 0.3 });
    units.push(await store.transitionUnit(unit.id, { from: 'created', to: 'launched' }));
  }
  return { run, units };
}

function contextOf(run: TaskRun): ProviderRunContext {
  return {
    taskRun: run,
    providerArgs: {},
    taskArgs: { task_title: 'Rate', task_description: 'Rate sentences', task_reward: 0.3, task_tags: 'rate' },
    serverUrl: TEST_SERVER_URL,
  };
}

/** Closes the store, keeps a copy of its file, reopens it: the copy is what a rollback restores. */
async function backup(): Promise<string> {
  await store.close();
  const copy = join(dir, 'backup.db');
  copyFileSync(path, copy);
  store = await openStore({ kind: 'sqlite', path });
  return copy;
}

/** The process dies; the database comes back from `copy`; a new process opens it. */
async function crashAndRestore(copy: string): Promise<MturkProvider> {
  await store.close();
  for (const suffix of ['-wal', '-shm']) if (existsSync(path + suffix)) rmSync(path + suffix);
  copyFileSync(copy, path);
  store = await openStore({ kind: 'sqlite', path });
  if (h === undefined) throw new Error('no harness');
  const provider = h.restart({}, store);
  providers.push(provider);
  return provider;
}

describe('MTurk reconcile after a crash (SQLite store)', () => {
  it('HITs created, store rolled back to before the launch: the orphans are withdrawn and the live units relaunched', async () => {
    const { run, units } = await launchedRun(3);
    const copy = await backup();
    h = await startMturkHarness({ store });
    const ctx = contextOf(run);
    await h.provider.setupRun(ctx);
    await h.provider.launchUnits(ctx, units);
    const orphans = h.fake.hits().map((hit) => hit.id);
    expect(orphans).toHaveLength(3);
    expect(await store.findProviderRecords({ providerType: 'mturk_sandbox', kind: 'hit' })).toHaveLength(3);

    const restarted = await crashAndRestore(copy);
    expect(await store.findProviderRecords({ providerType: 'mturk_sandbox', kind: 'hit' })).toHaveLength(0);
    const live = new Set(units.map((u) => u.id));
    const report = await restarted.reconcileRun({ ...ctx, liveUnitIds: live, runOver: false });
    expect(report).toMatchObject({ withdrawn: 3, relaunched: 3, recorded: 0 });
    expect(report.notes.filter((n) => n.includes('orphan'))).toHaveLength(3);
    for (const id of orphans) expect(h.fake.hit(id).status).toBe('Reviewable');
    for (const unit of units) {
      const hitId = await hitOf(restarted, unit.id);
      expect(orphans).not.toContain(hitId);
      expect(h.fake.hit(hitId).status).toBe('Assignable');
    }
    // The engine's launch after reconcile changes nothing; a second reconcile finds nothing to do.
    const calls = h.fake.calls('CreateHITWithHITType').length;
    await restarted.launchUnits(ctx, units);
    expect(h.fake.calls('CreateHITWithHITType')).toHaveLength(calls);
    expect(await restarted.reconcileRun({ ...ctx, liveUnitIds: live, runOver: false })).toMatchObject({
      withdrawn: 0,
      relaunched: 0,
    });

    // Teardown withdraws what is on offer, and only that.
    const expiries = h.fake.calls('UpdateExpirationForHIT').length;
    await restarted.teardownRun(ctx);
    expect(h.fake.calls('UpdateExpirationForHIT')).toHaveLength(expiries + 3);
    expect(h.fake.hits().every((hit) => hit.status === 'Reviewable')).toBe(true);
    await restarted.teardownRun(ctx);
    expect(h.fake.calls('UpdateExpirationForHIT')).toHaveLength(expiries + 3);
  });

  it('store rolled back to before the units were launched: nothing is live, every orphan is withdrawn', async () => {
    const fixtures = new Fixtures(() => store);
    const run = await fixtures.taskRun({ providerType: 'mturk_sandbox' });
    const assignment = await fixtures.assignment({ taskRunId: run.id });
    const created = [
      await store.createUnit({ assignmentId: assignment.id, unitIndex: 0, payAmount: 0.3 }),
      await store.createUnit({ assignmentId: assignment.id, unitIndex: 1, payAmount: 0.3 }),
    ];
    const copy = await backup();
    h = await startMturkHarness({ store });
    const ctx = contextOf(run);
    await h.provider.setupRun(ctx);
    await h.provider.launchUnits(
      ctx,
      created.map((u) => ({ ...u, status: 'launched' as const })),
    );
    const restarted = await crashAndRestore(copy);
    const liveUnits = await store.findUnits({ taskRunId: run.id, status: ['launched', 'assigned'] });
    const report = await restarted.reconcileRun({
      ...ctx,
      liveUnitIds: new Set(liveUnits.map((u) => u.id)),
      runOver: false,
    });
    expect(report).toMatchObject({ withdrawn: 2, relaunched: 0 });
    expect(h.fake.hits().map((hit) => hit.status)).toEqual(['Reviewable', 'Reviewable']);
  });

  it('a launch interrupted after MTurk created the HIT (units back to created): the HIT is found by its token and withdrawn', async () => {
    const { run, units } = await launchedRun(1);
    h = await startMturkHarness({ store, providerOptions: { retry: { maxAttempts: 1 } } });
    const ctx = contextOf(run);
    await h.provider.setupRun(ctx);
    h.fake.failNext('CreateHITWithHITType', 'serviceFault', { afterEffect: true });
    await expect(h.provider.launchUnits(ctx, units)).rejects.toThrow(/ServiceFault/);
    const [unit] = units;
    if (unit === undefined) throw new Error('no unit');
    const claim = (await h.provider.records.getUnit(unit.id))?.data;
    expect(claim?.hitId).toBeNull();
    expect(claim?.pendingToken).toMatch(/^mts-/);
    const report = await h.provider.reconcileRun({ ...ctx, liveUnitIds: new Set(), runOver: false });
    expect(report.withdrawn).toBe(1);
    expect(report.notes.join('\n')).toMatch(/created but not recorded/);
    expect(await hitOf(h.provider, unit.id)).toBe(h.fake.hits()[0]?.id);
    expect(h.fake.hits()[0]?.status).toBe('Reviewable');
  });

  it('a bonus sent just before a crash is found paid and recorded as done', async () => {
    const { run, units } = await launchedRun(1);
    h = await startMturkHarness({ store, providerOptions: { retry: { maxAttempts: 1 } } });
    const ctx = contextOf(run);
    await h.provider.setupRun(ctx);
    await h.provider.launchUnits(ctx, units);
    const [unit] = units;
    if (unit === undefined) throw new Error('no unit');
    const worker = await store.createWorker({ name: 'A1BONUS_sandbox', providerType: 'mturk_sandbox' });
    const agent = await store.createAgent({ workerId: worker.id, unitId: unit.id, status: 'in task' });
    const accepted = h.fake.acceptHit(await hitOf(h.provider, unit.id), 'A1BONUS');
    await h.provider.registerAgent(ctx, {
      unit,
      agent,
      worker,
      providerData: { assignment_id: accepted.assignmentId, hit_id: accepted.hitId },
    });
    h.fake.submitAssignment(accepted.assignmentId);
    h.fake.failNext('SendBonus', 'serviceFault', { afterEffect: true });
    await expect(
      h.provider.payBonus({ worker, unit, agent, amount: 1, reason: 'r', idempotencyKey: 'crash-bonus' }),
    ).rejects.toThrow(/ServiceFault/);
    const report = await h.provider.reconcileRun({ ...ctx, liveUnitIds: new Set(), runOver: true });
    expect(report.recorded).toBe(1);
    expect((await h.provider.records.getBonus('crash-bonus'))?.data.status).toBe('done');
    expect(h.fake.bonuses()).toHaveLength(1);
  });
});
