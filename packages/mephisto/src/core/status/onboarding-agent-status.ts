import type { TransitionTable } from './transition-table.js';

/** Onboarding agents use a subset of the agent status strings (Mephisto stores them in the same column type). */
export const ONBOARDING_AGENT_STATUSES = [
  'none',
  'onboarding',
  'waiting',
  'approved',
  'rejected',
  'disconnect',
  'timeout',
  'expired',
] as const;
export type OnboardingAgentStatus = (typeof ONBOARDING_AGENT_STATUSES)[number];

/**
 * none → onboarding (the onboarding page was served) → waiting (the onboarding answers arrived) →
 * approved or rejected (validation). A worker can leave or time out before validation.
 */
export const ONBOARDING_AGENT_TRANSITIONS: TransitionTable<OnboardingAgentStatus> = {
  none: ['onboarding', 'disconnect', 'timeout', 'expired'],
  onboarding: ['waiting', 'disconnect', 'timeout', 'expired'],
  waiting: ['approved', 'rejected', 'disconnect', 'expired'],
  approved: [],
  rejected: [],
  disconnect: [],
  timeout: [],
  expired: [],
};

export function isOnboardingAgentStatus(value: unknown): value is OnboardingAgentStatus {
  return typeof value === 'string' && (ONBOARDING_AGENT_STATUSES as readonly string[]).includes(value);
}
