// @vitest-environment happy-dom
import { act, cleanup, renderHook, type RenderHookResult } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CONNECTION_STATUS,
  useMephistoLiveTask,
  type LiveUpdate,
  type MephistoLiveTask,
  type MephistoLiveTaskProps,
  type MephistoSocket,
  type MephistoSocketProps,
  type StatusUpdate,
} from '../src/index.js';
import { agentDetails, FakeTaskServer, json } from './support/fake-task-server.js';
import { FakeWebSocket } from './support/fake-web-socket.js';
import { installWrapper } from './support/provider-wrapper.js';

let server: FakeTaskServer;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Advances the fake clock by `ms`, running timers, promises and React updates on the way. */
async function advance(ms: number): Promise<void> {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
}

interface Harness {
  hook: RenderHookResult<MephistoLiveTask, MephistoLiveTaskProps>;
  liveUpdates: LiveUpdate[];
  statusUpdates: StatusUpdate[];
  statuses: string[];
  /** The statuses reported so far, with the fake time (ms since connect) of each. */
  timeline: { status: string; at: number }[];
}

/** Renders the hook, lets it load its agent (`a1`) and calls `connect`. */
async function connected(props: MephistoLiveTaskProps = {}): Promise<Harness> {
  const liveUpdates: LiveUpdate[] = [];
  const statusUpdates: StatusUpdate[] = [];
  const statuses: string[] = [];
  const timeline: { status: string; at: number }[] = [];
  let connectedAt = 0;
  const hook = renderHook(() =>
    useMephistoLiveTask({
      onLiveUpdate: (update) => liveUpdates.push(update),
      onStatusUpdate: (update) => statusUpdates.push(update),
      onConnectionStatusChange: (status) => {
        statuses.push(status);
        timeline.push({ status, at: Date.now() - connectedAt });
      },
      ...props,
    }),
  );
  await advance(10);
  expect(hook.result.current.agentId).toBe('a1');
  connectedAt = Date.now();
  act(() => {
    hook.result.current.connect('a1');
  });
  return { hook, liveUpdates, statusUpdates, statuses, timeline };
}

/** The server echoes each heartbeat, with a fresh `last_mephisto_ping` unless told otherwise. */
function echoHeartbeats(socket: FakeWebSocket, lastPing: () => number = () => Date.now()): void {
  const send = socket.send.bind(socket);
  socket.send = (data: string) => {
    send(data);
    if ((JSON.parse(data) as { packet_type: string }).packet_type === 'heartbeat') {
      socket.receive({
        packet_type: 'heartbeat',
        subject_id: 'a1',
        data: { last_mephisto_ping: lastPing() },
      });
    }
  };
}

beforeEach(() => {
  vi.useFakeTimers();
  server = new FakeTaskServer().install();
  server.on('POST', '/request_agent', () =>
    json(
      agentDetails({
        worker_id: 'w1',
        agent_id: 'a1',
        init_task_data: { past_live_updates: [{ text: 'earlier', update_id: 'u0' }] },
      }),
    ),
  );
  installWrapper();
  FakeWebSocket.install();
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('useMephistoLiveTask', () => {
  it('replays past_live_updates, opens the socket on the page host and sends alive first', async () => {
    const { hook, liveUpdates, statuses } = await connected();
    expect(liveUpdates).toEqual([{ text: 'earlier', update_id: 'u0' }]);
    const socket = FakeWebSocket.latest;
    expect(socket.url).toBe('ws://localhost:3000');
    expect(hook.result.current.connectionStatus).toBe(CONNECTION_STATUS.INITIALIZING);

    // Queued while the socket opens: sent after `alive`, which binds the socket to the agent.
    let sentData: LiveUpdate | undefined;
    void hook.result.current.sendLiveUpdate({ text: 'hello' }).then((data) => (sentData = data));
    socket.open();
    await advance(100);
    expect(socket.sent.map((packet) => packet.packet_type)).toEqual(['alive']);
    expect(socket.sent[0]).toMatchObject({ subject_id: 'a1' });
    expect(socket.sent[0]?.data?.['update_id']).toMatch(UUID);
    expect(hook.result.current.connectionStatus).toBe(CONNECTION_STATUS.CONNECTED);
    await advance(100);
    const update = socket.sentOf('mephisto_bound_live_update')[0];
    expect(update).toMatchObject({ subject_id: 'a1', data: { text: 'hello' } });
    expect(update?.data?.['update_id']).toMatch(UUID);
    expect(update?.client_timestamp).toBeCloseTo(Date.now() / 1000, 0);
    expect(sentData).toEqual(update?.data);
    expect(statuses).toEqual(['initializing', 'connected']);
  });

  it('delivers each client-bound update once and pushes agent statuses', async () => {
    const { hook, liveUpdates, statusUpdates } = await connected();
    const socket = FakeWebSocket.latest;
    socket.open();
    await advance(100);
    act(() => {
      for (let i = 0; i < 2; i += 1) {
        socket.receive({
          packet_type: 'client_bound_live_update',
          subject_id: 'a1',
          data: { text: 'x', update_id: 'u1' },
        });
      }
      socket.receive({
        packet_type: 'client_bound_live_update',
        subject_id: 'a1',
        data: { text: 'y', update_id: 'u2' },
      });
      socket.receive({ packet_type: 'update_status', subject_id: 'a1', data: { status: 'in task' } });
    });
    expect(liveUpdates.slice(1)).toEqual([
      { text: 'x', update_id: 'u1' },
      { text: 'y', update_id: 'u2' },
    ]);
    expect(statusUpdates).toEqual([{ status: 'in task' }]);
    expect(hook.result.current.agentStatus).toBe('in task');
  });

  it('sends one queued packet per 100 ms tick, oldest first', async () => {
    const { hook } = await connected();
    const socket = FakeWebSocket.latest;
    socket.open();
    await advance(100);
    for (const text of ['a', 'b', 'c']) void hook.result.current.sendLiveUpdate({ text });
    const texts = (): unknown[] =>
      socket.sentOf('mephisto_bound_live_update').map((packet) => packet.data?.['text']);
    await advance(99);
    expect(texts()).toEqual([]);
    await advance(1);
    expect(texts()).toEqual(['a']);
    await advance(100);
    expect(texts()).toEqual(['a', 'b']);
    await advance(100);
    expect(texts()).toEqual(['a', 'b', 'c']);
  });

  it('heartbeats 0.5 s after open, then every 6 s', async () => {
    await connected();
    const socket = FakeWebSocket.latest;
    echoHeartbeats(socket);
    socket.open();
    const heartbeats = (): number => socket.sentOf('heartbeat').length;
    await advance(499);
    expect(heartbeats()).toBe(0);
    await advance(1);
    expect(heartbeats()).toBe(1);
    // The one packet without data.
    expect(Object.keys(socket.sentOf('heartbeat')[0] ?? {}).sort()).toEqual([
      'client_timestamp',
      'packet_type',
      'subject_id',
    ]);
    expect(socket.sentOf('heartbeat')[0]).toMatchObject({ packet_type: 'heartbeat', subject_id: 'a1' });
    await advance(5500 - 1);
    expect(heartbeats()).toBe(1);
    await advance(1);
    expect(heartbeats()).toBe(2);
    await advance(6000 * 10);
    expect(heartbeats()).toBe(12);
  });

  it('5 unanswered heartbeats reopen the socket (reconnecting_router); 10 give up (disconnected_router)', async () => {
    const { hook, timeline } = await connected({ config: { connectionDeadMephistoPing: 10 * 60_000 } });
    const first = FakeWebSocket.latest;
    first.open();
    // Heartbeats at 0.5 s, 6, 12, 18, 24 s go unanswered; the check at 30 s finds 5 missed.
    await advance(30_000 - 1);
    expect(hook.result.current.connectionStatus).toBe(CONNECTION_STATUS.CONNECTED);
    await advance(1);
    expect(hook.result.current.connectionStatus).toBe(CONNECTION_STATUS.RECONNECTING_ROUTER);
    // The restart runs as its own task, right after.
    await advance(1);
    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(first.readyState).toBe(FakeWebSocket.CLOSED);
    const second = FakeWebSocket.latest;
    second.open();
    await advance(100);
    expect(second.sent[0]?.packet_type).toBe('alive');
    expect(hook.result.current.connectionStatus).toBe(CONNECTION_STATUS.CONNECTED);
    // Still unanswered: 30, 30.5, 36, 42, 48 s bring the count to 10; the check at 54 s gives up.
    await advance(54_000 - 30_101 - 1);
    expect(hook.result.current.connectionStatus).toBe(CONNECTION_STATUS.CONNECTED);
    await advance(1);
    expect(hook.result.current.connectionStatus).toBe(CONNECTION_STATUS.DISCONNECTED_ROUTER);
    expect(second.readyState).toBe(FakeWebSocket.CLOSED);
    await advance(60_000);
    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(timeline.map((entry) => entry.status)).toEqual([
      'initializing',
      'connected',
      'reconnecting_router',
      'connected',
      'disconnected_router',
    ]);
    expect(timeline[2]?.at).toBe(30_000);
    expect(timeline[4]?.at).toBe(54_000);
  });

  it('answered heartbeats keep the socket up indefinitely', async () => {
    const { hook } = await connected();
    const socket = FakeWebSocket.latest;
    echoHeartbeats(socket);
    socket.open();
    await advance(10 * 60_000);
    expect(hook.result.current.connectionStatus).toBe(CONNECTION_STATUS.CONNECTED);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('understands a last_mephisto_ping in seconds (as a Flask router sends it)', async () => {
    const { hook } = await connected();
    const socket = FakeWebSocket.latest;
    echoHeartbeats(socket, () => Date.now() / 1000);
    socket.open();
    await advance(60_000);
    expect(hook.result.current.connectionStatus).toBe(CONNECTION_STATUS.CONNECTED);
  });

  it('connect() with a new agent id (after onboarding) re-announces it on the same socket', async () => {
    const { hook } = await connected();
    const socket = FakeWebSocket.latest;
    socket.open();
    await advance(100);
    act(() => {
      hook.result.current.connect('a1'); // the same agent: nothing to do
      hook.result.current.connect('a2');
    });
    // At once, so no heartbeat for a2 can precede it.
    expect(socket.sentOf('alive').map((packet) => packet.subject_id)).toEqual(['a1', 'a2']);
    expect(FakeWebSocket.instances).toHaveLength(1);
    void hook.result.current.sendLiveUpdate({ text: 'as a2' });
    await advance(100);
    expect(socket.sentOf('mephisto_bound_live_update')[0]?.subject_id).toBe('a2');
  });

  it("reports the server's error packets on the console and carries on", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { hook } = await connected();
    const socket = FakeWebSocket.latest;
    socket.open();
    await advance(100);
    socket.receive({
      packet_type: 'error',
      subject_id: 'a1',
      data: { code: 'MEPHISTO_ERR_SOCKET_NOT_BOUND', message: 'send alive first', packet_type: 'heartbeat' },
    });
    expect(warn).toHaveBeenCalledWith('mephisto-ts: the server refused a packet: send alive first', {
      code: 'MEPHISTO_ERR_SOCKET_NOT_BOUND',
      message: 'send alive first',
      packet_type: 'heartbeat',
    });
    expect(hook.result.current.connectionStatus).toBe(CONNECTION_STATUS.CONNECTED);
  });

  it('a stale last_mephisto_ping means the server is gone: mephisto disconnect, disconnected_server', async () => {
    const { hook, statusUpdates } = await connected();
    const socket = FakeWebSocket.latest;
    const frozenPing = Date.now();
    echoHeartbeats(socket, () => frozenPing);
    socket.open();
    // The checks at 6, 12 and 18 s see a ping at most 20 s old; the one at 24 s does not.
    await advance(24_000 - 1);
    expect(hook.result.current.connectionStatus).toBe(CONNECTION_STATUS.CONNECTED);
    await advance(1);
    expect(hook.result.current.connectionStatus).toBe(CONNECTION_STATUS.DISCONNECTED_SERVER);
    expect(hook.result.current.agentStatus).toBe('mephisto disconnect');
    expect(statusUpdates).toEqual([{ status: 'mephisto disconnect' }]);
    expect(socket.readyState).toBe(FakeWebSocket.CLOSED);
    const sent = socket.sent.length;
    await advance(60_000);
    expect(socket.sent.length).toBe(sent);
  });

  it('a send on a dead socket restarts it and keeps the packet for the new one', async () => {
    const { hook } = await connected();
    const first = FakeWebSocket.latest;
    first.open();
    await advance(100);
    first.readyState = FakeWebSocket.CLOSED; // died without an event
    void hook.result.current.sendLiveUpdate({ text: 'kept' });
    await advance(101);
    expect(FakeWebSocket.instances).toHaveLength(2);
    const second = FakeWebSocket.latest;
    second.open();
    await advance(200);
    expect(second.sent.map((packet) => packet.packet_type)).toEqual(['alive', 'mephisto_bound_live_update']);
    expect(second.sent[1]?.data?.['text']).toBe('kept');
    expect(first.sentOf('mephisto_bound_live_update')).toHaveLength(0);
  });

  it('a socket error restarts the socket; the closed socket reports disconnected', async () => {
    const { hook, statuses } = await connected();
    const first = FakeWebSocket.latest;
    first.open();
    await advance(100);
    first.fail();
    await advance(1);
    expect(FakeWebSocket.instances).toHaveLength(2);
    FakeWebSocket.latest.open();
    await advance(100);
    expect(hook.result.current.connectionStatus).toBe(CONNECTION_STATUS.CONNECTED);
    expect(statuses).toEqual(['initializing', 'connected', 'disconnected', 'connected']);
  });

  it('destroy closes the socket for good', async () => {
    const { hook } = await connected();
    const socket = FakeWebSocket.latest;
    socket.open();
    await advance(100);
    act(() => {
      hook.result.current.destroy();
    });
    expect(socket.readyState).toBe(FakeWebSocket.CLOSED);
    act(() => {
      hook.result.current.connect('a1');
    });
    void hook.result.current.sendLiveUpdate({ text: 'never' });
    await advance(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(socket.sent.map((packet) => packet.packet_type)).toEqual(['alive']);
  });

  it('unmounting closes the socket and stops its timers', async () => {
    const { hook } = await connected();
    const socket = FakeWebSocket.latest;
    socket.open();
    await advance(100);
    hook.unmount();
    expect(socket.readyState).toBe(FakeWebSocket.CLOSED);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('passes config and handlers to a customConnectionHook', async () => {
    const custom = vi.fn((_props: MephistoSocketProps): MephistoSocket => ({
      connect: vi.fn(),
      destroy: vi.fn(),
      sendLiveUpdate: vi.fn(() => Promise.resolve({})),
    }));
    const { result } = renderHook(() =>
      useMephistoLiveTask({ customConnectionHook: custom, config: { heartbeatTime: 1000 } }),
    );
    const given = custom.mock.calls[0]?.[0];
    expect(given?.config).toEqual({ heartbeatTime: 1000 });
    expect(typeof given?.onLiveUpdate).toBe('function');
    expect(typeof given?.onStatusUpdate).toBe('function');
    expect(typeof given?.onConnectionStatusChange).toBe('function');
    expect(result.current.connectionStatus).toBe('');
    expect(result.current.agentStatus).toBeNull();
    await advance(10);
  });

  it('blocks a browser without WebSockets', async () => {
    vi.stubGlobal('WebSocket', undefined);
    const { result } = renderHook(() => useMephistoLiveTask());
    await advance(10);
    expect(result.current.blockedReason).toBe('no_websockets');
    expect(result.current.blockedExplanation).toMatch(/does not support the required version of websockets/);
  });
});
