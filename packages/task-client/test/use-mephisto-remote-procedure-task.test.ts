// @vitest-environment happy-dom
import { act, cleanup, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  RemoteProcedureDisconnect,
  STATUS_TO_TEXT_MAP,
  useMephistoRemoteProcedureTask,
} from '../src/index.js';
import { agentDetails, FakeTaskServer, json } from './support/fake-task-server.js';
import { FakeWebSocket, type SentPacket } from './support/fake-web-socket.js';
import { installWrapper } from './support/provider-wrapper.js';

async function advance(ms: number): Promise<void> {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
}

/** Renders the hook and lets it load its agent, which connects the socket by itself. */
async function mounted(): Promise<{
  result: { current: ReturnType<typeof useMephistoRemoteProcedureTask> };
  socket: FakeWebSocket;
}> {
  const { result } = renderHook(() => useMephistoRemoteProcedureTask());
  await advance(10);
  expect(result.current.agentId).toBe('a1');
  const socket = FakeWebSocket.latest;
  socket.open();
  await advance(100);
  return { result, socket };
}

/** The server side of a remote procedure: answers each request with `respond(target, args)`. */
function serveProcedures(socket: FakeWebSocket, respond: (target: string, args: unknown) => unknown): void {
  const send = socket.send.bind(socket);
  socket.send = (data: string) => {
    send(data);
    const packet = JSON.parse(data) as SentPacket;
    if (packet.packet_type !== 'mephisto_bound_live_update' || !packet.data) return;
    const {
      request_id: requestId,
      target,
      args,
    } = packet.data as { request_id: string; target: string; args: string };
    socket.receive({
      packet_type: 'client_bound_live_update',
      subject_id: 'a1',
      data: {
        handles: requestId,
        response: JSON.stringify(respond(target, JSON.parse(args))),
        update_id: `reply-${requestId}`,
      },
    });
  };
}

beforeEach(() => {
  vi.useFakeTimers();
  new FakeTaskServer()
    .on('POST', '/request_agent', () =>
      json(agentDetails({ worker_id: 'w1', agent_id: 'a1', init_task_data: {} })),
    )
    .install();
  installWrapper();
  FakeWebSocket.install();
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('useMephistoRemoteProcedureTask', () => {
  it('connects once there is an agent and hides the raw socket functions', async () => {
    const { result, socket } = await mounted();
    expect(socket.sent[0]).toMatchObject({ packet_type: 'alive', subject_id: 'a1' });
    expect(result.current.connectionStatus).toBe('connected');
    expect(result.current).not.toHaveProperty('connect');
    expect(result.current).not.toHaveProperty('sendLiveUpdate');
    expect(Object.keys(result.current._fullSocketProps).sort()).toEqual([
      'connect',
      'destroy',
      'sendLiveUpdate',
    ]);
    expect(result.current.disconnectIssueText).toBeUndefined();
  });

  it('a call sends {request_id, target, args as JSON} and resolves with the parsed response', async () => {
    const { result, socket } = await mounted();
    serveProcedures(socket, (target, args) => ({ target, sum: (args as { a: number; b: number }).a + 2 }));
    const add = result.current.remoteProcedure('add_two');
    const direct = add({ a: 1, b: 2 });
    const invoked = add.invoke({ a: 5, b: 0 });
    await advance(200);
    await expect(direct).resolves.toEqual({ target: 'add_two', sum: 3 });
    await expect(invoked).resolves.toEqual({ target: 'add_two', sum: 7 });
    const sent = socket.sentOf('mephisto_bound_live_update')[0]?.data;
    expect(Object.keys(sent ?? {}).sort()).toEqual(['args', 'request_id', 'target', 'update_id']);
    expect(sent).toMatchObject({ target: 'add_two', args: JSON.stringify({ a: 1, b: 2 }) });
    expect(typeof sent?.['request_id']).toBe('string');
  });

  it('a disconnect status rejects waiting and later calls with the worker-facing reason', async () => {
    const { result, socket } = await mounted();
    const waiting = result.current.remoteProcedure('slow')({});
    await advance(100);
    act(() => {
      socket.receive({ packet_type: 'update_status', subject_id: 'a1', data: { status: 'expired' } });
    });
    const reason = STATUS_TO_TEXT_MAP.expired;
    expect(result.current.disconnectIssueText).toBe(reason);
    await expect(waiting).rejects.toMatchObject({ disconnected: true, reason });
    const later = result.current.remoteProcedure('slow')({});
    await expect(later).rejects.toBeInstanceOf(RemoteProcedureDisconnect);
    await expect(later).rejects.toMatchObject({ disconnected: true, reason });
  });
});
