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
} as const;
export type PacketType = (typeof PACKET_TYPES)[keyof typeof PACKET_TYPES];

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
   * `max_for_task`, `blocked`, `not_qualified`, `run_over`), null when a unit was given.
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
