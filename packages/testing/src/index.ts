/**
 * Public test helpers: the same fakes mephisto-ts's own tests use, for testing tasks built on it.
 * Fake MTurk and Prolific servers, simulated workers and a PostgreSQL harness will join them.
 */
export { ManualClock, SequentialIdGenerator } from 'mephisto-ts';
export { withTempSqliteStore, type TempSqliteStoreOptions } from './temp-sqlite-store.js';
