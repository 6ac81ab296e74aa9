/**
 * Agent statuses as the server pushes them in `update_status` packets (spec §2.2), and the sentences
 * mephisto-task shows a worker for the ones that end the task. Values and texts are mephisto-task's,
 * verbatim: pages compare against the first and display the second.
 */
export const AGENT_STATUS = {
  NONE: 'none',
  ONBOARDING: 'onboarding',
  WAITING: 'waiting',
  IN_TASK: 'in task',
  DONE: 'done',
  DISCONNECT: 'disconnect',
  TIMEOUT: 'timeout',
  PARTNER_DISCONNECT: 'partner disconnect',
  EXPIRED: 'expired',
  RETURNED: 'returned',
  /** Set by the page itself when the server stopped answering heartbeats. */
  MEPHISTO_DISCONNECT: 'mephisto disconnect',
} as const;

export type AgentStatus = (typeof AGENT_STATUS)[keyof typeof AGENT_STATUS];

const RECOVER_WORK =
  'You have disconnected from our server during the duration of the task. ' +
  'If you have done substantial work, please reach out to see if we can recover it. ';

export const STATUS_TO_TEXT_MAP: Readonly<Partial<Record<AgentStatus, string>>> = {
  [AGENT_STATUS.EXPIRED]:
    'This task is no longer available to be completed.  Please return it and try a different task',
  [AGENT_STATUS.TIMEOUT]:
    'You took to long to respond to this task, and have timed out. ' +
    'The task is no longer available, please return it.',
  [AGENT_STATUS.DISCONNECT]: RECOVER_WORK,
  [AGENT_STATUS.RETURNED]: RECOVER_WORK,
  [AGENT_STATUS.PARTNER_DISCONNECT]:
    "One of your partners has disconnected while working on this task. We won't penalize " +
    'you for them leaving, so please submit this task as is.',
  [AGENT_STATUS.MEPHISTO_DISCONNECT]:
    'Our server appears to have gone down during the duration of this Task. ' +
    "Please send us a message if you've done substantial work and we can find out if the task " +
    'is complete enough to compensate.',
};
