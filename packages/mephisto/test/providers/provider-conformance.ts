/**
 * The CrowdProvider conformance suite: what every provider must do, whatever it talks to. Each
 * implementation runs it (`describeProviderConformance({...})` in its own test file); providers that
 * talk to a remote service run it against a fake of that service (the MTurk and Prolific fakes).
 *
 * It checks the port's contract: the type and sandbox flag, worker names, a link per launched unit,
 * and idempotency of every call, since a resumed run repeats setup, launch, expiry and teardown for the
 * same run and units; and the review duties, which must be safe to repeat with the same idempotency
 * key (the review service calls again after a crash).
 */
import { describe, expect, it } from 'vitest';
import type { Agent, Unit } from '../../src/core/index.js';
import type {
  CrowdProvider,
  ProviderDutyResult,
  ProviderRunContext,
  ReviewedWork,
} from '../../src/providers/crowd-provider.js';
import { testRunContext, testTaskRun, testUnits, testWorker } from './provider-fixtures.js';

export interface ProviderUnderTest {
  readonly provider: CrowdProvider;
  /**
   * Whether the provider's side currently offers the unit, for implementations whose backend can be
   * inspected (the mock's records, a fake service). Omitted when the provider keeps no such state.
   */
  isOffered?(unitId: string): boolean | Promise<boolean>;
  /**
   * Makes `work` (a launched unit of `context`) submitted work on the provider's side, for providers
   * whose review duties act on the platform's state (MTurk: the worker accepts the unit's HIT, the
   * agent registers, the assignment is submitted). Omitted when the provider needs nothing.
   */
  readonly submitWork?: (context: ProviderRunContext, work: ReviewedWork) => Promise<void>;
  /** Releases what `create` set up (a fake server, …). */
  close?(): Promise<void>;
}

export interface ProviderConformanceOptions {
  /** The provider's type string. */
  readonly type: string;
  readonly sandbox: boolean;
  /** A fresh provider (and its backend) for one test. */
  create(): ProviderUnderTest | Promise<ProviderUnderTest>;
  /** Asserts that `link` is the right link for `unit` (its exact shape is the provider's own). */
  checkLink(link: string, unit: Unit, context: ProviderRunContext): void;
}

export function describeProviderConformance(options: ProviderConformanceOptions): void {
  /** Runs `body` with a fresh provider, closing it afterwards even when the body fails. */
  async function withProvider(body: (subject: ProviderUnderTest) => Promise<void>): Promise<void> {
    const subject = await options.create();
    try {
      await body(subject);
    } finally {
      await subject.close?.();
    }
  }

  async function expectOffered(
    subject: ProviderUnderTest,
    units: readonly Unit[],
    offered: boolean,
  ): Promise<void> {
    if (subject.isOffered === undefined) return;
    for (const unit of units)
      expect(await subject.isOffered(unit.id), `unit ${unit.id} offered`).toBe(offered);
  }

  describe(`CrowdProvider conformance: ${options.type}`, () => {
    it('reports its type and whether it is a sandbox', () =>
      withProvider(({ provider }) => {
        expect(provider.type).toBe(options.type);
        expect(provider.sandbox).toBe(options.sandbox);
        return Promise.resolve();
      }));

    it('names workers as Mephisto does: `_sandbox` appended in sandboxes, else unchanged', () =>
      withProvider(({ provider }) => {
        const suffix = options.sandbox ? '_sandbox' : '';
        expect(provider.workerName('A1B2C3')).toBe(`A1B2C3${suffix}`);
        expect(provider.workerName('A1B2C3')).toBe(provider.workerName('A1B2C3'));
        expect(provider.workerName('other')).not.toBe(provider.workerName('A1B2C3'));
        return Promise.resolve();
      }));

    it('goes through setup → launch → expire → teardown', () =>
      withProvider(async (subject) => {
        const { provider } = subject;
        const context = testRunContext();
        const units = testUnits(3, context);
        await provider.setupRun(context);
        const links = await provider.launchUnits(context, units);
        expect([...links.keys()].sort()).toEqual(units.map((u) => u.id).sort());
        for (const unit of units) {
          const link = links.get(unit.id);
          expect(link, `link of unit ${unit.id}`).toBeDefined();
          expect(() => new URL(link ?? ''), link).not.toThrow();
          options.checkLink(link ?? '', unit, context);
        }
        await expectOffered(subject, units, true);
        await provider.expireUnits(context, units);
        await expectOffered(subject, units, false);
        await provider.teardownRun(context);
      }));

    it('launches nothing for an empty list', () =>
      withProvider(async ({ provider }) => {
        const context = testRunContext();
        await provider.setupRun(context);
        expect((await provider.launchUnits(context, [])).size).toBe(0);
        await provider.expireUnits(context, []);
        await provider.teardownRun(context);
      }));

    it('is idempotent: setup, launch, expire and teardown may all be repeated (a resumed run)', () =>
      withProvider(async (subject) => {
        const { provider } = subject;
        const context = testRunContext();
        const units = testUnits(2, context);
        await provider.setupRun(context);
        await provider.setupRun(context);
        const first = await provider.launchUnits(context, units);
        const again = await provider.launchUnits(context, units);
        expect(again).toEqual(first);
        await expectOffered(subject, units, true);
        await provider.expireUnits(context, units);
        await provider.expireUnits(context, units);
        await expectOffered(subject, units, false);
        await provider.teardownRun(context);
        await provider.teardownRun(context);
      }));

    it('accepts expiring units it never launched, and tearing down a run that launched nothing', () =>
      withProvider(async ({ provider }) => {
        const context = testRunContext();
        await provider.setupRun(context);
        await provider.expireUnits(context, testUnits(2, context));
        await provider.teardownRun(context);
      }));

    it('can set a run up again after tearing it down (a run resumed after a stop)', () =>
      withProvider(async (subject) => {
        const { provider } = subject;
        const context = testRunContext();
        await provider.setupRun(context);
        await provider.teardownRun(context);
        await provider.setupRun(context);
        const units = testUnits(1, context);
        expect((await provider.launchUnits(context, units)).size).toBe(1);
        await expectOffered(subject, units, true);
        await provider.teardownRun(context);
      }));

    it('keeps runs apart: expiring one run leaves the units of another on offer', () =>
      withProvider(async (subject) => {
        const { provider } = subject;
        const runA = testRunContext({ taskRun: testTaskRun('1500101') });
        // Another title: MTurk lists HITs of equal settings under one HIT group, hence one link.
        const runB = testRunContext({
          taskRun: testTaskRun('1500102'),
          taskArgs: { ...testRunContext().taskArgs, task_title: 'Rate other sentences' },
        });
        const unitsA = testUnits(1, runA, '2000101');
        const unitsB = testUnits(1, runB, '2000102');
        await provider.setupRun(runA);
        await provider.setupRun(runB);
        const linksA = await provider.launchUnits(runA, unitsA);
        const linksB = await provider.launchUnits(runB, unitsB);
        expect(linksA.get(unitsA[0]?.id ?? '')).not.toBe(linksB.get(unitsB[0]?.id ?? ''));
        await provider.expireUnits(runA, unitsA);
        await provider.teardownRun(runA);
        await expectOffered(subject, unitsB, true);
        await provider.teardownRun(runB);
      }));

    it('carries out review duties, each safe to repeat with the same idempotency key', () =>
      withProvider(async ({ provider, submitWork }) => {
        const context = testRunContext();
        const units = testUnits(2, context);
        const worker = testWorker(provider.workerName('reviewed'), options.type);
        // One unit's work is approved (and gets the bonus), the other's rejected.
        const [work, rejected] = units.map((unit, index): ReviewedWork => {
          const agent: Agent = {
            id: String(4000001 + index),
            workerId: worker.id,
            unitId: unit.id,
            taskId: unit.taskId,
            taskRunId: unit.taskRunId,
            assignmentId: unit.assignmentId,
            taskType: unit.taskType,
            providerType: unit.providerType,
            status: 'completed',
            creationDate: unit.creationDate,
          };
          return { unit: { ...unit, status: 'completed', workerId: worker.id }, agent, worker };
        });
        if (work === undefined || rejected === undefined) throw new Error('no units');
        const { agent } = work;
        if (submitWork !== undefined) {
          await provider.setupRun(context);
          await provider.launchUnits(context, units);
          await submitWork(context, work);
          await submitWork(context, rejected);
        }
        const results: ProviderDutyResult[] = [];
        for (let i = 0; i < 2; i++) {
          results.push(
            await provider.approveWork({ work, feedback: 'thanks', idempotencyKey: 'conf-approve' }),
          );
          results.push(
            await provider.rejectWork({ work: rejected, feedback: 'no', idempotencyKey: 'conf-reject' }),
          );
          results.push(
            await provider.payBonus({
              worker,
              unit: work.unit,
              agent,
              amount: 0.25,
              reason: 'well done',
              idempotencyKey: 'conf-bonus',
            }),
          );
          results.push(await provider.blockWorker({ worker, reason: 'spam', idempotencyKey: 'conf-block' }));
          results.push(await provider.unblockWorker({ worker, idempotencyKey: 'conf-unblock' }));
        }
        for (const result of results) expect(['done', 'manual']).toContain(result.status);
        // The repeat answers as the first call did.
        expect(results.slice(5).map((r) => r.status)).toEqual(results.slice(0, 5).map((r) => r.status));
      }));

    it('does not block a worker it knows nothing about', () =>
      withProvider(async ({ provider }) => {
        expect(
          await provider.isWorkerBlocked(testWorker(provider.workerName('newcomer'), options.type)),
        ).toBe(false);
      }));
  });
}
