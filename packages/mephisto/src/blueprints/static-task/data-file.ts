/**
 * A task data file named by a blueprint argument, and the low-level readers the format readers share:
 * text in chunks (UTF-8, byte-order mark removed) and text split into lines.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { TaskDataInvalidError, TaskFileNotFoundError } from '../blueprint-errors.js';

/** The blueprint arguments that name a data file, in the order Mephisto tries them. */
export const DATA_FILE_ARGUMENTS = ['data_csv', 'data_json', 'data_jsonl'] as const;
export type DataFileArgument = (typeof DATA_FILE_ARGUMENTS)[number];

export interface DataFile {
  readonly argument: DataFileArgument;
  /** Absolute path. */
  readonly path: string;
  /** The path as written in the config. */
  readonly given: string;
}

const BOM = '\uFEFF';
/** Large enough that per-chunk overhead is negligible, small enough to keep memory flat. */
const CHUNK_BYTES = 64 * 1024;

/**
 * A read failure as a MephistoError. The file was checked when the blueprint was built, so "not
 * found" here means it went away since; it still gets the not-found error rather than a raw ENOENT.
 */
function readFailure(file: DataFile, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return new TaskFileNotFoundError(file.argument, file.path, file.given);
  if (code === 'EISDIR') return new TaskFileNotFoundError(file.argument, file.path, file.given, true);
  const reason = error instanceof Error ? error.message : String(error);
  return new TaskDataInvalidError(file.path, `cannot be read: ${reason}`, undefined, { cause: error });
}

/** The file's text in chunks, decoded as UTF-8 (a character split across chunks stays whole). */
export async function* readTextChunks(file: DataFile): AsyncGenerator<string> {
  const stream = createReadStream(file.path, { encoding: 'utf8', highWaterMark: CHUNK_BYTES });
  let first = true;
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      // Spreadsheet programs write a byte-order mark; Mephisto reads with utf-8-sig for the same reason.
      yield first && chunk.startsWith(BOM) ? chunk.slice(1) : chunk;
      first = false;
    }
  } catch (error) {
    throw readFailure(file, error);
  } finally {
    stream.destroy(); // a consumer that stops early (or throws) must not leave the descriptor open
  }
}

/** The whole file's text, for formats that cannot be parsed piecewise (a JSON array). */
export async function readWholeText(file: DataFile): Promise<string> {
  let text: string;
  try {
    text = await readFile(file.path, 'utf8');
  } catch (error) {
    throw readFailure(file, error);
  }
  return text.startsWith(BOM) ? text.slice(1) : text;
}

/** One line of a text file and its 1-based number. */
export interface TextLine {
  readonly text: string;
  readonly line: number;
}

/** Splits chunked text into lines at LF, dropping a CR before it (CRLF files). */
export async function* textLines(chunks: AsyncIterable<string>): AsyncGenerator<TextLine> {
  let pending = '';
  let line = 0;
  for await (const chunk of chunks) {
    pending += chunk;
    let start = 0;
    for (let end = pending.indexOf('\n'); end !== -1; end = pending.indexOf('\n', start)) {
      line++;
      yield { text: withoutCr(pending.slice(start, end)), line };
      start = end + 1;
    }
    pending = pending.slice(start);
  }
  if (pending !== '') yield { text: withoutCr(pending), line: line + 1 };
}

function withoutCr(text: string): string {
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}
