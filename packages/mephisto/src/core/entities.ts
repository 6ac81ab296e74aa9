/**
 * The data model (Mephisto's, spec §1). Ids are decimal strings; dates are `Date`s in UTC; every
 * entity is a plain immutable record read from the store. Field names are the camelCase forms of
 * Mephisto's column names.
 */
import type { AgentStatus } from './status/agent-status.js';
import type { OnboardingAgentStatus } from './status/onboarding-agent-status.js';
import type { UnitStatus } from './status/unit-status.js';

/** Reserved by Mephisto for "no project"; refused as a project name. */
export const NO_PROJECT = 'NO_PROJECT';

/** Unit indices below zero mark special units that never count as regular work. */
export const SCREENING_UNIT_INDEX = -1;
export const GOLD_UNIT_INDEX = -2;
export const COMPENSATION_UNIT_INDEX = -3;

export interface Project {
  readonly id: string;
  readonly name: string;
  readonly creationDate: Date;
}

/** A task is a unique `task_name` shared by all its runs (the key for per-worker caps and resume). */
export interface Task {
  readonly id: string;
  readonly name: string;
  /** The blueprint type of the first run (e.g. `static_task`). */
  readonly taskType: string;
  readonly projectId: string | null;
  readonly parentTaskId: string | null;
  readonly creationDate: Date;
}

/** An account on a crowd provider that launches and pays for runs. */
export interface Requester {
  readonly id: string;
  readonly name: string;
  readonly providerType: string;
  readonly creationDate: Date;
}

export interface TaskRun {
  readonly id: string;
  readonly taskId: string;
  readonly requesterId: string;
  /** The run's full resolved configuration, as JSON text (Mephisto stores JSON-wrapped YAML). */
  readonly initParams: string;
  readonly isCompleted: boolean;
  readonly providerType: string;
  readonly taskType: string;
  readonly sandbox: boolean;
  readonly creationDate: Date;
}

/** One item of a run's data, split into one or more units (worker slots). */
export interface Assignment {
  readonly id: string;
  readonly taskId: string;
  readonly taskRunId: string;
  readonly requesterId: string;
  readonly taskType: string;
  readonly providerType: string;
  readonly sandbox: boolean;
  /**
   * The assignment's initialization data (Mephisto's `assign_data.json`: `{shared, unit_data}`), kept in
   * the database so every server process sharing it can read it. Null when the blueprint has none.
   */
  readonly data: unknown;
  readonly creationDate: Date;
}

export interface Unit {
  readonly id: string;
  readonly assignmentId: string;
  /** Position in the assignment (0, 1, …); negative for screening, gold and compensation units. */
  readonly unitIndex: number;
  /** Reward in dollars (the run's `task_reward` at creation). */
  readonly payAmount: number;
  readonly providerType: string;
  readonly status: UnitStatus;
  /** Set exactly while the unit has an agent (assigned and after); null in created / launched. */
  readonly agentId: string | null;
  readonly workerId: string | null;
  readonly taskType: string;
  readonly taskId: string;
  readonly taskRunId: string;
  readonly sandbox: boolean;
  readonly requesterId: string;
  readonly creationDate: Date;
}

/** A person on a provider; `name` is the provider's worker id (with `_sandbox` appended in sandboxes). */
export interface Worker {
  readonly id: string;
  readonly name: string;
  readonly providerType: string;
  readonly creationDate: Date;
}

/** One worker working on one unit. */
export interface Agent {
  readonly id: string;
  readonly workerId: string;
  readonly unitId: string;
  readonly taskId: string;
  readonly taskRunId: string;
  readonly assignmentId: string;
  readonly taskType: string;
  readonly providerType: string;
  readonly status: AgentStatus;
  readonly creationDate: Date;
}

/** A worker doing a run's onboarding step. Shown to browsers as `onboarding_<id>`. */
export interface OnboardingAgent {
  readonly id: string;
  readonly workerId: string;
  readonly taskId: string;
  readonly taskRunId: string;
  readonly taskType: string;
  readonly status: OnboardingAgentStatus;
  readonly creationDate: Date;
}

export interface Qualification {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly creationDate: Date;
}

export interface GrantedQualification {
  readonly id: string;
  readonly workerId: string;
  readonly qualificationId: string;
  readonly value: number;
  readonly creationDate: Date;
  /** When the value last changed (Mephisto forgets to update it on re-grant; we do not). */
  readonly updateDate: Date;
}

/** A review decision about a worker, optionally about one unit (Mephisto's `worker_review` row). */
export interface WorkerReview {
  readonly id: string;
  readonly unitId: string | null;
  readonly workerId: string;
  readonly taskId: string | null;
  readonly status: string | null;
  readonly reviewNote: string | null;
  /** Bonus in dollars, or null. */
  readonly bonus: number | null;
  readonly blockedWorker: boolean;
  readonly updatedQualificationId: string | null;
  readonly updatedQualificationValue: number | null;
  readonly revokedQualificationId: string | null;
  readonly creationDate: Date;
}
