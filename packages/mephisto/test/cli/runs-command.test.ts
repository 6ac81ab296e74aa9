/**
 * `mephisto runs`, in-process against a SQLite file seeded through the store: the table, --task,
 * --json with counts per status, end and spend, and the empty and missing cases.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TaskJson } from '../../src/cli/commands/runs.js';
import { ManualClock, UNIT_STATUSES, type Worker } from '../../src/core/index.js';
import { openStore } from '../../src/store/open-store.js';
import { seedRun, seedWorkers, submitUnit } from '../export/export-fixtures.js';
import { runMephisto, tempDir } from './run-cli.js';

let dir: string;
let cleanup: () => void;
let db: string;
let ids: { alpha: string; alphaRun: string; alphaRun2: string; beta: string; betaRun: string };

beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  db = join(dir, 'runs.db');
  const clock = new ManualClock(Date.UTC(2026, 0, 31, 14, 5));
  const store = await openStore({ kind: 'sqlite', path: db }, { clock });
  try {
    const alpha = await seedRun(store, { taskName: 'alpha', units: 5, payAmount: 0.25 });
    const [worker] = await seedWorkers(store, 1);
    const agents = [];
    for (const unit of alpha.units.slice(0, 3))
      agents.push(await submitUnit(store, clock, unit, worker as Worker, {}));
    await store.transitionAgent(agents[0]?.id ?? '', { from: 'completed', to: 'approved' });
    await store.transitionAgent(agents[1]?.id ?? '', { from: 'completed', to: 'rejected' });
    await store.createWorkerReview({
      workerId: (worker as Worker).id,
      unitId: agents[0]?.unitId ?? null,
      bonus: 1.5,
    });
    await store.updateTaskRunState(alpha.run.id, { end: { reason: 'completed' } });
    clock.advance(3_600_000);
    const alpha2 = await seedRun(store, { task: alpha.task, units: 2 });
    const beta = await seedRun(store, { taskName: 'beta, "quoted"', units: 0 });
    ids = {
      alpha: alpha.task.id,
      alphaRun: alpha.run.id,
      alphaRun2: alpha2.run.id,
      beta: beta.task.id,
      betaRun: beta.run.id,
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
  it('prints a line per run: created, ended, spend and units per status, then the total spend', async () => {
    const result = await mephisto('runs');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^Task +Run +Created \(UTC\) +Ended +Spend +Units$/);
    expect(lines[1]).toMatch(
      new RegExp(
        `^alpha +${ids.alphaRun} +2026-01-31 14:05 +completed +\\$2\\.00 +5: 2 launched, 1 completed, 1 accepted, 1 rejected$`,
      ),
    );
    expect(lines[2]).toMatch(
      new RegExp(`^alpha +${ids.alphaRun2} +2026-01-31 15:08 +no +\\$0\\.00 +2: 2 launched$`),
    );
    expect(lines[3]).toMatch(new RegExp(`^beta, "quoted" +${ids.betaRun} +.* +no +\\$0\\.00 +0$`));
    expect(result.stdout).toContain('\nTotal spend: $2.00 over 3 runs (');
  });

  it('--task NAME lists that task only; an unknown task is MEPHISTO_ERR_TASK_NOT_FOUND', async () => {
    const result = await mephisto('runs', '--task', 'beta, "quoted"');
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('alpha');
    expect(result.stdout).toContain('Total spend: $0.00 over 1 run (');
    const unknown = await mephisto('runs', '--task', 'gamma');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('error [MEPHISTO_ERR_TASK_NOT_FOUND]: no task is named "gamma"');
  });

  it('--json: tasks with their runs, every status counted, the spend in parts', async () => {
    const result = await mephisto('runs', '--json');
    expect(result.code).toBe(0);
    const tasks = JSON.parse(result.stdout) as TaskJson[];
    expect(tasks.map((t) => [t.taskId, t.taskName, t.runs.map((r) => r.runId)])).toEqual([
      [ids.alpha, 'alpha', [ids.alphaRun, ids.alphaRun2]],
      [ids.beta, 'beta, "quoted"', [ids.betaRun]],
    ]);
    const [first] = tasks[0]?.runs ?? [];
    expect(first).toMatchObject({
      created: '2026-01-31T14:05:00.000Z',
      providerType: 'mock',
      sandbox: true,
      ended: true,
      endReason: 'completed',
      totalUnits: 5,
      spend: { rewards: 0.5, bonuses: 1.5, total: 2, paidUnits: 2 },
    });
    expect(Object.keys(first?.units ?? {})).toEqual([...UNIT_STATUSES]);
    expect(first?.units).toMatchObject({ launched: 2, completed: 1, accepted: 1, rejected: 1, expired: 0 });
    expect(tasks[0]?.runs[1]).toMatchObject({ ended: false, endReason: null, endedAt: null });
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
