/**
 * A Prolific provider over the Prolific fake and a throwaway SQLite store (a real file, as users'
 * databases), with real task runs, units and agents in the store (the provider's records reference the
 * run), and helpers to play participants. Clients never wait between retries here.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProlificFake, type ProlificFakeOptions } from '@mephisto-ts/testing/prolific-fake';
import {
  ProlificProviderArgsSchema,
  type ProlificProviderArgs,
} from '../../../src/core/config/provider-args.js';
import {
  ManualClock,
  SequentialIdGenerator,
  type Agent,
  type Unit,
  type Worker,
} from '../../../src/core/index.js';
import type { ProviderRunContext, ReviewedWork } from '../../../src/providers/crowd-provider.js';
import { ProlificApiClient } from '../../../src/providers/prolific/prolific-api-client.js';
import {
  ProlificProvider,
  type ProlificProviderOptions,
} from '../../../src/providers/prolific/prolific-provider.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';

export const TASK_ARGS = {
  task_title: 'Rate sentences',
  task_description: 'Say whether each sentence reads well.',
  task_reward: 0.3,
  task_tags: 'rating,sentences',
};

export const SERVER_URL = 'http://127.0.0.1:43123';

export interface ProlificHarness {
  readonly fake: ProlificFake;
  readonly store: Store;
  readonly args: ProlificProviderArgs;
  /** The provider under test. */
  readonly provider: ProlificProvider;
  /** Another provider over the same store and fake (a restarted process). */
  newProvider(options?: Partial<ProlificProviderOptions>): ProlificProvider;
  /** A client on the fake that never waits between retries. */
  client(options?: { maxRetries?: number; timeoutMs?: number }): ProlificApiClient;
  /** A task run in the store, and the context the engine would pass for it. */
  newRun(): Promise<ProviderRunContext>;
  /** `count` launched units of the run, in the store. */
  newUnits(context: ProviderRunContext, count: number): Promise<Unit[]>;
  /**
   * A participant takes a launched unit: a submission on the fake and an agent in the store,
   * registered with the provider (unless `register: false`). `complete` also submits in the store and
   * arrives at the completion page with the run's code.
   */
  takeUnit(
    context: ProviderRunContext,
    unit: Unit,
    participantId: string,
    options?: { complete?: boolean; register?: boolean },
  ): Promise<{ work: ReviewedWork; submissionId: string; url: string }>;
  close(): Promise<void>;
}

export async function openProlificHarness(
  options: {
    fake?: ProlificFakeOptions;
    args?: Record<string, unknown>;
    provider?: Partial<ProlificProviderOptions>;
  } = {},
): Promise<ProlificHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'mephisto-ts-prolific-'));
  const store = await openStore(
    { kind: 'sqlite', path: join(dir, 'database.db') },
    { clock: new ManualClock(), ids: new SequentialIdGenerator() },
  );
  const fake = await ProlificFake.start(options.fake);
  const args = ProlificProviderArgsSchema.parse({
    _provider_type: 'prolific',
    api_base_url: fake.url,
    ...options.args,
  });
  const instant = (): Promise<void> => Promise.resolve();
  const build = (extra: Partial<ProlificProviderOptions> = {}): ProlificProvider =>
    new ProlificProvider(args, {
      store,
      env: { PROLIFIC_API_TOKEN: fake.token },
      clientOptions: { sleep: instant, timeoutMs: 2_000 },
      sleep: instant,
      ...options.provider,
      ...extra,
    });
  const provider = build();
  let requester: string | undefined;
  let task: string | undefined;

  const harness: ProlificHarness = {
    fake,
    store,
    args,
    provider,
    newProvider: build,
    client: (o = {}) =>
      new ProlificApiClient({
        token: fake.token,
        baseUrl: fake.url,
        sleep: instant,
        maxRetries: o.maxRetries ?? 4,
        timeoutMs: o.timeoutMs ?? 2_000,
      }),
    async newRun() {
      requester ??= (await store.createRequester({ name: 'prolific-requester', providerType: 'prolific' }))
        .id;
      task ??= (await store.createTask({ name: 'prolific-task', taskType: 'static_task' })).id;
      const taskRun = await store.createTaskRun({
        taskId: task,
        requesterId: requester,
        initParams: '{}',
        providerType: 'prolific',
        taskType: 'static_task',
        sandbox: false,
      });
      return { taskRun, providerArgs: args, taskArgs: TASK_ARGS, serverUrl: SERVER_URL };
    },
    async newUnits(context, count) {
      const { units } = await store.createAssignmentsWithUnits(
        context.taskRun.id,
        Array.from({ length: count }, () => ({ units: [{ payAmount: 0.3 }] })),
        { unitStatus: 'launched' },
      );
      return units;
    },
    async takeUnit(context, unit, participantId, takeOptions = {}) {
      const studyId = await provider.currentStudyId(context.taskRun.id);
      if (studyId === null) throw new Error('the run has no study');
      const started = fake.startSubmission(studyId, participantId);
      const worker: Worker = await store.findOrCreateWorker({
        name: participantId,
        providerType: 'prolific',
      });
      let agent: Agent = await store.createAgent({ workerId: worker.id, unitId: unit.id, status: 'in task' });
      if (takeOptions.register !== false)
        await provider.registerAgent(context, {
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
      let current = await store.getUnit(unit.id);
      if (takeOptions.complete === true) {
        const submitted = await store.submitAgent(agent.id, { answer: 'fine' });
        agent = submitted.agent;
        current = submitted.unit;
        const code = await provider.completionCode(context.taskRun.id);
        fake.completeSubmission(started.submissionId, code ?? '');
      }
      return { work: { unit: current, agent, worker }, submissionId: started.submissionId, url: started.url };
    },
    async close() {
      await fake.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return harness;
}
