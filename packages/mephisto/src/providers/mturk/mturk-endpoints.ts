/**
 * MTurk's addresses: the requester API (live and sandbox), the worker site a HIT group is listed on, and
 * MTurk's commission on what a requester pays.
 */

export const MTURK_LIVE_ENDPOINT = 'https://mturk-requester.us-east-1.amazonaws.com';
export const MTURK_SANDBOX_ENDPOINT = 'https://mturk-requester-sandbox.us-east-1.amazonaws.com';
export const MTURK_LIVE_WORKER_SITE = 'https://worker.mturk.com';
export const MTURK_SANDBOX_WORKER_SITE = 'https://workersandbox.mturk.com';

/** The API endpoint: `endpoint` when set (a fake, a proxy), else AWS's live or sandbox one. */
export function apiEndpoint(endpoint: string, sandbox: boolean): string {
  const configured = endpoint.trim();
  if (configured !== '') return configured;
  return sandbox ? MTURK_SANDBOX_ENDPOINT : MTURK_LIVE_ENDPOINT;
}

/** Whether the endpoint is AWS's own (so MTurk's rules, such as https task pages, apply for real). */
export function isAwsEndpoint(endpoint: string): boolean {
  return endpoint === MTURK_LIVE_ENDPOINT || endpoint === MTURK_SANDBOX_ENDPOINT;
}

/** The worker-site page listing a HIT group (where workers preview and accept its HITs). */
export function hitGroupLink(hitGroupId: string, sandbox: boolean): string {
  const site = sandbox ? MTURK_SANDBOX_WORKER_SITE : MTURK_LIVE_WORKER_SITE;
  return `${site}/mturk/preview?groupId=${encodeURIComponent(hitGroupId)}`;
}

/**
 * MTurk's commission on `amount` dollars, whole cents: 20% of rewards and bonuses (40% on the rewards
 * of HITs with 10 or more assignments, which mephisto-ts never creates: one unit, one assignment), at
 * least $0.01 on any payment.
 */
export function mturkFee(amount: number, maxAssignments = 1): number {
  const cents = Math.round(amount * 100);
  if (cents <= 0) return 0;
  const percent = maxAssignments >= 10 ? 40 : 20;
  return Math.max(1, Math.floor((cents * percent + 50) / 100)) / 100;
}
