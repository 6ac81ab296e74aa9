/** `data_csv`: a header row naming the fields, then one assignment per row. */
import type { TaskDataItem } from '../blueprint-context.js';
import { csvRecords, CsvSyntaxError } from './csv-records.js';
import type { DataFile } from './data-file.js';
import { readTextChunks } from './data-file.js';
import { TaskDataInvalidError } from '../blueprint-errors.js';

/**
 * Reads the file row by row. Every value is a string, as with Python's csv module. A row with more or
 * fewer fields than the header is an error (Mephisto would silently misalign or drop them), as are
 * duplicated header names (the later column would overwrite the earlier one).
 * @throws TaskDataInvalidError naming file:line; TaskFileNotFoundError if the file went away
 */
export async function* readCsvItems(file: DataFile): AsyncGenerator<TaskDataItem> {
  let header: readonly string[] | undefined;
  try {
    for await (const { fields, line } of csvRecords(readTextChunks(file))) {
      if (header === undefined) {
        checkHeader(file, fields, line);
        header = fields;
        continue;
      }
      if (fields.length !== header.length) {
        throw new TaskDataInvalidError(
          file.path,
          `row has ${fields.length} ${fields.length === 1 ? 'field' : 'fields'} but the header has ${header.length}`,
          line,
        );
      }
      const item: Record<string, string> = {};
      // defineProperty rather than assignment: a column named __proto__ must stay a plain field.
      header.forEach((name, i) => {
        Object.defineProperty(item, name, {
          value: fields[i] ?? '',
          enumerable: true,
          writable: true,
          configurable: true,
        });
      });
      yield item;
    }
  } catch (error) {
    if (error instanceof CsvSyntaxError) {
      throw new TaskDataInvalidError(file.path, error.problem, error.line, { cause: error });
    }
    throw error;
  }
  if (header === undefined) {
    throw new TaskDataInvalidError(file.path, 'the file is empty; expected a header row naming the fields');
  }
}

function checkHeader(file: DataFile, names: readonly string[], line: number): void {
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      throw new TaskDataInvalidError(
        file.path,
        `the header names column "${name}" twice (columns ${earlier + 1} and ${i + 1})`,
        line,
      );
    }
    seen.set(name, i);
  });
}
