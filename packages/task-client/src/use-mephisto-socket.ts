import { useCallback, useEffect, useRef } from 'react';
import type { ConnectionStatus } from './connection-status.js';
import {
  LiveSocket,
  type LiveUpdate,
  type SocketConfig,
  type SocketLike,
  type StatusUpdate,
} from './live-socket.js';

/** What `useMephistoLiveTask` gives its connection hook (the default one, or `customConnectionHook`). */
export interface MephistoSocketProps {
  onConnectionStatusChange?: (status: ConnectionStatus) => void;
  onLiveUpdate?: (update: LiveUpdate) => void;
  onStatusUpdate?: (update: StatusUpdate) => void;
  /** Read when `connect()` first runs. */
  config?: SocketConfig;
  /** mephisto-ts addition, for tests and simulated workers. @default `new WebSocket(url)` */
  createSocket?: (url: string) => SocketLike;
}

/** What a connection hook returns. */
export interface MephistoSocket {
  /** Opens the socket for the agent. Further calls only update the agent id. */
  connect: (agentId: string) => void;
  /** Closes the socket for good. */
  destroy: () => void;
  /** Sends a live update; resolves with the data sent (with its `update_id`) once it is on the socket. */
  sendLiveUpdate: (message: LiveUpdate) => Promise<LiveUpdate>;
}

/**
 * The default connection hook of live tasks: a {@link LiveSocket} that lives as long as the component.
 * Handlers are read at call time, so they may change on every render; the returned functions are
 * stable. Unmounting closes the socket and clears its timers (mephisto-task left them running); a
 * remount (React StrictMode) starts from a fresh socket on the next `connect()`.
 */
export function useMephistoSocket(props: MephistoSocketProps): MephistoSocket {
  const propsRef = useRef(props);
  propsRef.current = props;
  const socketRef = useRef<LiveSocket | null>(null);

  const socket = useCallback((): LiveSocket => {
    socketRef.current ??= new LiveSocket(
      {
        onConnectionStatusChange: (status) => propsRef.current.onConnectionStatusChange?.(status),
        onLiveUpdate: (update) => propsRef.current.onLiveUpdate?.(update),
        onStatusUpdate: (update) => propsRef.current.onStatusUpdate?.(update),
      },
      { config: propsRef.current.config, createSocket: propsRef.current.createSocket },
    );
    return socketRef.current;
  }, []);

  useEffect(
    () => () => {
      socketRef.current?.dispose();
      socketRef.current = null;
    },
    [],
  );

  const connect = useCallback(
    (agentId: string) => {
      socket().connect(agentId);
    },
    [socket],
  );
  const destroy = useCallback(() => {
    socket().destroy();
  }, [socket]);
  const sendLiveUpdate = useCallback((message: LiveUpdate) => socket().sendLiveUpdate(message), [socket]);
  return { connect, destroy, sendLiveUpdate };
}
