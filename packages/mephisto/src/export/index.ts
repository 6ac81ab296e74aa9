/** Results out of the store: streaming exports (JSONL, CSV) and run overviews with their spend. */
export * from './buffered-output.js';
export * from './csv-encoding.js';
export * from './export-file.js';
export * from './export-format.js';
export * from './export-record.js';
export * from './export-records.js';
export * from './export-target.js';
export * from './record-encoder.js';
export * from './run-overview.js';
export * from './run-spend.js';
export * from './stream-export.js';
