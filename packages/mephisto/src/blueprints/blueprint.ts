/**
 * The Blueprint port: what kind of task a run is (Mephisto's blueprint). A blueprint supplies the run's
 * work items, what each worker's page receives, and how a unit runs on the server while a worker does
 * it. Implementations live beside this file (`mock/`, `static-task/`, …) and are looked up by their
 * type string (`mephisto.blueprint._blueprint_type`) in the blueprint registry.
 */
import type { Agent, Assignment, Unit } from '../core/index.js';

/**
 * One assignment's data (Mephisto's `InitializationData`): `shared` is what every unit of the
 * assignment shows (for static tasks, one row of the CSV/JSON data), `unitData` has one entry per unit
 * (its length is the number of units, e.g. `units_per_assignment`).
 */
export interface InitializationData {
  readonly shared: Readonly<Record<string, unknown>>;
  readonly unitData: readonly Readonly<Record<string, unknown>>[];
}

/**
 * Where a run's work comes from: an array, a (possibly endless) generator, or an async iterator. The
 * launcher pulls from it lazily, so an endless source (e.g. a screening-unit factory) is fine.
 */
export type TaskDataSource = Iterable<InitializationData> | AsyncIterable<InitializationData>;

/**
 * The server side of one agent doing one unit, handed to {@link Blueprint.runUnit}. Every wait rejects
 * with an `AgentGoneError` (from src/run) when the agent disconnects, times out, returns the unit, or the
 * run shuts down; `signal` aborts at the same moment.
 */
export interface AgentSession {
  readonly agent: Agent;
  readonly unit: Unit;
  readonly assignment: Assignment;
  readonly signal: AbortSignal;
  /** Resolves with the submitted data once the worker's submit is committed. */
  awaitSubmit(): Promise<unknown>;
  /** The next live update the worker sends (`mephisto_bound_live_update`), in order. */
  nextLiveUpdate(): Promise<unknown>;
  /** Sends a live update to the worker's page (`client_bound_live_update`). */
  sendLiveUpdate(data: Readonly<Record<string, unknown>>): void;
}

export interface Blueprint {
  /** The type string, e.g. `static_task`, `static_react_task`, `mock`. */
  readonly type: string;
  /**
   * The run's work, one item per assignment: from the blueprint's data files, or from the data a run
   * script handed the blueprint (`sharedState.staticTaskData`), wrapped per `units_per_assignment`.
   */
  initializationData(): TaskDataSource;
  /**
   * What the worker's page receives as `init_task_data` when it is given `unit` (static tasks: the
   * assignment's `shared` data). `data` is the assignment's stored InitializationData.
   */
  initDataForUnit(data: InitializationData, unit: Unit): unknown;
  /** The front end's task config (served as `task_config.json`). */
  frontendArgs(): Readonly<Record<string, unknown>>;
  /**
   * Runs on the server while a worker does a unit. Static tasks just await the submit; other blueprints
   * exchange live updates. When this resolves before a submit arrived, the engine waits
   * `submission_timeout` seconds for it, then times the agent out and offers the unit again.
   */
  runUnit(session: AgentSession): Promise<void>;
}
