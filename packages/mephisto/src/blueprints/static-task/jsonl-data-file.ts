/** `data_jsonl`: one JSON object per line, one assignment per object. */
import type { TaskDataItem } from '../blueprint-context.js';
import type { DataFile } from './data-file.js';
import { readTextChunks, textLines } from './data-file.js';
import { TaskDataInvalidError } from '../blueprint-errors.js';
import { describeValue, isTaskDataItem } from './task-data-item.js';

/**
 * Reads the file line by line; blank lines are skipped (a trailing newline, or an editor's extra one,
 * is not an item).
 * @throws TaskDataInvalidError naming file:line for invalid JSON or a value that is not an object
 */
export async function* readJsonlItems(file: DataFile): AsyncGenerator<TaskDataItem> {
  for await (const { text, line } of textLines(readTextChunks(file))) {
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new TaskDataInvalidError(file.path, `not valid JSON: ${reason}`, line, { cause: error });
    }
    if (!isTaskDataItem(value)) {
      throw new TaskDataInvalidError(file.path, `expected a JSON object, got ${describeValue(value)}`, line);
    }
    yield value;
  }
}
