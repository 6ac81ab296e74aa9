/**
 * Where a static blueprint's data comes from (Mephisto's abstract static blueprint): the first of
 * data_csv, data_json and data_jsonl that is set, else the run script's `staticTaskData`. Each item
 * becomes one assignment with `units_per_assignment` units.
 */
import type { InitializationData, TaskDataSource } from '../blueprint.js';
import type { BlueprintContext, StaticTaskData, TaskDataItem } from '../blueprint-context.js';
import { readCsvItems } from './csv-data-file.js';
import type { DataFile, DataFileArgument } from './data-file.js';
import { DATA_FILE_ARGUMENTS } from './data-file.js';
import { readJsonItems } from './json-data-file.js';
import { readJsonlItems } from './jsonl-data-file.js';
import { TaskDataInvalidError, TaskDataMissingError } from '../blueprint-errors.js';
import { describeValue, isTaskDataItem } from './task-data-item.js';
import { requireTaskFile } from '../task-path.js';

/** The blueprint args this module reads (shared by every static blueprint type). */
export interface StaticDataArgs {
  readonly data_csv?: string | undefined;
  readonly data_json?: string | undefined;
  readonly data_jsonl?: string | undefined;
  readonly units_per_assignment: number;
}

export type StaticDataSource =
  | { readonly kind: 'file'; readonly file: DataFile }
  | { readonly kind: 'run-script'; readonly data: StaticTaskData };

/** How run-script data is named in error messages. */
export const RUN_SCRIPT_DATA_SOURCE = 'staticTaskData (run script)';

const FILE_READERS: Record<DataFileArgument, (file: DataFile) => AsyncIterable<TaskDataItem>> = {
  data_csv: readCsvItems,
  data_json: readJsonItems,
  data_jsonl: readJsonlItems,
};

/**
 * Picks the data source and checks what can be checked without reading it: the file exists, or the
 * run script's list is not empty. An argument set to the empty string counts as unset.
 * @throws TaskFileNotFoundError, or TaskDataMissingError when there is no data at all
 */
export function selectStaticDataSource(
  blueprintType: string,
  args: StaticDataArgs,
  context: BlueprintContext,
): StaticDataSource {
  for (const argument of DATA_FILE_ARGUMENTS) {
    const given = args[argument];
    if (given === undefined || given === '') continue;
    return {
      kind: 'file',
      file: { argument, given, path: requireTaskFile(argument, context.taskDir, given) },
    };
  }
  const data = context.sharedState?.staticTaskData;
  if (data === undefined) {
    throw new TaskDataMissingError(
      `the ${blueprintType} blueprint has no data: set mephisto.blueprint.data_csv, data_json or data_jsonl, ` +
        'or pass staticTaskData from the run script',
    );
  }
  if (Array.isArray(data) && data.length === 0) {
    throw new TaskDataMissingError(
      `the run script's staticTaskData is an empty list; the ${blueprintType} blueprint needs at least one item`,
    );
  }
  return { kind: 'run-script', data };
}

/**
 * The run's assignments, read lazily: nothing is read until iteration starts, and CSV / JSONL files
 * are read a chunk at a time, so a 100,000-row file is never held whole. Each iteration starts over
 * from the file (a run-script generator, by nature, can be iterated only once).
 */
export function staticInitializationData(
  source: StaticDataSource,
  unitsPerAssignment: number,
): TaskDataSource {
  const toData = (item: TaskDataItem): InitializationData => ({
    shared: item,
    // One object per unit rather than one shared object, so no consumer can alias them.
    unitData: Array.from({ length: unitsPerAssignment }, () => ({})),
  });
  if (source.kind === 'file') {
    const { file } = source;
    const read = FILE_READERS[file.argument];
    return {
      async *[Symbol.asyncIterator]() {
        for await (const item of read(file)) yield toData(item);
      },
    };
  }
  const { data } = source;
  if (Symbol.asyncIterator in data) {
    return {
      async *[Symbol.asyncIterator]() {
        let index = 0;
        for await (const item of data) yield toData(checkRunScriptItem(item, index++));
      },
    };
  }
  return {
    *[Symbol.iterator]() {
      let index = 0;
      for (const item of data) yield toData(checkRunScriptItem(item, index++));
    },
  };
}

/** Run-script data is typed, but a JavaScript caller (or a cast) can still slip in a non-object. */
function checkRunScriptItem(item: unknown, index: number): TaskDataItem {
  if (!isTaskDataItem(item)) {
    throw new TaskDataInvalidError(
      RUN_SCRIPT_DATA_SOURCE,
      `item ${index} is ${describeValue(item)}, expected an object`,
    );
  }
  return item;
}
