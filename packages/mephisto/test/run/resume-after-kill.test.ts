/**
 * resume_incomplete_run after a real `kill -9`: a child process (resume-child.ts) runs the example mock
 * task with real time and simulated workers, some of them sitting on units; once some units are
 * completed and some are held, the test SIGKILLs it (no shutdown code runs) and resumes the run in this
 * process. Completed work must be kept as it was, what was launched or assigned at the kill must be
 * offered again, and the resumed run must finish with every unit completed exactly once.
 *
 * Runs on a SQLite file and, when the global setup found one, on PostgreSQL in a schema of its own.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createBlueprint } from '../../src/blueprints/blueprint-registry.js';
import type { Agent, Unit } from '../../src/core/index.js';
import { loadTaskConfig } from '../../src/config/load-task-config.js';
import { MockProvider } from '../../src/providers/mock/mock-provider.js';
import { Operator, type LiveRun, type RunEnd } from '../../src/run/index.js';
import { simulateWorkers } from '../../src/script/simulate-workers.js';
import { openStore } from '../../src/store/open-store.js';
import type { StoreConfig } from '../../src/store/store-config.js';
import type { Store } from '../../src/store/store.js';

const CHILD = fileURLToPath(new URL('./resume-child.ts', import.meta.url));
const EXAMPLE_DIR = fileURLToPath(new URL('../../../../examples/mock-task/', import.meta.url));
const PG_URL = inject('pgUrl');

const UNITS = 40;
/** Strike once at least this many units are completed… */
const COMPLETED_BEFORE_KILL = 8;
/** …and at least this many agents are mid-task (the child's two holders never submit). */
const HELD_AT_KILL = 2;
/** Every wait of the test gives up after this long. */
const WAIT_MS = 15_000;

const SENTENCES = Array.from({ length: UNITS }, (_, i) => `Sentence number ${i}.`);

interface Reported {
  taskRunId?: string;
  /** agentId → unitId, for every agent the child created. */
  assigned: Map<string, string>;
  /** unitId → {agentId, data}, for every submission the child committed. */
  completed: Map<string, { agentId: string; data: unknown }>;
}

interface Variant {
  readonly name: string;
  readonly available: boolean;
  readonly skipReason?: string;
  /** A new, empty database: its child-side designation (`--db`), its config, and how to remove it. */
  database(dir: string): Promise<{ designation: string; config: StoreConfig; drop(): Promise<void> }>;
}

const VARIANTS: readonly Variant[] = [
  {
    name: 'sqlite-file',
    available: true,
    database(dir) {
      const path = join(dir, 'database.db');
      return Promise.resolve({
        designation: path,
        config: { kind: 'sqlite', path },
        drop: () => Promise.resolve(), // the temporary folder goes with it
      });
    },
  },
  {
    name: 'postgres',
    available: PG_URL !== null,
    skipReason: 'PostgreSQL unreachable (set MEPHISTO_TEST_PG_URL)',
    database() {
      const url = PG_URL as string;
      const schema = `t_resume_kill_${randomBytes(4).toString('hex')}`;
      const designation = new URL(url);
      designation.searchParams.set('schema', schema);
      return Promise.resolve({
        designation: designation.toString(),
        config: { kind: 'postgres', url, schema, poolSize: 4 },
        async drop() {
          const admin = new pg.Client({ connectionString: url });
          await admin.connect();
          try {
            await admin.query(`drop schema if exists "${schema}" cascade`);
          } finally {
            await admin.end();
          }
        },
      });
    },
  },
];

/** Rejects after `ms` with `what`, so no wait of the test can hang past the test's timeout. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

/**
 * Starts the child and follows its report. `until(predicate)` resolves as soon as the report read so
 * far satisfies it, and rejects if the child exits first.
 */
function startChild(args: readonly string[]) {
  const child = spawn(process.execPath, ['--conditions=mephisto-source', '--import', 'tsx', CHILD, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const reported: Reported = { assigned: new Map(), completed: new Map() };
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const waiters = new Set<() => void>();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
      for (const wake of waiters) wake();
    });
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    const event = JSON.parse(line) as {
      type: string;
      taskRunId?: string;
      unitId: string;
      agentId: string;
      data?: unknown;
    };
    if (event.type === 'launched') reported.taskRunId = event.taskRunId;
    if (event.type === 'assigned') reported.assigned.set(event.agentId, event.unitId);
    if (event.type === 'completed')
      reported.completed.set(event.unitId, { agentId: event.agentId, data: event.data });
    for (const wake of waiters) wake();
  });

  function until(predicate: (r: Reported) => boolean, what: string): Promise<void> {
    return within(
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (predicate(reported)) {
            waiters.delete(check);
            resolve();
          } else if (child.exitCode !== null || child.signalCode !== null) {
            waiters.delete(check);
            reject(new Error(`the child exited before ${what}; its stderr:\n${stderr}`));
          }
        };
        waiters.add(check);
        check();
      }),
      WAIT_MS,
      what,
    );
  }
  return { child, reported, exited, until };
}

/** Units mid-task by the child's report: agents created whose unit it has not reported completed. */
function heldNow(r: Reported): number {
  let held = 0;
  for (const [agentId, unitId] of r.assigned) if (r.completed.get(unitId)?.agentId !== agentId) held++;
  return held;
}

const configOverrides = (taskName: string, dataCsv: string, resume: boolean): string[] => [
  `mephisto.task.task_name=${taskName}`,
  `mephisto.blueprint.data_csv=${dataCsv}`,
  'mephisto.task.max_num_concurrent_units=10',
  `mephisto.task.resume_incomplete_run=${resume}`,
];

for (const variant of VARIANTS) {
  const title = `resume after kill -9 [${variant.name}]${variant.available ? '' : ` (skipped: ${variant.skipReason})`}`;
  describe.skipIf(!variant.available)(title, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    it('keeps completed work, offers what was launched or assigned again, and completes every unit once', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'mephisto-resume-kill-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      const dataCsv = join(dir, 'data.csv');
      await writeFile(dataCsv, `sentence\n${SENTENCES.join('\n')}\n`);
      const database = await variant.database(dir);
      cleanups.push(() => database.drop());
      const taskName = `resume-kill-${randomBytes(3).toString('hex')}`;

      // 1. The child runs the task; strike when work is both done and in hand.
      const { child, reported, exited, until } = startChild([database.designation, dataCsv, taskName]);
      cleanups.push(async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await exited;
      });
      await until(
        (r) => r.completed.size >= COMPLETED_BEFORE_KILL && heldNow(r) >= HELD_AT_KILL,
        `${COMPLETED_BEFORE_KILL} completed units and ${HELD_AT_KILL} held ones`,
      );
      process.kill(child.pid as number, 'SIGKILL');
      expect((await within(exited, WAIT_MS, 'the child to die')).signal).toBe('SIGKILL');
      const completedBeforeKill = new Map(reported.completed);
      expect(completedBeforeKill.size).toBeLessThan(UNITS);

      // 2. What the kill left in the store.
      const store = await openStore(database.config);
      cleanups.push(() => store.close());
      const taskRunId = reported.taskRunId as string;
      const [task] = await store.findTasks({ name: taskName });
      expect((await store.findTaskRuns({ taskId: task?.id })).map((r) => r.id)).toEqual([taskRunId]);
      const unitsAtKill = await store.findUnits({ taskRunId });
      const assignedAtKill = unitsAtKill.filter((u) => u.status === 'assigned');
      const onOfferAtKill = unitsAtKill.filter((u) => u.status === 'launched' || u.status === 'assigned');
      const workingAtKill = await store.findAgents({ taskRunId, status: 'in task' });
      expect(assignedAtKill.length).toBeGreaterThanOrEqual(HELD_AT_KILL);
      expect(workingAtKill.map((a) => a.unitId).sort()).toEqual(assignedAtKill.map((u) => u.id).sort());
      // Every acknowledged submission survived the kill (a submission committed in the instant before
      // the kill may be in the store without having been reported: that is fine).
      await expectKept(store, completedBeforeKill);

      // 3. Resume in this process, on the same task_name and store.
      const { config, taskDir } = await loadTaskConfig({
        configDir: EXAMPLE_DIR,
        configName: 'example',
        overrides: configOverrides(taskName, dataCsv, true),
        taskDir: EXAMPLE_DIR,
        cwd: EXAMPLE_DIR,
        env: {},
      });
      const provider = new MockProvider();
      const operator = new Operator({ store });
      cleanups.push(() => operator.shutdown('test cleanup'));
      const run: LiveRun = await operator.launch({
        config,
        taskDir,
        blueprint: createBlueprint(config.mephisto.blueprint, { taskDir }),
        provider,
      });
      expect(run.resumed).toBe(true);
      expect(run.taskRun.id).toBe(taskRunId);
      await expectKept(store, completedBeforeKill);
      // The agents working at the kill are gone; their units, and those on offer, are on offer again.
      for (const agent of workingAtKill) expect((await store.getAgent(agent.id)).status).toBe('disconnect');
      for (const unit of onOfferAtKill) {
        expect((await store.getUnit(unit.id)).status).toBe('launched');
        expect(provider.launchedUnitIds.has(unit.id)).toBe(true);
      }

      // 4. Workers (the same names as before the kill, so holders come back) finish the run.
      const simulation = simulateWorkers(run, { count: 6, behaviour: { thinkTimeMs: 5 } });
      const end: RunEnd = await within(run.ended, WAIT_MS, 'the resumed run to end');
      await within(simulation.done, WAIT_MS, 'the simulated workers to stop');
      expect(end.reason).toBe('completed');

      const units = await store.findUnits({ taskRunId });
      expect(units).toHaveLength(UNITS);
      const counts = await store.countUnitsByStatus({ taskRunId });
      expect(counts.completed).toBe(UNITS);
      expect(counts.launched + counts.assigned + counts.created).toBe(0);
      const assignments = await store.findAssignments({ taskRunId });
      expect(
        assignments.map((a) => (a.data as { shared: { sentence: string } }).shared.sentence).sort(),
      ).toEqual([...SENTENCES].sort());

      // One completed agent per unit, and no other agent of the run still working.
      const completedAgents = await store.findAgents({ taskRunId, status: 'completed' });
      const byUnit = new Map<string, Agent[]>();
      for (const agent of completedAgents)
        byUnit.set(agent.unitId, [...(byUnit.get(agent.unitId) ?? []), agent]);
      expect(byUnit.size).toBe(UNITS);
      expect([...byUnit.values()].filter((agents) => agents.length !== 1)).toEqual([]);
      expect(
        await store.findAgents({ taskRunId, status: ['none', 'accepted', 'waiting', 'in task'] }),
      ).toEqual([]);
      // Units held at the kill were completed by a new agent; work done before it is untouched.
      for (const unit of assignedAtKill) {
        const old = workingAtKill.find((a) => a.unitId === unit.id) as Agent;
        expect(byUnit.get(unit.id)?.[0]?.id).not.toBe(old.id);
      }
      for (const [unitId, { agentId }] of completedBeforeKill)
        expect(byUnit.get(unitId)?.[0]?.id).toBe(agentId);
      await expectKept(store, completedBeforeKill);
      expect((await store.getTaskRun(taskRunId)).isCompleted).toBe(true);
    });
  });
}

/** Every unit the child reported completed is still completed by the same agent, with the same data. */
async function expectKept(
  store: Store,
  completed: ReadonlyMap<string, { agentId: string; data: unknown }>,
): Promise<void> {
  for (const [unitId, { agentId, data }] of completed) {
    const unit: Unit = await store.getUnit(unitId);
    expect(unit.status, `unit ${unitId}`).toBe('completed');
    expect(unit.agentId, `unit ${unitId}`).toBe(agentId);
    expect((await store.getAgent(agentId)).status).toBe('completed');
    expect((await store.getAgentSubmission(agentId))?.data).toEqual(data);
  }
}
