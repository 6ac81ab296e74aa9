import { MEPHISTO_TASK_VERSION } from './wire/index.js';

/**
 * The `mephisto-task` version this library stands in for. It is sent with `GET /task_config.json`, and
 * a server that expects another version logs a mismatch, so it stays the version the server speaks
 * (2.0.4) rather than this package's own version.
 */
export const libVersion: string = MEPHISTO_TASK_VERSION;
