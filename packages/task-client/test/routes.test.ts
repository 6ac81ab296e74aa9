// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  doesSupportWebsockets,
  getBlockedExplanation,
  getTaskConfig,
  isMobile,
  libVersion,
  NETWORK_ERROR_CODE,
  postCompleteOnboarding,
  postCompleteTask,
  postData,
  postErrorLog,
  postMetadata,
  pythonTime,
  requestAgent,
  TaskServerError,
} from '../src/index.js';
import { agentDetails, FakeTaskServer, json } from './support/fake-task-server.js';
import { installWrapper, type FakeWrapper } from './support/provider-wrapper.js';

let server: FakeTaskServer;
let wrapper: FakeWrapper;

beforeEach(() => {
  server = new FakeTaskServer().install();
  wrapper = installWrapper();
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('route helpers', () => {
  it('getTaskConfig asks with mephisto_task_version=2.0.4, so the server sees no mismatch', async () => {
    expect(libVersion).toBe('2.0.4');
    expect(await getTaskConfig()).toEqual({ task_title: 'T', mephisto_task_version: '2.0.4' });
    const [request] = server.to('/task_config.json');
    expect(request?.method).toBe('GET');
    expect(request?.url.searchParams.get('mephisto_task_version')).toBe('2.0.4');
  });

  it('getTaskConfig warns when the server expects another version', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    server.on('GET', '/task_config.json', () => json({ mephisto_task_version: '3.0.0' }));
    await getTaskConfig();
    expect(warn).toHaveBeenCalledOnce();
    expect(String(warn.mock.calls[0]?.[0])).toContain('3.0.0');
  });

  it("merges the wrapper's getProviderURLParams (function or object) into every query", async () => {
    vi.stubGlobal('getProviderURLParams', () => ({ study_id: 's1', tags: ['a', 'b'], skip: null }));
    await getTaskConfig();
    await postErrorLog('agent-1', { text: 'x' });
    const [config] = server.to('/task_config.json');
    expect(config?.url.searchParams.get('mephisto_task_version')).toBe('2.0.4');
    expect(config?.url.searchParams.get('study_id')).toBe('s1');
    expect(config?.url.searchParams.getAll('tags[]')).toEqual(['a', 'b']);
    expect(config?.url.searchParams.has('skip')).toBe(false);
    expect(server.to('/log_error')[0]?.url.searchParams.get('study_id')).toBe('s1');

    vi.stubGlobal('getProviderURLParams', { hit: 'h1' });
    await postData('/log_error', {});
    expect(server.to('/log_error')[1]?.url.search).toBe('?hit=h1');
  });

  it("requestAgent posts the wrapper's registration to the page origin and returns the whole packet", async () => {
    const packet = agentDetails({ worker_id: 'w7', agent_id: 'a9', init_task_data: { text: 'hi' } });
    server.on('POST', '/request_agent', () => json(packet));
    const before = pythonTime();
    expect(await requestAgent()).toEqual(packet);
    const [request] = server.to('/request_agent');
    expect(request?.url.origin).toBe('http://localhost:3000');
    expect(request?.headers.get('content-type')).toBe('application/json');
    const body = request?.body as { provider_data: unknown; client_timestamp: number };
    expect(body.provider_data).toEqual({
      worker_name: 'worker-1',
      agent_registration_id: 'assignment-1-worker-1',
      assignment_id: 'assignment-1',
      provider_type: 'mock',
    });
    expect(body.client_timestamp).toBeGreaterThanOrEqual(before);
    expect(body.client_timestamp).toBeLessThan(before + 60);
  });

  it('postCompleteOnboarding posts USED_AGENT_ID and onboarding_data as provider_data', async () => {
    server.on('POST', '/submit_onboarding', () => json(agentDetails({ agent_id: 'a2', worker_id: 'w' })));
    const packet = await postCompleteOnboarding('onboarding_1', { answer: 4 });
    expect(packet.data.agent_id).toBe('a2');
    expect(server.to('/submit_onboarding')[0]?.body).toMatchObject({
      provider_data: { USED_AGENT_ID: 'onboarding_1', onboarding_data: { answer: 4 } },
    });
  });

  it('postCompleteTask posts final_data as JSON, then tells the provider', async () => {
    await postCompleteTask('agent-1', { answer: 'yes' }, { workerId: 'w7' });
    expect(server.to('/submit_task')[0]?.body).toMatchObject({
      USED_AGENT_ID: 'agent-1',
      final_data: { answer: 'yes' },
      worker_id: 'w7',
    });
    expect(wrapper.handleSubmitToProvider).toHaveBeenCalledWith({ answer: 'yes' });
  });

  it('postCompleteTask sends a FormData as multipart, leaving the form untouched', async () => {
    const form = new FormData();
    form.set('final_string_data', JSON.stringify({ answer: 'yes' }));
    form.set('upload', new File(['content'], 'notes.txt'));
    await postCompleteTask('agent-1', form);
    const [request] = server.to('/submit_task');
    // fetch sets the multipart Content-Type with its boundary itself.
    expect(request?.headers.has('content-type')).toBe(false);
    const sent = request?.body as FormData;
    expect(sent).toBeInstanceOf(FormData);
    expect(sent.get('USED_AGENT_ID')).toBe('agent-1');
    expect(Number(sent.get('client_timestamp'))).toBeGreaterThan(0);
    expect(sent.get('final_string_data')).toBe('{"answer":"yes"}');
    expect((sent.get('upload') as File).name).toBe('notes.txt');
    expect(form.has('USED_AGENT_ID')).toBe(false);
    expect(wrapper.handleSubmitToProvider).toHaveBeenCalledWith({ answer: 'yes' });
  });

  it('postCompleteTask does not tell the provider when the server refuses, and rejects with its message', async () => {
    server.on('POST', '/submit_task', () =>
      json({ error: { code: 'MEPHISTO_ERR_AGENT_NOT_LIVE', message: 'agent a1 is expired' } }, 409),
    );
    const failure = postCompleteTask('a1', {});
    await expect(failure).rejects.toBeInstanceOf(TaskServerError);
    await expect(failure).rejects.toMatchObject({
      status: 409,
      code: 'MEPHISTO_ERR_AGENT_NOT_LIVE',
      message: 'agent a1 is expired',
      route: '/submit_task',
    });
    expect(wrapper.handleSubmitToProvider).not.toHaveBeenCalled();
  });

  it('reports a refusal without an error body, and an unreachable server, as TaskServerErrors', async () => {
    server.on('POST', '/log_error', () => new Response('Bad gateway', { status: 502 }));
    await expect(postErrorLog(null, {})).rejects.toMatchObject({
      status: 502,
      code: 'http_error',
      message: '/log_error answered HTTP 502: Bad gateway',
    });
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    await expect(getTaskConfig()).rejects.toMatchObject({
      status: null,
      code: NETWORK_ERROR_CODE,
      route: '/task_config.json',
      message: 'the task server could not be reached (/task_config.json: Failed to fetch)',
    });
  });

  it('postMetadata posts JSON, or a FormData whose data field becomes metadata', async () => {
    expect(await postMetadata('a1', { rating: 5 })).toEqual({ status: 'Submitted metadata' });
    expect(server.to('/submit_metadata')[0]?.body).toMatchObject({
      USED_AGENT_ID: 'a1',
      metadata: { rating: 5 },
    });
    const form = new FormData();
    form.set('data', '{"rating":4}');
    await postMetadata('a1', form);
    const sent = server.to('/submit_metadata')[1]?.body as FormData;
    expect(sent.get('metadata')).toBe('{"rating":4}');
    expect(sent.get('USED_AGENT_ID')).toBe('a1');
  });

  it('getBlockedExplanation gives mephisto-task sentences and a generic one with the code', () => {
    expect(getBlockedExplanation('no_mobile')).toBe(
      'Sorry, this task cannot be completed on mobile devices. Please use a computer.',
    );
    expect(getBlockedExplanation('no_websockets')).toMatch(/^Sorry, your browser does not support/);
    expect(getBlockedExplanation('toString')).toBe(
      'Sorry, you are not able to work on this task. (code: toString)',
    );
  });

  it('isMobile reads the user agent; doesSupportWebsockets detects the standard WebSocket', () => {
    vi.spyOn(navigator, 'userAgent', 'get').mockReturnValue('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)');
    expect(isMobile()).toBe(true);
    vi.spyOn(navigator, 'userAgent', 'get').mockReturnValue('Mozilla/5.0 (X11; Linux x86_64) Chrome/120');
    expect(isMobile()).toBe(false);
    vi.stubGlobal(
      'WebSocket',
      Object.assign(() => undefined, { CLOSED: 3 }),
    );
    expect(doesSupportWebsockets()).toBe(true);
    vi.stubGlobal(
      'WebSocket',
      Object.assign(() => undefined, { CLOSED: 2 }),
    ); // the pre-RFC 6455 API
    expect(doesSupportWebsockets()).toBe(false);
    vi.stubGlobal('WebSocket', undefined);
    expect(doesSupportWebsockets()).toBe(false);
  });
});
