// @vitest-environment happy-dom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TaskServerError, useMephistoTask } from '../src/index.js';
import { agentDetails, FakeTaskServer, json } from './support/fake-task-server.js';
import { installWrapper, type FakeWrapper } from './support/provider-wrapper.js';

interface TaskData {
  text: string;
}

let server: FakeTaskServer;
let wrapper: FakeWrapper;

beforeEach(() => {
  server = new FakeTaskServer().install();
  wrapper = installWrapper();
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('useMephistoTask', () => {
  it('loads the config, gets an agent, submits, then tells the provider', async () => {
    server.on('POST', '/request_agent', () =>
      json(agentDetails({ worker_id: 'w7', agent_id: 'a9', init_task_data: { text: 'Hello' } })),
    );
    const { result } = renderHook(() => useMephistoTask<TaskData>());
    expect(result.current).toMatchObject({
      providerWorkerId: 'worker-1',
      assignmentId: 'assignment-1',
      isPreview: false,
      loaded: false,
      isLoading: true,
      previewHtml: null,
      blockedReason: null,
      blockedExplanation: null,
    });
    await waitFor(() => {
      expect(result.current.loaded).toBe(true);
    });
    expect(result.current).toMatchObject({
      mephistoWorkerId: 'w7',
      agentId: 'a9',
      isOnboarding: false,
      isLoading: false,
      taskConfig: { task_title: 'T' },
      initialTaskData: { text: 'Hello' },
      failureCode: null,
    });

    await act(() => result.current.handleSubmit({ answer: 'yes' }));
    expect(server.to('/submit_task')[0]?.body).toMatchObject({
      USED_AGENT_ID: 'a9',
      final_data: { answer: 'yes' },
      worker_id: 'w7',
    });
    expect(wrapper.handleSubmitToProvider).toHaveBeenCalledWith({ answer: 'yes' });
    expect(server.requests.map((request) => request.url.pathname)).toEqual([
      '/task_config.json',
      '/request_agent',
      '/submit_task',
    ]);
  });

  it('asks for one agent under React StrictMode', async () => {
    server.on('POST', '/request_agent', () => json(agentDetails({ worker_id: 'w', agent_id: 'a' })));
    const { result } = renderHook(() => useMephistoTask(), { reactStrictMode: true });
    await waitFor(() => {
      expect(result.current.loaded).toBe(true);
    });
    expect(server.to('/task_config.json')).toHaveLength(1);
    expect(server.to('/request_agent')).toHaveLength(1);
  });

  it('a preview loads the config only', async () => {
    installWrapper(null, null);
    const { result } = renderHook(() => useMephistoTask());
    expect(result.current.isPreview).toBe(true);
    await waitFor(() => {
      expect(result.current.loaded).toBe(true);
    });
    expect(result.current.taskConfig).toEqual({ task_title: 'T', mephisto_task_version: '2.0.4' });
    expect(result.current.agentId).toBeNull();
    expect(server.to('/request_agent')).toHaveLength(0);
  });

  it("a refusal blocks with the server's failure_reason and exposes its failure_code", async () => {
    server.on('POST', '/request_agent', () =>
      json(
        agentDetails({
          worker_id: 'w7',
          agent_id: null,
          failure_reason: 'You have already completed the maximum number of units for this task.',
          failure_code: 'max_for_task',
        }),
      ),
    );
    const { result } = renderHook(() => useMephistoTask());
    await waitFor(() => {
      expect(result.current.blockedReason).toBe('null_agent_id');
    });
    expect(result.current).toMatchObject({
      blockedExplanation: 'You have already completed the maximum number of units for this task.',
      failureCode: 'max_for_task',
      mephistoWorkerId: 'w7',
      agentId: null,
      isOnboarding: false,
      // As in mephisto-task, a blocked page never finishes loading.
      isLoading: true,
    });
  });

  it('a refusal without a reason gets the generic explanation', async () => {
    server.on('POST', '/request_agent', () => json(agentDetails({ worker_id: 'w7', agent_id: null })));
    const { result } = renderHook(() => useMephistoTask());
    await waitFor(() => {
      expect(result.current.blockedExplanation).toBe(
        'Sorry, you are not able to work on this task. (code: null_agent_id)',
      );
    });
  });

  it('blocks a phone when the task sets block_mobile, without asking for an agent', async () => {
    vi.spyOn(navigator, 'userAgent', 'get').mockReturnValue('Mozilla/5.0 (Linux; Android 14) Mobile');
    server.on('GET', '/task_config.json', () => json({ block_mobile: true, mephisto_task_version: '2.0.4' }));
    const { result } = renderHook(() => useMephistoTask());
    await waitFor(() => {
      expect(result.current.blockedReason).toBe('no_mobile');
    });
    expect(result.current.blockedExplanation).toBe(
      'Sorry, this task cannot be completed on mobile devices. Please use a computer.',
    );
    expect(result.current.taskConfig).toEqual({ block_mobile: true, mephisto_task_version: '2.0.4' });
    expect(server.to('/request_agent')).toHaveLength(0);
  });

  it("a server error while loading blocks with the server's message instead of an unhandled rejection", async () => {
    server.on('POST', '/request_agent', () =>
      json(
        {
          error: {
            code: 'MEPHISTO_ERR_ENGINE_TIMEOUT',
            message: 'the server did not answer /request_agent within 30000 ms',
          },
        },
        503,
      ),
    );
    const { result } = renderHook(() => useMephistoTask());
    await waitFor(() => {
      expect(result.current.blockedReason).toBe('server_error');
    });
    expect(result.current.blockedExplanation).toBe(
      'the server did not answer /request_agent within 30000 ms',
    );
    expect(result.current.loadError).toBeInstanceOf(TaskServerError);
    expect(result.current.loadError).toMatchObject({ code: 'MEPHISTO_ERR_ENGINE_TIMEOUT', status: 503 });
  });

  it('an unreachable server blocks too', async () => {
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    const { result } = renderHook(() => useMephistoTask());
    await waitFor(() => {
      expect(result.current.blockedReason).toBe('server_error');
    });
    expect(result.current.blockedExplanation).toContain('could not be reached');
  });

  it('handleSubmit rejects with the server message, and tells the provider nothing', async () => {
    server.on('POST', '/request_agent', () => json(agentDetails({ worker_id: 'w', agent_id: 'a1' })));
    server.on('POST', '/submit_task', () =>
      json(
        { error: { code: 'MEPHISTO_ERR_AGENT_NOT_LIVE', message: 'agent a1 is expired, not in task' } },
        409,
      ),
    );
    const { result } = renderHook(() => useMephistoTask());
    await waitFor(() => {
      expect(result.current.agentId).toBe('a1');
    });
    await expect(result.current.handleSubmit({})).rejects.toThrow('agent a1 is expired, not in task');
    expect(wrapper.handleSubmitToProvider).not.toHaveBeenCalled();
  });

  it('an ignored failing handleSubmit raises no unhandled rejection', async () => {
    server.on('POST', '/request_agent', () => json(agentDetails({ worker_id: 'w', agent_id: 'a1' })));
    server.on('POST', '/submit_task', () => json({ error: { code: 'X', message: 'refused' } }, 409));
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const { result } = renderHook(() => useMephistoTask());
      await waitFor(() => {
        expect(result.current.agentId).toBe('a1');
      });
      void result.current.handleSubmit({});
      await waitFor(() => {
        expect(console.error).toHaveBeenCalled();
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('handleSubmit sends a FormData as multipart', async () => {
    server.on('POST', '/request_agent', () => json(agentDetails({ worker_id: 'w', agent_id: 'a1' })));
    const { result } = renderHook(() => useMephistoTask());
    await waitFor(() => {
      expect(result.current.agentId).toBe('a1');
    });
    const form = new FormData();
    form.set('final_data', '{"answer":1}');
    await act(() => result.current.handleSubmit(form));
    const sent = server.to('/submit_task')[0]?.body as FormData;
    expect(sent.get('USED_AGENT_ID')).toBe('a1');
    expect(sent.get('worker_id')).toBe('w');
    expect(wrapper.handleSubmitToProvider).toHaveBeenCalledWith({ answer: 1 });
  });

  it('onboarding: the answers go to /submit_onboarding and the page continues with the next agent', async () => {
    server.on('POST', '/request_agent', () =>
      json(agentDetails({ worker_id: 'w', agent_id: 'onboarding_3', init_task_data: { text: 'Train' } })),
    );
    server.on('POST', '/submit_onboarding', () =>
      json(agentDetails({ worker_id: 'w', agent_id: 'a4', init_task_data: { text: 'Real' } })),
    );
    const { result } = renderHook(() => useMephistoTask<TaskData>());
    await waitFor(() => {
      expect(result.current.isOnboarding).toBe(true);
    });
    expect(result.current.initialTaskData).toEqual({ text: 'Train' });
    await act(() => result.current.handleSubmit({ quiz: 'right' }));
    expect(server.to('/submit_onboarding')[0]?.body).toMatchObject({
      provider_data: { USED_AGENT_ID: 'onboarding_3', onboarding_data: { quiz: 'right' } },
    });
    expect(result.current).toMatchObject({
      agentId: 'a4',
      isOnboarding: false,
      initialTaskData: { text: 'Real' },
    });
    expect(wrapper.handleSubmitToProvider).not.toHaveBeenCalled();

    // The handler sees the new agent at once: no stale closure over the onboarding agent.
    await act(() => result.current.handleSubmit({ answer: 'done' }));
    expect(server.to('/submit_task')[0]?.body).toMatchObject({ USED_AGENT_ID: 'a4' });
  });

  it('failed onboarding blocks with the reason', async () => {
    server.on('POST', '/request_agent', () =>
      json(agentDetails({ worker_id: 'w', agent_id: 'onboarding_3' })),
    );
    server.on('POST', '/submit_onboarding', () =>
      json(
        agentDetails({
          worker_id: 'w',
          agent_id: null,
          failure_reason: 'Onboarding failed',
          failure_code: 'not_qualified',
        }),
      ),
    );
    const { result } = renderHook(() => useMephistoTask());
    await waitFor(() => {
      expect(result.current.isOnboarding).toBe(true);
    });
    await act(() => result.current.handleSubmit({ quiz: 'wrong' }));
    expect(result.current).toMatchObject({
      blockedReason: 'null_agent_id',
      blockedExplanation: 'Onboarding failed',
      failureCode: 'not_qualified',
    });
  });

  it('handleMetadataSubmit files items by type; handleFatalError posts to /log_error', async () => {
    server.on('POST', '/request_agent', () => json(agentDetails({ worker_id: 'w', agent_id: 'a1' })));
    const { result } = renderHook(() => useMephistoTask());
    await waitFor(() => {
      expect(result.current.agentId).toBe('a1');
    });
    const reply = await result.current.handleMetadataSubmit(
      { type: 'feedback', text: 'ok' },
      { untyped: 1 },
      null,
    );
    expect(reply).toEqual({ status: 'Submitted metadata' });
    expect(server.to('/submit_metadata')[0]?.body).toMatchObject({
      USED_AGENT_ID: 'a1',
      worker_id: 'w',
      metadata: { feedback: { type: 'feedback', text: 'ok' } },
    });
    await result.current.handleFatalError({ error: 'boom' });
    expect(server.to('/log_error')[0]?.body).toMatchObject({
      USED_AGENT_ID: 'a1',
      error_data: { error: 'boom' },
    });
  });

  it('reads the wrapper globals when rendering, and says which script is missing', () => {
    vi.stubGlobal('getWorkerName', undefined);
    expect(() => renderHook(() => useMephistoTask())).toThrow(/wrap_crowd_source\.js/);
  });
});
