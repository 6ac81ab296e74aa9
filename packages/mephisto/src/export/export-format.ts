/** The file formats `mephisto export` writes. */

export const EXPORT_FORMATS = ['jsonl', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function isExportFormat(value: unknown): value is ExportFormat {
  return typeof value === 'string' && (EXPORT_FORMATS as readonly string[]).includes(value);
}

/**
 * The format a file name implies (`results.csv` → csv, `results.jsonl` / `.ndjson` → jsonl), or
 * undefined when its extension names none. Used only when no format is given explicitly.
 */
export function formatForPath(path: string): ExportFormat | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  return undefined;
}
