/**
 * `@mephisto-ts/task-client`: a drop-in for `mephisto-task` 2.0.4 (same exports, same behaviour on the
 * wire), typed, with `fetch` in place of axios and no bowser. Also re-exports the wire types shared with
 * the server (`./wire`).
 */
export * from './wire/index.js';

export { useMephistoTask } from './use-mephisto-task.js';
export type { MephistoTask, MephistoTaskState, MetadataItem } from './use-mephisto-task.js';
export { useMephistoLiveTask } from './use-mephisto-live-task.js';
export type { MephistoLiveTask, MephistoLiveTaskProps } from './use-mephisto-live-task.js';
export {
  useMephistoRemoteProcedureTask,
  RemoteProcedureDisconnect,
} from './use-mephisto-remote-procedure-task.js';
export type { MephistoRemoteProcedureTask, RemoteProcedure } from './use-mephisto-remote-procedure-task.js';
export { useMephistoSocket } from './use-mephisto-socket.js';
export type { MephistoSocket, MephistoSocketProps } from './use-mephisto-socket.js';
export { LiveSocket, DEFAULT_SOCKET_CONFIG } from './live-socket.js';
export type {
  LiveSocketHandlers,
  LiveSocketOptions,
  LiveUpdate,
  SocketConfig,
  SocketLike,
  StatusUpdate,
} from './live-socket.js';

export { MephistoContext } from './mephisto-context.js';
export type { MephistoContextValue } from './mephisto-context.js';
export { ErrorBoundary } from './error-boundary.js';
export type { ErrorBoundaryProps, ErrorBoundaryReport } from './error-boundary.js';
export { AGENT_STATUS, STATUS_TO_TEXT_MAP } from './agent-status.js';
export type { AgentStatus } from './agent-status.js';
export { CONNECTION_STATUS } from './connection-status.js';
export type { ConnectionStatus } from './connection-status.js';
export { BLOCKED_REASONS, getBlockedExplanation } from './blocked-explanation.js';
export type { BlockedReason } from './blocked-explanation.js';

export {
  getTaskConfig,
  postProviderRequest,
  requestAgent,
  postCompleteOnboarding,
  postCompleteTask,
  postMetadata,
  postErrorLog,
  INVALID_REPLY_CODE,
} from './routes.js';
export type { SubmitOptions, TaskConfig } from './routes.js';
export { postData, postMultipartData } from './request.js';
export type { QueryParams, RequestOptions } from './request.js';
export { TaskServerError, NETWORK_ERROR_CODE, HTTP_ERROR_CODE } from './task-server-error.js';
export { isMobile, doesSupportWebsockets } from './browser-support.js';
export { libVersion } from './lib-version.js';
export { pythonTime } from './python-time.js';
export type { ProviderURLParams, ProviderWrapper } from './provider-wrapper.js';
