/** The states of a live task's socket, as reported through `connectionStatus` (values verbatim). */
export const CONNECTION_STATUS = {
  /** The socket was not open 10 s after it first opened. */
  FAILED: 'failed',
  /** `connect()` was called; the socket is opening. */
  INITIALIZING: 'initializing',
  /** Kept for compatibility: mephisto-task defines it but never reports it. */
  WEBSOCKETS_FAILURE: 'websockets_failure',
  /** The `alive` packet went out on an open socket. */
  CONNECTED: 'connected',
  /** The socket closed without the page asking it to. */
  DISCONNECTED: 'disconnected',
  /** Heartbeats went unanswered: the socket is being reopened. */
  RECONNECTING_ROUTER: 'reconnecting_router',
  /** Heartbeats went unanswered too long: the page gave up. */
  DISCONNECTED_ROUTER: 'disconnected_router',
  /** Kept for compatibility: mephisto-task defines it but never reports it. */
  RECONNECTING_SERVER: 'reconnecting_server',
  /** The server stopped answering while the socket stayed up: the page gave up. */
  DISCONNECTED_SERVER: 'disconnected_server',
} as const;

export type ConnectionStatus = (typeof CONNECTION_STATUS)[keyof typeof CONNECTION_STATUS];
