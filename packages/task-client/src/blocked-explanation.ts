/**
 * Why a page may not show its task (`blockedReason`) and the sentence shown to the worker for each.
 * The texts are mephisto-task's, kept verbatim since pages display them.
 */

/** Reasons the hooks set. Any other string is possible: {@link getBlockedExplanation} handles it. */
export const BLOCKED_REASONS = {
  /** `taskConfig.block_mobile` and the page runs on a phone or tablet. */
  noMobile: 'no_mobile',
  /** A live task in a browser without WebSockets. */
  noWebsockets: 'no_websockets',
  /** The server gave no agent; `blockedExplanation` is its `failure_reason`. */
  nullAgentId: 'null_agent_id',
  /** mephisto-ts: the server refused or could not be reached while the task loaded. */
  serverError: 'server_error',
} as const;

export type BlockedReason = (typeof BLOCKED_REASONS)[keyof typeof BLOCKED_REASONS];

const EXPLANATIONS: Readonly<Record<string, string>> = {
  no_mobile: 'Sorry, this task cannot be completed on mobile devices. Please use a computer.',
  no_websockets:
    'Sorry, your browser does not support the required version of websockets for this task. ' +
    'Please upgrade to a modern browser.',
};

/** The worker-facing sentence for `reason`; unknown reasons get a generic one naming the code. */
export function getBlockedExplanation(reason: string): string {
  return Object.hasOwn(EXPLANATIONS, reason)
    ? (EXPLANATIONS[reason] ?? '')
    : `Sorry, you are not able to work on this task. (code: ${reason})`;
}
