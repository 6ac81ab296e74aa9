/** The task-run engine: operator, live runs, worker pool, launcher, lifecycle timers and resume. */
export { Operator, type LaunchOptions, type OperatorDeps } from './operator.js';
export {
  LiveTaskRun,
  type AgentDetails,
  type AgentRegistration,
  type LiveRun,
  type RunHooks,
  type RunPhase,
  type RunProgress,
} from './live-run.js';
export {
  RunEvents,
  type RunEnd,
  type RunEndReason,
  type RunEventListener,
  type RunEventMap,
  type RunEventName,
  type RunEventSource,
  type UnitFreedReason,
} from './run-events.js';
export {
  REFUSAL_CODES,
  REFUSAL_WHEN,
  refusalMessage,
  type RefusalCode,
  type RefusalFigures,
} from './refusals.js';
export {
  QUALIFICATION_COMPARATORS,
  makeQualificationRequirement,
  meetsRequirement,
  validateQualificationRequirement,
  workerIsQualified,
  type QualificationComparator,
  type QualificationRequirement,
} from './qualifications.js';
export {
  AgentGoneError,
  AgentNotLiveError,
  ProviderLaunchError,
  ResumeConflictError,
  RunSetupError,
  type AgentGoneReason,
} from './run-errors.js';
export {
  RESUME_CHANGEABLE_TASK_SETTINGS,
  RESUME_FIXED_SETTINGS,
  runSettingsOf,
  type RunSettings,
} from './run-settings.js';
