/**
 * `static_task`: an HTML page per unit, filled from the unit's data (Mephisto's StaticHTMLBlueprint).
 * The page files must exist when the run is set up; a typo fails at once rather than when the first
 * worker opens the task.
 */
import { basename } from 'node:path';
import type { StaticTaskBlueprintArgs } from '../../core/config/blueprint-args.js';
import type { Unit } from '../../core/index.js';
import type { InitializationData } from '../blueprint.js';
import type { BlueprintContext } from '../blueprint-context.js';
import { StaticBlueprint } from '../static-task/static-blueprint.js';
import { BlueprintArgsError } from '../blueprint-errors.js';
import { requireTaskFile } from '../task-path.js';

export const STATIC_HTML_BLUEPRINT_TYPE = 'static_task';

export class StaticHtmlBlueprint extends StaticBlueprint {
  readonly type = STATIC_HTML_BLUEPRINT_TYPE;
  /** Absolute path of the task's HTML (`task_source`). */
  readonly taskSourcePath: string;
  /** Absolute path of the preview HTML: `preview_source`, or the task HTML when unset (as Mephisto). */
  readonly previewSourcePath: string;
  /** Absolute path of the onboarding HTML, when `onboarding_source` is set. */
  readonly onboardingSourcePath: string | undefined;

  /**
   * @throws TaskFileNotFoundError when task_source, preview_source, onboarding_source or the data file
   *   is missing; BlueprintArgsError for onboarding_qualification without onboarding_source;
   *   TaskDataMissingError when there is no data
   */
  constructor(
    readonly args: StaticTaskBlueprintArgs,
    context: BlueprintContext,
  ) {
    super(STATIC_HTML_BLUEPRINT_TYPE, args, context);
    this.taskSourcePath = requireTaskFile('task_source', context.taskDir, args.task_source);
    this.previewSourcePath =
      args.preview_source === undefined
        ? this.taskSourcePath
        : requireTaskFile('preview_source', context.taskDir, args.preview_source);
    this.onboardingSourcePath =
      args.onboarding_source === undefined
        ? undefined
        : requireTaskFile('onboarding_source', context.taskDir, args.onboarding_source);
    if (args.onboarding_qualification !== undefined && this.onboardingSourcePath === undefined) {
      throw new BlueprintArgsError(
        `static_task: onboarding_qualification "${args.onboarding_qualification}" is set but onboarding_source ` +
          'is not; onboarding needs an HTML page (set mephisto.blueprint.onboarding_source)',
      );
    }
  }

  /** The task HTML's file name: the page the front end loads for a unit. */
  get htmlFileName(): string {
    return basename(this.taskSourcePath);
  }

  /**
   * The assignment's `shared` data plus `html`, the task HTML's file name, as Mephisto adds it. It is
   * added here rather than stored with the assignment, so the stored data stays the data file's item.
   */
  override initDataForUnit(data: InitializationData, _unit: Unit): unknown {
    return { ...data.shared, html: this.htmlFileName };
  }

  /**
   * The run script's task_config plus the names of the HTML files the front end loads: `html`,
   * `preview_html` and, with onboarding, `onboarding_html`.
   */
  override frontendArgs(): Readonly<Record<string, unknown>> {
    return {
      ...this.taskConfig,
      html: this.htmlFileName,
      preview_html: basename(this.previewSourcePath),
      ...(this.onboardingSourcePath === undefined
        ? {}
        : { onboarding_html: basename(this.onboardingSourcePath) }),
    };
  }
}
