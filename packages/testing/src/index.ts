/**
 * Public test helpers: the same fakes mephisto-ts's own tests use, for testing tasks built on it.
 *
 * - {@link ManualClock}: a fake clock that is also the engine's scheduler (`await clock.tick(ms)`);
 * - {@link withTempSqliteStore}: a migrated throwaway SQLite store;
 * - {@link withRun}: a launched run on such a store, with the mock provider and a manual clock;
 * - {@link SimulatedWorker} / {@link simulateWorkers}: workers played by code, through the same calls a
 *   browser makes.
 *
 * Fake MTurk and Prolific servers, workers over real HTTP + WebSocket and a PostgreSQL harness will
 * join them.
 */
export { ManualClock, SequentialIdGenerator, SimulatedWorker, simulateWorkers } from 'mephisto-ts';
export type {
  Simulation,
  SimulateWorkersOptions,
  SimulatedWorkerOptions,
  TakeUnitResult,
  UnitAtHand,
  WorkerBehaviour,
  WorkerOutcome,
  WorkerRecord,
} from 'mephisto-ts';
export { withTempSqliteStore, type TempSqliteStoreOptions } from './temp-sqlite-store.js';
export {
  mockTaskConfig,
  withRun,
  type RunConfigSource,
  type RunHarness,
  type WithRunOptions,
} from './with-run.js';
export * from './fakes/mturk/index.js';
export * from './fakes/prolific/index.js';
