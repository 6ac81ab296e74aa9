/**
 * Reviewable work on the MTurk and Prolific fakes of `@mephisto-ts/testing`, for the review service's
 * end-to-end payment tests: a task run in a real store whose stored config names the provider and the
 * fake's endpoint, units launched through the real provider, each taken on the fake by its own worker
 * (the agent registered with the provider) and submitted on the fake and in the store.
 *
 * Also the doubles that kill a process mid-payment: a provider whose duty never answers (before or after
 * the platform acted) and a record store that never answers when the provider records a payment. A
 * crashed process is a call that never settles, not a thrown error: nothing after it runs.
 */
import { MturkFake } from '@mephisto-ts/testing/mturk-fake';
import { ProlificFake } from '@mephisto-ts/testing/prolific-fake';
import {
  MturkSandboxProviderArgsSchema,
  ProlificProviderArgsSchema,
} from '../../src/core/config/provider-args.js';
import type { Agent, TaskRun, Unit, Worker } from '../../src/core/index.js';
import type {
  CrowdProvider,
  ProviderBonusRequest,
  ProviderRunContext,
  ProviderWorkReview,
} from '../../src/providers/crowd-provider.js';
import { MturkProvider } from '../../src/providers/mturk/mturk-provider.js';
import { ProlificProvider } from '../../src/providers/prolific/prolific-provider.js';
import type { NewProviderRecord, Store } from '../../src/store/store.js';

export type PlatformName = 'mturk' | 'prolific';
export const PLATFORMS: readonly PlatformName[] = ['mturk', 'prolific'];

/** AWS keys the MTurk fake verifies (SigV4), as a review server's environment would hold them. */
const MTURK_KEYS = { accessKeyId: 'AKIDREVIEWFAULTS', secretAccessKey: 'review-faults-test-secret' };

const SERVER_URL = 'http://127.0.0.1:43124';

const TASK_ARGS = {
  task_title: 'Rate sentences',
  task_description: 'Say whether each sentence reads well.',
  task_tags: 'rating,sentences',
  task_lifetime_in_seconds: 7200,
  assignment_duration_in_seconds: 900,
};

/** Submitted work of one run, in unit order. */
export interface SubmittedRun {
  readonly run: TaskRun;
  readonly context: ProviderRunContext;
  /** The units, `completed` in the store. */
  readonly units: readonly Unit[];
  readonly workers: readonly Worker[];
  readonly agents: readonly Agent[];
  /** Each unit's work on the platform: the MTurk assignment id or the Prolific submission id. */
  readonly refs: readonly string[];
}

/** A bonus the platform paid (one per payment: a repeated Prolific `pay` shows twice). */
export interface PaidBonus {
  readonly cents: number;
  /** The reference the provider reports for it (MTurk `<assignment>/<token>`, Prolific the bulk bonus id). */
  readonly reference: string;
  /** MTurk's UniqueRequestToken it came with (null on Prolific). */
  readonly token: string | null;
}

export interface ProviderBuildOptions {
  /** One request's timeout, ms. @default 2000 */
  readonly requestTimeoutMs?: number;
}

interface PlatformCommon {
  readonly providerType: 'mturk_sandbox' | 'prolific';
  /** Credentials as a review server's environment holds them (for providers built from the run's config). */
  readonly env: Readonly<Record<string, string>>;
  /** A provider over `store` and the fake, as a freshly started process builds it (instant retry waits). */
  provider(store: Store, options?: ProviderBuildOptions): CrowdProvider;
  /** A run of `count` units launched through the provider, each taken and submitted by its own worker. */
  submittedRun(
    store: Store,
    count: number,
    options?: { pay?: number; budget?: number },
  ): Promise<SubmittedRun>;
  /** The work the platform shows approved (assignment or submission ids). */
  approved(): string[];
  /** Approval calls the platform received. */
  approveCalls(): number;
  /** Bonuses the platform paid. */
  paidBonuses(): PaidBonus[];
  /** Calls that could pay a bonus (MTurk SendBonus, Prolific's bulk-bonus `pay`). */
  bonusSends(): number;
  /** Every API call the platform received so far. */
  calls(): number;
  /** Whether `record` is the provider recording that a bonus went through (the crash point inside it). */
  recordsBonusPaid(record: NewProviderRecord): boolean;
  /** The provider's own record of the bonus under `providerKey`: `sending`, `done`, or null when none. */
  bonusClaim(store: Store, providerKey: string): Promise<'sending' | 'done' | null>;
  close(): Promise<void>;
}

export type FakePlatform =
  | (PlatformCommon & { readonly name: 'mturk'; readonly fake: MturkFake })
  | (PlatformCommon & { readonly name: 'prolific'; readonly fake: ProlificFake });

const instant = (): Promise<void> => Promise.resolve();
let runs = 0;

/** The task, requester and run in the store, the run's config naming the provider as launched. */
async function newRun(
  store: Store,
  providerType: string,
  providerArgs: Record<string, unknown>,
  taskArgs: Record<string, unknown>,
): Promise<TaskRun> {
  const n = ++runs;
  const task = await store.createTask({ name: `provider-payments-${n}`, taskType: 'static_task' });
  const requester = await store.createRequester({ name: `requester-${n}`, providerType });
  return store.createTaskRun({
    taskId: task.id,
    requesterId: requester.id,
    initParams: JSON.stringify({ mephisto: { provider: providerArgs, task: taskArgs } }),
    providerType,
    taskType: 'static_task',
  });
}

/** Units created, launched through `provider`, then `launched` in the store (as the launcher does). */
async function launchUnits(
  store: Store,
  provider: CrowdProvider,
  context: ProviderRunContext,
  count: number,
  pay: number,
): Promise<Unit[]> {
  await provider.setupRun(context);
  const { units } = await store.createAssignmentsWithUnits(
    context.taskRun.id,
    Array.from({ length: count }, (_, i) => ({ data: { item: i }, units: [{ payAmount: pay }] })),
  );
  await provider.launchUnits(context, units);
  return store.transitionUnits(
    units.map((u) => u.id),
    { from: 'created', to: 'launched' },
  );
}

function runArgs(args: Record<string, unknown>, budget: number | undefined): Record<string, unknown> {
  return budget === undefined ? { ...args } : { ...args, budget_in_dollars: budget };
}

/** A new run on `providerType` with `count` units launched through a provider from `build`. */
async function launchedRun<P extends CrowdProvider>(
  store: Store,
  providerType: string,
  args: Record<string, unknown>,
  build: (store: Store) => P,
  count: number,
  options: { pay?: number; budget?: number },
): Promise<{ run: TaskRun; context: ProviderRunContext; launcher: P; launched: Unit[] }> {
  const pay = options.pay ?? 0.5;
  const providerArgs = runArgs(args, options.budget);
  const taskArgs = { ...TASK_ARGS, task_reward: pay };
  const run = await newRun(store, providerType, providerArgs, taskArgs);
  const context: ProviderRunContext = { taskRun: run, providerArgs, taskArgs, serverUrl: SERVER_URL };
  const launcher = build(store);
  const launched = await launchUnits(store, launcher, context, count, pay);
  return { run, context, launcher, launched };
}

async function startMturk(): Promise<FakePlatform> {
  const fake = await MturkFake.start({ credentials: [MTURK_KEYS] });
  const args = MturkSandboxProviderArgsSchema.parse({
    _provider_type: 'mturk_sandbox',
    endpoint: fake.endpoint,
  });
  const env = {
    AWS_ACCESS_KEY_ID: MTURK_KEYS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: MTURK_KEYS.secretAccessKey,
  };
  const built: MturkProvider[] = [];
  const build = (store: Store, options: ProviderBuildOptions = {}): MturkProvider => {
    const provider = new MturkProvider(
      args,
      { store, env },
      {
        sleep: instant,
        retry: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 100 },
        requestTimeoutMs: options.requestTimeoutMs ?? 2000,
      },
    );
    built.push(provider);
    return provider;
  };
  return {
    name: 'mturk',
    fake,
    providerType: 'mturk_sandbox',
    env,
    provider: build,
    async submittedRun(store, count, options = {}) {
      const { run, context, launcher, launched } = await launchedRun(
        store,
        'mturk_sandbox',
        args,
        build,
        count,
        options,
      );
      const units: Unit[] = [];
      const workers: Worker[] = [];
      const agents: Agent[] = [];
      const refs: string[] = [];
      for (const [i, unit] of launched.entries()) {
        const hitId = (await launcher.records.getUnit(unit.id))?.data.hitId;
        if (hitId === undefined || hitId === null) throw new Error(`unit ${unit.id} has no HIT`);
        const mturkId = `A${run.id}W${String(i)}`;
        const accepted = fake.acceptHit(hitId, mturkId);
        const worker = await store.findOrCreateWorker({
          name: launcher.workerName(mturkId),
          providerType: 'mturk_sandbox',
        });
        const agent = await store.createAgent({ workerId: worker.id, unitId: unit.id, status: 'in task' });
        await launcher.registerAgent(context, {
          unit,
          agent,
          worker,
          providerData: { assignment_id: accepted.assignmentId, hit_id: hitId },
        });
        fake.submitAssignment(accepted.assignmentId, { answer: String(i) });
        const submitted = await store.submitAgent(agent.id, { answer: i });
        units.push(submitted.unit);
        agents.push(submitted.agent);
        workers.push(worker);
        refs.push(accepted.assignmentId);
      }
      return { run, context, units, workers, agents, refs };
    },
    approved: () => fake.assignments().flatMap((a) => (a.state === 'Approved' ? [a.id] : [])),
    approveCalls: () => fake.calls('ApproveAssignment').length,
    paidBonuses: () =>
      fake.bonuses().map((b) => ({
        cents: b.amountCents,
        reference: `${b.assignmentId}/${b.uniqueRequestToken ?? ''}`,
        token: b.uniqueRequestToken,
      })),
    bonusSends: () => fake.calls('SendBonus').length,
    calls: () => fake.calls().length,
    recordsBonusPaid: (record) =>
      record.kind === 'bonus' && (record.data as { status?: unknown } | null)?.status === 'done',
    async bonusClaim(store, key) {
      const record = await store.getProviderRecord('mturk_sandbox', 'bonus', key);
      if (record === null) return null;
      return (record.data as { status: 'sending' | 'done' }).status;
    },
    async close() {
      for (const provider of built) provider.close();
      await fake.close();
    },
  };
}

async function startProlific(): Promise<FakePlatform> {
  const fake = await ProlificFake.start();
  const args = ProlificProviderArgsSchema.parse({ _provider_type: 'prolific', api_base_url: fake.url });
  const env = { PROLIFIC_API_TOKEN: fake.token };
  const build = (store: Store, options: ProviderBuildOptions = {}): ProlificProvider =>
    new ProlificProvider(args, {
      store,
      env,
      clientOptions: { sleep: instant, timeoutMs: options.requestTimeoutMs ?? 2000 },
      sleep: instant,
    });
  return {
    name: 'prolific',
    fake,
    providerType: 'prolific',
    env,
    provider: build,
    async submittedRun(store, count, options = {}) {
      const { run, context, launcher, launched } = await launchedRun(
        store,
        'prolific',
        args,
        build,
        count,
        options,
      );
      const studyId = await launcher.currentStudyId(run.id);
      const code = await launcher.completionCode(run.id);
      if (studyId === null || code === null) throw new Error('the run has no study');
      const units: Unit[] = [];
      const workers: Worker[] = [];
      const agents: Agent[] = [];
      const refs: string[] = [];
      for (const [i, unit] of launched.entries()) {
        const participantId = `p${run.id}x${String(i)}`;
        const started = fake.startSubmission(studyId, participantId);
        const worker = await store.findOrCreateWorker({ name: participantId, providerType: 'prolific' });
        const agent = await store.createAgent({ workerId: worker.id, unitId: unit.id, status: 'in task' });
        await launcher.registerAgent(context, {
          unit,
          agent,
          worker,
          providerData: {
            worker_name: participantId,
            study_id: studyId,
            session_id: started.submissionId,
            assignment_id: started.submissionId,
          },
        });
        const submitted = await store.submitAgent(agent.id, { answer: i });
        fake.completeSubmission(started.submissionId, code);
        units.push(submitted.unit);
        agents.push(submitted.agent);
        workers.push(worker);
        refs.push(started.submissionId);
      }
      return { run, context, units, workers, agents, refs };
    },
    approved: () =>
      fake.submissions().flatMap((s) => (s.status === 'APPROVED' && typeof s.id === 'string' ? [s.id] : [])),
    approveCalls: () => fake.requestsTo('submissions.transition').length,
    paidBonuses: () =>
      fake
        .bulkBonuses()
        .flatMap((b) =>
          Array.from({ length: b.payCount }, () =>
            b.lines.map((line) => ({ cents: line.cents, reference: b.id, token: null })),
          ).flat(),
        ),
    bonusSends: () => fake.requestsTo('bonuses.pay').length,
    calls: () => fake.requestsTo('any').length,
    recordsBonusPaid: (record) =>
      record.kind === 'bonus_pay' && (record.data as { state?: unknown } | null)?.state === 'paid',
    async bonusClaim(store, key) {
      const record = await store.getProviderRecord('prolific', 'bonus_pay', key);
      if (record === null) return null;
      return (record.data as { state: 'sending' | 'paid' }).state === 'paid' ? 'done' : 'sending';
    },
    close: () => fake.close(),
  };
}

export function startPlatform(name: PlatformName): Promise<FakePlatform> {
  return name === 'mturk' ? startMturk() : startProlific();
}

// --- crashes ------------------------------------------------------------------------------------------

/** What a dead process's pending call does: never settle. */
function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}

/** A double and the moment its process died. */
export interface Crashed<T> {
  readonly value: T;
  /** Settles when the crash happened (the call reached the point where it never answers). */
  readonly crashed: Promise<void>;
}

function signal(): { fire: () => void; fired: Promise<void> } {
  let fire = (): void => undefined;
  const fired = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { fire, fired };
}

/** `target` with every method bound to it except the replaced ones (private fields stay reachable). */
function withMethods<T extends object>(target: T, replaced: Partial<Record<keyof T, unknown>>): T {
  return new Proxy(target, {
    get(object, property) {
      if (Object.hasOwn(replaced, property)) return replaced[property as keyof T];
      const value: unknown = Reflect.get(object, property, object);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(object) : value;
    },
  });
}

/**
 * `provider` whose first call of `duty` kills the process: `before-platform` never reaches the
 * provider (the ledger is already reserved), `after-platform` lets the provider do it (the platform
 * acts, the provider records it) and then never answers, so the store never learns.
 */
export function diesIn(
  provider: CrowdProvider,
  duty: 'payBonus' | 'approveWork',
  when: 'before-platform' | 'after-platform',
): Crashed<CrowdProvider> {
  const { fire, fired } = signal();
  const dying = async (request: ProviderBonusRequest & ProviderWorkReview): Promise<never> => {
    if (when === 'after-platform') await provider[duty](request);
    fire();
    return never();
  };
  return { value: withMethods(provider, { [duty]: dying }), crashed: fired };
}

/**
 * `store` as the provider's process sees it, dying when the provider records that a payment went
 * through (`isPaymentRecord`): the platform has paid, the provider's own record still says it is sending.
 */
export function diesRecording(
  store: Store,
  isPaymentRecord: (record: NewProviderRecord) => boolean,
): Crashed<Store> {
  const { fire, fired } = signal();
  const put = (record: NewProviderRecord) => {
    if (!isPaymentRecord(record)) return store.putProviderRecord(record);
    fire();
    return never();
  };
  return { value: withMethods(store, { putProviderRecord: put }), crashed: fired };
}
