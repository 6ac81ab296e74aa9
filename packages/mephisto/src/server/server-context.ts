/** What every route group of the task server is given. */
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { LiveRun } from '../run/live-run.js';
import type { AgentOwners } from './agent-owners.js';
import type { StaticSite } from './static/static-site.js';

export interface TaskServerLimits {
  /** Largest request body accepted, in bytes. @default 5 MiB */
  readonly bodyLimit: number;
  /** How long `/request_agent` waits for the engine before answering 503. @default 30 000 */
  readonly requestAgentTimeoutMs: number;
}

export const DEFAULT_LIMITS: TaskServerLimits = {
  bodyLimit: 5 * 1024 * 1024,
  requestAgentTimeoutMs: 30_000,
};

export interface ServerContext {
  readonly liveRun: LiveRun;
  readonly log: Logger;
  readonly clock: Clock;
  readonly limits: TaskServerLimits;
  readonly owners: AgentOwners;
  /** Where uploaded files are stored; undefined when uploads are not accepted. */
  readonly filesDir: string | undefined;
  /** The pages and assets to serve; undefined when only the API is served. */
  readonly site: StaticSite | undefined;
}
