/**
 * What the server knows about one agent whose page has a socket: Mephisto's router `LocalAgentState`
 * (spec §6.4), kept small because there is one per connected page. Plain state; the
 * {@link SocketHub} decides every change.
 */
import type { AgentStatusName, LiveUpdateData, Packet } from '@mephisto-ts/task-client/wire';
import type { WebSocket } from '@fastify/websocket';

export class AgentLink {
  /** The socket that gets this agent's packets: the one that last said `alive`. Null while detached. */
  socket: WebSocket | null = null;
  /**
   * When the page was last heard from (ms); 0 until its first heartbeat, so a page that never
   * heartbeats is never timed out (as in Mephisto's router).
   */
  lastHeardMs = 0;
  /** When the agent's socket closed (ms), while no other socket has taken over; 0 otherwise. */
  detachedAtMs = 0;
  /** A disconnect report is under way (not repeated by the next liveness sweep). */
  reporting = false;
  /** Client-bound updates waiting for a socket; null when none are waiting. */
  pending: Packet<LiveUpdateData>[] | null = null;
  /** Client-bound updates dropped because too many were pending (logged once). */
  dropped = 0;
  /** Stops the engine's client-bound updates for this agent; null when not subscribed. */
  unsubscribe: (() => void) | null = null;

  constructor(
    readonly agentId: string,
    /** The agent's worker; null when the agent is not one this run has (or had) working here. */
    readonly workerId: string | null,
    /** `in task` while the agent works; its final status afterwards; `none` for an agent unknown here. */
    public status: AgentStatusName,
    /** True while the agent works on its unit in this run, in this process. */
    public working: boolean,
  ) {}
}
