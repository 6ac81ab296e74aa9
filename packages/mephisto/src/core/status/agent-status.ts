import type { TransitionTable } from './transition-table.js';
import type { UnitStatus } from './unit-status.js';

/** Agent status strings, exactly Mephisto's `AgentState` values (they travel in `update_status` packets). */
export const AGENT_STATUSES = [
  'none',
  'accepted',
  'onboarding',
  'waiting',
  'in task',
  'completed',
  'disconnect',
  'timeout',
  'partner disconnect',
  'expired',
  'returned',
  'approved',
  'soft_rejected',
  'rejected',
] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

/** The worker is done with the unit, one way or another (Mephisto `complete()`). */
export const FINISHED_AGENT_STATUSES: readonly AgentStatus[] = [
  'completed',
  'disconnect',
  'timeout',
  'expired',
  'returned',
  'soft_rejected',
  'approved',
  'rejected',
];

/** The worker left without submitting; the unit goes back on offer. */
export const ABANDONED_AGENT_STATUSES: readonly AgentStatus[] = [
  'disconnect',
  'timeout',
  'returned',
  'expired',
];

/** Statuses of a worker who is still working (or waiting for partners). */
export const LIVE_AGENT_STATUSES: readonly AgentStatus[] = ['none', 'accepted', 'waiting', 'in task'];

const ABANDON = ['disconnect', 'timeout', 'returned', 'expired'] as const;

/**
 * Allowed agent transitions. Unlike Mephisto (which only logs a change away from a finished status),
 * an abandoned agent stays abandoned: a worker who comes back gets a new agent.
 *
 * - none → accepted: registration finished (Mephisto does this immediately after insert).
 * - accepted → in task (static tasks) or waiting (concurrent tasks wait for partners).
 * - waiting → in task: every partner arrived.
 * - in task → completed: the submit arrived. partner disconnect → completed: the survivor's data is kept.
 * - in task / waiting → partner disconnect: a partner in the same assignment left.
 * - completed → approved / rejected / soft_rejected: review; rejected → approved overturns a rejection.
 * - any live status → disconnect / timeout / returned / expired.
 */
export const AGENT_TRANSITIONS: TransitionTable<AgentStatus> = {
  none: ['accepted', ...ABANDON],
  accepted: ['in task', 'waiting', ...ABANDON],
  // Onboarding happens on OnboardingAgent rows; a real agent never enters this status.
  onboarding: [],
  waiting: ['in task', 'partner disconnect', ...ABANDON],
  'in task': ['completed', 'partner disconnect', ...ABANDON],
  'partner disconnect': ['completed', ...ABANDON],
  completed: ['approved', 'rejected', 'soft_rejected'],
  disconnect: [],
  timeout: [],
  returned: [],
  expired: [],
  approved: [],
  soft_rejected: [],
  rejected: ['approved'],
};

/**
 * The unit status an agent status implies (Mephisto `AgentState.to_assignment_state()`, with one fix:
 * an abandoned agent means the unit is on offer again, `launched`, rather than `created`).
 */
export const UNIT_STATUS_FOR_AGENT: { readonly [S in AgentStatus]: UnitStatus } = {
  none: 'assigned',
  accepted: 'assigned',
  onboarding: 'assigned',
  waiting: 'assigned',
  'in task': 'assigned',
  completed: 'completed',
  'partner disconnect': 'assigned',
  disconnect: 'launched',
  timeout: 'launched',
  returned: 'launched',
  expired: 'expired',
  approved: 'accepted',
  soft_rejected: 'soft_rejected',
  rejected: 'rejected',
};

export function isAgentStatus(value: unknown): value is AgentStatus {
  return typeof value === 'string' && (AGENT_STATUSES as readonly string[]).includes(value);
}
