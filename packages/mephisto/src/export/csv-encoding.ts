/**
 * CSV as RFC 4180 writes it: records end with CRLF; a field containing a comma, a double quote, CR or
 * LF is enclosed in double quotes, with each double quote inside doubled. Everything else is written
 * as is (UTF-8, no escaping of non-ASCII text), so any field, including newlines, emoji and markup,
 * reads back exactly with a conforming parser.
 */

/** The UTF-8 byte order mark: Excel reads a CSV as UTF-8 only when the file starts with it. */
export const CSV_BOM = '\uFEFF';

export const CSV_RECORD_END = '\r\n';

const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record (with its CRLF) from its fields' texts. */
export function csvRecord(fields: readonly string[]): string {
  let line = '';
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) line += ',';
    line += csvField(fields[i] ?? '');
  }
  return line + CSV_RECORD_END;
}
