/** `data_json`: a JSON array of objects, one assignment per object. */
import type { TaskDataItem } from '../blueprint-context.js';
import type { DataFile } from './data-file.js';
import { readWholeText } from './data-file.js';
import { TaskDataInvalidError } from '../blueprint-errors.js';
import { describeValue, isTaskDataItem } from './task-data-item.js';

/**
 * Reads and checks the whole file when iteration starts (a JSON array cannot be parsed piecewise
 * without a streaming parser; use data_jsonl for very large data), then yields its items.
 * @throws TaskDataInvalidError naming the file (and the line of a syntax error when JSON.parse reports
 *   a position) or the index of an item that is not an object
 */
export async function* readJsonItems(file: DataFile): AsyncGenerator<TaskDataItem> {
  const text = await readWholeText(file);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TaskDataInvalidError(file.path, `not valid JSON: ${reason}`, lineOfError(text, reason), {
      cause: error,
    });
  }
  if (!Array.isArray(value)) {
    throw new TaskDataInvalidError(
      file.path,
      `expected a JSON array of objects, got ${describeValue(value)}`,
    );
  }
  // Check every item before yielding any, so a bad item fails the run before assignments are created.
  const items: unknown[] = value;
  items.forEach((item, index) => {
    if (!isTaskDataItem(item)) {
      throw new TaskDataInvalidError(
        file.path,
        `item ${index} of the array is ${describeValue(item)}, expected an object`,
      );
    }
  });
  yield* items as TaskDataItem[];
}

/** The 1-based line of `at position N` in a JSON.parse message, if it has one. */
function lineOfError(text: string, message: string): number | undefined {
  const match = /at position (\d+)/.exec(message);
  if (match?.[1] === undefined) return undefined;
  const position = Math.min(Number(match[1]), text.length);
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < position; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
