/**
 * Store conformance: the empty store, projects, tasks (with updateTask's rules), requesters, workers.
 */
import { describe, expect, it } from 'vitest';
import { NO_PROJECT, TaskHasRunsError } from '../../src/core/index.js';
import {
  Fixtures,
  MISSING_ID,
  expectAlreadyExists,
  expectInvalidArgument,
  expectNotFound,
  rejectionOf,
  totalRows,
} from './fixtures.js';
import { STORE_TARGETS, useStore } from './store-targets.js';

for (const target of STORE_TARGETS) {
  describe.skipIf(!target.available)(
    `store conformance [${target.name}]: projects, tasks, requesters, workers`,
    () => {
      const h = useStore(target);
      const f = new Fixtures(() => h.store);

      const expectId = (id: string): void => {
        expect(typeof id).toBe('string');
        expect(id).toMatch(/^[1-9][0-9]*$/);
        expect(h.ids.issued).toContain(id);
      };

      describe('an empty store', () => {
        it('finds nothing, with or without filters', async () => {
          const s = h.store;
          expect(await s.findProjects()).toEqual([]);
          expect(await s.findProjects({ name: 'x' })).toEqual([]);
          expect(await s.findTasks()).toEqual([]);
          expect(await s.findTasks({ projectId: null })).toEqual([]);
          expect(await s.findRequesters()).toEqual([]);
          expect(await s.findTaskRuns()).toEqual([]);
          expect(await s.findTaskRuns({ isCompleted: false })).toEqual([]);
          expect(await s.findAssignments()).toEqual([]);
          expect(await s.findUnits()).toEqual([]);
          expect(await s.findUnits({ agentId: null })).toEqual([]);
          expect(await s.countUnits()).toBe(0);
          expect(await s.findWorkers()).toEqual([]);
          expect(await s.findAgents()).toEqual([]);
          expect(await s.findOnboardingAgents()).toEqual([]);
          expect(await s.findQualifications()).toEqual([]);
          expect(await s.findGrantedQualifications()).toEqual([]);
          expect(await s.findWorkerReviews()).toEqual([]);
        });

        it('counts zero rows in every table', async () => {
          const counts = await h.store.countRows();
          expect(Object.keys(counts).length).toBeGreaterThanOrEqual(12);
          for (const [table, n] of Object.entries(counts)) expect(n, table).toBe(0);
        });

        it('reports its dialect and the injected clock and id generator', () => {
          expect(h.store.dialect).toBe(target.dialect);
          expect(h.store.clock).toBe(h.clock);
          expect(h.store.ids).toBe(h.ids);
        });
      });

      describe('projects', () => {
        it('create, get and find', async () => {
          h.clock.advance(1234);
          const p = await h.store.createProject('my project');
          expectId(p.id);
          expect(p).toEqual({ id: p.id, name: 'my project', creationDate: new Date(h.clock.now()) });
          expect(p.creationDate).toBeInstanceOf(Date);
          expect(await h.store.getProject(p.id)).toEqual(p);
          expect(await h.store.findProjects()).toEqual([p]);
          expect(await h.store.findProjects({ name: 'my project' })).toEqual([p]);
          expect(await h.store.findProjects({ name: 'other' })).toEqual([]);
          expect(await h.store.findProjects({})).toEqual([p]);
        });

        it('a taken name → AlreadyExists(project), nothing written', async () => {
          const p = await h.store.createProject('dup');
          const before = await h.store.countRows();
          await expectAlreadyExists(h.store.createProject('dup'), 'project');
          expect(await h.store.countRows()).toEqual(before);
          expect(await h.store.findProjects()).toEqual([p]);
        });

        it.each(['', NO_PROJECT])('refuses the name %j (InvalidArgument), nothing written', async (name) => {
          await expectInvalidArgument(h.store.createProject(name));
          expect(await h.store.findProjects()).toEqual([]);
          expect(totalRows(await h.store.countRows())).toBe(0);
        });

        it('a missing id → NotFound(project)', async () => {
          await expectNotFound(h.store.getProject(MISSING_ID), 'project', MISSING_ID);
        });

        it('names are exact: case, spaces and unicode are kept and distinguish', async () => {
          const a = await h.store.createProject('Projet été ✓');
          const b = await h.store.createProject('projet été ✓');
          const c = await h.store.createProject(' Projet été ✓ ');
          expect((await h.store.findProjects({ name: 'Projet été ✓' })).map((p) => p.id)).toEqual([a.id]);
          expect((await h.store.getProject(c.id)).name).toBe(' Projet été ✓ ');
          expect(new Set([a.id, b.id, c.id]).size).toBe(3);
        });
      });

      describe('tasks', () => {
        it('create, get and find by each filter', async () => {
          const project = await f.project();
          const other = await f.project();
          const parent = await h.store.createTask({ name: 'parent', taskType: 'static_task' });
          h.clock.advance(10);
          const t = await h.store.createTask({
            name: 'child',
            taskType: 'remote_procedure',
            projectId: project.id,
            parentTaskId: parent.id,
          });
          expectId(t.id);
          expect(t).toEqual({
            id: t.id,
            name: 'child',
            taskType: 'remote_procedure',
            projectId: project.id,
            parentTaskId: parent.id,
            creationDate: new Date(h.clock.now()),
          });
          expect(parent.projectId).toBeNull();
          expect(parent.parentTaskId).toBeNull();
          expect(await h.store.getTask(t.id)).toEqual(t);
          expect(await h.store.findTasks()).toEqual([parent, t]);
          expect(await h.store.findTasks({ name: 'child' })).toEqual([t]);
          expect(await h.store.findTasks({ name: 'nope' })).toEqual([]);
          expect(await h.store.findTasks({ projectId: project.id })).toEqual([t]);
          expect(await h.store.findTasks({ projectId: other.id })).toEqual([]);
          expect(await h.store.findTasks({ projectId: MISSING_ID })).toEqual([]);
          expect(await h.store.findTasks({ projectId: null })).toEqual([parent]);
          expect(await h.store.findTasks({ name: 'child', projectId: null })).toEqual([]);
          expect(await h.store.findTasks({ name: 'parent', projectId: null })).toEqual([parent]);
        });

        it('a taken name → AlreadyExists(task), even in another project; nothing written', async () => {
          const p1 = await f.project();
          const p2 = await f.project();
          const t = await h.store.createTask({ name: 'same', taskType: 'static_task', projectId: p1.id });
          const before = await h.store.countRows();
          await expectAlreadyExists(
            h.store.createTask({ name: 'same', taskType: 'other', projectId: p2.id }),
            'task',
          );
          expect(await h.store.countRows()).toEqual(before);
          expect(await h.store.findTasks()).toEqual([t]);
        });

        it('refuses an empty name or task type (InvalidArgument)', async () => {
          await expectInvalidArgument(h.store.createTask({ name: '', taskType: 'static_task' }));
          await expectInvalidArgument(h.store.createTask({ name: 'ok', taskType: '' }));
          expect(await h.store.findTasks()).toEqual([]);
        });

        it('a missing project → NotFound(project), no task written', async () => {
          await expectNotFound(
            h.store.createTask({ name: 't', taskType: 'static_task', projectId: MISSING_ID }),
            'project',
          );
          expect(await h.store.findTasks()).toEqual([]);
          expect(totalRows(await h.store.countRows())).toBe(0);
        });

        it('a missing parent task → NotFound(task), no task written', async () => {
          await expectNotFound(
            h.store.createTask({ name: 't', taskType: 'static_task', parentTaskId: MISSING_ID }),
            'task',
          );
          expect(await h.store.findTasks()).toEqual([]);
        });

        it('a missing id → NotFound(task)', async () => {
          await expectNotFound(h.store.getTask(MISSING_ID), 'task', MISSING_ID);
        });
      });

      describe('updateTask', () => {
        it('renames a task, keeping everything else', async () => {
          const t = await f.task({ name: 'old' });
          h.clock.advance(5000);
          const renamed = await h.store.updateTask(t.id, { name: 'new' });
          expect(renamed).toEqual({ ...t, name: 'new' });
          expect(await h.store.getTask(t.id)).toEqual(renamed);
          expect(await h.store.findTasks({ name: 'old' })).toEqual([]);
          expect(await h.store.findTasks({ name: 'new' })).toEqual([renamed]);
        });

        it('moves a task to a project and out of it', async () => {
          const p = await f.project();
          const t = await f.task();
          const moved = await h.store.updateTask(t.id, { projectId: p.id });
          expect(moved).toEqual({ ...t, projectId: p.id });
          expect(await h.store.findTasks({ projectId: p.id })).toEqual([moved]);
          const out = await h.store.updateTask(t.id, { projectId: null });
          expect(out).toEqual({ ...t, projectId: null });
          expect(await h.store.getTask(t.id)).toEqual(out);
        });

        it('renames and moves at once', async () => {
          const p = await f.project();
          const t = await f.task();
          const changed = await h.store.updateTask(t.id, { name: 'both', projectId: p.id });
          expect(changed).toEqual({ ...t, name: 'both', projectId: p.id });
          expect(await h.store.getTask(t.id)).toEqual(changed);
        });

        it('a name clash → AlreadyExists(task), task unchanged', async () => {
          await f.task({ name: 'taken' });
          const t = await f.task({ name: 'mine' });
          await expectAlreadyExists(h.store.updateTask(t.id, { name: 'taken' }), 'task');
          expect(await h.store.getTask(t.id)).toEqual(t);
        });

        it('an empty name → InvalidArgument, task unchanged', async () => {
          const t = await f.task();
          await expectInvalidArgument(h.store.updateTask(t.id, { name: '' }));
          expect(await h.store.getTask(t.id)).toEqual(t);
        });

        it('a missing project → NotFound(project), task unchanged', async () => {
          const p = await f.project();
          const t = await f.task({ projectId: p.id });
          await expectNotFound(h.store.updateTask(t.id, { projectId: MISSING_ID }), 'project');
          expect(await h.store.getTask(t.id)).toEqual(t);
        });

        it('a missing task → NotFound(task)', async () => {
          await expectNotFound(h.store.updateTask(MISSING_ID, { name: 'x' }), 'task', MISSING_ID);
        });

        it('is forbidden once the task has a run (TaskHasRunsError), task unchanged', async () => {
          const p = await f.project();
          const t = await f.task();
          await f.taskRun({ taskId: t.id });
          for (const change of [
            { name: 'renamed' },
            { projectId: p.id },
            { name: 'renamed', projectId: null },
          ]) {
            const error = await rejectionOf(h.store.updateTask(t.id, change));
            expect(error).toBeInstanceOf(TaskHasRunsError);
            expect(error).toMatchObject({ code: 'MEPHISTO_ERR_TASK_HAS_RUNS', taskId: t.id });
          }
          expect(await h.store.getTask(t.id)).toEqual(t);
        });
      });

      describe.each([
        {
          kind: 'requester' as const,
          create: (name: string, providerType: string) => h.store.createRequester({ name, providerType }),
          get: (id: string) => h.store.getRequester(id),
          find: (filter?: { name?: string; providerType?: string }) => h.store.findRequesters(filter),
        },
        {
          kind: 'worker' as const,
          create: (name: string, providerType: string) => h.store.createWorker({ name, providerType }),
          get: (id: string) => h.store.getWorker(id),
          find: (filter?: { name?: string; providerType?: string }) => h.store.findWorkers(filter),
        },
      ])('$kind', ({ kind, create, get, find }) => {
        it('create, get and find by each filter', async () => {
          h.clock.advance(77);
          const a = await create('alice', 'mock');
          h.clock.advance(1);
          const b = await create('bob_sandbox', 'mturk_sandbox');
          expectId(a.id);
          expect(a).toEqual({
            id: a.id,
            name: 'alice',
            providerType: 'mock',
            creationDate: new Date(h.clock.now() - 1),
          });
          expect(b).toEqual({
            id: b.id,
            name: 'bob_sandbox',
            providerType: 'mturk_sandbox',
            creationDate: new Date(h.clock.now()),
          });
          expect(await get(a.id)).toEqual(a);
          expect(await find()).toEqual([a, b]);
          expect(await find({ name: 'alice' })).toEqual([a]);
          expect(await find({ name: 'carol' })).toEqual([]);
          expect(await find({ providerType: 'mturk_sandbox' })).toEqual([b]);
          expect(await find({ providerType: 'prolific' })).toEqual([]);
          expect(await find({ name: 'alice', providerType: 'mock' })).toEqual([a]);
          expect(await find({ name: 'alice', providerType: 'mturk_sandbox' })).toEqual([]);
        });

        it(`a taken name → AlreadyExists(${kind}), even with another provider; nothing written`, async () => {
          const a = await create('same', 'mock');
          const before = await h.store.countRows();
          await expectAlreadyExists(create('same', 'prolific'), kind);
          expect(await h.store.countRows()).toEqual(before);
          expect(await find()).toEqual([a]);
        });

        it('refuses an empty name (InvalidArgument)', async () => {
          await expectInvalidArgument(create('', 'mock'));
          expect(await find()).toEqual([]);
        });

        it(`a missing id → NotFound(${kind})`, async () => {
          await expectNotFound(get(MISSING_ID), kind, MISSING_ID);
        });
      });

      it('requesters and workers have separate name spaces', async () => {
        const r = await h.store.createRequester({ name: 'shared-name', providerType: 'mock' });
        const w = await h.store.createWorker({ name: 'shared-name', providerType: 'mock' });
        expect(r.id).not.toBe(w.id);
        expect(await h.store.findWorkers({ name: 'shared-name' })).toEqual([w]);
      });
    },
  );
}
