/**
 * Store conformance: concurrent changes. Every compare-and-set has exactly one winner, the losers get
 * TransitionConflictError (or AlreadyExistsError for a unique key) and the rows end consistent.
 *
 * PostgreSQL runs with a pool of 10 connections so the attempts really overlap in the server; a second
 * Store on the same database (another server process, in production) races the first on the targets
 * that can share a database.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { AlreadyExistsError, TransitionConflictError } from '../../src/core/index.js';
import type { Agent, Unit } from '../../src/core/index.js';
import type { Store } from '../../src/store/store.js';
import { Fixtures } from './fixtures.js';
import type { ChildOutcome } from './sqlite-race-child.js';
import { STORE_TARGETS, useStore } from './store-targets.js';

const N = 50;
const CHILD = fileURLToPath(new URL('./sqlite-race-child.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

interface Outcome<T> {
  winners: T[];
  losers: unknown[];
}

async function race<T>(attempts: readonly (() => Promise<T>)[]): Promise<Outcome<T>> {
  const settled = await Promise.allSettled(attempts.map((attempt) => attempt()));
  return {
    winners: settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : [])),
    losers: settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : [])),
  };
}

function expectConflicts(losers: readonly unknown[], entity: string, actual: readonly string[]): void {
  for (const e of losers) {
    expect(e).toBeInstanceOf(TransitionConflictError);
    expect((e as TransitionConflictError).entity).toBe(entity);
    expect(actual).toContain((e as TransitionConflictError).actual);
  }
}

for (const target of STORE_TARGETS) {
  describe.skipIf(!target.available)(`store conformance [${target.name}]: races`, () => {
    // One store (and one warm pool) for the block: every test races on rows of its own.
    const h = useStore(target, { poolSize: 10, scope: 'describe' });
    const f = new Fixtures(() => h.store);
    let second: Store | undefined;
    if (target.dialect === 'postgres') {
      beforeAll(async () => {
        second = await h.open(h.config);
      });
    }

    /** The stores racing: the harness's store, plus a second one on the same database. */
    function racers(shared: boolean): Promise<Store[]> {
      if (!shared) return Promise.resolve([h.store]);
      if (!second) throw new Error('no second store');
      return Promise.resolve([h.store, second]);
    }

    // Two Store objects on one SQLite file in one process are covered by kysely/sqlite-concurrency.test.ts;
    // processes sharing a file are covered here.
    if (target.name === 'sqlite-file') {
      it(`two processes on one SQLite file: ${N} workers take one unit at once, exactly one agent`, async () => {
        const unit = await f.launchedUnit();
        const workers = await Promise.all(Array.from({ length: N }, () => f.worker()));
        const config = h.config;
        if (config.kind !== 'sqlite') throw new Error('unreachable');
        const theirs = workers.slice(N / 2).map((w) => w.id);
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', CHILD, config.path, unit.id, '8000000000', ...theirs],
          {
            cwd: REPO_ROOT,
            stdio: ['pipe', 'pipe', 'inherit'],
          },
        );
        const lines = createInterface({ input: child.stdout });
        const next = (): Promise<string> =>
          new Promise((resolve, reject) => {
            lines.once('line', resolve);
            child.once('exit', (code) => {
              reject(new Error(`race child exited with ${code}`));
            });
          });
        expect(await next()).toBe('ready');
        const childResult = next();
        child.stdin.write('go\n');
        const mine = await race(
          workers.slice(0, N / 2).map((w) => () => h.store.createAgent({ workerId: w.id, unitId: unit.id })),
        );
        const outcomes = JSON.parse(await childResult) as ChildOutcome[];
        child.stdin.end();
        await new Promise((resolve) => child.once('close', resolve));

        const childWins = outcomes.filter((o) => o.agentId !== undefined);
        expect(mine.winners.length + childWins.length).toBe(1);
        expectConflicts(mine.losers, 'unit', ['assigned']);
        for (const o of outcomes.filter((x) => x.agentId === undefined)) {
          expect(o).toEqual({
            error: 'TransitionConflictError',
            code: 'MEPHISTO_ERR_TRANSITION_CONFLICT',
            actual: 'assigned',
          });
        }
        const agents = await h.store.findAgents({ unitId: unit.id });
        expect(agents).toHaveLength(1);
        expect(agents[0]?.id).toBe(mine.winners[0]?.id ?? childWins[0]?.agentId);
        expect(await h.store.getUnit(unit.id)).toMatchObject({ status: 'assigned', agentId: agents[0]?.id });
      });
    }

    for (const shared of target.dialect === 'postgres' ? [false, true] : [false]) {
      const by = shared ? ' (two Store instances on one database)' : '';

      it(`${N} workers take one launched unit at once: exactly one agent${by}`, async () => {
        const stores = await racers(shared);
        const unit = await f.launchedUnit();
        const workers = await Promise.all(Array.from({ length: N }, () => f.worker()));
        const { winners, losers } = await race(
          workers.map(
            (w, i) => () =>
              (stores[i % stores.length] as Store).createAgent({ workerId: w.id, unitId: unit.id }),
          ),
        );
        expect(winners).toHaveLength(1);
        expect(losers).toHaveLength(N - 1);
        expectConflicts(losers, 'unit', ['assigned']);
        const winner = winners[0] as Agent;
        expect(await h.store.findAgents({ unitId: unit.id })).toEqual([winner]);
        expect(await h.store.findAgents({ workerId: winner.workerId })).toEqual([winner]);
        expect(await h.store.getUnit(unit.id)).toEqual({
          ...unit,
          status: 'assigned',
          agentId: winner.id,
          workerId: winner.workerId,
        });
      });

      it(`${N} expiries of one launched unit at once: exactly one succeeds${by}`, async () => {
        const stores = await racers(shared);
        const unit = await f.launchedUnit();
        const { winners, losers } = await race(
          Array.from(
            { length: N },
            (_, i) => () =>
              (stores[i % stores.length] as Store).transitionUnit(unit.id, {
                from: 'launched',
                to: 'expired',
              }),
          ),
        );
        expect(winners).toHaveLength(1);
        expect(winners[0]).toEqual({ ...unit, status: 'expired' });
        expectConflicts(losers, 'unit', ['expired']);
        expect(await h.store.getUnit(unit.id)).toEqual({ ...unit, status: 'expired' });
      });

      it(`${N} submissions of one agent at once: exactly one completes it${by}`, async () => {
        const stores = await racers(shared);
        const { agent, unit } = await f.agentIn('in task');
        const { winners, losers } = await race(
          Array.from(
            { length: N },
            (_, i) => () =>
              (stores[i % stores.length] as Store).transitionAgent(agent.id, {
                from: 'in task',
                to: 'completed',
              }),
          ),
        );
        expect(winners).toHaveLength(1);
        expectConflicts(losers, 'agent', ['completed']);
        expect(await h.store.getAgent(agent.id)).toEqual({ ...agent, status: 'completed' });
        expect(await h.store.getUnit(unit.id)).toEqual({ ...unit, status: 'completed' });
      });

      it(`submit against disconnect: one wins and agent and unit agree${by}`, async () => {
        const stores = await racers(shared);
        const { agent, unit } = await f.agentIn('in task');
        const { winners, losers } = await race(
          Array.from(
            { length: N },
            (_, i) => () =>
              (stores[i % stores.length] as Store).transitionAgent(agent.id, {
                from: 'in task',
                to: i % 2 === 0 ? 'completed' : 'disconnect',
              }),
          ),
        );
        expect(winners).toHaveLength(1);
        const won = winners[0]?.agent.status;
        expectConflicts(losers, 'agent', [won ?? '']);
        const finalUnit = await h.store.getUnit(unit.id);
        expect((await h.store.getAgent(agent.id)).status).toBe(won);
        if (won === 'completed') expect(finalUnit).toEqual({ ...unit, status: 'completed' });
        else expect(finalUnit).toEqual({ ...unit, status: 'launched', agentId: null, workerId: null });
      });

      it(`taking a unit against expiring it: exactly one happens${by}`, async () => {
        const stores = await racers(shared);
        const unit = await f.launchedUnit();
        const workers = await Promise.all(Array.from({ length: N / 2 }, () => f.worker()));
        const attempts: (() => Promise<Agent | Unit>)[] = [];
        for (const [i, w] of workers.entries()) {
          const store = stores[i % stores.length] as Store;
          attempts.push(() => store.createAgent({ workerId: w.id, unitId: unit.id }));
          attempts.push(() => store.transitionUnit(unit.id, { from: 'launched', to: 'expired' }));
        }
        const { winners, losers } = await race(attempts);
        expect(winners).toHaveLength(1);
        expectConflicts(losers, 'unit', ['assigned', 'expired']);
        const final = await h.store.getUnit(unit.id);
        const agents = await h.store.findAgents({ unitId: unit.id });
        if (final.status === 'assigned') {
          expect(agents).toHaveLength(1);
          expect(final.agentId).toBe(agents[0]?.id);
        } else {
          expect(final).toEqual({ ...unit, status: 'expired' });
          expect(agents).toEqual([]);
        }
      });

      it(`${N} grants of the same qualification to the same worker at once: one grant row${by}`, async () => {
        const stores = await racers(shared);
        const q = await f.qualification();
        const w = await f.worker();
        const { winners, losers } = await race(
          Array.from(
            { length: N },
            (_, i) => () =>
              (stores[i % stores.length] as Store).grantQualification({
                qualificationId: q.id,
                workerId: w.id,
              }),
          ),
        );
        expect(losers).toEqual([]);
        expect(new Set(winners.map((g) => g.id)).size).toBe(1);
        const rows = await h.store.findGrantedQualifications({ qualificationId: q.id, workerId: w.id });
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({ id: winners[0]?.id, value: 1 });
      });

      it(`concurrent grants of different values: one grant row holding one of them${by}`, async () => {
        const stores = await racers(shared);
        const q = await f.qualification();
        const w = await f.worker();
        const values = Array.from({ length: 20 }, (_, i) => i + 1);
        const { winners, losers } = await race(
          values.map(
            (value, i) => () =>
              (stores[i % stores.length] as Store).grantQualification({
                qualificationId: q.id,
                workerId: w.id,
                value,
              }),
          ),
        );
        expect(losers).toEqual([]);
        expect(new Set(winners.map((g) => g.id)).size).toBe(1);
        const rows = await h.store.findGrantedQualifications({ workerId: w.id });
        expect(rows).toHaveLength(1);
        expect(values).toContain(rows[0]?.value);
      });

      it(`${N} creations of one name at once: one row, the others AlreadyExists${by}`, async () => {
        const stores = await racers(shared);
        const name = f.name('contested');
        const { winners, losers } = await race(
          Array.from({ length: N }, (_, i) => () => (stores[i % stores.length] as Store).createProject(name)),
        );
        expect(winners).toHaveLength(1);
        for (const e of losers) {
          expect(e).toBeInstanceOf(AlreadyExistsError);
          expect(e).toMatchObject({ entity: 'project', code: 'MEPHISTO_ERR_PROJECT_ALREADY_EXISTS' });
        }
        expect(await h.store.findProjects({ name })).toEqual(winners);
      });

      it(`${N} creations of one (assignment, index) at once: one unit${by}`, async () => {
        const stores = await racers(shared);
        const a = await f.assignment();
        const { winners, losers } = await race(
          Array.from(
            { length: N },
            (_, i) => () =>
              (stores[i % stores.length] as Store).createUnit({
                assignmentId: a.id,
                unitIndex: 0,
                payAmount: 1,
              }),
          ),
        );
        expect(winners).toHaveLength(1);
        for (const e of losers)
          expect(e).toMatchObject({ entity: 'unit', code: 'MEPHISTO_ERR_UNIT_ALREADY_EXISTS' });
        expect(await h.store.findUnits({ assignmentId: a.id })).toEqual(winners);
      });
    }
  });
}
