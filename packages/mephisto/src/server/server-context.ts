/** What every route group of the task server is given. */
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Scheduler } from '../core/scheduler.js';
import type { LiveRun } from '../run/live-run.js';
import type { AgentOwners } from './agent-owners.js';
import type { StaticSite } from './static/static-site.js';

export interface TaskServerLimits {
  /** Largest request body accepted, in bytes. @default 5 MiB */
  readonly bodyLimit: number;
  /** How long `/request_agent` waits for the engine before answering 503. @default 30 000 */
  readonly requestAgentTimeoutMs: number;
  /**
   * A page that has sent a heartbeat and then sends nothing for this long is reported disconnected
   * (Mephisto's router: 15 s). @default 15 000
   */
  readonly heartbeatTimeoutMs: number;
  /**
   * A page whose socket closed and that has not said `alive` again on a new socket within this long is
   * reported disconnected (Mephisto's router: 10 s). @default 10 000
   */
  readonly reconnectGraceMs: number;
  /** Largest WebSocket message accepted, in bytes; a larger one closes the socket (1009). @default 1 MiB */
  readonly socketMaxPayload: number;
  /** Largest file of a multipart submit, in bytes (413 `MEPHISTO_ERR_FILE_TOO_LARGE`). @default 10 MiB */
  readonly fileSizeLimit: number;
  /** Most files in one multipart submit (413 `MEPHISTO_ERR_TOO_MANY_FILES`). @default 10 */
  readonly filesLimit: number;
  /**
   * Largest non-file field of a multipart submit (such as `final_string_data`), in bytes; all of them
   * together also stay within `bodyLimit`, as a JSON body does (413 `MEPHISTO_ERR_FIELD_TOO_LARGE`).
   * @default 5 MiB
   */
  readonly fieldSizeLimit: number;
  /** Most non-file fields in one multipart submit (413 `MEPHISTO_ERR_TOO_MANY_FIELDS`). @default 32 */
  readonly fieldsLimit: number;
}

export const DEFAULT_LIMITS: TaskServerLimits = {
  bodyLimit: 5 * 1024 * 1024,
  requestAgentTimeoutMs: 30_000,
  heartbeatTimeoutMs: 15_000,
  reconnectGraceMs: 10_000,
  socketMaxPayload: 1024 * 1024,
  fileSizeLimit: 10 * 1024 * 1024,
  filesLimit: 10,
  fieldSizeLimit: 5 * 1024 * 1024,
  fieldsLimit: 32,
};

export interface ServerContext {
  readonly liveRun: LiveRun;
  readonly log: Logger;
  readonly clock: Clock;
  /** Timers on `clock` (the sockets' liveness checks). */
  readonly scheduler: Scheduler;
  readonly limits: TaskServerLimits;
  readonly owners: AgentOwners;
  /** Where uploaded files are stored; undefined when uploads are not accepted. */
  readonly filesDir: string | undefined;
  /** The pages and assets to serve; undefined when only the API is served. */
  readonly site: StaticSite | undefined;
}
