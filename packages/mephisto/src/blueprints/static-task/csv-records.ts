/**
 * A streaming CSV parser (RFC 4180): comma-separated fields, fields in double quotes may hold commas,
 * line breaks and `""` for a quote; records end with CRLF, LF or a lone CR. It reads text in chunks and
 * yields records as they complete, so a large file is never held whole.
 *
 * Departures from the RFC, each to accept what Python's `csv` module (and so Mephisto) accepts:
 * - a quote inside an unquoted field is kept as a character (`5" screen`);
 * - the last record need not end with a line break.
 * And one deliberate one: empty lines are skipped rather than read as records of one empty field.
 */

/** One record: its fields and the 1-based line it starts on. */
export interface CsvRecord {
  readonly fields: string[];
  readonly line: number;
}

/** Malformed CSV at a 1-based line. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly problem: string,
  ) {
    super(`line ${line}: ${problem}`);
    this.name = 'CsvSyntaxError';
  }
}

/**
 * Where the parser is: at the start of a field (nothing read yet), inside an unquoted or a quoted
 * field, or just after a quote inside a quoted field (either half of `""`, or the closing quote).
 */
type State = 'field-start' | 'unquoted' | 'quoted' | 'quote-in-quoted';

/**
 * Parses CSV text given as chunks (split anywhere, even inside a CRLF). Line numbers count physical
 * lines, including those inside quoted fields, so they match what an editor shows.
 * @throws CsvSyntaxError for text after a closing quote, or a quoted field left open at the end
 */
export async function* csvRecords(
  chunks: AsyncIterable<string> | Iterable<string>,
): AsyncGenerator<CsvRecord> {
  let state: State = 'field-start';
  let fields: string[] = [];
  let field = '';
  /** Whether the current record has any content; a record without any is an empty line. */
  let started = false;
  let line = 1;
  let recordLine = 1;
  let quoteLine = 1;
  /** The previous character was a CR, so an LF right after it ends nothing new. */
  let afterCr = false;

  for await (const chunk of chunks) {
    const done: CsvRecord[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charAt(i);
      const isBreak = c === '\n' || c === '\r';
      const crlfTail = c === '\n' && afterCr;
      afterCr = c === '\r';

      if (state === 'quoted') {
        if (c === '"') {
          state = 'quote-in-quoted';
        } else {
          field += c;
          if (isBreak && !crlfTail) line++;
        }
        continue;
      }
      if (state === 'quote-in-quoted') {
        if (c === '"') {
          field += '"';
          state = 'quoted';
          continue;
        }
        if (c !== ',' && !isBreak) {
          throw new CsvSyntaxError(
            line,
            `unexpected ${JSON.stringify(c)} after the closing quote of a field ` +
              '(inside a quoted field a quote is written as "")',
          );
        }
      }
      // FieldStart, Unquoted, or QuoteInQuoted at a separator or line break.
      if (c === ',') {
        fields.push(field);
        field = '';
        started = true;
        state = 'field-start';
      } else if (isBreak) {
        if (crlfTail) continue; // the CR before it already ended the record and counted the line
        if (started) {
          fields.push(field);
          done.push({ fields, line: recordLine });
        }
        fields = [];
        field = '';
        started = false;
        state = 'field-start';
        line++;
        recordLine = line;
      } else if (c === '"' && state === 'field-start') {
        state = 'quoted';
        started = true;
        quoteLine = line;
      } else {
        field += c;
        started = true;
        state = 'unquoted';
      }
    }
    yield* done;
  }

  if (state === 'quoted') {
    throw new CsvSyntaxError(quoteLine, 'a quoted field is never closed (missing ")');
  }
  if (started) {
    fields.push(field);
    yield { fields, line: recordLine };
  }
}
