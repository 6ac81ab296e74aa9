/** Writes docs/errors.md from the error registry (`--check`: fail if the committed file differs). */
import { ERROR_DOCS } from './docs/error-docs.js';
import { runGenerator } from './docs/generated-doc.js';

process.exitCode = runGenerator(ERROR_DOCS, process.argv.slice(2));
