/** What the MTurk provider's parts share: the API, the records, time, randomness and the log. */
import type { Logger } from 'pino';
import type { MturkApi } from './mturk-api.js';
import type { MturkRecords } from './mturk-records.js';

export type MturkProviderType = 'mturk' | 'mturk_sandbox';

export interface MturkSession {
  readonly type: MturkProviderType;
  readonly sandbox: boolean;
  readonly api: MturkApi;
  readonly records: MturkRecords;
  /** Epoch milliseconds. */
  readonly now: () => number;
  /** In [0, 1): request-token suffixes. */
  readonly random: () => number;
  /** How many MTurk calls a bulk operation (launch, expiry) keeps in flight. */
  readonly concurrency: number;
  readonly log: Logger;
}

/** The worker's MTurk id from the store's worker name (sandbox names end in `_sandbox`). */
export function mturkWorkerId(session: Pick<MturkSession, 'sandbox'>, workerName: string): string {
  return session.sandbox && workerName.endsWith('_sandbox')
    ? workerName.slice(0, -'_sandbox'.length)
    : workerName;
}
