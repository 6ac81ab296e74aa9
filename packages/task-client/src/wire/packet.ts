/**
 * The wire format between a worker's browser and the server: Mephisto's router protocol, kept exactly
 * (spec §6.1–6.2) so existing `mephisto-task` apps keep working. The server imports these same types
 * (through `@mephisto-ts/task-client/wire`, which holds no browser or server code), so the two sides
 * cannot drift apart.
 */

/** Packet types, verbatim: they travel as the `packet_type` string. */
export const PACKET_TYPES = {
  alive: 'alive',
  registerAgent: 'register_agent',
  agentDetails: 'agent_details',
  submitOnboarding: 'submit_onboarding',
  submitUnit: 'submit_unit',
  submitMetadata: 'submit_metadata',
  logError: 'log_error',
  mephistoBoundLiveUpdate: 'mephisto_bound_live_update',
  clientBoundLiveUpdate: 'client_bound_live_update',
  updateStatus: 'update_status',
  requestStatuses: 'request_statuses',
  returnStatuses: 'return_statuses',
  heartbeat: 'heartbeat',
  /**
   * mephisto-ts only, server → page: a packet the page sent was refused ({@link SocketErrorData}).
   * mephisto-task ignores packet types it does not know, so older pages are not disturbed by it.
   */
  error: 'error',
} as const;
export type PacketType = (typeof PACKET_TYPES)[keyof typeof PACKET_TYPES];

/**
 * The packet types a page sends over the WebSocket; any other type from a page is refused. (`alive` and
 * `heartbeat` bind the socket to the agent named in `subject_id`; see docs/protocol.md, "WebSocket".)
 */
export const PAGE_PACKET_TYPES = [
  PACKET_TYPES.alive,
  PACKET_TYPES.heartbeat,
  PACKET_TYPES.mephistoBoundLiveUpdate,
] as const;
export type PagePacketType = (typeof PAGE_PACKET_TYPES)[number];

/** The subject of packets that concern the server itself rather than one agent. */
export const SYSTEM_SUBJECT = 'mephisto';

/**
 * Every packet. Timestamps are in seconds (floats), as Mephisto's Python side expects; each hop stamps
 * its own. Heartbeats are the one packet a browser sends without `data`.
 */
export interface Packet<D = Record<string, unknown>> {
  packet_type: PacketType;
  /** An agent id, a request id, a channel id, or {@link SYSTEM_SUBJECT}. */
  subject_id: string;
  data: D;
  client_timestamp?: number;
  router_incoming_timestamp?: number;
  router_outgoing_timestamp?: number;
  server_timestamp?: number;
}

/**
 * The answer to `/request_agent` and `/submit_onboarding`. A null `agent_id` means the worker gets no
 * work, and `failure_reason` says why (one of the worker-facing failure texts). An onboarding agent's
 * id starts with `onboarding_`.
 */
export interface AgentDetailsData {
  request_id: string;
  worker_id: string | null;
  agent_id: string | null;
  init_task_data?: unknown;
  failure_reason?: string | null;
  /**
   * mephisto-ts only: a stable code for `failure_reason` (`no_units`, `too_many_concurrent`,
   * `max_for_task`, `blocked`, `not_qualified`, `run_over`, `provider_refused`), null when a unit was given.
   */
  failure_code?: string | null;
}

export type AgentDetailsPacket = Packet<AgentDetailsData> & { packet_type: 'agent_details' };

/**
 * What the provider's `wrap_crowd_source.js` returns from `getAgentRegistration()`: enough for the
 * server to find or create the worker. Providers add fields (MTurk `hit_id`, Prolific `prolific_study_id`).
 */
export interface AgentRegistration {
  worker_name: string;
  agent_registration_id: string;
  assignment_id: string;
  provider_type: string;
  [field: string]: unknown;
}

/**
 * Agent statuses as they travel in `update_status` and heartbeat replies: Mephisto's `AgentState`
 * strings, verbatim (mephisto-task's `STATUS_TO_TEXT_MAP` keys on them). The page adds its own
 * pseudo-statuses (`done`, `mephisto disconnect`), which the server never sends.
 */
export type AgentStatusName =
  | 'none'
  | 'accepted'
  | 'onboarding'
  | 'waiting'
  | 'in task'
  | 'completed'
  | 'disconnect'
  | 'timeout'
  | 'partner disconnect'
  | 'expired'
  | 'returned'
  | 'approved'
  | 'soft_rejected'
  | 'rejected';

/** `update_status` (server → page): the agent's status changed, or the answer to `alive`. */
export interface UpdateStatusData {
  status: AgentStatusName;
}

/**
 * The server's answer to a page's `heartbeat`. `last_mephisto_ping` is in **milliseconds** (the page
 * compares it with `Date.now()` and declares the server dead when it is 20 s old), unlike packet
 * timestamps, which are seconds.
 */
export interface HeartbeatReplyData {
  last_mephisto_ping: number;
  status: AgentStatusName;
}

/**
 * A live update in either direction (`mephisto_bound_live_update`, `client_bound_live_update`): any
 * object, plus an `update_id` that the receiver uses to drop repeats. mephisto-task adds one to every
 * update it sends; the server adds one to every update it sends that lacks it.
 */
export interface LiveUpdateData {
  update_id: string;
  [field: string]: unknown;
}

/**
 * mephisto-ts only: why the server refused a packet from the page (packet type `error`). Nothing
 * changed on the server. `code` is from docs/errors.md; `packet_type` is the refused packet's type when
 * it had a readable one.
 */
export interface SocketErrorData {
  code: string;
  message: string;
  packet_type: string | null;
}
