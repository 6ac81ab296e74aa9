/**
 * `mephisto runs`, in-process against a SQLite file seeded through the store: the table, --task,
 * --json with counts per status, end and spend (from the payments ledger: paid, pending, owed, fees,
 * a budget, a failed payment left out, and the estimate of the work awaiting review), and the empty
 * and missing cases.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TaskJson } from '../../src/cli/commands/runs.js';
import { ManualClock, UNIT_STATUSES, type Worker } from '../../src/core/index.js';
import { openStore } from '../../src/store/open-store.js';
import { seedPayments, seedRun, seedWorkers, submitUnit } from '../export/export-fixtures.js';
import { runMephisto, tempDir } from './run-cli.js';

let dir: string;
let cleanup: () => void;
let db: string;
let ids: {
  alpha: string;
  alphaRun: string;
  alphaRun2: string;
  beta: string;
  betaRun: string;
  gammaRun: string;
};

beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  db = join(dir, 'runs.db');
  const clock = new ManualClock(Date.UTC(2026, 0, 31, 14, 5));
  const store = await openStore({ kind: 'sqlite', path: db }, { clock });
  try {
    const alpha = await seedRun(store, {
      taskName: 'alpha',
      units: 5,
      payAmount: 0.25,
      providerArgs: { budget_in_dollars: 10 },
    });
    const [worker] = (await seedWorkers(store, 1)) as [Worker];
    const agents = [];
    for (const unit of alpha.units.slice(0, 3)) agents.push(await submitUnit(store, clock, unit, worker, {}));
    await store.transitionAgent(agents[0]?.id ?? '', { from: 'completed', to: 'approved' });
    await store.transitionAgent(agents[1]?.id ?? '', { from: 'completed', to: 'rejected' });
    // The approval and a bonus, each with a 20% fee, paid; a second bonus refused by the provider
    // (not spend); a third sent and not confirmed yet.
    const unitId = agents[0]?.unitId ?? null;
    await seedPayments(store, alpha.run.id, [
      { kind: 'reward', cents: 25, status: 'paid', unitId, workerId: worker.id },
      { kind: 'fee', cents: 5, status: 'paid', unitId, workerId: worker.id },
      { kind: 'bonus', cents: 150, status: 'paid', unitId, workerId: worker.id },
      { kind: 'fee', cents: 30, status: 'paid', unitId, workerId: worker.id },
      { kind: 'bonus', cents: 100, status: 'failed', unitId, workerId: worker.id },
      { kind: 'bonus', cents: 50, status: 'pending', unitId, workerId: worker.id },
    ]);
    await store.updateTaskRunState(alpha.run.id, { end: { reason: 'completed' } });
    clock.advance(3_600_000);
    const alpha2 = await seedRun(store, { task: alpha.task, units: 2 });
    const beta = await seedRun(store, { taskName: 'beta, "quoted"', units: 0 });
    // In-house: what is approved is owed, paid by hand.
    const gamma = await seedRun(store, { taskName: 'gamma', units: 2, providerType: 'inhouse' });
    const [colleague] = (await seedWorkers(store, 2, 'colleague')) as [Worker];
    const done = [];
    for (const unit of gamma.units) done.push(await submitUnit(store, clock, unit, colleague, {}));
    await store.transitionAgent(done[0]?.id ?? '', { from: 'completed', to: 'approved' });
    await seedPayments(
      store,
      gamma.run.id,
      [
        { kind: 'reward', cents: 50, status: 'manual', unitId: done[0]?.unitId ?? null },
        { kind: 'bonus', cents: 200, status: 'manual', unitId: done[0]?.unitId ?? null },
      ],
      'inhouse',
    );
    ids = {
      alpha: alpha.task.id,
      alphaRun: alpha.run.id,
      alphaRun2: alpha2.run.id,
      beta: beta.task.id,
      betaRun: beta.run.id,
      gammaRun: gamma.run.id,
    };
  } finally {
    await store.close();
  }
});
afterEach(() => {
  cleanup();
});

const env = (): NodeJS.ProcessEnv => ({ MEPHISTO_DATA_DIR: dir });
const mephisto = (...args: string[]) => runMephisto(['--db', db, ...args], { env: env() });

describe('mephisto runs', () => {
  it('prints a line per run: created, ended, ledger spend, unreviewed estimate, units; then the totals', async () => {
    const result = await mephisto('runs');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^Task +Run +Created \(UTC\) +Ended +Spend +Unreviewed \(est\.\) +Units$/);
    // Spend: 0.25 + 0.05 + 1.50 + 0.30 paid, 0.50 pending; the failed 1.00 is not counted.
    expect(lines[1]).toMatch(
      new RegExp(
        `^alpha +${ids.alphaRun} +2026-01-31 14:05 +completed +\\$2\\.60 / \\$10\\.00 +\\$0\\.25 +5: 2 launched, 1 completed, 1 accepted, 1 rejected$`,
      ),
    );
    expect(lines[2]).toMatch(
      new RegExp(`^alpha +${ids.alphaRun2} +2026-01-31 15:08 +no +\\$0\\.00 +\\$0\\.00 +2: 2 launched$`),
    );
    expect(lines[3]).toMatch(new RegExp(`^beta, "quoted" +${ids.betaRun} +.* +no +\\$0\\.00 +\\$0\\.00 +0$`));
    expect(lines[4]).toMatch(
      new RegExp(`^gamma +${ids.gammaRun} +.* +no +\\$2\\.50 +\\$0\\.50 +2: 1 completed, 1 accepted$`),
    );
    expect(result.stdout).toContain(
      '\nTotal spend: $5.10 over 4 runs (payments ledger): $2.10 paid, $0.50 pending, $2.50 owed; ' +
        '$0.35 of it platform fees.\n',
    );
    expect(result.stdout).toContain(
      'Failed payments are not counted. "Spend / budget" when the run has a budget.',
    );
    expect(result.stdout).toContain(
      '\nUnreviewed (est.): $0.75, the rewards of submitted units not reviewed yet',
    );
  });

  it('--task NAME lists that task only; an unknown task is MEPHISTO_ERR_TASK_NOT_FOUND', async () => {
    const result = await mephisto('runs', '--task', 'beta, "quoted"');
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('alpha');
    expect(result.stdout).toContain('Total spend: $0.00 over 1 run (payments ledger)');
    expect(result.stdout).not.toContain('Spend / budget');
    const unknown = await mephisto('runs', '--task', 'delta');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('error [MEPHISTO_ERR_TASK_NOT_FOUND]: no task is named "delta"');
  });

  it('--json: tasks with their runs, every status counted, the spend in parts', async () => {
    const result = await mephisto('runs', '--json');
    expect(result.code).toBe(0);
    const tasks = JSON.parse(result.stdout) as TaskJson[];
    expect(tasks.map((t) => [t.taskName, t.runs.map((r) => r.runId)])).toEqual([
      ['alpha', [ids.alphaRun, ids.alphaRun2]],
      ['beta, "quoted"', [ids.betaRun]],
      ['gamma', [ids.gammaRun]],
    ]);
    expect(tasks.slice(0, 2).map((t) => t.taskId)).toEqual([ids.alpha, ids.beta]);
    const [first, second] = tasks[0]?.runs ?? [];
    expect(first).toMatchObject({
      created: '2026-01-31T14:05:00.000Z',
      providerType: 'mock',
      sandbox: true,
      ended: true,
      endReason: 'completed',
      totalUnits: 5,
    });
    expect(first?.spend).toEqual({
      paid: 2.1,
      pending: 0.5,
      owed: 0,
      rewards: 0.25,
      bonuses: 2,
      fees: 0.35,
      total: 2.6,
      budget: 10,
      awaitingReview: 0.25,
      awaitingReviewUnits: 1,
    });
    expect(Object.keys(first?.units ?? {})).toEqual([...UNIT_STATUSES]);
    expect(first?.units).toMatchObject({ launched: 2, completed: 1, accepted: 1, rejected: 1, expired: 0 });
    expect(second).toMatchObject({ ended: false, endReason: null, endedAt: null });
    expect(second?.spend).toMatchObject({
      total: 0,
      budget: null,
      awaitingReview: 0,
      awaitingReviewUnits: 0,
    });
    expect(tasks[2]?.runs[0]).toMatchObject({
      providerType: 'inhouse',
      spend: { paid: 0, pending: 0, owed: 2.5, fees: 0, total: 2.5, budget: null, awaitingReview: 0.5 },
    });
  });

  it('--help says where the figures come from', async () => {
    const result = await mephisto('runs', '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Spend is read from the payments ledger');
    expect(result.stdout).toContain('Unreviewed (est.) is an estimate and not spend');
  });

  it('with no database yet: says so, exit 0, and creates nothing', async () => {
    const missing = join(dir, 'none.db');
    const result = await runMephisto(['--db', missing, 'runs'], { env: env() });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `No tasks in ${missing} (not created yet). Launch one with \`mephisto run\`.\n`,
    );
    expect((await runMephisto(['--db', missing, 'runs', '--json'], { env: env() })).stdout).toBe('[]\n');
    expect(existsSync(missing)).toBe(false);
  });
});
