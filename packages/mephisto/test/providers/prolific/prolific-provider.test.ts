/**
 * The Prolific provider on the Prolific fake and a temporary SQLite store: the study it sets up, places
 * growing with launches (never shrinking), the AWAITING REVIEW flip, expiry and study rotation,
 * registerAgent, review duties, blocks and qualifications, fees, budget and the wrapper.
 */
import { Script } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProlificProviderArgsSchema } from '../../../src/core/config/provider-args.js';
import { ProlificProvider } from '../../../src/providers/prolific/prolific-provider.js';
import { ProlificRegistrationError } from '../../../src/providers/prolific/prolific-errors.js';
import { openProlificHarness, SERVER_URL, type ProlificHarness } from './prolific-harness.js';
import { rejectionOf } from '../../store/fixtures.js';

let h: ProlificHarness;

beforeEach(async () => {
  h = await openProlificHarness({ provider: { newCompletionCode: () => 'CODE7X' } });
});
afterEach(async () => {
  await h.close();
});

function places(studyId: string | null): unknown {
  return h.fake.study(studyId ?? '')?.total_available_places;
}

describe('ProlificProvider: setting up and launching', () => {
  it('sets up one draft study per run, with the task, reward, code, URL and block-list group', async () => {
    const context = await h.newRun();
    await h.provider.setupRun(context);
    await h.newProvider().setupRun(context);
    const studies = h.fake.studies();
    expect(studies).toHaveLength(1);
    const [study] = studies;
    const groups = h.fake.groups();
    expect(groups.map((g) => g.name)).toEqual(['Block list']);
    expect(study).toMatchObject({
      status: 'UNPUBLISHED',
      name: 'Rate sentences',
      description: 'Say whether each sentence reads well.',
      reward: 30,
      estimated_completion_time: 5,
      total_available_places: 1,
      prolific_id_option: 'url_parameters',
      external_study_url: `${SERVER_URL}?PROLIFIC_PID={{%PROLIFIC_PID%}}&STUDY_ID={{%STUDY_ID%}}&SESSION_ID={{%SESSION_ID%}}`,
      completion_codes: [
        { code: 'CODE7X', code_type: 'COMPLETED', actions: [{ action: 'MANUALLY_REVIEW' }] },
      ],
      filters: [{ filter_id: 'participant_group_blocklist', selected_values: [groups[0]?.id] }],
      project: h.fake.projects()[0]?.id,
      internal_name: `mephisto-ts run ${context.taskRun.id} study 1`,
    });
    expect(await h.provider.completionCode(context.taskRun.id)).toBe('CODE7X');
  });

  it('creates the workspace and project it is told to use, and sends eligibility requirements', async () => {
    const other = await openProlificHarness({
      args: {
        prolific_workspace_name: 'Lab',
        prolific_project_name: 'Pilot',
        prolific_external_study_url: 'https://tasks.example/run?PROLIFIC_PID={{%PROLIFIC_PID%}}',
        prolific_eligibility_requirements: [
          { name: 'ApprovalRateEligibilityRequirement', minimum_approval_rate: 95 },
        ],
      },
    });
    try {
      const context = await other.newRun();
      await other.provider.setupRun(context);
      expect(other.fake.workspaces().map((w) => w.title)).toEqual(['My Workspace', 'Lab']);
      expect(other.fake.projects().map((p) => p.title)).toEqual(['Project', 'Pilot']);
      expect(other.fake.studies()[0]).toMatchObject({
        external_study_url:
          'https://tasks.example/run?PROLIFIC_PID={{%PROLIFIC_PID%}}&STUDY_ID={{%STUDY_ID%}}&SESSION_ID={{%SESSION_ID%}}',
        eligibility_requirements: [
          {
            _cls: 'web.eligibility.models.ApprovalRateEligibilityRequirement',
            attributes: [{ name: 'minimum_approval_rate', value: 95 }],
          },
        ],
      });
    } finally {
      await other.close();
    }
  });

  it('finds the study a create left behind when its reply was lost', async () => {
    const context = await h.newRun();
    h.fake.failNext('studies.create', 'lost_reply');
    await h.provider.setupRun(context);
    expect(h.fake.studies()).toHaveLength(1);
    expect(await h.provider.currentStudyId(context.taskRun.id)).toBe(h.fake.studies()[0]?.id);
  });

  it('publishes on the first launch and only ever raises places after', async () => {
    const context = await h.newRun();
    await h.provider.setupRun(context);
    const studyId = await h.provider.currentStudyId(context.taskRun.id);
    const units = await h.newUnits(context, 5);
    const first = await h.provider.launchUnits(context, units.slice(0, 3));
    expect(h.fake.study(studyId ?? '')?.status).toBe('ACTIVE');
    expect(places(studyId)).toBe(3);
    expect(new Set(first.values())).toEqual(new Set([`${h.fake.url}/studies/${studyId}`]));
    // A relaunch of the same units changes nothing.
    await h.provider.launchUnits(context, units.slice(0, 3));
    expect(places(studyId)).toBe(3);
    await h.provider.launchUnits(context, units.slice(3));
    expect(places(studyId)).toBe(5);
    // Expiry cannot lower places: they stay listed, and the next launches reuse them.
    await h.provider.expireUnits(context, units.slice(0, 2));
    expect(places(studyId)).toBe(5);
    expect(await h.provider.studyState(studyId ?? '')).toMatchObject({ listedPlaces: 5, placedUnits: 3 });
    const more = await h.newUnits(context, 3);
    await h.provider.launchUnits(context, more.slice(0, 2));
    expect(places(studyId)).toBe(5);
    await h.provider.launchUnits(context, more.slice(2));
    expect(places(studyId)).toBe(6);
    expect(await h.provider.studyState(studyId ?? '')).toMatchObject({ listedPlaces: 6, placedUnits: 6 });
  });

  it('reactivates a study Prolific flipped to AWAITING REVIEW when its places were all taken', async () => {
    const context = await h.newRun();
    await h.provider.setupRun(context);
    const studyId = await h.provider.currentStudyId(context.taskRun.id);
    const [first, second] = await h.newUnits(context, 2);
    if (first === undefined || second === undefined) throw new Error('no units');
    await h.provider.launchUnits(context, [first]);
    await h.takeUnit(context, first, 'p1', { complete: true });
    expect(h.fake.study(studyId ?? '')?.status).toBe('AWAITING REVIEW');
    await h.provider.launchUnits(context, [second]);
    expect(h.fake.study(studyId ?? '')?.status).toBe('ACTIVE');
    expect(places(studyId)).toBe(2);
  });

  it('stops the study once every unit placed in it expired, and puts later units in a new study', async () => {
    const context = await h.newRun();
    await h.provider.setupRun(context);
    const firstStudy = await h.provider.currentStudyId(context.taskRun.id);
    const units = await h.newUnits(context, 3);
    await h.provider.launchUnits(context, units.slice(0, 2));
    await h.provider.expireUnits(context, units.slice(0, 1));
    expect(h.fake.study(firstStudy ?? '')?.status).toBe('ACTIVE');
    await h.provider.expireUnits(context, units.slice(0, 2));
    expect(h.fake.study(firstStudy ?? '')?.status).toBe('COMPLETED');
    const links = await h.provider.launchUnits(context, units.slice(2));
    const secondStudy = await h.provider.currentStudyId(context.taskRun.id);
    expect(secondStudy).not.toBe(firstStudy);
    expect(links.get(units[2]?.id ?? '')).toBe(`${h.fake.url}/studies/${secondStudy}`);
    expect(h.fake.study(secondStudy ?? '')?.status).toBe('ACTIVE');
    expect(h.fake.study(secondStudy ?? '')?.internal_name).toBe(
      `mephisto-ts run ${context.taskRun.id} study 2`,
    );
    // Both studies of the run complete with the same code (the wrapper has one code for the run).
    expect(h.fake.study(secondStudy ?? '')?.completion_codes).toEqual(
      h.fake.study(firstStudy ?? '')?.completion_codes,
    );
  });

  it('stops the studies at teardown, and tolerates a STOP whose reply was lost', async () => {
    const context = await h.newRun();
    await h.provider.setupRun(context);
    const studyId = await h.provider.currentStudyId(context.taskRun.id);
    const units = await h.newUnits(context, 2);
    await h.provider.launchUnits(context, units);
    h.fake.failNext('studies.transition', 'lost_reply');
    await h.provider.teardownRun(context);
    expect(h.fake.study(studyId ?? '')?.status).toBe('COMPLETED');
    await h.provider.teardownRun(context);
    expect(h.fake.requestsTo('studies.transition').map((r) => r.status)).toEqual([200, 0]);
  });
});

describe('ProlificProvider: agents and reviews', () => {
  it("registers an agent: records the submission, refuses other runs' studies and missing sessions", async () => {
    const context = await h.newRun();
    const otherRun = await h.newRun();
    await h.provider.setupRun(context);
    await h.provider.setupRun(otherRun);
    const [unit] = await h.newUnits(context, 1);
    if (unit === undefined) throw new Error('no unit');
    await h.provider.launchUnits(context, [unit]);
    const { work, submissionId, url } = await h.takeUnit(context, unit, 'p1');
    const studyId = await h.provider.currentStudyId(context.taskRun.id);
    expect(url).toBe(`${SERVER_URL}?PROLIFIC_PID=p1&STUDY_ID=${studyId}&SESSION_ID=${submissionId}`);
    const record = await h.store.getProviderRecord('prolific', 'submission', submissionId);
    expect(record).toMatchObject({
      taskRunId: context.taskRun.id,
      unitId: unit.id,
      data: { studyId, unitId: unit.id, agentId: work.agent.id, participantId: 'p1' },
    });
    const otherStudy = await h.provider.currentStudyId(otherRun.taskRun.id);
    const wrongStudy = await rejectionOf(
      h.provider.registerAgent(context, {
        ...work,
        providerData: { study_id: otherStudy, session_id: submissionId },
      }),
    );
    expect(wrongStudy).toBeInstanceOf(ProlificRegistrationError);
    expect(wrongStudy).toMatchObject({ code: 'MEPHISTO_ERR_PROVIDER_REGISTRATION' });
    const noSession = await rejectionOf(
      h.provider.registerAgent(context, { ...work, providerData: { study_id: studyId } }),
    );
    expect(noSession).toMatchObject({ code: 'MEPHISTO_ERR_PROVIDER_REGISTRATION' });
    expect(String(noSession)).toContain('SESSION_ID');
  });

  it('approves once per key, and treats an already approved submission as done', async () => {
    const context = await h.newRun();
    await h.provider.setupRun(context);
    const [unit] = await h.newUnits(context, 1);
    if (unit === undefined) throw new Error('no unit');
    await h.provider.launchUnits(context, [unit]);
    const { work, submissionId } = await h.takeUnit(context, unit, 'p1', { complete: true });
    h.fake.setProcessing(submissionId, 2);
    const first = await h.provider.approveWork({ work, feedback: null, idempotencyKey: 'approve-1' });
    expect(first).toEqual({ status: 'done', reference: submissionId });
    expect(h.fake.submissions()[0]?.status).toBe('APPROVED');
    const requests = h.fake.requests.length;
    expect(await h.provider.approveWork({ work, feedback: null, idempotencyKey: 'approve-1' })).toEqual(
      first,
    );
    expect(h.fake.requests.length).toBe(requests);
    // Another key (a second review) finds it approved and does not transition again.
    await h.newProvider().approveWork({ work, feedback: null, idempotencyKey: 'approve-2' });
    expect(h.fake.requestsTo('submissions.transition')).toHaveLength(1);
    await expect(h.provider.rejectWork({ work, feedback: 'no', idempotencyKey: 'reject-1' })).rejects.toThrow(
      /already approved/,
    );
  });

  it("rejects with a category and a message long enough for Prolific, from the reviewer's note", async () => {
    const context = await h.newRun();
    await h.provider.setupRun(context);
    const [unit] = await h.newUnits(context, 1);
    if (unit === undefined) throw new Error('no unit');
    await h.provider.launchUnits(context, [unit]);
    const { work } = await h.takeUnit(context, unit, 'p1', { complete: true });
    await h.provider.rejectWork({ work, feedback: 'Answered far too quickly', idempotencyKey: 'reject-1' });
    expect(h.fake.submissions()[0]?.status).toBe('REJECTED');
  });

  it('finds the submission by participant when the agent was never registered', async () => {
    const context = await h.newRun();
    await h.provider.setupRun(context);
    const [unit] = await h.newUnits(context, 1);
    if (unit === undefined) throw new Error('no unit');
    await h.provider.launchUnits(context, [unit]);
    const { work } = await h.takeUnit(context, unit, 'p9', { complete: true, register: false });
    await h.provider.approveWork({ work, feedback: null, idempotencyKey: 'approve-unregistered' });
    expect(h.fake.submissions()[0]?.status).toBe('APPROVED');
  });

  it('refuses to approve work the participant has not completed on Prolific, saying why', async () => {
    const context = await h.newRun();
    await h.provider.setupRun(context);
    const [unit] = await h.newUnits(context, 1);
    if (unit === undefined) throw new Error('no unit');
    await h.provider.launchUnits(context, [unit]);
    const { work } = await h.takeUnit(context, unit, 'p1');
    const error = await rejectionOf(
      h.provider.approveWork({ work, feedback: null, idempotencyKey: 'early' }),
    );
    expect(error).toMatchObject({ code: 'MEPHISTO_ERR_PROVIDER_API' });
    expect(String(error)).toContain('completion code');
  });

  it('blocks through the block-list group; isWorkerBlocked reads the store only', async () => {
    const context = await h.newRun();
    await h.provider.setupRun(context);
    const studyId = await h.provider.currentStudyId(context.taskRun.id);
    const units = await h.newUnits(context, 2);
    await h.provider.launchUnits(context, units);
    const worker = await h.store.findOrCreateWorker({ name: 'spammer', providerType: 'prolific' });
    await h.provider.blockWorker({ worker, reason: 'spam', idempotencyKey: 'block-1' });
    const before = h.fake.requests.length;
    expect(await h.provider.isWorkerBlocked(worker)).toBe(true);
    expect(await h.newProvider().isWorkerBlocked(worker)).toBe(true);
    expect(h.fake.requests.length).toBe(before);
    const group = h.fake.groups().find((g) => g.name === 'Block list');
    expect(h.fake.groupMembers(String(group?.id))).toEqual(['spammer']);
    // The running study's blocklist filter keeps them out at once (groups are live on Prolific).
    expect(() => h.fake.startSubmission(studyId ?? '', 'spammer')).toThrow(/blocklist/);
    await h.provider.unblockWorker({ worker, idempotencyKey: 'unblock-1' });
    expect(await h.provider.isWorkerBlocked(worker)).toBe(false);
    // Repeating the block's key after the unblock does not block again.
    await h.provider.blockWorker({ worker, reason: 'spam', idempotencyKey: 'block-1' });
    expect(await h.provider.isWorkerBlocked(worker)).toBe(false);
    h.fake.startSubmission(studyId ?? '', 'spammer');
  });

  it('keeps one participant group per qualification', async () => {
    const worker = await h.store.findOrCreateWorker({ name: 'p1', providerType: 'prolific' });
    const request = { worker, qualificationName: 'skilled', value: 1, idempotencyKey: 'grant-1' };
    await h.provider.grantQualification(request);
    await h.provider.grantQualification({ ...request, idempotencyKey: 'grant-2' });
    const groups = h.fake.groups().filter((g) => g.name === 'skilled');
    expect(groups).toHaveLength(1);
    expect(h.fake.groupMembers(String(groups[0]?.id))).toEqual(['p1']);
    await h.provider.revokeQualification({ ...request, value: null, idempotencyKey: 'revoke-1' });
    expect(h.fake.groupMembers(String(groups[0]?.id))).toEqual([]);
  });

  it("charges Prolific's third as a fee and reports the workspace's available balance", async () => {
    expect(h.provider.feeFor(0.3, 'reward')).toBe(0.1);
    expect(h.provider.feeFor(8.5, 'bonus')).toBe(2.84);
    expect(h.provider.feeFor(1, 'bonus')).toBe(0.34);
    h.fake.setBalance(12_345);
    expect(await h.provider.availableBudget()).toBe(123.45);
  });

  it('fails with a credentials error, on first use, when there is no token', async () => {
    const provider = new ProlificProvider(ProlificProviderArgsSchema.parse({ api_base_url: h.fake.url }), {
      store: h.store,
      env: {},
    });
    const context = await h.newRun();
    await expect(provider.setupRun(context)).rejects.toMatchObject({
      code: 'MEPHISTO_ERR_PROVIDER_CREDENTIALS',
    });
  });

  it("serves a wrapper that registers Prolific's ids and redirects to the completion page with the code", async () => {
    const context = await h.newRun();
    await h.provider.setupRun(context);
    const script = h.provider.wrapCrowdSourceScript();
    expect(() => new Script(script)).not.toThrow();
    expect(script).toContain(JSON.stringify(`${h.fake.url}/submissions/complete?cc=`));
    expect(script).toContain('"CODE7X"');
    expect(script).toContain('session_id: session');
  });
});
