/**
 * `POST /submit_onboarding` against a real LiveRun and server on port 0: the engine runs no onboarding
 * yet, so a well-formed request gets MEPHISTO_ERR_ONBOARDING_NOT_ENABLED and a malformed one
 * MEPHISTO_ERR_INVALID_REQUEST (or MALFORMED_JSON / UNSUPPORTED_MEDIA_TYPE), and neither changes
 * anything.
 */
import type { AgentDetailsPacket, ErrorReply } from '@mephisto-ts/task-client/wire';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createTaskServer } from '../../src/server/index.js';
import { FakeBlueprint, items, launch, makeConfig } from '../run/engine-fakes.js';
import { STORE_TARGETS, useStore } from '../store/store-targets.js';

const SQLITE_FILE = STORE_TARGETS.find((t) => t.name === 'sqlite-file');
if (!SQLITE_FILE) throw new Error('no sqlite-file store target');

describe('POST /submit_onboarding [sqlite-file]', () => {
  const h = useStore(SQLITE_FILE);
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function serve(): Promise<string> {
    const { run, operator } = await launch(h.store, h.clock, {
      config: makeConfig(),
      blueprint: new FakeBlueprint('static_task', items(2)),
    });
    cleanups.push(() => operator.shutdown());
    const app = createTaskServer({ liveRun: run, logger: pino({ level: 'silent' }), clock: h.clock });
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => app.close());
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return `http://127.0.0.1:${address.port}`;
  }

  const post = (url: string, body: unknown) =>
    fetch(`${url}/submit_onboarding`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  async function expectError(response: Response, status: number, code: string): Promise<string> {
    const body = (await response.json()) as ErrorReply;
    expect({ status: response.status, code: body.error.code }).toEqual({ status, code });
    return body.error.message;
  }

  it('a well-formed submit (as mephisto-task posts it) answers that this run has no onboarding', async () => {
    const url = await serve();
    const response = await fetch(`${url}/request_agent`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ provider_data: { worker_name: 'w1' } }),
    });
    const agentId = ((await response.json()) as AgentDetailsPacket).data.agent_id ?? '';
    const before = await h.store.getAgent(agentId);

    // postCompleteOnboarding's body, for an agent of the run, an unknown one, and without onboarding_data.
    for (const providerData of [
      { USED_AGENT_ID: agentId, onboarding_data: { answer: 4 } },
      { USED_AGENT_ID: 'onboarding-999', onboarding_data: {} },
      { USED_AGENT_ID: agentId, extra: 'kept' },
    ]) {
      const refused = await post(url, { provider_data: providerData, client_timestamp: 1_767_225_600.5 });
      const message = await expectError(refused, 409, 'MEPHISTO_ERR_ONBOARDING_NOT_ENABLED');
      expect(message).toContain('no onboarding');
    }
    expect(await h.store.getAgent(agentId)).toEqual(before);
    expect(await h.store.getAgentSubmission(agentId)).toBeNull();
  });

  it('malformed requests: the usual codes', async () => {
    const url = await serve();
    const noAgent = await post(url, { provider_data: { onboarding_data: {} } });
    expect(await expectError(noAgent, 400, 'MEPHISTO_ERR_INVALID_REQUEST')).toContain(
      'provider_data.USED_AGENT_ID',
    );
    const flat = await post(url, { USED_AGENT_ID: '1', onboarding_data: {} });
    expect(await expectError(flat, 400, 'MEPHISTO_ERR_INVALID_REQUEST')).toContain('provider_data');
    const badId = await post(url, { provider_data: { USED_AGENT_ID: 7 } });
    await expectError(badId, 400, 'MEPHISTO_ERR_INVALID_REQUEST');
    const badTime = await post(url, { provider_data: { USED_AGENT_ID: '1' }, client_timestamp: 'now' });
    expect(await expectError(badTime, 400, 'MEPHISTO_ERR_INVALID_REQUEST')).toContain('client_timestamp');
    await expectError(await post(url, '{"provider_data":'), 400, 'MEPHISTO_ERR_MALFORMED_JSON');
    const form = new FormData();
    form.set('USED_AGENT_ID', '1');
    const multipart = await fetch(`${url}/submit_onboarding`, { method: 'POST', body: form });
    await expectError(multipart, 415, 'MEPHISTO_ERR_UNSUPPORTED_MEDIA_TYPE');
  });
});
