/**
 * The Prolific API client against the Prolific fake: credentials, retries with backoff and jitter (429
 * honouring Retry-After for every call; 5xx, timeouts for safe and idempotent calls only; bonus pay
 * never), validation of replies, and errors that quote Prolific.
 */
import { ProlificFake } from '@mephisto-ts/testing/prolific-fake';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ProlificApiClient,
  prolificApiBaseUrl,
  prolificTokenFrom,
} from '../../../src/providers/prolific/prolific-api-client.js';
import {
  ProlificApiError,
  ProlificCredentialsError,
} from '../../../src/providers/prolific/prolific-errors.js';
import { rejectionOf } from '../../store/fixtures.js';

let fake: ProlificFake;
let sleeps: number[];

beforeEach(async () => {
  fake = await ProlificFake.start();
  sleeps = [];
});
afterEach(async () => {
  await fake.close();
});

function client(
  options: { maxRetries?: number; timeoutMs?: number; random?: () => number } = {},
): ProlificApiClient {
  return new ProlificApiClient({
    token: fake.token,
    baseUrl: fake.url,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    random: options.random ?? (() => 0.5),
    baseDelayMs: 100,
    maxDelayMs: 10_000,
    ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
}

const STUDY = {
  name: 'Rate sentences',
  description: 'Say whether each sentence reads well.',
  external_study_url: 'https://task.example/?PROLIFIC_PID={{%PROLIFIC_PID%}}',
  prolific_id_option: 'url_parameters',
  completion_codes: [{ code: 'C1', code_type: 'COMPLETED', actions: [{ action: 'MANUALLY_REVIEW' }] }],
  total_available_places: 1,
  estimated_completion_time: 5,
  reward: 30,
};

describe('ProlificApiClient', () => {
  it('reads the token from the environment, and the base URL from the args', () => {
    expect(prolificTokenFrom({ PROLIFIC_API_TOKEN: ' t ' })).toBe('t');
    const error = (() => {
      try {
        prolificTokenFrom({});
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ProlificCredentialsError);
    expect(error).toMatchObject({ code: 'MEPHISTO_ERR_PROVIDER_CREDENTIALS' });
    expect(prolificApiBaseUrl({ api_base_url: '' })).toBe('https://api.prolific.com');
    expect(prolificApiBaseUrl({ api_base_url: 'http://127.0.0.1:9/' })).toBe('http://127.0.0.1:9');
  });

  it('turns a refused token into a credentials error', async () => {
    const bad = new ProlificApiClient({ token: 'wrong', baseUrl: fake.url, sleep: () => Promise.resolve() });
    const error = await rejectionOf(bad.me());
    expect(error).toBeInstanceOf(ProlificCredentialsError);
    expect(String(error)).toContain('401');
  });

  it('retries a read after 5xx with exponential backoff and jitter', async () => {
    fake.failNext('users.me', 'server_error', { times: 2 });
    const me = await client({ random: () => 0.5 }).me();
    expect(me.id).toBeTruthy();
    expect(fake.requestsTo('users.me').map((r) => r.status)).toEqual([500, 500, 200]);
    // Half fixed, half random: 100 → 75 with random 0.5, 200 → 150.
    expect(sleeps).toEqual([75, 150]);
  });

  it('gives up after its retries and quotes the last failure', async () => {
    fake.failNext('users.me', 'unavailable', { times: 10 });
    const error = await rejectionOf(client({ maxRetries: 2 }).me());
    expect(error).toBeInstanceOf(ProlificApiError);
    expect(error).toMatchObject({ code: 'MEPHISTO_ERR_PROVIDER_API', status: 503 });
    expect(String(error)).toContain('Service temporarily unavailable');
    expect(fake.requestsTo('users.me')).toHaveLength(3);
  });

  it('honours Retry-After on 429, for every call (a throttled request did nothing)', async () => {
    fake.failNext('studies.create', 'rate_limit', { retryAfterSeconds: 7 });
    const study = await client().createStudy(STUDY);
    expect(study.status).toBe('UNPUBLISHED');
    expect(sleeps).toEqual([7000]);
    expect(fake.studies()).toHaveLength(1);
  });

  it('does not resend a create after a 5xx (it may have happened): the outcome is unknown', async () => {
    fake.failNext('studies.create', 'server_error');
    const error = await rejectionOf(client().createStudy(STUDY));
    expect(error).toBeInstanceOf(ProlificApiError);
    expect((error as ProlificApiError).outcomeUnknown).toBe(true);
    expect(fake.requestsTo('studies.create')).toHaveLength(1);
  });

  it('retries a read that timed out, but not a create', async () => {
    fake.failNext('workspaces.list', 'timeout', { delayMs: 400 });
    const workspaces = await client({ timeoutMs: 100 }).listWorkspaces();
    expect(workspaces.map((w) => w.title)).toEqual(['My Workspace']);
    fake.failNext('workspaces.create', 'timeout', { delayMs: 400 });
    const error = await rejectionOf(client({ timeoutMs: 100 }).createWorkspace('Slow'));
    expect(error).toMatchObject({ code: 'MEPHISTO_ERR_PROVIDER_API', status: null });
    expect(String(error)).toContain('no reply within 100 ms');
    // The slow request still arrives (and is logged once it is answered); it was never sent again.
    await expect.poll(() => fake.requestsTo('workspaces.create').length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fake.requestsTo('workspaces.create')).toHaveLength(1);
  });

  it('never resends a bonus payment, not even after a 429', async () => {
    const api = client();
    const study = await api.createStudy(STUDY);
    await api.transitionStudy(study.id, 'PUBLISH');
    const started = fake.startSubmission(study.id, 'p1');
    const bonus = await api.createBulkBonus(study.id, `${started.submissionId},0.50`);
    fake.failNext('bonuses.pay', 'rate_limit');
    await expect(api.payBulkBonus(bonus.id)).rejects.toMatchObject({ status: 429 });
    fake.failNext('bonuses.pay', 'server_error');
    await expect(api.payBulkBonus(bonus.id)).rejects.toMatchObject({ status: 500 });
    expect(fake.requestsTo('bonuses.pay')).toHaveLength(2);
    expect(fake.bonusPaidTo('p1')).toBe(0);
    await api.payBulkBonus(bonus.id);
    expect(fake.bonusPaidTo('p1')).toBe(50);
  });

  it("quotes Prolific's per-field validation messages", async () => {
    const error = await rejectionOf(client().createStudy({ ...STUDY, reward: 'lots', name: undefined }));
    expect(error).toBeInstanceOf(ProlificApiError);
    expect(error).toMatchObject({ status: 400, detail: { name: ['This field is required.'] } });
    expect(String(error)).toContain('name: This field is required.');
    expect(String(error)).toContain('reward: A valid integer is required.');
    expect(fake.requestsTo('studies.create')).toHaveLength(1);
  });

  it('checks replies against their schema', async () => {
    const odd = new ProlificApiClient({
      token: 't',
      baseUrl: 'http://prolific.invalid',
      fetch: () => Promise.resolve(new Response(JSON.stringify({ id: 7 }), { status: 200 })),
    });
    const error = await rejectionOf(odd.getStudy('s'));
    expect(error).toBeInstanceOf(ProlificApiError);
    expect(String(error)).toContain('unexpected reply');
  });

  it('follows next-page links on the same host only', async () => {
    const pages: Record<string, unknown> = {
      '/api/v1/workspaces/': {
        results: [{ id: 'w1', title: 'One' }],
        _links: { next: { href: 'http://prolific.invalid/api/v1/workspaces/?page=2' } },
      },
      '/api/v1/workspaces/?page=2': {
        results: [{ id: 'w2', title: 'Two' }],
        _links: { next: { href: 'http://elsewhere.invalid/api/v1/workspaces/?page=3' } },
      },
    };
    const seen: string[] = [];
    const paged = new ProlificApiClient({
      token: 't',
      baseUrl: 'http://prolific.invalid',
      fetch: (input) => {
        const url = new URL(input instanceof Request ? input.url : input);
        seen.push(url.pathname + url.search);
        return Promise.resolve(
          new Response(JSON.stringify(pages[url.pathname + url.search]), { status: 200 }),
        );
      },
    });
    expect((await paged.listWorkspaces()).map((w) => w.id)).toEqual(['w1', 'w2']);
    expect(seen).toEqual(['/api/v1/workspaces/', '/api/v1/workspaces/?page=2']);
  });
});
