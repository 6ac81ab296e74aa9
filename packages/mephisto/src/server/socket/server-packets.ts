/**
 * The packets the server sends a page over the WebSocket, shaped as Mephisto's router sent them
 * (spec §6.1–6.2). Packet timestamps are seconds (floats); the one millisecond value is the heartbeat
 * reply's `last_mephisto_ping`, which mephisto-task compares with `Date.now()`.
 *
 * In one process the server is both Mephisto's router and its backend, so a packet it makes gets
 * `server_timestamp` when made and `router_outgoing_timestamp` when sent (later, if it was queued).
 */
import {
  PACKET_TYPES,
  SYSTEM_SUBJECT,
  type AgentStatusName,
  type HeartbeatReplyData,
  type LiveUpdateData,
  type Packet,
  type SocketErrorData,
  type UpdateStatusData,
} from '@mephisto-ts/task-client/wire';
import type { SocketProblem } from './packet-reader.js';

const seconds = (ms: number): number => ms / 1000;

/** `update_status`: the agent's status, as the answer to `alive` or when it changed. */
export function updateStatusPacket(
  agentId: string,
  status: AgentStatusName,
  nowMs: number,
): Packet<UpdateStatusData> {
  return {
    packet_type: PACKET_TYPES.updateStatus,
    subject_id: agentId,
    data: { status },
    server_timestamp: seconds(nowMs),
    router_outgoing_timestamp: seconds(nowMs),
  };
}

/**
 * The echo of a page's heartbeat. `last_mephisto_ping` says when "Mephisto" (here: this very server,
 * which is answering) was last heard from, in milliseconds **of the page's clock** when the page
 * stamped its heartbeat: the page then never mistakes clock skew between it and the server for a dead
 * server (Mephisto's node router sent its own `Date.now()`, so a page clock 20 s ahead of the router's
 * showed "mephisto disconnect"). Without a `client_timestamp`, the server's clock is used.
 */
export function heartbeatReply(
  agentId: string,
  status: AgentStatusName,
  clientTimestamp: number | undefined,
  receivedMs: number,
  nowMs: number,
): Packet<HeartbeatReplyData> {
  return {
    packet_type: PACKET_TYPES.heartbeat,
    subject_id: agentId,
    data: {
      last_mephisto_ping: clientTimestamp === undefined ? nowMs : Math.round(clientTimestamp * 1000),
      status,
    },
    ...(clientTimestamp === undefined ? {} : { client_timestamp: clientTimestamp }),
    router_incoming_timestamp: seconds(receivedMs),
    router_outgoing_timestamp: seconds(nowMs),
  };
}

/** `client_bound_live_update`: a blueprint's message for the page, made when the blueprint sent it. */
export function clientBoundPacket(
  agentId: string,
  data: Readonly<Record<string, unknown>>,
  createdMs: number,
  updateId: () => string,
): Packet<LiveUpdateData> {
  // Mephisto's Agent.observe gave every update without an id a new uuid; pages drop repeats by it.
  const withId: LiveUpdateData =
    typeof data.update_id === 'string'
      ? { ...data, update_id: data.update_id }
      : { ...data, update_id: updateId() };
  return {
    packet_type: PACKET_TYPES.clientBoundLiveUpdate,
    subject_id: agentId,
    data: withId,
    server_timestamp: seconds(createdMs),
  };
}

/** mephisto-ts's `error` packet: the page's packet was refused and changed nothing. */
export function errorPacket(problem: SocketProblem, nowMs: number): Packet<SocketErrorData> {
  return {
    packet_type: PACKET_TYPES.error,
    subject_id: problem.subject ?? SYSTEM_SUBJECT,
    data: { code: problem.code, message: problem.message, packet_type: problem.packetType },
    server_timestamp: seconds(nowMs),
    router_outgoing_timestamp: seconds(nowMs),
  };
}
