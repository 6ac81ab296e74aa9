/**
 * Store conformance: failures. Every lookup of a missing row names the entity; every create with a
 * missing reference names the referenced entity and writes nothing; unusable values are
 * InvalidArgument; failed calls leave no partial rows and leak no transaction or connection.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, MephistoError } from '../../src/core/index.js';
import type { EntityKind } from '../../src/core/index.js';
import type { Store } from '../../src/store/store.js';
import { Fixtures, MISSING_ID, expectInvalidArgument, expectNotFound, rejectionOf } from './fixtures.js';
import { STORE_TARGETS, useStore } from './store-targets.js';

/** Ids a caller (a CLI user, a URL) might pass that name no row. */
const BAD_IDS = [
  MISSING_ID,
  '0',
  '1',
  'abc',
  '',
  ' 1000001',
  '1000001 ',
  '-5',
  '1.5',
  '1e7',
  '0x10',
  '99999999999999999999999',
];

/** Every lookup by id, with the entity it must name when nothing is found. */
const LOOKUPS: [string, EntityKind, (s: Store, id: string) => Promise<unknown>][] = [
  ['getProject', 'project', (s, id) => s.getProject(id)],
  ['getTask', 'task', (s, id) => s.getTask(id)],
  ['updateTask', 'task', (s, id) => s.updateTask(id, { name: 'x' })],
  ['getRequester', 'requester', (s, id) => s.getRequester(id)],
  ['getTaskRun', 'task_run', (s, id) => s.getTaskRun(id)],
  ['setTaskRunCompleted', 'task_run', (s, id) => s.setTaskRunCompleted(id, true)],
  ['getAssignment', 'assignment', (s, id) => s.getAssignment(id)],
  ['getUnit', 'unit', (s, id) => s.getUnit(id)],
  ['transitionUnit', 'unit', (s, id) => s.transitionUnit(id, { from: 'created', to: 'launched' })],
  ['getWorker', 'worker', (s, id) => s.getWorker(id)],
  ['getAgent', 'agent', (s, id) => s.getAgent(id)],
  ['transitionAgent', 'agent', (s, id) => s.transitionAgent(id, { from: 'none', to: 'accepted' })],
  ['getOnboardingAgent', 'onboarding_agent', (s, id) => s.getOnboardingAgent(id)],
  [
    'transitionOnboardingAgent',
    'onboarding_agent',
    (s, id) => s.transitionOnboardingAgent(id, { from: 'none', to: 'onboarding' }),
  ],
  ['getQualification', 'qualification', (s, id) => s.getQualification(id)],
  ['updateQualification', 'qualification', (s, id) => s.updateQualification(id, { name: 'x' })],
  ['deleteQualification', 'qualification', (s, id) => s.deleteQualification(id)],
];

const none = (): Promise<string> => Promise.resolve('');
const RUN = { initParams: '{}', providerType: 'mock', taskType: 'static_task' };

for (const target of STORE_TARGETS) {
  describe.skipIf(!target.available)(`store conformance [${target.name}]: failures`, () => {
    const h = useStore(target, { poolSize: 2 });
    const f = new Fixtures(() => h.store);

    it.each(LOOKUPS)('%s of a missing or malformed id → NotFound(%s)', async (_name, entity, call) => {
      // Make sure a row of the kind exists, so "missing" is not just "the table is empty".
      await f.agentIn('none');
      await f.onboardingAgentIn('none');
      await f.qualification();
      await f.project();
      const before = await h.store.countRows();
      for (const id of BAD_IDS) {
        const e = await expectNotFound(call(h.store, id), entity);
        expect(e.key, JSON.stringify(id)).toBe(id);
      }
      expect(await h.store.countRows()).toEqual(before);
    });

    it('getGrantedQualification and revokeQualification of malformed ids', async () => {
      const q = await f.qualification();
      const w = await f.worker();
      for (const id of BAD_IDS) {
        await expectNotFound(h.store.getGrantedQualification(id, w.id), 'granted_qualification');
        await expectNotFound(h.store.getGrantedQualification(q.id, id), 'granted_qualification');
        expect(await h.store.revokeQualification(q.id, id)).toBe(false);
      }
    });

    it('a find filtered by a malformed id matches nothing', async () => {
      await f.agentIn('completed');
      for (const id of ['abc', '', '1.5', '99999999999999999999999']) {
        expect(await h.store.findUnits({ assignmentId: id })).toEqual([]);
        expect(await h.store.countUnits({ agentId: id })).toBe(0);
        expect(await h.store.findAgents({ workerId: id })).toEqual([]);
        expect(await h.store.findTasks({ projectId: id })).toEqual([]);
        expect(await h.store.findGrantedQualifications({ qualificationId: id })).toEqual([]);
        expect(await h.store.findWorkerReviews({ unitId: id })).toEqual([]);
      }
    });

    describe('a missing reference → NotFound for the referenced entity, and nothing written', () => {
      /** [name, referenced entity, valid rows the call needs, the call with a bad reference]. */
      const cases: [
        string,
        EntityKind,
        (f: Fixtures) => Promise<string>,
        (s: Store, valid: string, bad: string) => Promise<unknown>,
      ][] = [
        [
          'task → project',
          'project',
          none,
          (s, _v, bad) => s.createTask({ name: 'x', taskType: 't', projectId: bad }),
        ],
        [
          'task → parent task',
          'task',
          none,
          (s, _v, bad) => s.createTask({ name: 'x', taskType: 't', parentTaskId: bad }),
        ],
        [
          'run → task',
          'task',
          async (f) => (await f.requester()).id,
          (s, requesterId, bad) => s.createTaskRun({ ...RUN, taskId: bad, requesterId }),
        ],
        [
          'run → requester',
          'requester',
          async (f) => (await f.task()).id,
          (s, taskId, bad) => s.createTaskRun({ ...RUN, taskId, requesterId: bad }),
        ],
        ['assignment → run', 'task_run', none, (s, _v, bad) => s.createAssignment(bad)],
        [
          'bulk assignments → run',
          'task_run',
          none,
          (s, _v, bad) => s.createAssignmentsWithUnits(bad, [{ units: [{ payAmount: 1 }] }]),
        ],
        [
          'unit → assignment',
          'assignment',
          none,
          (s, _v, bad) => s.createUnit({ assignmentId: bad, unitIndex: 0, payAmount: 1 }),
        ],
        [
          'agent → unit',
          'unit',
          async (f) => (await f.worker()).id,
          (s, workerId, bad) => s.createAgent({ workerId, unitId: bad }),
        ],
        [
          'agent → worker',
          'worker',
          async (f) => (await f.launchedUnit()).id,
          (s, unitId, bad) => s.createAgent({ workerId: bad, unitId }),
        ],
        [
          'onboarding agent → worker',
          'worker',
          async (f) => (await f.taskRun()).id,
          (s, taskRunId, bad) => s.createOnboardingAgent({ workerId: bad, taskRunId }),
        ],
        [
          'onboarding agent → run',
          'task_run',
          async (f) => (await f.worker()).id,
          (s, workerId, bad) => s.createOnboardingAgent({ workerId, taskRunId: bad }),
        ],
        [
          'grant → worker',
          'worker',
          async (f) => (await f.qualification()).id,
          (s, qualificationId, bad) => s.grantQualification({ qualificationId, workerId: bad }),
        ],
        [
          'grant → qualification',
          'qualification',
          async (f) => (await f.worker()).id,
          (s, workerId, bad) => s.grantQualification({ qualificationId: bad, workerId }),
        ],
        ['review → worker', 'worker', none, (s, _v, bad) => s.createWorkerReview({ workerId: bad })],
        [
          'review → unit',
          'unit',
          async (f) => (await f.worker()).id,
          (s, workerId, bad) => s.createWorkerReview({ workerId, unitId: bad }),
        ],
        [
          'review → task',
          'task',
          async (f) => (await f.worker()).id,
          (s, workerId, bad) => s.createWorkerReview({ workerId, taskId: bad }),
        ],
        [
          'updateTask → project',
          'project',
          async (f) => (await f.task()).id,
          (s, taskId, bad) => s.updateTask(taskId, { projectId: bad }),
        ],
      ];

      it.each(cases)('%s', async (_name, entity, prepare, call) => {
        const valid = await prepare(f);
        const before = await h.store.countRows();
        for (const bad of [MISSING_ID, 'abc']) {
          const error = await rejectionOf(call(h.store, valid, bad));
          expect(error, bad).toBeInstanceOf(MephistoError);
          expect(error, bad).toMatchObject({
            entity,
            code: `MEPHISTO_ERR_${entity.toUpperCase()}_NOT_FOUND`,
          });
        }
        expect(await h.store.countRows()).toEqual(before);
      });
    });

    describe('unusable values → InvalidArgument, nothing written', () => {
      it('pay amounts that are not finite numbers', async () => {
        const a = await f.assignment();
        const before = await h.store.countRows();
        for (const payAmount of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
          await expectInvalidArgument(h.store.createUnit({ assignmentId: a.id, unitIndex: 0, payAmount }));
          await expectInvalidArgument(
            h.store.createAssignmentsWithUnits(a.taskRunId, [{ units: [{ payAmount }] }]),
          );
        }
        expect(await h.store.countRows()).toEqual(before);
      });

      it('unit indices that are not integers', async () => {
        const a = await f.assignment();
        const before = await h.store.countRows();
        for (const unitIndex of [1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
          await expectInvalidArgument(h.store.createUnit({ assignmentId: a.id, unitIndex, payAmount: 1 }));
          await expectInvalidArgument(
            h.store.createAssignmentsWithUnits(a.taskRunId, [
              { units: [{ payAmount: 1 }, { unitIndex, payAmount: 1 }] },
            ]),
          );
        }
        expect(await h.store.countRows()).toEqual(before);
      });

      it('grant values that are not integers', async () => {
        const q = await f.qualification();
        const w = await f.worker();
        for (const value of [1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
          await expectInvalidArgument(
            h.store.grantQualification({ qualificationId: q.id, workerId: w.id, value }),
          );
        }
        expect(await h.store.findGrantedQualifications()).toEqual([]);
      });

      it('bonuses that are not finite numbers', async () => {
        const w = await f.worker();
        for (const bonus of [Number.NaN, Number.POSITIVE_INFINITY]) {
          await expectInvalidArgument(h.store.createWorkerReview({ workerId: w.id, bonus }));
        }
        expect(await h.store.findWorkerReviews()).toEqual([]);
      });

      it('assignment data that JSON cannot hold', async () => {
        const run = await f.taskRun();
        const circular: Record<string, unknown> = {};
        circular.self = circular;
        const before = await h.store.countRows();
        for (const data of [circular, { big: 10n }]) {
          const error = await rejectionOf(h.store.createAssignment(run.id, { data }));
          expect(error).toBeInstanceOf(InvalidArgumentError);
          await expectInvalidArgument(
            h.store.createAssignmentsWithUnits(run.id, [{ data, units: [{ payAmount: 1 }] }]),
          );
        }
        expect(await h.store.countRows()).toEqual(before);
      });

      it('a createAgent start status it does not allow', async () => {
        const unit = await f.launchedUnit();
        const w = await f.worker();
        for (const status of ['completed', 'approved', 'bogus']) {
          const error = await rejectionOf(
            h.store.createAgent({ workerId: w.id, unitId: unit.id, status: status as 'none' }),
          );
          expect(error).toBeInstanceOf(MephistoError);
        }
        expect(await h.store.getUnit(unit.id)).toEqual(unit);
        expect(await h.store.findAgents()).toEqual([]);
      });
    });

    it('a failed multi-row creation leaves no partial rows', async () => {
      const run = await f.taskRun();
      const before = await h.store.countRows();
      await expectInvalidArgument(
        h.store.createAssignmentsWithUnits(run.id, [
          { data: { ok: 1 }, units: [{ payAmount: 1 }, { payAmount: 1 }] },
          { data: { ok: 2 }, units: [{ payAmount: 1 }] },
          { data: { bad: true }, units: [{ payAmount: Number.NaN }] },
        ]),
      );
      expect(await h.store.countRows()).toEqual(before);
      expect(await h.store.findAssignments({ taskRunId: run.id })).toEqual([]);
    });

    it('failures leak no transaction or connection: the store keeps working (pool of 2 on PostgreSQL)', async () => {
      const unit = await f.launchedUnit();
      const w = await f.worker();
      await h.store.createAgent({ workerId: w.id, unitId: unit.id });
      const failing = [];
      for (let i = 0; i < 30; i++) {
        failing.push(rejectionOf(h.store.createAgent({ workerId: w.id, unitId: unit.id })));
        failing.push(rejectionOf(h.store.createTask({ name: '', taskType: 't' })));
        failing.push(
          rejectionOf(h.store.createUnit({ assignmentId: MISSING_ID, unitIndex: 0, payAmount: 1 })),
        );
        failing.push(rejectionOf(h.store.transitionUnit(unit.id, { from: 'launched', to: 'expired' })));
        failing.push(rejectionOf(h.store.createProject('NO_PROJECT')));
      }
      const errors = await Promise.all(failing);
      for (const e of errors) expect(e).toBeInstanceOf(MephistoError);
      const p = await h.store.createProject('still working');
      expect(await h.store.getProject(p.id)).toEqual(p);
      expect(await h.store.findAgents({ unitId: unit.id })).toHaveLength(1);
    });

    it('close() is idempotent', async () => {
      const store = await h.open(await h.newDatabase());
      await store.createProject('x');
      await store.close();
      await store.close();
    });
  });
}
