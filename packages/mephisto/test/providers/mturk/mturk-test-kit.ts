/**
 * An MTurk provider pointed at the MTurk fake of `@mephisto-ts/testing`, for the MTurk tests: the same
 * clock for both, an instant retry sleep (recording the delays asked for), AWS keys the fake verifies.
 */
import { MturkFake, type MturkFakeOptions } from '@mephisto-ts/testing/mturk-fake';
import {
  MturkProviderArgsSchema,
  MturkSandboxProviderArgsSchema,
} from '../../../src/core/config/provider-args.js';
import type { ProviderRunContext, ReviewedWork } from '../../../src/providers/crowd-provider.js';
import { MturkProvider, type MturkProviderOptions } from '../../../src/providers/mturk/mturk-provider.js';
import type { ProviderRecordStore } from '../../../src/providers/mturk/mturk-records.js';
import { MemoryProviderRecords } from './memory-provider-records.js';

export const TEST_KEYS = { accessKeyId: 'AKIDMEPHISTOTS', secretAccessKey: 'mephisto-ts-test-secret' };
export const TEST_ENV = {
  AWS_ACCESS_KEY_ID: TEST_KEYS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: TEST_KEYS.secretAccessKey,
};

/** A clock tests move by hand (shared by the fake and the provider). */
export class TestClock {
  constructor(public ms = Date.UTC(2026, 0, 5, 12)) {}
  now(): number {
    return this.ms;
  }
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

export interface MturkHarness {
  readonly fake: MturkFake;
  readonly provider: MturkProvider;
  readonly store: ProviderRecordStore;
  readonly clock: TestClock;
  /** Delays the provider waited between retries, in order. */
  readonly sleeps: number[];
  /** A second provider on the same fake and (unless given another) store: a restarted process. */
  restart(options?: MturkProviderOptions, store?: ProviderRecordStore): MturkProvider;
  close(): Promise<void>;
}

export interface MturkHarnessOptions {
  readonly type?: 'mturk' | 'mturk_sandbox';
  /** @default records in memory */
  readonly store?: ProviderRecordStore;
  readonly clock?: TestClock;
  readonly fake?: MturkFakeOptions;
  readonly providerArgs?: Record<string, unknown>;
  readonly providerOptions?: MturkProviderOptions;
}

export async function startMturkHarness(options: MturkHarnessOptions = {}): Promise<MturkHarness> {
  const clock = options.clock ?? new TestClock();
  const fake = await MturkFake.start({ credentials: [TEST_KEYS], clock, ...options.fake });
  const store = options.store ?? new MemoryProviderRecords();
  const schema = options.type === 'mturk' ? MturkProviderArgsSchema : MturkSandboxProviderArgsSchema;
  const args = schema.parse({ endpoint: fake.endpoint, ...options.providerArgs });
  const sleeps: number[] = [];
  const providers: MturkProvider[] = [];
  const make = (extra: MturkProviderOptions = {}, records: ProviderRecordStore = store): MturkProvider => {
    const provider = new MturkProvider(
      args,
      { store: records, env: TEST_ENV },
      {
        clock,
        sleep: (ms) => {
          sleeps.push(ms);
          return Promise.resolve();
        },
        retry: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 100 },
        requestTimeoutMs: 3000,
        ...options.providerOptions,
        ...extra,
      },
    );
    providers.push(provider);
    return provider;
  };
  const provider = make();
  return {
    fake,
    provider,
    store,
    clock,
    sleeps,
    restart: make,
    async close() {
      for (const p of providers) p.close();
      await fake.close();
    },
  };
}

/** The HIT currently serving the unit, from the provider's records. */
export async function hitOf(provider: MturkProvider, unitId: string): Promise<string> {
  const hitId = (await provider.records.getUnit(unitId))?.data.hitId ?? null;
  if (hitId === null) throw new Error(`unit ${unitId} has no HIT`);
  return hitId;
}

/** Whether the fake offers the unit's current HIT. */
export async function isOffered(h: MturkHarness, unitId: string): Promise<boolean> {
  const hitId = (await h.provider.records.getUnit(unitId))?.data.hitId ?? null;
  return hitId !== null && h.fake.hit(hitId).status === 'Assignable';
}

/**
 * The worker accepts the unit's HIT on the fake, the agent registers with the provider, and the
 * assignment is submitted: the unit's work is then reviewable on MTurk.
 */
export async function submitWork(
  h: MturkHarness,
  context: ProviderRunContext,
  work: ReviewedWork,
): Promise<string> {
  const hitId = await hitOf(h.provider, work.unit.id);
  const accepted = h.fake.acceptHit(hitId, h.provider.mturkWorkerId(work.worker));
  await h.provider.registerAgent(context, {
    unit: work.unit,
    agent: work.agent,
    worker: work.worker,
    providerData: { assignment_id: accepted.assignmentId, hit_id: hitId },
  });
  h.fake.submitAssignment(accepted.assignmentId, { answer: 'done' });
  return accepted.assignmentId;
}
