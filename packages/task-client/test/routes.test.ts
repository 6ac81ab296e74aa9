import { describe, expect, it } from 'vitest';
import {
  getTaskConfig,
  HttpError,
  MEPHISTO_TASK_VERSION,
  requestAgent,
  type AgentDetailsPacket,
} from '../src/index.js';

/** A fetch that records each call and answers with `reply`. */
function recordingFetch(reply: Response): {
  fetch: typeof fetch;
  calls: { url: string; init: RequestInit }[];
} {
  const calls: { url: string; init: RequestInit }[] = [];
  const fake = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    calls.push({ url: input instanceof Request ? input.url : String(input), init: init ?? {} });
    return Promise.resolve(reply);
  };
  return { fetch: fake, calls };
}

describe('task-client routes', () => {
  it('getTaskConfig asks for task_config.json with the mephisto-task version', async () => {
    const { fetch, calls } = recordingFetch(Response.json({ task_title: 'T' }));
    const config = await getTaskConfig({ baseUrl: 'http://host:3000', fetch });
    expect(config).toEqual({ task_title: 'T' });
    expect(calls[0]?.url).toBe(
      `http://host:3000/task_config.json?mephisto_task_version=${MEPHISTO_TASK_VERSION}`,
    );
    expect(calls[0]?.init.method).toBe('GET');
  });

  it('requestAgent posts provider_data and a timestamp in seconds, and returns the whole packet', async () => {
    const packet: AgentDetailsPacket = {
      packet_type: 'agent_details',
      subject_id: 'channel-1',
      data: { request_id: 'r1', worker_id: '7', agent_id: '9', init_task_data: { x: 1 } },
    };
    const { fetch, calls } = recordingFetch(Response.json(packet));
    const registration = {
      worker_name: 'w',
      agent_registration_id: 'a-w',
      assignment_id: 'a',
      provider_type: 'mock',
    };
    const before = Date.now() / 1000;
    expect(await requestAgent(registration, { fetch })).toEqual(packet);
    expect(calls[0]?.url).toBe('/request_agent');
    expect(calls[0]?.init.method).toBe('POST');
    const body = JSON.parse(calls[0]?.init.body as string) as {
      provider_data: unknown;
      client_timestamp: number;
    };
    expect(body.provider_data).toEqual(registration);
    expect(body.client_timestamp).toBeGreaterThanOrEqual(before - 1);
    expect(body.client_timestamp).toBeLessThan(before + 60);
  });

  it('reports a failed answer as an HttpError with its status', async () => {
    const { fetch } = recordingFetch(new Response('timed out', { status: 408 }));
    const failure = getTaskConfig({ fetch });
    await expect(failure).rejects.toBeInstanceOf(HttpError);
    await expect(failure).rejects.toMatchObject({ status: 408 });
  });
});
