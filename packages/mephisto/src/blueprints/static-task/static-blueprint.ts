/**
 * What `static_task` and `static_react_task` have in common (Mephisto's abstract static blueprint):
 * data from a file or the run script, one assignment per item, each unit shown the assignment's
 * `shared` data, and a server side that only waits for the worker's submit.
 */
import type { Unit } from '../../core/index.js';
import type { AgentSession, Blueprint, InitializationData, TaskDataSource } from '../blueprint.js';
import type { BlueprintContext } from '../blueprint-context.js';
import type { StaticDataArgs, StaticDataSource } from './static-task-data.js';
import { selectStaticDataSource, staticInitializationData } from './static-task-data.js';

export abstract class StaticBlueprint implements Blueprint {
  abstract readonly type: string;
  /** Where the run's data comes from; chosen (and the file checked) at construction. */
  readonly dataSource: StaticDataSource;
  readonly unitsPerAssignment: number;
  /** The run script's `task_config`, copied into {@link StaticBlueprint.frontendArgs}. */
  protected readonly taskConfig: Readonly<Record<string, unknown>>;

  /**
   * @param type the blueprint type, for messages (subclasses' `type` is not set yet while this runs)
   * @throws TaskFileNotFoundError for a missing data file; TaskDataMissingError when there is no data
   */
  protected constructor(type: string, args: StaticDataArgs, context: BlueprintContext) {
    this.dataSource = selectStaticDataSource(type, args, context);
    this.unitsPerAssignment = args.units_per_assignment;
    this.taskConfig = { ...context.sharedState?.taskConfig };
  }

  initializationData(): TaskDataSource {
    return staticInitializationData(this.dataSource, this.unitsPerAssignment);
  }

  /** The assignment's `shared` data: a static task shows each unit the same item. */
  initDataForUnit(data: InitializationData, _unit: Unit): unknown {
    return data.shared;
  }

  frontendArgs(): Readonly<Record<string, unknown>> {
    return { ...this.taskConfig };
  }

  /** A static task has no server-side logic: the worker's submit is the whole exchange. */
  async runUnit(session: AgentSession): Promise<void> {
    await session.awaitSubmit();
  }
}
