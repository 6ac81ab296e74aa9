/**
 * `static_react_task`: a prebuilt JavaScript bundle (a React app using the task-client hooks) shown for
 * each unit, with the unit's data (Mephisto's StaticReactBlueprint).
 */
import type { StaticReactTaskBlueprintArgs } from '../../core/config/blueprint-args.js';
import type { BlueprintContext } from '../blueprint-context.js';
import { StaticBlueprint } from '../static-task/static-blueprint.js';
import { BlueprintArgsError } from '../blueprint-errors.js';
import { resolveTaskPath } from '../task-path.js';

export const STATIC_REACT_BLUEPRINT_TYPE = 'static_react_task';

export class StaticReactBlueprint extends StaticBlueprint {
  readonly type = STATIC_REACT_BLUEPRINT_TYPE;
  /**
   * Absolute path of the bundle (`task_source`). It is not checked here: the bundle is often built as
   * part of launching the run, so the webapp build step checks it once it has run.
   */
  readonly taskSourcePath: string;
  /** Symlink rather than copy the bundle into the served folder (watch-mode development). */
  readonly linkTaskSource: boolean;

  /**
   * @throws BlueprintArgsError for an empty task_source; TaskFileNotFoundError for a missing data file;
   *   TaskDataMissingError when there is no data
   */
  constructor(
    readonly args: StaticReactTaskBlueprintArgs,
    context: BlueprintContext,
  ) {
    super(STATIC_REACT_BLUEPRINT_TYPE, args, context);
    if (args.task_source.trim() === '') {
      throw new BlueprintArgsError(
        'static_react_task: task_source is empty; set it to the built bundle, e.g. ${task_dir}/webapp/build/bundle.js',
      );
    }
    this.taskSourcePath = resolveTaskPath(context.taskDir, args.task_source);
    this.linkTaskSource = args.link_task_source;
  }
}
