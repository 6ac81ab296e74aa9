import { useEffect, useRef, useState } from 'react';
import { BLOCKED_REASONS, getBlockedExplanation } from './blocked-explanation.js';
import { doesSupportWebsockets } from './browser-support.js';
import type { ConnectionStatus } from './connection-status.js';
import type { LiveUpdate, SocketConfig, StatusUpdate } from './live-socket.js';
import { useMephistoSocket, type MephistoSocket, type MephistoSocketProps } from './use-mephisto-socket.js';
import { useMephistoTask, type MephistoTask } from './use-mephisto-task.js';

export interface MephistoLiveTaskProps {
  /** Each live update from the server, `past_live_updates` of the unit's data first. */
  onLiveUpdate?: (update: LiveUpdate) => void;
  /** Each agent status the server pushes (and the page's own `mephisto disconnect`). */
  onStatusUpdate?: (update: StatusUpdate) => void;
  /** Each connection status change (documented by mephisto-task, which did not call it). */
  onConnectionStatusChange?: (status: ConnectionStatus) => void;
  /** Socket timing (documented by mephisto-task, which did not pass it on). */
  config?: SocketConfig;
  /** Replaces the WebSocket connection (advanced); called with the same props as `useMephistoSocket`. */
  customConnectionHook?: (props: MephistoSocketProps) => MephistoSocket;
}

export interface MephistoLiveTask<TaskData = unknown> extends MephistoTask<TaskData>, MephistoSocket {
  /** The socket's state; '' until `connect()` is called. */
  connectionStatus: ConnectionStatus | '';
  /** The agent's last pushed status (`AGENT_STATUS`), null until one arrives. */
  agentStatus: string | null;
}

/**
 * `useMephistoTask` plus the live socket: `connect(agentId)` opens it, live updates and agent statuses
 * arrive through the handlers, and `sendLiveUpdate` sends. A browser without WebSockets is blocked
 * (`no_websockets`). The handlers may change on every render; the latest ones are called.
 */
export function useMephistoLiveTask<TaskData = unknown>(
  props: MephistoLiveTaskProps = {},
): MephistoLiveTask<TaskData> {
  const [connectionStatus, setConnectionStatus] = useState<ConnectionStatus | ''>('');
  const [agentStatus, setAgentStatus] = useState<string | null>(null);
  const propsRef = useRef(props);
  propsRef.current = props;
  const useConnection = props.customConnectionHook ?? useMephistoSocket;

  const task = useMephistoTask<TaskData>();
  const { initialTaskData } = task;

  useEffect(() => {
    const past = (initialTaskData as { past_live_updates?: unknown } | null)?.past_live_updates;
    if (!Array.isArray(past)) return;
    for (const update of past as LiveUpdate[]) propsRef.current.onLiveUpdate?.(update);
  }, [initialTaskData]);

  const socket = useConnection({
    onConnectionStatusChange: (status) => {
      setConnectionStatus(status);
      propsRef.current.onConnectionStatusChange?.(status);
    },
    onStatusUpdate: (update) => {
      setAgentStatus(update.status);
      propsRef.current.onStatusUpdate?.(update);
    },
    onLiveUpdate: (update) => {
      propsRef.current.onLiveUpdate?.(update);
    },
    config: props.config,
  });

  const blocked = doesSupportWebsockets()
    ? {}
    : {
        blockedReason: BLOCKED_REASONS.noWebsockets,
        blockedExplanation: getBlockedExplanation(BLOCKED_REASONS.noWebsockets),
      };
  return { ...task, ...blocked, ...socket, connectionStatus, agentStatus };
}
