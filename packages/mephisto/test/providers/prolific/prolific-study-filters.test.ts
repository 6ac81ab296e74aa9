/**
 * The run's qualification requirements and block qualification as Prolific study filters (participant
 * group allow- and blocklists), checked on the Prolific fake, which lets participants start a study
 * only as its filters allow; and the provider's logger (built through the registry) seeing warnings and
 * retries.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Worker } from '../../../src/core/index.js';
import type { ProviderRunContext } from '../../../src/providers/crowd-provider.js';
import { ProlificProvider } from '../../../src/providers/prolific/prolific-provider.js';
import { planStudyFilters } from '../../../src/providers/prolific/prolific-study-filters.js';
import { createProvider } from '../../../src/providers/provider-registry.js';
import { openProlificHarness, type ProlificHarness } from './prolific-harness.js';

let h: ProlificHarness;

beforeEach(async () => {
  h = await openProlificHarness();
});
afterEach(async () => {
  await h.close();
});

/** A pino logger whose lines are kept, parsed. */
function capturingLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

async function participant(name: string): Promise<Worker> {
  return h.store.findOrCreateWorker({ name, providerType: 'prolific' });
}

async function grant(qualification: string, worker: Worker, value = 1): Promise<void> {
  const [existing] = await h.store.findQualifications({ name: qualification });
  const q = existing ?? (await h.store.createQualification({ name: qualification }));
  await h.store.grantQualification({ qualificationId: q.id, workerId: worker.id, value });
}

function canStart(studyId: string, participantId: string): boolean {
  try {
    h.fake.startSubmission(studyId, participantId);
    return true;
  } catch {
    return false;
  }
}

describe('planStudyFilters', () => {
  const base = (over: Partial<ProviderRunContext>): ProviderRunContext => ({
    taskRun: {
      id: '1',
      taskId: '1',
      requesterId: '1',
      initParams: '{}',
      isCompleted: false,
      providerType: 'prolific',
      taskType: 'static_task',
      sandbox: false,
      creationDate: new Date(0),
    },
    providerArgs: {},
    taskArgs: {},
    serverUrl: 'http://x',
    ...over,
  });

  it('maps each comparator, skips other providers, and adds the block qualification', () => {
    const plan = planStudyFilters(
      base({
        qualifications: [
          { qualification_name: 'trained', comparator: 'Exists', value: null },
          { qualification_name: 'trained', comparator: 'EqualTo', value: 1 },
          { qualification_name: 'banned', comparator: 'DoesNotExist', value: null },
          { qualification_name: 'score', comparator: 'GreaterThanOrEqualTo', value: 3 },
          { qualification_name: 'level', comparator: 'NotIn', value: [1, 2] },
          { qualification_name: 'mturk_only', comparator: 'Exists', applicable_providers: ['mturk'] },
          { qualification_name: 'both', comparator: 'Exists', applicable_providers: ['mturk', 'prolific'] },
        ],
        blockQualification: 'screened_out',
      }),
    );
    expect(plan.allow).toEqual(['trained', 'score', 'both']);
    expect(plan.exclude).toEqual(['banned', 'screened_out']);
    expect(plan.warnings).toHaveLength(3);
    expect(plan.warnings[0]).toContain('"trained EqualTo 1"');
    expect(plan.warnings[2]).toMatch(/"level NotIn \[1,2\]" cannot be expressed as a Prolific filter/);
  });

  it("reads the block qualification from the run's stored config when the context has none", () => {
    const context = base({});
    const plan = planStudyFilters({
      ...context,
      taskRun: {
        ...context.taskRun,
        initParams: JSON.stringify({ mephisto: { blueprint: { block_qualification: 'no_more' } } }),
      },
    });
    expect(plan).toEqual({ allow: [], exclude: ['no_more'], warnings: [] });
  });
});

describe('ProlificProvider: qualifications and the block list as study filters', () => {
  it('filters the study on the groups, seeded with the store grants; the fake lets in only those it should', async () => {
    const [trained, banned, screened, stranger, blocked] = await Promise.all(
      ['pTrained', 'pBanned', 'pScreened', 'pStranger', 'pBlocked'].map(participant),
    );
    if (!trained || !banned || !screened || !stranger || !blocked) throw new Error('no participants');
    await grant('trained', trained);
    await grant('trained', banned);
    await grant('trained', screened);
    await grant('trained', blocked);
    await grant('score', trained, 5);
    await grant('score', banned, 5);
    await grant('score', screened, 5);
    await grant('score', blocked, 5);
    await grant('banned', banned);
    await grant('screened_out', screened);

    const { logger, lines } = capturingLogger();
    const provider = h.newProvider({ logger });
    const run = await h.newRun();
    const context: ProviderRunContext = {
      ...run,
      qualifications: [
        { qualification_name: 'trained', comparator: 'Exists', value: null },
        { qualification_name: 'banned', comparator: 'DoesNotExist', value: null },
        { qualification_name: 'score', comparator: 'GreaterThan', value: 3 },
        { qualification_name: 'other', comparator: 'NotEqualTo', value: 1 },
        { qualification_name: 'mturk_only', comparator: 'Exists', applicable_providers: ['mturk'] },
      ],
      blockQualification: 'screened_out',
    };
    await provider.setupRun(context);
    await provider.blockWorker({ worker: blocked, reason: 'spam', idempotencyKey: 'block-1' });

    const studyId = (await provider.currentStudyId(run.taskRun.id)) ?? '';
    const groups = new Map(h.fake.groups().map((g) => [g.name, String(g.id)]));
    const id = (name: string): string => groups.get(name) ?? `missing ${name}`;
    expect([...groups.keys()].sort()).toEqual(['Block list', 'banned', 'score', 'screened_out', 'trained']);
    expect(h.fake.study(studyId)?.filters).toEqual([
      {
        filter_id: 'participant_group_blocklist',
        selected_values: [id('Block list'), id('banned'), id('screened_out')],
      },
      { filter_id: 'participant_group_allowlist', selected_values: [id('trained')] },
      { filter_id: 'participant_group_allowlist', selected_values: [id('score')] },
    ]);
    expect(h.fake.groupMembers(id('trained')).sort()).toEqual([
      'pBanned',
      'pBlocked',
      'pScreened',
      'pTrained',
    ]);
    expect(h.fake.groupMembers(id('banned'))).toEqual(['pBanned']);
    expect(h.fake.groupMembers(id('screened_out'))).toEqual(['pScreened']);

    const recorded = await provider.studyFilters(run.taskRun.id);
    expect(recorded).toMatchObject({
      allow: [
        { qualification: 'trained', groupId: id('trained') },
        { qualification: 'score', groupId: id('score') },
      ],
      exclude: [
        { qualification: 'banned', groupId: id('banned') },
        { qualification: 'screened_out', groupId: id('screened_out') },
      ],
    });
    expect(recorded?.warnings).toHaveLength(2);
    const warned = lines.filter((l) => l.level === 40).map((l) => String(l.msg));
    expect(warned).toEqual(recorded?.warnings);
    expect(lines.every((l) => l.provider === 'prolific')).toBe(true);

    await provider.launchUnits(context, await h.newUnits(run, 5));
    const who = ['pTrained', 'pBanned', 'pScreened', 'pBlocked', 'pStranger'];
    expect(who.filter((p) => canStart(studyId, p))).toEqual(['pTrained']);

    // Granting through a review adds the participant to the groups, which the running study follows.
    const steps: [string, number, boolean][] = [
      ['trained', 1, false],
      ['score', 4, true],
    ];
    for (const [qualificationName, value, admitted] of steps) {
      await provider.grantQualification({
        worker: stranger,
        qualificationName,
        value,
        idempotencyKey: qualificationName,
      });
      expect(canStart(studyId, 'pStranger')).toBe(admitted);
    }
  });

  it('a run without requirements keeps the block list only and makes no other group', async () => {
    const run = await h.newRun();
    await h.provider.setupRun(run);
    const [study] = h.fake.studies();
    expect(study?.filters).toEqual([
      { filter_id: 'participant_group_blocklist', selected_values: [h.fake.groups()[0]?.id] },
    ]);
    expect(await h.provider.studyFilters(run.taskRun.id)).toEqual({ allow: [], exclude: [], warnings: [] });
  });
});

describe('ProlificProvider: logging', () => {
  it('gets the logger from the registry and logs retries and reconcile findings', async () => {
    const { logger, lines } = capturingLogger();
    const provider = createProvider(h.args, {
      store: h.store,
      env: { PROLIFIC_API_TOKEN: h.fake.token },
      logger,
    });
    if (!(provider instanceof ProlificProvider)) throw new Error('not the Prolific provider');
    // The registry's provider waits between retries for real (one backoff, under a second).
    const run = await h.newRun();
    h.fake.failNext('workspaces.list', 'server_error');
    await provider.setupRun(run);
    const retry = lines.find((l) => l.msg === 'retrying a Prolific call');
    expect(retry).toMatchObject({ provider: 'prolific', attempt: 0, call: 'Prolific GET /workspaces/' });

    const units = await h.newUnits(run, 1);
    await provider.launchUnits(run, units);
    const [unit] = units;
    if (unit === undefined) throw new Error('no unit');
    const studyId = (await provider.currentStudyId(run.taskRun.id)) ?? '';
    const started = h.fake.startSubmission(studyId, 'pLog');
    h.fake.completeSubmission(started.submissionId, (await provider.completionCode(run.taskRun.id)) ?? '');
    await provider.reconcileRun({ ...run, liveUnitIds: new Set([unit.id]), runOver: false });
    const findings = lines.find((l) => l.msg === 'reconciled the run with Prolific: findings');
    expect(String((findings?.notes as string[] | undefined)?.join('\n'))).toContain('without a submit');
  });
});
