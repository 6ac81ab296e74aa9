/**
 * Fault injection end to end (issue 6): review actions go through the review service (its ledger
 * reservation, the provider call, the settlement, `resumePendingDeliveries` at a restart) to the real
 * MTurk and Prolific providers pointed at their fakes, on a real store (a SQLite file, PostgreSQL).
 *
 * What is proved, on each platform and store:
 * - an approval pays once: the platform approves the work once, and the ledger has the reward and the
 *   platform's fee `paid` with the platform's reference;
 * - a bonus through 5xx, throttling and timeouts (the fakes' failNext) is paid exactly once;
 * - a crash (a call that never returns, not an error) after the platform paid but before the store
 *   recorded it, inside the provider before its own record, or after the ledger reserved the payment but
 *   before the platform was called, leaves the action and the ledger `pending`; a restarted process
 *   (store reopened, new provider, new review service) resumes it and the bonus is paid exactly once;
 * - a run's budget refuses an approval or a bonus beyond it without the platform being called.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CrowdProvider } from '../../src/providers/crowd-provider.js';
import { providerIdempotencyKey } from '../../src/review/provider-delivery.js';
import { ReviewService } from '../../src/review/review-service.js';
import type { ReviewActionKind, Store } from '../../src/store/store.js';
import { STORE_TARGETS, useStore } from '../store/store-targets.js';
import {
  diesIn,
  diesRecording,
  PLATFORMS,
  startPlatform,
  type FakePlatform,
  type PlatformName,
  type SubmittedRun,
} from './fake-platforms.js';
import { newKey } from './review-fixtures.js';

/** The platforms' fees in cents on the amounts used here: MTurk 20% (at least 1¢), Prolific ⅓ rounded up. */
const FEE: Record<PlatformName, Readonly<Record<number, number>>> = {
  mturk: { 24: 5, 50: 10, 100: 20 },
  prolific: { 24: 8, 50: 17, 100: 34 },
};

/** A bonus failure on the platform, and how many tries of the same request it takes to pay it. */
interface FaultCase {
  readonly name: string;
  readonly inject: (platform: FakePlatform) => void;
  /** Tries of the same request (same key): every one before the last is a failed delivery. */
  readonly tries: number;
  /** The provider's request timeout, ms. */
  readonly timeoutMs?: number;
  /** Waits between tries (for a payment the platform makes late). */
  readonly between?: (platform: FakePlatform) => Promise<void>;
  /** Calls that could pay (SendBonus; Prolific's `pay`) the platform got in all. */
  readonly sends: number;
}

function mturk(platform: FakePlatform) {
  if (platform.name !== 'mturk') throw new Error('an MTurk case on another platform');
  return platform.fake;
}

function prolific(platform: FakePlatform) {
  if (platform.name !== 'prolific') throw new Error('a Prolific case on another platform');
  return platform.fake;
}

async function until(condition: () => boolean, timeoutMs = 1500): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const FAULTS: Record<PlatformName, readonly FaultCase[]> = {
  mturk: [
    {
      name: 'a ServiceFault (HTTP 500) before MTurk acted, retried by the provider',
      inject: (p) => {
        mturk(p).failNext('SendBonus', 'serviceFault');
      },
      tries: 1,
      sends: 2,
    },
    {
      name: 'a ServiceFault after MTurk paid (reply lost): the retry carries the same UniqueRequestToken',
      inject: (p) => {
        mturk(p).failNext('SendBonus', 'serviceFault', { afterEffect: true });
      },
      tries: 1,
      sends: 2,
    },
    {
      name: 'throttling twice, retried by the provider',
      inject: (p) => {
        mturk(p).failNext('SendBonus', 'throttling', { times: 2 });
      },
      tries: 1,
      sends: 3,
    },
    {
      name: 'a timeout after MTurk paid: the retry carries the same UniqueRequestToken',
      inject: (p) => {
        mturk(p).failNext('SendBonus', 'slow', { delayMs: 1500, afterEffect: true });
      },
      tries: 1,
      sends: 2,
      timeoutMs: 500,
    },
    {
      name: 'ServiceFaults after MTurk paid until the retries ran out: the repeated request finds the payment',
      inject: (p) => {
        mturk(p).failNext('SendBonus', 'serviceFault', { afterEffect: true, times: 4 });
      },
      tries: 2,
      sends: 5,
    },
  ],
  prolific: [
    {
      name: 'a 500 and a 503 reading the submission, retried by the client',
      inject: (p) => {
        prolific(p).failNext('submissions.list', 'server_error');
        prolific(p).failNext('submissions.list', 'unavailable');
      },
      tries: 1,
      sends: 1,
    },
    {
      name: 'a 429 setting the bulk bonus up, retried after Retry-After',
      inject: (p) => {
        prolific(p).failNext('bonuses.create', 'rate_limit');
      },
      tries: 1,
      sends: 1,
    },
    {
      name: 'a 502 setting the bulk bonus up (a create is not retried): the repeated request pays',
      inject: (p) => {
        prolific(p).failNext('bonuses.create', 'bad_gateway');
      },
      tries: 2,
      sends: 1,
    },
    {
      name: 'a 429 on pay (refused, nothing paid): the repeated request pays',
      inject: (p) => {
        prolific(p).failNext('bonuses.pay', 'rate_limit');
      },
      tries: 2,
      sends: 2,
    },
    {
      name: 'a pay that timed out and went through late: the repeated request confirms it, never re-sends it',
      inject: (p) => {
        prolific(p).failNext('bonuses.pay', 'timeout', { delayMs: 700 });
      },
      tries: 2,
      sends: 1,
      timeoutMs: 400,
      between: (p) => until(() => p.paidBonuses().length > 0),
    },
  ],
};

function serviceOver(store: Store, provider: CrowdProvider): ReviewService {
  return new ReviewService({ store, providers: { forRun: () => provider, forWorker: () => provider } });
}

/** The run's ledger as [kind, cents, status, provider reference], oldest first. */
async function ledgerOf(store: Store, runId: string) {
  return (await store.findPayments({ taskRunId: runId })).map((p) => [
    p.kind,
    p.amountCents,
    p.status,
    p.providerReference,
  ]);
}

async function deliveriesOf(store: Store, unitId: string, action: ReviewActionKind) {
  const applied = await store.review.findReviewActions({ unitIds: [unitId], action, outcome: 'applied' });
  return applied.map((r) => r.delivery);
}

/** Sets the environment a review server reads credentials from; returns how to put it back. */
function setEnv(env: Readonly<Record<string, string>>): () => void {
  const saved = Object.keys(env).map((name) => [name, process.env[name]] as const);
  Object.assign(process.env, env);
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
  };
}

const TARGETS = STORE_TARGETS.filter((t) => t.name === 'sqlite-file' || t.name === 'postgres');

for (const target of TARGETS) {
  for (const name of PLATFORMS) {
    describe.skipIf(!target.available)(`provider payments end to end [${name} fake, ${target.name}]`, () => {
      const h = useStore(target);
      let platform: FakePlatform;
      const fee = FEE[name];

      beforeEach(async () => {
        platform = await startPlatform(name);
      });
      afterEach(async () => {
        await platform.close();
      });

      /** A crashed process is gone (its connections closed); a new one opens the database. */
      async function restart(): Promise<{ store: Store; service: ReviewService }> {
        await h.store.close();
        const store = await h.open(h.config);
        return { store, service: serviceOver(store, platform.provider(store)) };
      }

      /** The unit's bonus of `cents` under `clientKey` paid exactly once, on the platform and in the store. */
      async function expectBonusPaidOnce(
        store: Store,
        work: SubmittedRun,
        clientKey: string,
        cents: number,
      ): Promise<void> {
        const unit = work.units[0];
        if (!unit) throw new Error('no unit');
        const providerKey = providerIdempotencyKey(clientKey, `unit:${unit.id}`);
        const paid = platform.paidBonuses();
        expect(paid.map((b) => b.cents)).toEqual([cents]);
        const reference = paid[0]?.reference ?? '';
        if (platform.name === 'mturk') {
          expect(paid[0]?.token).toBe(providerKey);
          expect(reference).toBe(`${work.refs[0] ?? ''}/${providerKey}`);
        }
        expect(await platform.bonusClaim(store, providerKey)).toBe('done');
        expect(await ledgerOf(store, work.run.id)).toEqual([
          ['bonus', cents, 'paid', reference],
          ['fee', fee[cents], 'paid', reference],
        ]);
        const [totals] = await store.sumPayments([work.run.id]);
        expect(totals).toMatchObject({
          paidCents: cents + (fee[cents] ?? 0),
          pendingCents: 0,
          bonusCents: cents,
          rewardCents: 0,
        });
        expect(await deliveriesOf(store, unit.id, 'bonus')).toEqual(['done']);
      }

      it('approving a submitted unit pays once: the platform approves it once, the ledger has reward and fee paid with its reference', async () => {
        const work = await platform.submittedRun(h.store, 2, { pay: 0.5 });
        const [a, b] = work.units;
        if (!a || !b) throw new Error('seed');
        // Providers built from the run's stored config, credentials from the environment: a review server.
        const restoreEnv = setEnv(platform.env);
        try {
          const service = new ReviewService({ store: h.store });
          const key = newKey();
          const first = await service.actOnUnit(a.id, { action: 'approve', idempotency_key: key });
          expect(first).toMatchObject({ applied: true, provider: { state: 'done', message: null } });
          const replay = await service.actOnUnit(a.id, { action: 'approve', idempotency_key: key });
          expect(replay).toMatchObject({ applied: false, provider: { state: 'done' } });
          const again = await service.actOnUnit(a.id, { action: 'approve', idempotency_key: newKey() });
          expect(again.applied).toBe(false);
        } finally {
          restoreEnv();
        }
        expect(platform.approved()).toEqual([work.refs[0]]);
        expect(platform.approveCalls()).toBe(1);
        if (platform.name === 'mturk')
          // MTurk's own books (debits): the same reward and commission, once.
          expect(platform.fake.ledger().map((e) => [e.kind, e.cents, e.assignmentId])).toEqual([
            ['reward', -50, work.refs[0]],
            ['reward_fee', -10, work.refs[0]],
          ]);
        expect(await ledgerOf(h.store, work.run.id)).toEqual([
          ['reward', 50, 'paid', work.refs[0]],
          ['fee', fee[50], 'paid', work.refs[0]],
        ]);
        const [totals] = await h.store.sumPayments([work.run.id]);
        expect(totals).toMatchObject({
          paidCents: 50 + (fee[50] ?? 0),
          pendingCents: 0,
          rewardCents: 50,
          feeCents: fee[50],
          bonusCents: 0,
        });
        expect((await h.store.getUnit(a.id)).status).toBe('accepted');
        expect((await h.store.getUnit(b.id)).status).toBe('completed');
        expect(await deliveriesOf(h.store, a.id, 'approve')).toEqual(['done']);
      });

      for (const fault of FAULTS[name]) {
        it(`a bonus is paid exactly once through ${fault.name}`, async () => {
          const work = await platform.submittedRun(h.store, 1);
          const [unit] = work.units;
          if (!unit) throw new Error('seed');
          const provider = platform.provider(
            h.store,
            fault.timeoutMs === undefined ? {} : { requestTimeoutMs: fault.timeoutMs },
          );
          const service = serviceOver(h.store, provider);
          fault.inject(platform);
          const key = newKey();
          const request = {
            action: 'bonus',
            amount: 1,
            reason: 'careful work',
            idempotency_key: key,
          } as const;
          for (let i = 1; i < fault.tries; i++) {
            const failed = await service.actOnUnit(unit.id, request);
            expect(failed.provider?.state).toBe('failed');
            // Not recorded paid: the repeated request settles the same entries.
            const ledger = await h.store.findPayments({ taskRunId: work.run.id });
            expect(ledger.map((p) => p.status)).not.toContain('paid');
            await fault.between?.(platform);
          }
          const result = await service.actOnUnit(unit.id, request);
          expect(result).toMatchObject({ applied: fault.tries === 1, provider: { state: 'done' } });
          await expectBonusPaidOnce(h.store, work, key, 100);
          expect(platform.bonusSends()).toBe(fault.sends);
        });
      }

      if (name === 'prolific')
        it('a 5xx on the non-idempotent pay is never sent again under its key: retries fail, nothing is paid twice, the ledger never says paid', async () => {
          const work = await platform.submittedRun(h.store, 1);
          const [unit] = work.units;
          if (!unit) throw new Error('seed');
          const service = serviceOver(h.store, platform.provider(h.store));
          prolific(platform).failNext('bonuses.pay', 'server_error');
          const request = {
            action: 'bonus',
            amount: 1,
            reason: 'careful work',
            idempotency_key: newKey(),
          } as const;
          const first = await service.actOnUnit(unit.id, request);
          expect(first.provider?.state).toBe('failed');
          expect(first.provider?.message).toMatch(/may have been sent/);
          const retry = await service.actOnUnit(unit.id, request);
          expect(retry.provider?.state).toBe('failed');
          expect(retry.provider?.message).toMatch(/not paying again/);
          expect(platform.bonusSends()).toBe(1);
          expect(platform.paidBonuses()).toEqual([]);
          const ledger = await h.store.findPayments({ taskRunId: work.run.id });
          expect(ledger.map((p) => [p.kind, p.amountCents])).toEqual([
            ['bonus', 100],
            ['fee', fee[100]],
          ]);
          expect(ledger.map((p) => p.status)).not.toContain('paid');
        });

      const crashes = [
        {
          name: 'after the platform paid, before the store recorded it',
          crash: (store: Store) => diesIn(platform.provider(store), 'payBonus', 'after-platform'),
          paidAtCrash: 1,
          claimAtCrash: 'done',
          // The provider had recorded the payment: the restart asks the platform nothing.
          sends: { mturk: 1, prolific: 1 },
        },
        {
          name: 'inside the provider, after the platform paid, before the provider recorded it',
          crash: (store: Store) => {
            const dying = diesRecording(store, (record) => platform.recordsBonusPaid(record));
            return { value: platform.provider(dying.value), crashed: dying.crashed };
          },
          paidAtCrash: 1,
          claimAtCrash: 'sending',
          // MTurk: sent again with the same UniqueRequestToken, refused as processed, found listed.
          // Prolific: the pay claim is confirmed from the submission's payments, never re-sent.
          sends: { mturk: 2, prolific: 1 },
        },
        {
          name: 'after the ledger reserved the bonus, before the platform was called',
          crash: (store: Store) => diesIn(platform.provider(store), 'payBonus', 'before-platform'),
          paidAtCrash: 0,
          claimAtCrash: null,
          sends: { mturk: 1, prolific: 1 },
        },
      ] as const;

      for (const c of crashes) {
        it(`a crash ${c.name}: a restarted review server resumes it and the bonus is paid exactly once`, async () => {
          const work = await platform.submittedRun(h.store, 1);
          const [unit] = work.units;
          if (!unit) throw new Error('seed');
          const dying = c.crash(h.store);
          const key = newKey();
          const request = {
            action: 'bonus',
            amount: 1,
            reason: 'careful work',
            idempotency_key: key,
          } as const;
          // The process dies inside this call: it never answers.
          void serviceOver(h.store, dying.value).actOnUnit(unit.id, request);
          await dying.crashed;
          expect(platform.paidBonuses()).toHaveLength(c.paidAtCrash);
          const providerKey = providerIdempotencyKey(key, `unit:${unit.id}`);
          expect(await platform.bonusClaim(h.store, providerKey)).toBe(c.claimAtCrash);
          expect(await ledgerOf(h.store, work.run.id)).toEqual([
            ['bonus', 100, 'pending', null],
            ['fee', fee[100], 'pending', null],
          ]);
          expect(await deliveriesOf(h.store, unit.id, 'bonus')).toEqual(['pending']);

          const restarted = await restart();
          expect(await restarted.service.resumePendingDeliveries()).toBe(1);
          await expectBonusPaidOnce(restarted.store, work, key, 100);
          expect(platform.bonusSends()).toBe(c.sends[name]);
          // Nothing is left to resume, and the reviewer repeating the request changes nothing.
          expect(await restarted.service.resumePendingDeliveries()).toBe(0);
          const repeat = await restarted.service.actOnUnit(unit.id, request);
          expect(repeat).toMatchObject({ applied: false, provider: { state: 'done' } });
          await expectBonusPaidOnce(restarted.store, work, key, 100);
          expect(platform.bonusSends()).toBe(c.sends[name]);
        });
      }

      it('a crash after the platform approved, before the store recorded it: the restart records the approval and its reward once', async () => {
        const work = await platform.submittedRun(h.store, 1);
        const [unit] = work.units;
        if (!unit) throw new Error('seed');
        const dying = diesIn(platform.provider(h.store), 'approveWork', 'after-platform');
        void serviceOver(h.store, dying.value).actOnUnit(unit.id, {
          action: 'approve',
          idempotency_key: newKey(),
        });
        await dying.crashed;
        expect(platform.approved()).toEqual([work.refs[0]]);
        expect(await ledgerOf(h.store, work.run.id)).toEqual([
          ['reward', 50, 'pending', null],
          ['fee', fee[50], 'pending', null],
        ]);
        const restarted = await restart();
        expect(await restarted.service.resumePendingDeliveries()).toBe(1);
        expect(platform.approveCalls()).toBe(1);
        expect(await ledgerOf(restarted.store, work.run.id)).toEqual([
          ['reward', 50, 'paid', work.refs[0]],
          ['fee', fee[50], 'paid', work.refs[0]],
        ]);
        expect(await deliveriesOf(restarted.store, unit.id, 'approve')).toEqual(['done']);
      });

      it("the run's budget refuses an approval and a bonus beyond it without calling the platform", async () => {
        const work = await platform.submittedRun(h.store, 2, { pay: 0.5, budget: 1 });
        const [a, b] = work.units;
        if (!a || !b) throw new Error('seed');
        const service = serviceOver(h.store, platform.provider(h.store));
        const approved = await service.actOnUnit(a.id, { action: 'approve', idempotency_key: newKey() });
        expect(approved.provider?.state).toBe('done');

        const calls = platform.calls();
        const over = await service.actOnUnit(b.id, { action: 'approve', idempotency_key: newKey() });
        expect(over.provider?.state).toBe('failed');
        expect(over.provider?.message).toMatch(/over its budget of \$1\.00/);
        const bonus = await service.actOnUnit(a.id, {
          action: 'bonus',
          amount: 0.5,
          reason: 'over',
          idempotency_key: newKey(),
        });
        expect(bonus.provider?.state).toBe('failed');
        expect(platform.calls()).toBe(calls);
        expect(platform.approved()).toEqual([work.refs[0]]);
        expect(platform.paidBonuses()).toEqual([]);

        // What still fits is paid.
        const small = await service.actOnUnit(a.id, {
          action: 'bonus',
          amount: 0.24,
          reason: 'fits',
          idempotency_key: newKey(),
        });
        expect(small.provider?.state).toBe('done');
        expect(platform.paidBonuses().map((p) => p.cents)).toEqual([24]);
        const [totals] = await h.store.sumPayments([work.run.id]);
        const spent = 50 + (fee[50] ?? 0) + 24 + (fee[24] ?? 0);
        expect(totals).toMatchObject({ paidCents: spent, pendingCents: 0 });
        expect(spent).toBeLessThanOrEqual(100);
      });
    });
  }
}
