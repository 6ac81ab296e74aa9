/**
 * Store conformance: task runs, assignments, units (single and bulk creation, every find filter,
 * countUnits).
 */
import { describe, expect, it } from 'vitest';
import type { Unit } from '../../src/core/index.js';
import type { UnitFilter } from '../../src/store/store.js';
import { Fixtures, MISSING_ID, expectAlreadyExists, expectNotFound, totalRows } from './fixtures.js';
import { STORE_TARGETS, useStore } from './store-targets.js';

/** Data that must come back exactly as written. */
const ODD_DATA: readonly unknown[] = [
  {
    shared: { title: 'Résumé «quoted» — ok', emoji: '🦊👩‍💻', cjk: '漢字かな', rtl: 'مرحبا' },
    unit_data: [{ a: 1 }, { b: [1, 2, 3] }],
  },
  [1, 'two', { three: 3 }, [4], null, true, false, 0, -1.5, 1e21],
  'control characters \u0000 \u0001 \u001f, a backslash \\, "quotes", a newline \n and a tab \t',
  42,
  0.1,
  true,
  { nested: { deeper: { deepest: { value: 'x'.repeat(10_000) } } } },
  {},
  [],
  { 'key with spaces': 1, ключ: 'значение', '': 'empty key' },
];

const ids = (rows: readonly { id: string }[]): string[] => rows.map((r) => r.id);

for (const target of STORE_TARGETS) {
  describe.skipIf(!target.available)(
    `store conformance [${target.name}]: task runs, assignments, units`,
    () => {
      const h = useStore(target);
      const f = new Fixtures(() => h.store);

      describe('task runs', () => {
        it('create, get and find by each filter', async () => {
          const task = await f.task();
          const requester = await f.requester();
          const otherTask = await f.task();
          const initParams = JSON.stringify({
            task: { task_title: 'Titre «é» 🦊', task_reward: 0.3 },
            blueprint: { x: [1, 2] },
          });
          h.clock.advance(321);
          const run = await h.store.createTaskRun({
            taskId: task.id,
            requesterId: requester.id,
            initParams,
            providerType: 'mock',
            taskType: 'static_task',
          });
          expect(run).toEqual({
            id: run.id,
            taskId: task.id,
            requesterId: requester.id,
            initParams,
            isCompleted: false,
            providerType: 'mock',
            taskType: 'static_task',
            sandbox: true,
            creationDate: new Date(h.clock.now()),
          });
          expect(h.ids.issued).toContain(run.id);
          const live = await f.taskRun({
            taskId: otherTask.id,
            sandbox: false,
            providerType: 'prolific',
            taskType: 'remote_procedure',
          });
          expect(live.sandbox).toBe(false);
          expect(await h.store.getTaskRun(run.id)).toEqual(run);
          expect(await h.store.findTaskRuns()).toEqual([run, live]);
          expect(await h.store.findTaskRuns({ taskId: task.id })).toEqual([run]);
          expect(await h.store.findTaskRuns({ taskId: MISSING_ID })).toEqual([]);
          expect(await h.store.findTaskRuns({ requesterId: requester.id })).toEqual([run]);
          expect(await h.store.findTaskRuns({ requesterId: live.requesterId })).toEqual([live]);
          expect(await h.store.findTaskRuns({ requesterId: MISSING_ID })).toEqual([]);
          expect(await h.store.findTaskRuns({ isCompleted: false })).toEqual([run, live]);
          expect(await h.store.findTaskRuns({ isCompleted: true })).toEqual([]);
          expect(await h.store.findTaskRuns({ taskId: task.id, requesterId: live.requesterId })).toEqual([]);
        });

        it('setTaskRunCompleted marks a run completed and back', async () => {
          const run = await f.taskRun();
          const other = await f.taskRun();
          const done = await h.store.setTaskRunCompleted(run.id, true);
          expect(done).toEqual({ ...run, isCompleted: true });
          expect(await h.store.getTaskRun(run.id)).toEqual(done);
          expect(await h.store.findTaskRuns({ isCompleted: true })).toEqual([done]);
          expect(await h.store.findTaskRuns({ isCompleted: false })).toEqual([other]);
          expect(await h.store.setTaskRunCompleted(run.id, true)).toEqual(done);
          const reopened = await h.store.setTaskRunCompleted(run.id, false);
          expect(reopened).toEqual(run);
          expect(await h.store.findTaskRuns({ isCompleted: true })).toEqual([]);
        });

        it('a missing task or requester → NotFound for it, no run written', async () => {
          const task = await f.task();
          const requester = await f.requester();
          const base = { initParams: '{}', providerType: 'mock', taskType: 'static_task' };
          const before = await h.store.countRows();
          await expectNotFound(
            h.store.createTaskRun({ ...base, taskId: MISSING_ID, requesterId: requester.id }),
            'task',
          );
          await expectNotFound(
            h.store.createTaskRun({ ...base, taskId: task.id, requesterId: MISSING_ID }),
            'requester',
          );
          expect(await h.store.countRows()).toEqual(before);
          expect(await h.store.findTaskRuns()).toEqual([]);
        });

        it('a missing id → NotFound(task_run)', async () => {
          await expectNotFound(h.store.getTaskRun(MISSING_ID), 'task_run', MISSING_ID);
          await expectNotFound(h.store.setTaskRunCompleted(MISSING_ID, true), 'task_run', MISSING_ID);
        });
      });

      describe('assignments', () => {
        it('copy task, requester, types and sandbox from the run; find by each filter', async () => {
          const runA = await f.taskRun();
          const runB = await f.taskRun({
            providerType: 'prolific',
            taskType: 'remote_procedure',
            sandbox: false,
          });
          h.clock.advance(50);
          const a = await h.store.createAssignment(runA.id);
          expect(a).toEqual({
            id: a.id,
            taskId: runA.taskId,
            taskRunId: runA.id,
            requesterId: runA.requesterId,
            taskType: 'static_task',
            providerType: 'mock',
            sandbox: true,
            data: null,
            creationDate: new Date(h.clock.now()),
          });
          expect(h.ids.issued).toContain(a.id);
          const b = await h.store.createAssignment(runB.id, { data: { shared: {}, unit_data: [] } });
          expect(b).toMatchObject({
            taskRunId: runB.id,
            taskId: runB.taskId,
            requesterId: runB.requesterId,
            sandbox: false,
          });
          expect(await h.store.getAssignment(a.id)).toEqual(a);
          expect(await h.store.findAssignments()).toEqual([a, b]);
          expect(await h.store.findAssignments({ taskRunId: runA.id })).toEqual([a]);
          expect(await h.store.findAssignments({ taskRunId: MISSING_ID })).toEqual([]);
          expect(await h.store.findAssignments({ taskId: runB.taskId })).toEqual([b]);
          expect(await h.store.findAssignments({ taskId: MISSING_ID })).toEqual([]);
          expect(await h.store.findAssignments({ requesterId: runA.requesterId })).toEqual([a]);
          expect(await h.store.findAssignments({ requesterId: MISSING_ID })).toEqual([]);
          expect(await h.store.findAssignments({ taskType: 'remote_procedure' })).toEqual([b]);
          expect(await h.store.findAssignments({ taskType: 'nope' })).toEqual([]);
          expect(await h.store.findAssignments({ providerType: 'mock' })).toEqual([a]);
          expect(await h.store.findAssignments({ providerType: 'mturk' })).toEqual([]);
          expect(await h.store.findAssignments({ sandbox: true })).toEqual([a]);
          expect(await h.store.findAssignments({ sandbox: false })).toEqual([b]);
          expect(await h.store.findAssignments({ taskRunId: runA.id, sandbox: false })).toEqual([]);
        });

        it.each(ODD_DATA.map((d, i) => [i, d] as const))(
          'data round-trips exactly (#%i)',
          async (_i, data) => {
            const a = await f.assignment({ data });
            expect(a.data).toEqual(data);
            expect((await h.store.getAssignment(a.id)).data).toEqual(data);
            expect((await h.store.findAssignments({ taskRunId: a.taskRunId }))[0]?.data).toEqual(data);
          },
        );

        it('data left out is null', async () => {
          const run = await f.taskRun();
          const a = await h.store.createAssignment(run.id, {});
          const b = await h.store.createAssignment(run.id, { data: undefined });
          const c = await h.store.createAssignment(run.id, { data: null });
          for (const x of [a, b, c]) expect((await h.store.getAssignment(x.id)).data).toBeNull();
        });

        it('a missing run → NotFound(task_run), nothing written', async () => {
          const before = await h.store.countRows();
          await expectNotFound(h.store.createAssignment(MISSING_ID), 'task_run');
          expect(await h.store.countRows()).toEqual(before);
        });

        it('a missing id → NotFound(assignment)', async () => {
          await expectNotFound(h.store.getAssignment(MISSING_ID), 'assignment', MISSING_ID);
        });
      });

      describe('createAssignmentsWithUnits', () => {
        it('creates the assignments and their units, indices 0..n-1, all created, fields from the run', async () => {
          const run = await f.taskRun({
            providerType: 'prolific',
            taskType: 'static_react_task',
            sandbox: false,
          });
          h.clock.advance(999);
          const { assignments, units } = await h.store.createAssignmentsWithUnits(run.id, [
            {
              data: { shared: { n: 0 }, unit_data: [{}, {}] },
              units: [{ payAmount: 0.35 }, { payAmount: 0.35 }],
            },
            { units: [{ payAmount: 1.25 }] },
            { data: ['x'], units: [{ payAmount: 0 }, { payAmount: 0.1 }, { payAmount: 12.34 }] },
          ]);
          expect(assignments).toHaveLength(3);
          expect(units).toHaveLength(6);
          const now = new Date(h.clock.now());
          expect(assignments.map((a) => a.data)).toEqual([
            { shared: { n: 0 }, unit_data: [{}, {}] },
            null,
            ['x'],
          ]);
          for (const a of assignments) {
            expect(a).toEqual({
              id: a.id,
              taskId: run.taskId,
              taskRunId: run.id,
              requesterId: run.requesterId,
              taskType: 'static_react_task',
              providerType: 'prolific',
              sandbox: false,
              data: a.data,
              creationDate: now,
            });
            expect(await h.store.getAssignment(a.id)).toEqual(a);
          }
          const perAssignment = assignments.map((a) => units.filter((u) => u.assignmentId === a.id));
          expect(perAssignment.map((us) => us.map((u) => u.unitIndex))).toEqual([[0, 1], [0], [0, 1, 2]]);
          expect(perAssignment.map((us) => us.map((u) => u.payAmount))).toEqual([
            [0.35, 0.35],
            [1.25],
            [0, 0.1, 12.34],
          ]);
          for (const u of units) {
            expect(u).toEqual({
              id: u.id,
              assignmentId: u.assignmentId,
              unitIndex: u.unitIndex,
              payAmount: u.payAmount,
              providerType: 'prolific',
              status: 'created',
              agentId: null,
              workerId: null,
              taskType: 'static_react_task',
              taskId: run.taskId,
              taskRunId: run.id,
              sandbox: false,
              requesterId: run.requesterId,
              creationDate: now,
            });
            expect(await h.store.getUnit(u.id)).toEqual(u);
          }
          const allIds = [...ids(assignments), ...ids(units)];
          expect(new Set(allIds).size).toBe(allIds.length);
          for (const id of allIds) expect(h.ids.issued).toContain(id);
          expect(await h.store.findAssignments({ taskRunId: run.id })).toEqual(assignments);
          expect(ids(await h.store.findUnits({ taskRunId: run.id })).sort()).toEqual(ids(units).sort());
          expect(await h.store.countUnits({ taskRunId: run.id, status: 'created' })).toBe(6);
          expect(await h.store.hasUnits({ taskRunId: run.id, status: 'created' })).toBe(true);
          expect(await h.store.hasUnits({ taskRunId: run.id, status: ['launched', 'assigned'] })).toBe(false);
          expect(await h.store.hasUnits({ taskRunId: run.id, status: [] })).toBe(false);
          expect(await h.store.hasUnits({ taskRunId: '999999999' })).toBe(false);
        });

        it('keeps explicit unit indices (screening, gold)', async () => {
          const run = await f.taskRun();
          const { units } = await h.store.createAssignmentsWithUnits(run.id, [
            { units: [{ unitIndex: -1, payAmount: 0 }] },
            {
              units: [
                { unitIndex: 5, payAmount: 1 },
                { unitIndex: -2, payAmount: 0 },
              ],
            },
          ]);
          expect(units.map((u) => u.unitIndex).sort((a, b) => a - b)).toEqual([-2, -1, 5]);
          expect(await h.store.findUnits({ unitIndex: -1 })).toEqual(units.filter((u) => u.unitIndex === -1));
        });

        it('data round-trips exactly', async () => {
          const run = await f.taskRun();
          const { assignments } = await h.store.createAssignmentsWithUnits(
            run.id,
            ODD_DATA.map((data) => ({ data, units: [{ payAmount: 1 }] })),
          );
          expect(assignments.map((a) => a.data)).toEqual(ODD_DATA);
          for (const [i, a] of assignments.entries())
            expect((await h.store.getAssignment(a.id)).data).toEqual(ODD_DATA[i]);
        });

        it('an empty list creates nothing', async () => {
          const run = await f.taskRun();
          const before = await h.store.countRows();
          expect(await h.store.createAssignmentsWithUnits(run.id, [])).toEqual({
            assignments: [],
            units: [],
          });
          expect(await h.store.countRows()).toEqual(before);
        });

        it('a missing run → NotFound(task_run), nothing written', async () => {
          const before = await h.store.countRows();
          await expectNotFound(
            h.store.createAssignmentsWithUnits(MISSING_ID, [{ units: [{ payAmount: 1 }] }]),
            'task_run',
          );
          expect(await h.store.countRows()).toEqual(before);
        });

        it('a duplicate index → AlreadyExists(unit) and the whole batch is rolled back', async () => {
          const run = await f.taskRun();
          const before = await h.store.countRows();
          await expectAlreadyExists(
            h.store.createAssignmentsWithUnits(run.id, [
              { units: [{ payAmount: 1 }, { payAmount: 1 }] },
              {
                units: [
                  { unitIndex: 0, payAmount: 1 },
                  { unitIndex: 0, payAmount: 1 },
                ],
              },
            ]),
            'unit',
          );
          expect(await h.store.countRows()).toEqual(before);
          expect(await h.store.findAssignments({ taskRunId: run.id })).toEqual([]);
          expect(await h.store.countUnits()).toBe(0);
        });

        it('creates thousands of units in one call', async () => {
          const run = await f.taskRun();
          const n = 2000;
          const { assignments, units } = await h.store.createAssignmentsWithUnits(
            run.id,
            Array.from({ length: n }, (_, i) => ({
              data: { i },
              units: [{ payAmount: 0.5 }, { payAmount: 0.5 }, { payAmount: 0.5 }],
            })),
          );
          expect(assignments).toHaveLength(n);
          expect(units).toHaveLength(3 * n);
          expect(new Set(ids(units)).size).toBe(3 * n);
          expect(assignments.map((a) => (a.data as { i: number }).i)).toEqual(
            Array.from({ length: n }, (_, i) => i),
          );
          expect(await h.store.countUnits({ taskRunId: run.id })).toBe(3 * n);
          expect(await h.store.countUnits({ taskRunId: run.id, unitIndex: 2 })).toBe(n);
          expect((await h.store.findAssignments({ taskRunId: run.id })).length).toBe(n);
        });
      });

      describe('units', () => {
        it('createUnit: status created, no agent, fields from the assignment', async () => {
          const run = await f.taskRun({ providerType: 'mturk_sandbox', taskType: 'remote_procedure' });
          const a = await h.store.createAssignment(run.id);
          h.clock.advance(7);
          const u = await h.store.createUnit({ assignmentId: a.id, unitIndex: 0, payAmount: 0.35 });
          expect(u).toEqual({
            id: u.id,
            assignmentId: a.id,
            unitIndex: 0,
            payAmount: 0.35,
            providerType: 'mturk_sandbox',
            status: 'created',
            agentId: null,
            workerId: null,
            taskType: 'remote_procedure',
            taskId: run.taskId,
            taskRunId: run.id,
            sandbox: true,
            requesterId: run.requesterId,
            creationDate: new Date(h.clock.now()),
          });
          expect(h.ids.issued).toContain(u.id);
          expect(await h.store.getUnit(u.id)).toEqual(u);
        });

        it('a taken (assignment, index) → AlreadyExists(unit); the index is free in another assignment', async () => {
          const a = await f.assignment();
          const b = await f.assignment();
          const u = await h.store.createUnit({ assignmentId: a.id, unitIndex: 0, payAmount: 1 });
          const before = await h.store.countRows();
          await expectAlreadyExists(
            h.store.createUnit({ assignmentId: a.id, unitIndex: 0, payAmount: 2 }),
            'unit',
          );
          expect(await h.store.countRows()).toEqual(before);
          expect(await h.store.getUnit(u.id)).toEqual(u);
          const v = await h.store.createUnit({ assignmentId: b.id, unitIndex: 0, payAmount: 1 });
          const w = await h.store.createUnit({ assignmentId: a.id, unitIndex: -1, payAmount: 0 });
          expect(ids(await h.store.findUnits())).toEqual([u.id, v.id, w.id]);
        });

        it('a unit created by createAssignmentsWithUnits also blocks createUnit at its index', async () => {
          const run = await f.taskRun();
          const { assignments } = await h.store.createAssignmentsWithUnits(run.id, [
            { units: [{ payAmount: 1 }] },
          ]);
          const assignmentId = assignments[0]?.id ?? '';
          await expectAlreadyExists(h.store.createUnit({ assignmentId, unitIndex: 0, payAmount: 1 }), 'unit');
          expect(await h.store.countUnits({ assignmentId })).toBe(1);
        });

        it('a missing assignment → NotFound(assignment), no unit written', async () => {
          const before = await h.store.countRows();
          await expectNotFound(
            h.store.createUnit({ assignmentId: MISSING_ID, unitIndex: 0, payAmount: 1 }),
            'assignment',
          );
          expect(await h.store.countRows()).toEqual(before);
        });

        it('a missing id → NotFound(unit) with code MEPHISTO_ERR_UNIT_NOT_FOUND', async () => {
          const e = await expectNotFound(h.store.getUnit(MISSING_ID), 'unit', MISSING_ID);
          expect(e.code).toBe('MEPHISTO_ERR_UNIT_NOT_FOUND');
        });

        it('pay amounts keep cents exactly', async () => {
          const a = await f.assignment();
          const amounts = [0, 0.01, 0.1, 0.3, 0.35, 1.05, 12.34, 99.99, 1234.56];
          for (const [i, payAmount] of amounts.entries())
            await h.store.createUnit({ assignmentId: a.id, unitIndex: i, payAmount });
          expect((await h.store.findUnits({ assignmentId: a.id })).map((u) => u.payAmount)).toEqual(amounts);
        });
      });

      describe('findUnits and countUnits', () => {
        /** Two runs that differ in every column, with units in several statuses, some with agents. */
        async function world(): Promise<{
          runA: { id: string; taskId: string; requesterId: string };
          runB: { id: string; taskId: string; requesterId: string };
          created: Unit;
          launched: Unit;
          assigned: Unit;
          completed: Unit;
          expired: Unit;
          other: Unit;
          all: Unit[];
        }> {
          const runA = await f.taskRun();
          const runB = await f.taskRun({
            providerType: 'prolific',
            taskType: 'remote_procedure',
            sandbox: false,
          });
          const a1 = await h.store.createAssignment(runA.id);
          const a2 = await h.store.createAssignment(runA.id);
          const b1 = await h.store.createAssignment(runB.id);
          const created = await h.store.createUnit({ assignmentId: a1.id, unitIndex: 0, payAmount: 1 });
          let launched = await h.store.createUnit({ assignmentId: a1.id, unitIndex: 1, payAmount: 1 });
          let assigned = await h.store.createUnit({ assignmentId: a2.id, unitIndex: 0, payAmount: 1 });
          let completed = await h.store.createUnit({ assignmentId: a2.id, unitIndex: 1, payAmount: 1 });
          let expired = await h.store.createUnit({ assignmentId: a2.id, unitIndex: 2, payAmount: 1 });
          let other = await h.store.createUnit({ assignmentId: b1.id, unitIndex: 0, payAmount: 2 });
          for (const u of [launched, assigned, completed, expired, other]) {
            await h.store.transitionUnit(u.id, { from: 'created', to: 'launched' });
          }
          launched = await h.store.getUnit(launched.id);
          expired = await h.store.transitionUnit(expired.id, { from: 'launched', to: 'expired' });
          assigned = (await f.agentIn('accepted', { unit: await h.store.getUnit(assigned.id) })).unit;
          completed = (await f.agentIn('completed', { unit: await h.store.getUnit(completed.id) })).unit;
          other = (await f.agentIn('in task', { unit: await h.store.getUnit(other.id) })).unit;
          const all = [created, launched, assigned, completed, expired, other];
          return { runA, runB, created, launched, assigned, completed, expired, other, all };
        }

        it('match each filter, alone and combined; a wrong value matches nothing', async () => {
          const w = await world();
          expect(w.assigned.status).toBe('assigned');
          expect(w.completed.status).toBe('completed');
          const cases: [UnitFilter, Unit[]][] = [
            [{}, w.all],
            [{ taskId: w.runA.taskId }, [w.created, w.launched, w.assigned, w.completed, w.expired]],
            [{ taskId: w.runB.taskId }, [w.other]],
            [{ taskId: MISSING_ID }, []],
            [{ taskRunId: w.runB.id }, [w.other]],
            [{ taskRunId: MISSING_ID }, []],
            [{ requesterId: w.runB.requesterId }, [w.other]],
            [{ requesterId: MISSING_ID }, []],
            [{ assignmentId: w.created.assignmentId }, [w.created, w.launched]],
            [{ assignmentId: w.assigned.assignmentId }, [w.assigned, w.completed, w.expired]],
            [{ assignmentId: MISSING_ID }, []],
            [{ unitIndex: 0 }, [w.created, w.assigned, w.other]],
            [{ unitIndex: 2 }, [w.expired]],
            [{ unitIndex: 7 }, []],
            [{ providerType: 'prolific' }, [w.other]],
            [{ providerType: 'mturk' }, []],
            [{ taskType: 'static_task' }, [w.created, w.launched, w.assigned, w.completed, w.expired]],
            [{ taskType: 'nope' }, []],
            [{ agentId: w.assigned.agentId }, [w.assigned]],
            [{ agentId: MISSING_ID }, []],
            [{ agentId: null }, [w.created, w.launched, w.expired]],
            [{ workerId: w.completed.workerId }, [w.completed]],
            [{ workerId: MISSING_ID }, []],
            [{ workerId: null }, [w.created, w.launched, w.expired]],
            [{ sandbox: true }, [w.created, w.launched, w.assigned, w.completed, w.expired]],
            [{ sandbox: false }, [w.other]],
            [{ status: 'launched' }, [w.launched]],
            [{ status: 'accepted' }, []],
            [{ status: ['assigned', 'completed'] }, [w.assigned, w.completed, w.other]],
            [{ status: ['created', 'expired', 'rejected'] }, [w.created, w.expired]],
            [{ status: ['accepted'] }, []],
            [{ taskRunId: w.runA.id, status: ['assigned', 'launched'] }, [w.launched, w.assigned]],
            [{ taskRunId: w.runA.id, agentId: null, unitIndex: 1 }, [w.launched]],
            [{ taskRunId: w.runB.id, workerId: null }, []],
            [{ sandbox: false, status: 'assigned', unitIndex: 0, providerType: 'prolific' }, [w.other]],
          ];
          for (const [filter, expected] of cases) {
            const label = JSON.stringify(filter);
            expect(await h.store.findUnits(filter), label).toEqual(expected);
            expect(await h.store.countUnits(filter), label).toBe(expected.length);
          }
          expect(await h.store.countUnits()).toBe(6);
        });

        it('units with agents carry the agent and the worker', async () => {
          const w = await world();
          for (const u of [w.assigned, w.completed, w.other]) {
            expect(u.agentId).not.toBeNull();
            expect(u.workerId).not.toBeNull();
            const agent = await h.store.getAgent(u.agentId ?? '');
            expect(agent.unitId).toBe(u.id);
            expect(agent.workerId).toBe(u.workerId);
          }
          for (const u of [w.created, w.launched, w.expired])
            expect([u.agentId, u.workerId]).toEqual([null, null]);
        });
      });

      it('ids are distinct across every kind of row', async () => {
        const w1 = await f.worker();
        const { agent, unit } = await f.agentIn('in task', { worker: w1 });
        const q = await f.qualification();
        const g = await h.store.grantQualification({ qualificationId: q.id, workerId: w1.id });
        const o = await h.store.createOnboardingAgent({ workerId: w1.id, taskRunId: unit.taskRunId });
        const r = await h.store.createWorkerReview({ workerId: w1.id, unitId: unit.id });
        const run = await h.store.getTaskRun(unit.taskRunId);
        const all = [
          w1.id,
          agent.id,
          unit.id,
          unit.assignmentId,
          run.id,
          run.taskId,
          run.requesterId,
          q.id,
          g.id,
          o.id,
          r.id,
        ];
        expect(new Set(all).size).toBe(all.length);
        for (const id of all) {
          expect(typeof id).toBe('string');
          expect(h.ids.issued).toContain(id);
        }
        expect(totalRows(await h.store.countRows())).toBe(all.length);
      });
    },
  );
}
