/** Rewrites the transition tables in docs/data-model.md (`--check`: fail if the committed file differs). */
import { DATA_MODEL_DOCS } from './docs/data-model-docs.js';
import { runGenerator } from './docs/generated-doc.js';

process.exitCode = runGenerator(DATA_MODEL_DOCS, process.argv.slice(2));
