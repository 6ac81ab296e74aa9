/**
 * An export written to a stream: records read a page at a time, encoded, and written with
 * backpressure, so memory holds one page and one chunk whatever the size of the runs.
 */
import type { Store } from '../store/store.js';
import { BufferedOutput, type OutputStream } from './buffered-output.js';
import type { ExportFormat } from './export-format.js';
import { exportRecordPages, type ExportSelection } from './export-records.js';
import type { ExportTarget } from './export-target.js';
import { recordEncoder } from './record-encoder.js';

export interface StreamExportOptions extends ExportSelection {
  readonly store: Store;
  readonly target: ExportTarget;
  readonly format: ExportFormat;
  /** CSV only: start with a UTF-8 byte order mark (for Excel). @default false */
  readonly bom?: boolean | undefined;
  readonly out: OutputStream;
  /** Called after each page is written, with the records written so far. */
  readonly onProgress?: ((written: number) => void) | undefined;
  /** Aborting stops the export before its next page (the promise rejects with the signal's reason). */
  readonly signal?: AbortSignal | undefined;
}

export interface ExportResult {
  /** Records written. */
  readonly rows: number;
}

/**
 * Writes the export to `out` and resolves once the stream has taken all of it (it does not end the
 * stream: a caller writing to stdout keeps it, a caller writing a file closes it).
 */
export async function streamExport(options: StreamExportOptions): Promise<ExportResult> {
  const encoder = recordEncoder(options.format, { bom: options.bom === true });
  const output = new BufferedOutput(options.out);
  let rows = 0;
  try {
    if (encoder.preamble !== '') await output.write(encoder.preamble);
    for await (const page of exportRecordPages(options.store, options.target, options, options.signal)) {
      for (const record of page) await output.write(encoder.encode(record));
      rows += page.length;
      options.onProgress?.(rows);
    }
    await output.flush();
    return { rows };
  } finally {
    output.release();
  }
}
