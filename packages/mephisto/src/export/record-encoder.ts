/**
 * Turns export records into the text of a format: a preamble (CSV's header) and one piece per record.
 *
 * - `jsonl`: one JSON object per line, keys in {@link EXPORT_COLUMNS} order; `data` and `input_data`
 *   stay nested JSON. JSON.stringify escapes every newline inside strings, so a line is a record.
 * - `csv`: RFC 4180 (see csv-encoding.ts) with a header row; null is an empty field, numbers are
 *   written as JavaScript prints them, and `data` / `input_data` are JSON text in one column each (their
 *   keys vary from unit to unit and are not known before every row is read, so they are not spread
 *   over columns).
 */
import { CSV_BOM, csvRecord } from './csv-encoding.js';
import type { ExportFormat } from './export-format.js';
import { EXPORT_COLUMNS, JSON_COLUMNS, type ExportRecord } from './export-record.js';

export interface RecordEncoder {
  /** Text written before the first record (may be empty). */
  readonly preamble: string;
  encode(record: ExportRecord): string;
}

export interface EncoderOptions {
  /** CSV only: start with a UTF-8 byte order mark, for Excel. @default false */
  bom?: boolean;
}

export function recordEncoder(format: ExportFormat, options: EncoderOptions = {}): RecordEncoder {
  if (format === 'jsonl') {
    return { preamble: '', encode: (record) => `${JSON.stringify(record)}\n` };
  }
  return {
    preamble: (options.bom === true ? CSV_BOM : '') + csvRecord(EXPORT_COLUMNS),
    encode: (record) => csvRecord(EXPORT_COLUMNS.map((column) => csvText(column, record[column]))),
  };
}

function csvText(column: (typeof EXPORT_COLUMNS)[number], value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string' && !JSON_COLUMNS.has(column)) return value;
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value);
}
