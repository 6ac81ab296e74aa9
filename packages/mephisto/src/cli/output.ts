/**
 * Everything the CLI prints that has a shape: aligned tables, key/value blocks and error reports.
 * Kept apart from the commands so every command formats alike and tests can check one place.
 */
import { ERROR_CODES, MephistoError } from '../core/errors.js';

/** Where the CLI writes; `process.stdout` fits, and so does a string collector in tests. */
export interface TextSink {
  write(text: string): unknown;
}

/** Process exit codes: 2 is the usual code for a command line that could not be understood. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export type Alignment = 'left' | 'right';

/**
 * Lays out `rows` under `header` in columns separated by two spaces. Numbers read best right-aligned,
 * so each column can choose; trailing spaces are trimmed so the output diffs cleanly.
 */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Alignment[] = [],
): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    widths
      .map((width, column) => {
        const cell = cells[column] ?? '';
        return align[column] === 'right' ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].map((text) => `${text}\n`).join('');
}

/** `key  value` lines with the values aligned. */
export function formatFields(fields: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...fields.map(([key]) => key.length));
  return fields.map(([key, value]) => `${`${key}:`.padEnd(width + 1)}  ${value}\n`).join('');
}

/** 12345 → `12,345`; fixed to en-US so output does not depend on the user's locale. */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

/**
 * The report for an error that ended a command. A {@link MephistoError} is something the user can act
 * on: its code, its message and the registry's remedy. Anything else is unexpected; its stack helps a
 * bug report but buries the message, so it is shown only with `--debug`.
 */
export function formatError(error: unknown, options: { debug: boolean }): string {
  let text: string;
  if (error instanceof MephistoError) {
    text = `error [${error.code}]: ${error.message}\nhint: ${ERROR_CODES[error.code].remedy}\n`;
  } else {
    const message = error instanceof Error ? error.message : describe(error);
    text = `error: ${message}\n`;
    if (!options.debug) {
      text += 'This was unexpected; run the command again with --debug to see where it happened.\n';
    }
  }
  if (options.debug) text += formatStack(error);
  return text;
}

/** The stack of `error` and of each `cause` below it. */
function formatStack(error: unknown): string {
  let text = '';
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 10; depth++) {
    const stack = current instanceof Error ? (current.stack ?? current.message) : describe(current);
    text += `${depth === 0 ? '' : 'caused by: '}${stack}\n`;
    current = current instanceof Error ? current.cause : undefined;
  }
  return text;
}

/** Something thrown that is not an Error (a string, an object): as readable as it can be made. */
function describe(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value);
    } catch {
      return Object.prototype.toString.call(value); // a cycle, or a bigint inside
    }
  }
  return typeof value === 'string' ? value : String(value);
}
