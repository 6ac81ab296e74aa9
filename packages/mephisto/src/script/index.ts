/**
 * Running tasks from code: the run-script API (`runTask`, `defineTaskScript`), the shared launch wiring,
 * and simulated workers that take a run to completion without a browser.
 */
export { defineTaskScript, runTask } from './run-task.js';
export type {
  OnboardingSubmission,
  TaskDataOption,
  TaskScript,
  TaskScriptOptions,
  TaskScriptResult,
} from './run-task.js';
export { startTaskRun, type StartTaskRunOptions, type StartedTaskRun } from './start-task-run.js';
export {
  startServedTaskRun,
  type ServedTaskRun,
  type StartServedTaskRunOptions,
} from './start-served-task-run.js';
export { followRun, type FollowRunOptions, type FollowedRun } from './follow-run.js';
export { parseScriptArgv, type ScriptArguments } from './script-argv.js';
export {
  exitCodeForSignal,
  handleInterrupts,
  type InterruptHandlers,
  type InterruptSignal,
  type SignalSource,
} from './interrupts.js';
export { formatLaunchReport, formatProgressLine, formatRunSummary, progressView } from './run-report.js';
export type { ProgressView } from './run-report.js';
export { SimulatedWorker } from './simulated-worker.js';
export type {
  SimulatedWorkerOptions,
  TakeUnitResult,
  UnitAtHand,
  WorkerBehaviour,
  WorkerOutcome,
  WorkerRecord,
} from './simulated-worker.js';
export { simulateWorkers, type Simulation, type SimulateWorkersOptions } from './simulate-workers.js';
