/**
 * The Prolific fake over real HTTP: auth, Prolific's shapes and rules (draft → publish, places only grow,
 * the AWAITING REVIEW flip, completion by redirect, review transitions, non-idempotent bonus pay, groups),
 * injected failures and the participant hooks.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProlificFake, prolificServiceFeeCents as serviceFeeCents } from '../src/fakes/prolific/index.js';

let fake: ProlificFake;
let now = Date.UTC(2026, 0, 1);

beforeEach(async () => {
  now = Date.UTC(2026, 0, 1);
  fake = await ProlificFake.start({ clock: { now: () => now } });
});
afterEach(async () => {
  await fake.close();
});

interface Reply {
  status: number;
  body: unknown;
  headers: Headers;
}

async function api(method: string, path: string, body?: unknown, token = fake.token): Promise<Reply> {
  const response = await fetch(`${fake.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Token ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text === '' ? undefined : (JSON.parse(text) as unknown),
    headers: response.headers,
  };
}

function field(value: unknown, name: string): unknown {
  return (value as Record<string, unknown>)[name];
}

const LONG_MESSAGE =
  'Your answers did not follow the instructions given on the first page of the task. '.repeat(2);

async function draftStudy(overrides: Record<string, unknown> = {}): Promise<string> {
  const reply = await api('POST', '/studies/', {
    name: 'Rate sentences',
    internal_name: 'run-1',
    description: 'Say whether each sentence reads well.',
    external_study_url:
      'https://task.example/?PROLIFIC_PID={{%PROLIFIC_PID%}}&STUDY_ID={{%STUDY_ID%}}&SESSION_ID={{%SESSION_ID%}}',
    prolific_id_option: 'url_parameters',
    completion_codes: [{ code: 'CODE1', code_type: 'COMPLETED', actions: [{ action: 'MANUALLY_REVIEW' }] }],
    total_available_places: 1,
    estimated_completion_time: 5,
    reward: 30,
    ...overrides,
  });
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return String(field(reply.body, 'id'));
}

async function publish(id: string): Promise<void> {
  const reply = await api('POST', `/studies/${id}/transition/`, { action: 'PUBLISH' });
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
}

async function status(id: string): Promise<unknown> {
  return field((await api('GET', `/studies/${id}/`)).body, 'status');
}

describe('Prolific fake', () => {
  it("requires the API token and answers errors in Prolific's shape", async () => {
    const denied = await api('GET', '/users/me/', undefined, 'wrong');
    expect(denied.status).toBe(401);
    expect(field(field(denied.body, 'error'), 'status')).toBe(401);
    const me = await api('GET', '/users/me/');
    expect(me.status).toBe(200);
    expect(field(me.body, 'currency_code')).toBe('USD');
    const missing = await api('GET', '/studies/nope/');
    expect(missing.status).toBe(404);
    expect(field(field(missing.body, 'error'), 'title')).toBe('Not Found');
  });

  it('lists and creates workspaces and projects', async () => {
    const workspaces = await api('GET', '/workspaces/');
    const results = field(workspaces.body, 'results') as { id: string; title: string }[];
    expect(results.map((w) => w.title)).toEqual(['My Workspace']);
    expect(field(field(workspaces.body, 'meta'), 'count')).toBe(1);
    const created = await api('POST', '/workspaces/', { title: 'Lab' });
    expect(created.status).toBe(201);
    const wsId = String(field(created.body, 'id'));
    const project = await api('POST', `/workspaces/${wsId}/projects/`, { title: 'Pilot' });
    expect(project.status).toBe(201);
    expect(field(project.body, 'workspace')).toBe(wsId);
    const projects = await api('GET', `/workspaces/${wsId}/projects/`);
    expect((field(projects.body, 'results') as unknown[]).length).toBe(1);
    const bad = await api('POST', '/workspaces/', {});
    expect(bad.status).toBe(400);
    expect(field(field(bad.body, 'error'), 'detail')).toEqual({ title: ['This field is required.'] });
  });

  it('validates a draft per field', async () => {
    const reply = await api('POST', '/studies/', { name: 'x', reward: 'lots', total_available_places: 0 });
    expect(reply.status).toBe(400);
    const detail = field(field(reply.body, 'error'), 'detail') as Record<string, string[]>;
    expect(Object.keys(detail).sort()).toEqual(
      [
        'completion_codes',
        'description',
        'estimated_completion_time',
        'external_study_url',
        'prolific_id_option',
        'reward',
        'total_available_places',
      ].sort(),
    );
  });

  it('allows only internal_name and more places after publishing', async () => {
    const id = await draftStudy();
    expect((await api('PATCH', `/studies/${id}/`, { reward: 40, total_available_places: 2 })).status).toBe(
      200,
    );
    await publish(id);
    expect(await status(id)).toBe('ACTIVE');
    const locked = await api('PATCH', `/studies/${id}/`, { reward: 50 });
    expect(locked.status).toBe(400);
    expect(Object.keys(field(field(locked.body, 'error'), 'detail') as object)).toEqual(['reward']);
    const fewer = await api('PATCH', `/studies/${id}/`, { total_available_places: 1 });
    expect(fewer.status).toBe(400);
    const more = await api('PATCH', `/studies/${id}/`, {
      total_available_places: 3,
      internal_name: 'renamed',
    });
    expect(more.status).toBe(200);
    expect(field(more.body, 'total_available_places')).toBe(3);
    expect(field(more.body, 'internal_name')).toBe('renamed');
    expect((await api('DELETE', `/studies/${id}/`)).status).toBe(400);
  });

  it('flips a full study to AWAITING REVIEW and back to ACTIVE when a place frees or is added', async () => {
    const id = await draftStudy();
    await publish(id);
    const first = fake.startSubmission(id, 'p1');
    expect(first.url).toBe(
      `https://task.example/?PROLIFIC_PID=p1&STUDY_ID=${id}&SESSION_ID=${first.submissionId}`,
    );
    expect(await status(id)).toBe('AWAITING REVIEW');
    expect(() => fake.startSubmission(id, 'p2')).toThrow(/not ACTIVE/);
    fake.returnSubmission(first.submissionId);
    expect(await status(id)).toBe('ACTIVE');
    const second = fake.startSubmission(id, 'p2');
    expect(await status(id)).toBe('AWAITING REVIEW');
    await api('PATCH', `/studies/${id}/`, { total_available_places: 2 });
    expect(await status(id)).toBe('ACTIVE');
    expect(fake.completeSubmission(second.submissionId, 'CODE1').accepted).toBe(true);
    const third = fake.startSubmission(id, 'p3');
    fake.completeSubmission(third.submissionId, 'CODE1');
    expect(await status(id)).toBe('AWAITING REVIEW');
    // A rejection frees a place: the study recruits again.
    const reject = await api('POST', `/submissions/${third.submissionId}/transition/`, {
      action: 'REJECT',
      rejection_category: 'LOW_EFFORT',
      message: LONG_MESSAGE,
    });
    expect(reject.status).toBe(200);
    expect(await status(id)).toBe('ACTIVE');
  });

  it('stops a study, then reads AWAITING REVIEW until reviewed and COMPLETED after', async () => {
    const id = await draftStudy({ total_available_places: 3 });
    await publish(id);
    const started = fake.startSubmission(id, 'p1');
    fake.completeSubmission(started.submissionId, 'CODE1');
    const stop = await api('POST', `/studies/${id}/transition/`, { action: 'STOP' });
    expect(stop.status).toBe(200);
    expect(await status(id)).toBe('AWAITING REVIEW');
    expect((await api('POST', `/studies/${id}/transition/`, { action: 'STOP' })).status).toBe(400);
    await api('POST', `/submissions/${started.submissionId}/transition/`, { action: 'APPROVE' });
    expect(await status(id)).toBe('COMPLETED');
  });

  it("completes a submission only through the completion page, with the study's code", async () => {
    const id = await draftStudy({ total_available_places: 2 });
    await publish(id);
    const started = fake.startSubmission(id, 'p1');
    const start = await fetch(started.startUrl, { redirect: 'manual' });
    expect(start.status).toBe(302);
    expect(start.headers.get('location')).toBe(started.url);
    const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const wrong = await fetch(`${fake.url}/submissions/complete?cc=WRONG`, { headers: { cookie } });
    expect(wrong.status).toBe(400);
    const right = await fetch(fake.completionUrl('CODE1'), { headers: { cookie } });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain('Submission complete');
    expect(fake.completions.map((c) => [c.code, c.submissionId, c.accepted])).toEqual([
      ['WRONG', started.submissionId, false],
      ['CODE1', started.submissionId, true],
    ]);
    const submission = await api('GET', `/submissions/${started.submissionId}/`);
    expect(field(submission.body, 'status')).toBe('AWAITING REVIEW');
    expect(field(submission.body, 'participant')).toBe('p1');
    expect(field(submission.body, 'entered_code')).toBe('CODE1');
  });

  it('approves idempotently, and rejects only with a category and a long enough message', async () => {
    const id = await draftStudy({ total_available_places: 2 });
    await publish(id);
    const a = fake.startSubmission(id, 'p1');
    const b = fake.startSubmission(id, 'p2');
    expect(
      (await api('POST', `/submissions/${a.submissionId}/transition/`, { action: 'APPROVE' })).status,
    ).toBe(400);
    fake.completeSubmission(a.submissionId, 'CODE1');
    fake.completeSubmission(b.submissionId, 'CODE1');
    const before = fake.balance().total;
    for (let i = 0; i < 2; i++) {
      const approve = await api('POST', `/submissions/${a.submissionId}/transition/`, { action: 'APPROVE' });
      expect(field(approve.body, 'status')).toBe('APPROVED');
    }
    expect(before - fake.balance().total).toBe(30 + serviceFeeCents(30));
    const bad = await api('POST', `/submissions/${b.submissionId}/transition/`, {
      action: 'REJECT',
      message: 'short',
    });
    expect(bad.status).toBe(400);
    expect(Object.keys(field(field(bad.body, 'error'), 'detail') as object).sort()).toEqual([
      'message',
      'rejection_category',
    ]);
    const rejectApproved = await api('POST', `/submissions/${a.submissionId}/transition/`, {
      action: 'REJECT',
      rejection_category: 'OTHER',
      message: LONG_MESSAGE,
    });
    expect(rejectApproved.status).toBe(400);
  });

  it('pays a bulk bonus again on every pay call (not idempotent), with fees', async () => {
    const id = await draftStudy();
    await publish(id);
    const started = fake.startSubmission(id, 'p1');
    fake.completeSubmission(started.submissionId, 'CODE1');
    const unknown = await api('POST', '/submissions/bonus-payments/', {
      study_id: id,
      csv_bonuses: 'nobody,1.00',
    });
    expect(unknown.status).toBe(400);
    const created = await api('POST', '/submissions/bonus-payments/', {
      study_id: id,
      csv_bonuses: 'p1,8.50',
    });
    expect(created.status).toBe(201);
    expect(field(created.body, 'amount')).toBe(850);
    expect(field(created.body, 'fees')).toBe(283.34);
    const bonusId = String(field(created.body, 'id'));
    expect(fake.bonusPaidTo('p1')).toBe(0);
    const paid = await api('POST', `/bulk-bonus-payments/${bonusId}/pay/`);
    expect(paid.status).toBe(202);
    expect(typeof paid.body).toBe('string');
    await api('POST', `/bulk-bonus-payments/${bonusId}/pay/`);
    expect(fake.bonusPaidTo('p1')).toBe(1700);
    const listed = await api('GET', `/submissions/?study=${id}`);
    const [item] = field(listed.body, 'results') as Record<string, unknown>[];
    expect(item?.bonus_payments).toEqual([850, 850]);
    expect(item?.participant_id).toBe('p1');
  });

  it('keeps participant groups and applies a blocklist group filter to starts', async () => {
    const workspaceId = String(fake.workspaces()[0]?.id);
    const group = await api('POST', '/participant-groups/', {
      name: 'Block list',
      workspace_id: workspaceId,
    });
    expect(group.status).toBe(201);
    const groupId = String(field(group.body, 'id'));
    const added = await api('POST', `/participant-groups/${groupId}/participants/`, {
      participant_ids: ['bad', 'bad'],
    });
    expect(field(added.body, 'results')).toEqual([
      { participant_id: 'bad', datetime_created: new Date(now).toISOString() },
    ]);
    const listed = await api('GET', `/participant-groups/?workspace_id=${workspaceId}`);
    expect((field(listed.body, 'results') as unknown[]).length).toBe(1);
    const id = await draftStudy({
      total_available_places: 2,
      filters: [{ filter_id: 'participant_group_blocklist', selected_values: [groupId] }],
    });
    await publish(id);
    expect(() => fake.startSubmission(id, 'bad')).toThrow(/blocklist/);
    fake.startSubmission(id, 'good');
    await api('DELETE', `/participant-groups/${groupId}/participants/`, { participant_ids: ['bad'] });
    fake.startSubmission(id, 'bad');
    const unknownGroup = await api('POST', '/studies/', {
      name: 'x',
      description: 'x',
      external_study_url: 'https://task.example/',
      prolific_id_option: 'url_parameters',
      completion_codes: [{ code: 'C', code_type: 'COMPLETED', actions: [] }],
      total_available_places: 1,
      estimated_completion_time: 1,
      reward: 1,
      filters: [{ filter_id: 'participant_group_allowlist', selected_values: ['nope'] }],
    });
    expect(unknownGroup.status).toBe(400);
  });

  it('injects 5xx, 429 with Retry-After, slow replies and lost replies', async () => {
    fake.failNext('users.me', 'server_error');
    fake.failNext('users.me', 'rate_limit', { retryAfterSeconds: 7 });
    expect((await api('GET', '/users/me/')).status).toBe(500);
    const limited = await api('GET', '/users/me/');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect((await api('GET', '/users/me/')).status).toBe(200);

    fake.failNext('workspaces.create', 'timeout', { delayMs: 300 });
    const slow = fetch(`${fake.url}/api/v1/workspaces/`, {
      method: 'POST',
      headers: { authorization: `Token ${fake.token}` },
      body: JSON.stringify({ title: 'Slow' }),
      signal: AbortSignal.timeout(50),
    });
    await expect(slow).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(fake.workspaces().map((w) => w.title)).toContain('Slow');

    fake.failNext('workspaces.create', 'lost_reply');
    await expect(api('POST', '/workspaces/', { title: 'Lost' })).rejects.toThrow();
    expect(fake.workspaces().map((w) => w.title)).toContain('Lost');
    expect(fake.requestsTo('workspaces.create').map((r) => r.status)).toEqual([201, 0]);
  });

  it('shows the undocumented PROCESSING status for injected reads', async () => {
    const id = await draftStudy();
    fake.setProcessing(id, 2);
    expect(await status(id)).toBe('PROCESSING');
    expect(await status(id)).toBe('PROCESSING');
    expect(await status(id)).toBe('UNPUBLISHED');
  });

  it('refuses to publish beyond the available balance, and reports the balance', async () => {
    fake.setBalance(100);
    const id = await draftStudy({ total_available_places: 5 });
    const refused = await api('POST', `/studies/${id}/transition/`, { action: 'PUBLISH' });
    expect(refused.status).toBe(400);
    const workspaceId = String(fake.workspaces()[0]?.id);
    const balance = await api('GET', `/workspaces/${workspaceId}/balance/`);
    expect(field(balance.body, 'available_balance')).toBe(100);
  });
});
