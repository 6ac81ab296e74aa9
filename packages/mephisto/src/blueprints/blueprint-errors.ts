/**
 * The errors blueprints raise: an unknown or unavailable type, a task's missing files, malformed data
 * and arguments that do not fit together. Data messages lead with the place (`file:line:`), as
 * compilers do, so editors and terminals can jump to it.
 */
import { MephistoError } from '../core/index.js';

/** A file named by a blueprint argument does not exist (or is not a regular file). */
export class TaskFileNotFoundError extends MephistoError {
  constructor(
    /** The argument that named the file, e.g. `data_csv`. */
    readonly argument: string,
    /** The resolved, absolute path. */
    readonly path: string,
    /** The path as written in the config. */
    readonly given: string,
    /** True when the path exists but is a folder. */
    readonly isDirectory = false,
  ) {
    super(
      'MEPHISTO_ERR_TASK_FILE_NOT_FOUND',
      `${argument}: ${isDirectory ? `${path} is a folder, not a file` : `file ${path} does not exist`}` +
        (given === path ? '' : ` (given as "${given}")`),
    );
  }
}

/**
 * Malformed task data. `source` is a file path or `run script data`; `line` is 1-based and present
 * when the fault has a line (CSV, JSONL, JSON syntax errors). Problems about one item of a JSON array
 * or of run-script data name its 0-based index in `problem`.
 */
export class TaskDataInvalidError extends MephistoError {
  constructor(
    readonly source: string,
    readonly problem: string,
    readonly line?: number,
    options?: { cause?: unknown },
  ) {
    super(
      'MEPHISTO_ERR_TASK_DATA_INVALID',
      `${source}${line === undefined ? '' : `:${line}`}: ${problem}`,
      options,
    );
  }
}

/** A static blueprint was given no data source at all, or an empty list. */
export class TaskDataMissingError extends MephistoError {
  constructor(message: string) {
    super('MEPHISTO_ERR_TASK_DATA_MISSING', message);
  }
}

/** Blueprint arguments that do not fit together. */
export class BlueprintArgsError extends MephistoError {
  constructor(message: string) {
    super('MEPHISTO_ERR_BLUEPRINT_ARGS', message);
  }
}

/** `_blueprint_type` names no registered blueprint. */
export class UnknownBlueprintTypeError extends MephistoError {
  constructor(
    readonly blueprintType: string,
    readonly available: readonly string[],
    readonly notAvailableYet: readonly string[],
  ) {
    super(
      'MEPHISTO_ERR_UNKNOWN_TYPE',
      `unknown blueprint type "${blueprintType}"; available: ${available.join(', ')}` +
        (notAvailableYet.length === 0 ? '' : ` (not available yet: ${notAvailableYet.join(', ')})`),
    );
  }
}

/** A Mephisto blueprint type that mephisto-ts knows the config of but does not implement yet. */
export class BlueprintNotAvailableError extends MephistoError {
  constructor(
    readonly blueprintType: string,
    readonly available: readonly string[],
  ) {
    super(
      'MEPHISTO_ERR_TYPE_NOT_AVAILABLE',
      `blueprint type "${blueprintType}" is not available in mephisto-ts yet; available: ${available.join(', ')}`,
    );
  }
}
