/** Every generated document, for the docs test (which checks each against the committed file). */
import { DATA_MODEL_DOCS } from './data-model-docs.js';
import { ERROR_DOCS } from './error-docs.js';
import type { GeneratedDoc } from './generated-doc.js';

export const GENERATED_DOCS: readonly GeneratedDoc[] = [ERROR_DOCS, DATA_MODEL_DOCS];
