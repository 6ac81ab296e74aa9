/**
 * The task server's HTTP routes against a real LiveRun on a temporary SQLite store: real servers on
 * port 0 and fetch, every route's answer, every kind of bad input (and that it changed nothing), and
 * whole worker flows.
 */
import type { AgentDetailsPacket, ErrorReply } from '@mephisto-ts/task-client/wire';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveRun } from '../../src/run/index.js';
import { refusalMessage } from '../../src/run/index.js';
import { createTaskServer, type TaskServerOptions } from '../../src/server/index.js';
import { FakeBlueprint, items, launch, makeConfig, settle } from '../run/engine-fakes.js';
import { STORE_TARGETS, useStore } from '../store/store-targets.js';

const SQLITE_FILE = STORE_TARGETS.find((t) => t.name === 'sqlite-file');
if (!SQLITE_FILE) throw new Error('no sqlite-file store target');

class ArgsBlueprint extends FakeBlueprint {
  override frontendArgs(): Readonly<Record<string, unknown>> {
    return { task_title: 'Label the pictures', block_mobile: true };
  }
}

interface Served {
  run: LiveRun;
  url: string;
  app: FastifyInstance;
}

const silent = pino({ level: 'silent' });

describe('task server HTTP routes [sqlite-file]', () => {
  const h = useStore(SQLITE_FILE);
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function serve(
    options: { units?: number; task?: Record<string, unknown>; server?: Partial<TaskServerOptions> } = {},
  ): Promise<Served> {
    const { run, operator } = await launch(h.store, h.clock, {
      config: makeConfig({ task: options.task ?? {} }),
      blueprint: new ArgsBlueprint('static_task', items(options.units ?? 3)),
    });
    cleanups.push(() => operator.shutdown());
    const app = createTaskServer({ liveRun: run, logger: silent, clock: h.clock, ...options.server });
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => app.close());
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return { run, app, url: `http://127.0.0.1:${address.port}` };
  }

  async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  async function requestAgent(s: Served, worker: string, extra: Record<string, unknown> = {}) {
    const response = await post(`${s.url}/request_agent`, {
      provider_data: {
        worker_name: worker,
        agent_registration_id: `a-${worker}`,
        provider_type: 'mock',
        ...extra,
      },
      client_timestamp: 1_767_225_600.5,
    });
    expect(response.status).toBe(200);
    return (await response.json()) as AgentDetailsPacket;
  }

  async function expectError(response: Response, status: number, code: string): Promise<string> {
    expect(response.status).toBe(status);
    const body = (await response.json()) as ErrorReply;
    expect(body.error.code).toBe(code);
    expect(body.error.message.length).toBeGreaterThan(0);
    return body.error.message;
  }

  async function unitStatuses(run: LiveRun): Promise<string[]> {
    return (await h.store.findUnits({ taskRunId: run.taskRun.id })).map((u) => u.status).sort();
  }

  it('GET /task_config.json: the blueprint frontend args plus mephisto_task_version, for any version', async () => {
    const s = await serve();
    for (const query of ['?mephisto_task_version=2.0.4', '?mephisto_task_version=1.5.1', '']) {
      const response = await fetch(`${s.url}/task_config.json${query}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual({
        task_title: 'Label the pictures',
        block_mobile: true,
        mephisto_task_version: '2.0.4',
      });
    }
    const repeated = await fetch(`${s.url}/task_config.json?mephisto_task_version=1&mephisto_task_version=2`);
    await expectError(repeated, 400, 'MEPHISTO_ERR_INVALID_REQUEST');
  });

  it('logs a mephisto-task version mismatch as Mephisto does', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const s = await serve({ server: { logger } });
    await fetch(`${s.url}/task_config.json?mephisto_task_version=2.0.4`);
    expect(lines.filter((l) => l.includes('version_mismatch'))).toHaveLength(0);
    await fetch(`${s.url}/task_config.json?mephisto_task_version=1.5.1`);
    const mismatch = lines.find((l) => l.includes('version_mismatch'));
    expect(JSON.parse(mismatch ?? '{}')).toMatchObject({ client_version: '1.5.1', server_version: '2.0.4' });
  });

  it('GET /is_alive and GET /get_timestamp (milliseconds from the injected clock)', async () => {
    const s = await serve();
    expect(await (await fetch(`${s.url}/is_alive`)).json()).toEqual({ status: 'Alive!' });
    expect(await (await fetch(`${s.url}/get_timestamp`)).json()).toEqual({ timestamp: h.clock.now() });
    await expectError(await fetch(`${s.url}/nope`), 404, 'MEPHISTO_ERR_ROUTE_NOT_FOUND');
  });

  it('a full worker flow: request_agent → submit_task → the unit is completed in the store', async () => {
    const s = await serve({ units: 1 });
    const packet = await requestAgent(s, 'w1');
    expect(packet).toMatchObject({
      packet_type: 'agent_details',
      subject_id: packet.data.request_id,
      data: { failure_reason: null, failure_code: null, init_task_data: { i: 0, unit: { k: 0 } } },
    });
    expect(packet.data.request_id).toMatch(/^[0-9a-f-]{36}$/);
    const agentId = packet.data.agent_id;
    if (agentId === null) throw new Error('no agent');
    const agent = await h.store.getAgent(agentId);
    expect(packet.data.worker_id).toBe(agent.workerId);
    expect(agent.status).not.toBe('completed');

    const response = await post(`${s.url}/submit_task`, {
      USED_AGENT_ID: agentId,
      final_data: { answer: 'cat' },
      client_timestamp: 1_767_225_601,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'Submitted!' });
    // "Submitted!" comes after the commit: the store already says so.
    expect((await h.store.getAgent(agentId)).status).toBe('completed');
    expect(await unitStatuses(s.run)).toEqual(['completed']);
    expect((await s.run.ended).reason).toBe('completed');

    // The same submit again: the agent is no longer working.
    const again = await post(`${s.url}/submit_task`, { USED_AGENT_ID: agentId, final_data: {} });
    await expectError(again, 409, 'MEPHISTO_ERR_AGENT_NOT_LIVE');
  });

  it('a second worker gets a different unit; a reload gets the same one', async () => {
    const s = await serve({ units: 3 });
    const a = await requestAgent(s, 'w1');
    const b = await requestAgent(s, 'w2');
    expect(a.data.agent_id).not.toBeNull();
    expect(b.data.agent_id).not.toBeNull();
    expect(b.data.agent_id).not.toBe(a.data.agent_id);
    expect(b.data.worker_id).not.toBe(a.data.worker_id);
    const unitOf = async (p: AgentDetailsPacket) => (await h.store.getAgent(p.data.agent_id ?? '')).unitId;
    expect(await unitOf(b)).not.toBe(await unitOf(a));
    const reload = await requestAgent(s, 'w1');
    expect(reload.data.agent_id).toBe(a.data.agent_id);
    expect(reload.data.request_id).not.toBe(a.data.request_id);
  });

  it('a refusal (allowed_concurrent) is an agent_details with agent_id null and the specific reason', async () => {
    const s = await serve({ units: 3, task: { allowed_concurrent: 1 } });
    await requestAgent(s, 'w1');
    const refused = await requestAgent(s, 'w1', { agent_registration_id: 'second-tab' });
    expect(refused).toMatchObject({
      packet_type: 'agent_details',
      data: {
        agent_id: null,
        init_task_data: null,
        failure_code: 'too_many_concurrent',
        failure_reason: refusalMessage('too_many_concurrent', { held: 1 }),
      },
    });
    expect(refused.data.worker_id).not.toBeNull();
    expect(await h.store.findAgents({ taskRunId: s.run.taskRun.id })).toHaveLength(1);
  });

  describe('bad input is refused with a specific code and changes nothing', () => {
    it('/request_agent: malformed JSON, empty body, missing or wrong fields, wrong content type', async () => {
      const s = await serve();
      const url = `${s.url}/request_agent`;
      await expectError(await post(url, '{"provider_data": {'), 400, 'MEPHISTO_ERR_MALFORMED_JSON');
      await expectError(await post(url, ''), 400, 'MEPHISTO_ERR_MALFORMED_JSON');
      const missing = await expectError(
        await post(url, { client_timestamp: 1 }),
        400,
        'MEPHISTO_ERR_INVALID_REQUEST',
      );
      expect(missing).toContain('provider_data');
      const noName = await post(url, { provider_data: { agent_registration_id: 'x' } });
      expect(await expectError(noName, 400, 'MEPHISTO_ERR_INVALID_REQUEST')).toContain(
        'provider_data.worker_name',
      );
      const badTime = await post(url, { provider_data: { worker_name: 'w' }, client_timestamp: 'now' });
      expect(await expectError(badTime, 400, 'MEPHISTO_ERR_INVALID_REQUEST')).toContain('client_timestamp');
      await expectError(await post(url, [1, 2]), 400, 'MEPHISTO_ERR_INVALID_REQUEST');
      const text = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain' },
        body: 'hi',
      });
      await expectError(text, 415, 'MEPHISTO_ERR_UNSUPPORTED_MEDIA_TYPE');
      expect(await h.store.findWorkers({})).toHaveLength(0);
      expect(await h.store.findAgents({ taskRunId: s.run.taskRun.id })).toHaveLength(0);
    });

    it('/submit_task: unknown agent, missing fields, multipart elsewhere, another worker’s agent, oversized body', async () => {
      const s = await serve({ server: { limits: { bodyLimit: 2048 } } });
      const mine = await requestAgent(s, 'w1');
      const theirs = await requestAgent(s, 'w2');
      const url = `${s.url}/submit_task`;
      const before = await unitStatuses(s.run);

      await expectError(
        await post(url, { USED_AGENT_ID: '999999', final_data: {} }),
        404,
        'MEPHISTO_ERR_AGENT_NOT_LIVE',
      );
      const noData = await post(url, { USED_AGENT_ID: mine.data.agent_id });
      expect(await expectError(noData, 400, 'MEPHISTO_ERR_INVALID_REQUEST')).toContain('final_data');
      const noId = await post(url, { final_data: {} });
      expect(await expectError(noId, 400, 'MEPHISTO_ERR_INVALID_REQUEST')).toContain('USED_AGENT_ID');
      await expectError(
        await post(url, { USED_AGENT_ID: 42, final_data: {} }),
        400,
        'MEPHISTO_ERR_INVALID_REQUEST',
      );
      await expectError(await post(url, '{"USED_AGENT_ID":'), 400, 'MEPHISTO_ERR_MALFORMED_JSON');

      const form = new FormData();
      form.set('USED_AGENT_ID', mine.data.agent_id ?? '');
      form.set('final_string_data', '{}');
      // Multipart is accepted by the two submit routes only (multipart submits: uploads.test.ts).
      const multipart = await fetch(`${s.url}/request_agent`, { method: 'POST', body: form });
      expect(await expectError(multipart, 415, 'MEPHISTO_ERR_UNSUPPORTED_MEDIA_TYPE')).toContain('multipart');

      const stolen = await post(url, {
        USED_AGENT_ID: theirs.data.agent_id,
        final_data: { answer: 'x' },
        worker_id: mine.data.worker_id,
      });
      await expectError(stolen, 403, 'MEPHISTO_ERR_AGENT_NOT_YOURS');

      const huge = await post(url, {
        USED_AGENT_ID: mine.data.agent_id,
        final_data: { text: 'x'.repeat(4096) },
      });
      await expectError(huge, 413, 'MEPHISTO_ERR_BODY_TOO_LARGE');

      await settle();
      expect(await unitStatuses(s.run)).toEqual(before);
      for (const p of [mine, theirs])
        expect((await h.store.getAgent(p.data.agent_id ?? '')).status).not.toBe('completed');

      // With its own worker_id the submit goes through.
      const own = await post(url, {
        USED_AGENT_ID: mine.data.agent_id,
        final_data: { a: 1 },
        worker_id: mine.data.worker_id,
      });
      expect(await own.json()).toEqual({ status: 'Submitted!' });
    });

    it('/submit_metadata and /log_error: happy paths and missing fields', async () => {
      const s = await serve();
      const meta = await post(`${s.url}/submit_metadata`, {
        USED_AGENT_ID: '1',
        metadata: { a: 1 },
        client_timestamp: 2,
      });
      expect(meta.status).toBe(200);
      expect(await meta.json()).toEqual({ status: 'Submitted metadata' });
      await expectError(
        await post(`${s.url}/submit_metadata`, { metadata: {} }),
        400,
        'MEPHISTO_ERR_INVALID_REQUEST',
      );

      for (const id of ['7', null]) {
        const logged = await post(`${s.url}/log_error`, {
          USED_AGENT_ID: id,
          error_data: { error_type: 'x', text: 'boom' },
          client_timestamp: 3,
        });
        expect(await logged.json()).toEqual({ status: 'Error log sent!' });
      }
      const noData = await post(`${s.url}/log_error`, { USED_AGENT_ID: '7' });
      expect(await expectError(noData, 400, 'MEPHISTO_ERR_INVALID_REQUEST')).toContain('error_data');
    });
  });

  it('/request_agent answers 503 when the engine does not answer in time, and never hangs', async () => {
    const s = await serve();
    const stuck: LiveRun = Object.create(s.run) as LiveRun;
    Object.defineProperty(stuck, 'requestAgent', { value: () => new Promise(() => undefined) });
    const app = createTaskServer({ liveRun: stuck, logger: silent, limits: { requestAgentTimeoutMs: 50 } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => app.close());
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const response = await post(`http://127.0.0.1:${address.port}/request_agent`, {
      provider_data: { worker_name: 'w' },
    });
    expect(await expectError(response, 503, 'MEPHISTO_ERR_ENGINE_TIMEOUT')).toContain('try again');
  });
});
