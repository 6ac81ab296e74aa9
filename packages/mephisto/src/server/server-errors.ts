/**
 * Errors the task server raises on purpose while answering a worker. Their codes are in the
 * ERROR_CODES registry (docs/errors.md); the HTTP status of each is chosen in error-handler.ts.
 */
import { MephistoError } from '../core/index.js';

/** A request body or query that is valid JSON but not the shape the route expects. */
export class InvalidRequestError extends MephistoError {
  constructor(
    readonly route: string,
    readonly problems: readonly string[],
  ) {
    super('MEPHISTO_ERR_INVALID_REQUEST', `${route}: ${problems.join('; ')}`);
  }
}

/** A submit for an agent the server gave to another worker than the one the request names. */
export class AgentNotYoursError extends MephistoError {
  constructor(
    readonly agentId: string,
    readonly workerId: string,
  ) {
    super('MEPHISTO_ERR_AGENT_NOT_YOURS', `agent ${agentId} does not belong to worker ${workerId}`);
  }
}

/** The engine did not answer within the server's limit. */
export class EngineTimeoutError extends MephistoError {
  constructor(
    readonly route: string,
    readonly timeoutMs: number,
  ) {
    super(
      'MEPHISTO_ERR_ENGINE_TIMEOUT',
      `${route}: the server could not answer within ${timeoutMs / 1000} s; please try again`,
    );
  }
}

/** A non-file field of a multipart body that should hold JSON text does not parse. */
export class MalformedJsonFieldError extends MephistoError {
  constructor(
    readonly route: string,
    readonly field: string,
    detail: string,
  ) {
    super('MEPHISTO_ERR_MALFORMED_JSON', `${route}: the field ${field} is not valid JSON: ${detail}`);
  }
}

/** The multipart body itself cannot be read (no boundary, a cut-off part, a reserved field name). */
export class MalformedMultipartError extends MephistoError {
  constructor(
    readonly route: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super('MEPHISTO_ERR_INVALID_REQUEST', `${route}: the multipart body cannot be read: ${detail}`, options);
  }
}

/** Which limit of TaskServerLimits a multipart body went over. */
export type UploadLimit = 'fileSizeLimit' | 'filesLimit' | 'fieldSizeLimit' | 'fieldsLimit' | 'bodyLimit';

const LIMIT_CODES = {
  fileSizeLimit: 'MEPHISTO_ERR_FILE_TOO_LARGE',
  filesLimit: 'MEPHISTO_ERR_TOO_MANY_FILES',
  fieldSizeLimit: 'MEPHISTO_ERR_FIELD_TOO_LARGE',
  fieldsLimit: 'MEPHISTO_ERR_TOO_MANY_FIELDS',
  bodyLimit: 'MEPHISTO_ERR_FIELD_TOO_LARGE',
} as const;

/**
 * A multipart body went over one of the server's limits; nothing of it was kept. `what` says what
 * went over and by how much, e.g. `file "a.png" is larger than 1024 bytes`.
 */
export class UploadLimitError extends MephistoError {
  constructor(
    readonly route: string,
    readonly limit: UploadLimit,
    what: string,
  ) {
    super(LIMIT_CODES[limit], `${route}: ${what} (the task server's ${limit})`);
  }
}

/** A multipart submit carried files, but the server has no files directory. */
export class UploadsDisabledError extends MephistoError {
  constructor(readonly route: string) {
    super(
      'MEPHISTO_ERR_UPLOADS_DISABLED',
      `${route}: file uploads are not enabled for this run; submit without files`,
    );
  }
}

/** `/download_file/:file` named no stored file. */
export class FileNotFoundError extends MephistoError {
  constructor(readonly file: string) {
    super('MEPHISTO_ERR_FILE_NOT_FOUND', `no uploaded file is named ${JSON.stringify(file)}`);
  }
}

/** `/submit_onboarding` for a run without onboarding (mephisto-ts has none yet). */
export class OnboardingNotEnabledError extends MephistoError {
  constructor(readonly agentId: string) {
    super(
      'MEPHISTO_ERR_ONBOARDING_NOT_ENABLED',
      `this run has no onboarding (onboarding submitted for agent ${agentId})`,
    );
  }
}
