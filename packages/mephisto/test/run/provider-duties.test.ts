/**
 * What the engine asks of providers backed by a real platform, on every store: the page's provider data
 * reaches `registerAgent` (whose refusal gives the worker `provider_refused` and the unit back), the
 * run is reconciled with the platform at start and at the end, and a run budget holds launching back.
 */
import { describe, expect, it } from 'vitest';
import type {
  ProviderAgentRegistration,
  ProviderChargeKind,
  ProviderReconcileContext,
  ProviderReconcileReport,
  ProviderRunContext,
} from '../../src/providers/crowd-provider.js';
import { ReviewService } from '../../src/review/review-service.js';
import { refusalMessage } from '../../src/run/index.js';
import { STORE_TARGETS, useStore } from '../store/store-targets.js';
import { FakeProvider, items, launch, makeConfig, settle, take } from './engine-fakes.js';

class PlatformProvider extends FakeProvider {
  readonly registrations: ProviderAgentRegistration[] = [];
  readonly reconciles: { liveUnitIds: string[]; runOver: boolean }[] = [];
  refuseRegistration = false;

  registerAgent(_context: ProviderRunContext, registration: ProviderAgentRegistration): Promise<void> {
    if (this.refuseRegistration) return Promise.reject(new Error('preview: no assignment id'));
    this.registrations.push(registration);
    return Promise.resolve();
  }

  reconcileRun(context: ProviderReconcileContext): Promise<ProviderReconcileReport> {
    this.reconciles.push({ liveUnitIds: [...context.liveUnitIds].sort(), runOver: context.runOver });
    return Promise.resolve({ withdrawn: 0, relaunched: 0, recorded: 0, notes: [] });
  }

  /** MTurk's 20%. */
  feeFor(amount: number, _kind: ProviderChargeKind): number {
    return Math.round(amount * 20) / 100;
  }
}

for (const target of STORE_TARGETS) {
  describe.skipIf(!target.available)(`engine and platform providers [${target.name}]`, () => {
    const h = useStore(target);

    it('registerAgent gets the unit, agent, worker and every field of the page’s provider data', async () => {
      const provider = new PlatformProvider();
      const { run, operator } = await launch(h.store, h.clock, { provider });
      const details = await run.requestAgent({
        worker_name: 'A1',
        agent_registration_id: 'ASSIGN-1-A1',
        assignment_id: 'ASSIGN-1',
        hit_id: 'HIT-9',
      });
      expect(details.agent_id).not.toBeNull();
      expect(provider.registrations).toHaveLength(1);
      const [registration] = provider.registrations;
      expect(registration?.agent.id).toBe(details.agent_id);
      expect(registration?.unit.id).toBe(details.unit_id);
      expect(registration?.worker.name).toBe('A1_sandbox');
      expect(registration?.providerData).toMatchObject({ assignment_id: 'ASSIGN-1', hit_id: 'HIT-9' });
      await operator.shutdown();
    });

    it('a refused registration tells the worker provider_refused and offers the unit again', async () => {
      const provider = new PlatformProvider();
      const { run, operator } = await launch(h.store, h.clock, { provider, data: items(1) });
      provider.refuseRegistration = true;
      const refused = await run.requestAgent({ worker_name: 'previewer' });
      expect(refused).toMatchObject({
        agent_id: null,
        failure_code: 'provider_refused',
        failure_reason: refusalMessage('provider_refused'),
      });
      const [unit] = await h.store.findUnits({ taskRunId: run.taskRun.id });
      expect(unit?.status).toBe('launched');
      const agents = await h.store.findAgents({ taskRunId: run.taskRun.id });
      expect(agents.map((a) => a.status)).toEqual(['disconnect']);
      provider.refuseRegistration = false;
      const taken = await take(run, 'accepted');
      expect(taken.unitId).toBe(unit?.id);
      await operator.shutdown();
    });

    it('reconciles with the platform at start (units live) and at the end (run over)', async () => {
      const provider = new PlatformProvider();
      const { run, operator } = await launch(h.store, h.clock, { provider, data: items(2) });
      expect(provider.reconciles).toEqual([{ liveUnitIds: [], runOver: false }]);
      const taken = await take(run, 'w1');
      await operator.shutdown();
      expect(provider.reconciles).toHaveLength(2);
      expect(provider.reconciles[1]?.runOver).toBe(true);
      // Shutdown expired everything first, so nothing is live any more.
      expect(provider.reconciles[1]?.liveUnitIds).not.toContain(taken.unitId);
    });

    it('budget_in_dollars: launches only what the budget could pay, and launches more as rejections free it', async () => {
      const provider = new PlatformProvider();
      // Reward 0.50 + 20% fee = 60 cents a unit; $1.30 pays two units.
      const config = makeConfig({ provider: { budget_in_dollars: 1.3 } });
      const { run, operator } = await launch(h.store, h.clock, { provider, config, data: items(5) });
      await expect.poll(() => h.store.countUnits({ taskRunId: run.taskRun.id })).toBe(2);
      const counts = await h.store.countUnitsByStatus({ taskRunId: run.taskRun.id });
      expect(counts.launched).toBe(2);
      // The rest of the data is not even read yet.
      expect(await h.store.countUnits({ taskRunId: run.taskRun.id })).toBe(2);
      const first = await take(run, 'w1');
      await run.submitUnit(first.agentId, { ok: true });
      await settle();
      // Submitted work awaiting review still counts: nothing more is launched.
      expect((await h.store.countUnitsByStatus({ taskRunId: run.taskRun.id })).launched).toBe(1);
      // A rejection (in the review app, another process) frees its share; the run looks again later.
      const review = new ReviewService({
        store: h.store,
        providers: { forRun: () => provider, forWorker: () => provider },
      });
      await review.actOnUnit(first.unitId, {
        action: 'reject',
        feedback: 'empty',
        idempotency_key: 'reject-1',
      });
      h.clock.advance(30_000);
      await expect
        .poll(async () => (await h.store.countUnitsByStatus({ taskRunId: run.taskRun.id })).launched)
        .toBe(2);
      await operator.shutdown();
    });
  });
}
