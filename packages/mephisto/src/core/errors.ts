/**
 * Every error mephisto-ts raises on purpose is a {@link MephistoError} with a stable `code`.
 * The registry below is the single list of codes: docs/errors.md is generated from it and a test keeps
 * the two in step, so a code, its meaning and its remedy are always documented together.
 */

/** Entities that can be missing or duplicated; each gets its own not-found / already-exists code. */
export const ENTITY_KINDS = [
  'project',
  'task',
  'requester',
  'task_run',
  'assignment',
  'unit',
  'worker',
  'agent',
  'onboarding_agent',
  'qualification',
  'granted_qualification',
  'worker_review',
] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

export interface ErrorCodeInfo {
  /** What happened, in one sentence. */
  readonly meaning: string;
  /** What the user can do about it. */
  readonly remedy: string;
}

function entityCodes<S extends string>(
  suffix: S,
  meaning: (entity: string) => string,
  remedy: string,
): Record<`MEPHISTO_ERR_${Uppercase<EntityKind>}_${S}`, ErrorCodeInfo> {
  const out: Record<string, ErrorCodeInfo> = {};
  for (const kind of ENTITY_KINDS) {
    out[`MEPHISTO_ERR_${kind.toUpperCase()}_${suffix}`] = {
      meaning: meaning(kind.replace(/_/g, ' ')),
      remedy,
    };
  }
  return out;
}

export const ERROR_CODES = {
  ...entityCodes(
    'NOT_FOUND',
    (e) => `No ${e} has the given id or name, or a referenced ${e} does not exist.`,
    'Check the id (ids are decimal strings); list what exists with `mephisto db status` or the find commands.',
  ),
  ...entityCodes(
    'ALREADY_EXISTS',
    (e) => `A ${e} with the same unique key (name, or the pair of ids) already exists.`,
    'Use the existing row (find it by name) or choose another name.',
  ),
  MEPHISTO_ERR_INVALID_ARGUMENT: {
    meaning:
      'A value passed to the API is not acceptable (an empty or reserved name, a non-finite number, …).',
    remedy: 'Read the message: it names the argument, the value given and what is expected.',
  },
  MEPHISTO_ERR_INVALID_TRANSITION: {
    meaning:
      "The requested status change is not in the entity's transition table (for example completed → launched).",
    remedy: 'See docs/data-model.md for the allowed transitions; this is a programming error, not a race.',
  },
  MEPHISTO_ERR_TRANSITION_CONFLICT: {
    meaning:
      'A compare-and-set status change lost a race: the row was no longer in the expected status (or held by the expected agent).',
    remedy: 'Re-read the row and decide again; the error carries the status actually found.',
  },
  MEPHISTO_ERR_TASK_HAS_RUNS: {
    meaning: 'A task cannot be renamed or moved to another project once it has task runs.',
    remedy: 'Create a new task instead; runs are tied to the task they were launched under.',
  },
  MEPHISTO_ERR_STORE_CONFIG: {
    meaning: 'The database location is not understood (not a file path, `:memory:`, or a postgres:// URL).',
    remedy: 'Pass `--db PATH|postgres://user@host:port/db` or set MEPHISTO_DATABASE_URL / MEPHISTO_DATA_DIR.',
  },
  MEPHISTO_ERR_STORE_CONNECTION: {
    meaning: 'The database could not be opened or reached.',
    remedy:
      'For SQLite check that the data directory is writable; for PostgreSQL that the server is up and the URL right.',
  },
  MEPHISTO_ERR_STORE_MIGRATION: {
    meaning:
      'Bringing the database schema up to date failed, or the database was written by a newer mephisto-ts.',
    remedy: 'Read the cause in the message; upgrade mephisto-ts if the database is newer than this version.',
  },
  MEPHISTO_ERR_CONFIG_INVALID: {
    meaning:
      'The task config was read but some values are wrong, required keys are missing, keys are unknown, or a ${…} interpolation cannot be resolved.',
    remedy:
      'Read the listed problems: each names the key path, the value given and what is expected (with the file and line it came from). See docs/config-reference.md.',
  },
  MEPHISTO_ERR_CONFIG_NOT_FOUND: {
    meaning:
      'A config file, given directly or named in a defaults list, does not exist in any searched folder.',
    remedy:
      'Check the name (with or without .yaml) and the config directory; the message lists every path that was tried.',
  },
  MEPHISTO_ERR_CONFIG_SYNTAX: {
    meaning: 'A config file is not valid YAML, or its top level is not a mapping.',
    remedy:
      'Fix the file at the reported file:line:column (indentation, an unclosed bracket or quote, a duplicated key).',
  },
  MEPHISTO_ERR_CONFIG_OVERRIDE: {
    meaning:
      'A command-line override is malformed (it is not key=value, +key=value, ++key=value, ~key or group=option).',
    remedy: 'Write overrides as mephisto.task.task_reward=0.5, +my_key=1, ~my_key or mephisto/provider=mock.',
  },
  MEPHISTO_ERR_CONFIG_DEFAULTS: {
    meaning:
      'A defaults list is malformed, selects the same group twice, overrides a group that nothing selected, or includes itself.',
    remedy:
      'Select each group once (use "override /mephisto/<group>: <type>" to change an earlier choice) and list config files without cycles.',
  },
  MEPHISTO_ERR_USAGE: {
    meaning: 'A command-line invocation has a missing, unknown or malformed argument.',
    remedy: 'Run the command with --help for its usage.',
  },
  MEPHISTO_ERR_UNKNOWN_TYPE: {
    meaning: 'No blueprint or crowd provider implementation is registered for the requested type string.',
    remedy:
      'Check the spelling of `_blueprint_type` / `_provider_type`; the message lists the types that are available.',
  },
  MEPHISTO_ERR_TYPE_NOT_AVAILABLE: {
    meaning:
      'The blueprint or provider type is a valid Mephisto type, but mephisto-ts does not implement it yet.',
    remedy:
      'Use one of the available types listed in the message (for example the mock or inhouse provider) until it lands.',
  },
  MEPHISTO_ERR_TASK_FILE_NOT_FOUND: {
    meaning:
      'A file the blueprint arguments name (task_source, preview_source, onboarding_source, data_csv, data_json, data_jsonl) does not exist.',
    remedy:
      'Relative paths are resolved against the task directory; the message shows the resolved path. Fix the path or create the file.',
  },
  MEPHISTO_ERR_TASK_DATA_INVALID: {
    meaning:
      "The task's data is malformed: a CSV row has the wrong number of fields, a JSON file is not an array, an item is not an object, …",
    remedy: 'Fix the file at the reported file:line (or the run-script item at the reported index).',
  },
  MEPHISTO_ERR_TASK_DATA_MISSING: {
    meaning:
      'A static blueprint has no data: none of data_csv, data_json or data_jsonl is set and the run script supplied none (or an empty list).',
    remedy:
      'Set mephisto.blueprint.data_csv (or data_json / data_jsonl), or pass staticTaskData from the run script.',
  },
  MEPHISTO_ERR_BLUEPRINT_ARGS: {
    meaning:
      "The blueprint's arguments are individually valid but do not fit together (e.g. onboarding_qualification without onboarding_source).",
    remedy: 'Read the message: it names the arguments involved and what is missing.',
  },
  MEPHISTO_ERR_AGENT_GONE: {
    meaning:
      "A blueprint's wait for a worker (awaitSubmit, nextLiveUpdate) ended because the worker is no longer on the unit: they disconnected, timed out, returned it, already submitted, or the run shut down.",
    remedy:
      'Nothing to fix: the engine has already offered the unit again (or expired it with the run). Blueprint code should let the error end runUnit.',
  },
  MEPHISTO_ERR_AGENT_NOT_LIVE: {
    meaning:
      'A submit, live update or subscription named an agent that is not working on a unit of this run (unknown, already submitted, timed out, disconnected, returned or expired).',
    remedy:
      'The worker should ask for a unit again (request_agent). A submit after assignment_duration_in_seconds is refused this way; raise the duration if honest work is cut off.',
  },
  MEPHISTO_ERR_RESUME_CONFLICT: {
    meaning:
      'resume_incomplete_run found the last run of this task_name, but the new config changes something a resume may not change (blueprint type, provider type, requester, data source).',
    remedy:
      'Resume with the settings the run was launched with (see docs/engine.md for what a resume may change), or give the new work another task_name, or set resume_incomplete_run: false.',
  },
  MEPHISTO_ERR_PROVIDER_LAUNCH: {
    meaning: 'The crowd provider failed to put units on offer; the units were moved back to `created`.',
    remedy:
      "Read the provider's error in the cause. The launcher tries again when a slot frees; check credentials, budget and the provider's status.",
  },
  MEPHISTO_ERR_RUN_SETUP: {
    meaning:
      'The blueprint or provider given to the operator does not match the config (its type differs), or a run setting is unusable.',
    remedy:
      'Build the blueprint and provider from the same config you launch (the CLI and run scripts do this for you).',
  },
  MEPHISTO_ERR_MALFORMED_JSON: {
    meaning: "A worker's request body is not valid JSON (or is empty where a JSON body is required).",
    remedy:
      'Send a JSON object with `Content-Type: application/json`; mephisto-task and the task-client helpers do.',
  },
  MEPHISTO_ERR_INVALID_REQUEST: {
    meaning:
      "A worker's request body or query is valid JSON but lacks a required field or has a field of the wrong type.",
    remedy:
      'Read the message: it names each field at fault and what was expected (protocol: docs/protocol.md).',
  },
  MEPHISTO_ERR_BODY_TOO_LARGE: {
    meaning: "A worker's request body is larger than the server's body limit.",
    remedy:
      "Raise the task server's `bodyLimit` if submissions are legitimately this large, or send large files as uploads.",
  },
  MEPHISTO_ERR_UNSUPPORTED_MEDIA_TYPE: {
    meaning:
      "A worker's request has a content type the route does not accept (multipart submissions are not served yet).",
    remedy: 'Post JSON (`Content-Type: application/json`).',
  },
  MEPHISTO_ERR_AGENT_NOT_YOURS: {
    meaning:
      'A submit named an agent that the server gave to another worker than the `worker_id` the request carries.',
    remedy:
      'Nothing was stored. The page should submit with the agent id it was given in its own agent_details.',
  },
  MEPHISTO_ERR_ENGINE_TIMEOUT: {
    meaning:
      "The engine did not answer a request for work within the server's time limit (the store is slow or locked).",
    remedy:
      'The worker may retry: a retry with the same agent_registration_id gets the unit if one was given meanwhile. Check the database if this recurs.',
  },
  MEPHISTO_ERR_ROUTE_NOT_FOUND: {
    meaning: 'No route of the task server matches the method and path requested.',
    remedy: 'See docs/protocol.md for the routes served.',
  },
  MEPHISTO_ERR_INTERNAL: {
    meaning: 'The task server failed unexpectedly while answering a worker.',
    remedy: "The server's log has the error and its stack; please report it.",
  },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Base class of every deliberate mephisto-ts error. `code` is stable across versions. */
export class MephistoError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

function entityCode(kind: EntityKind, suffix: 'NOT_FOUND' | 'ALREADY_EXISTS'): ErrorCode {
  return `MEPHISTO_ERR_${kind.toUpperCase()}_${suffix}` as ErrorCode;
}

/** An id or name that names no row, or a reference (foreign key) to a missing row. */
export class NotFoundError extends MephistoError {
  readonly entity: EntityKind;
  readonly key: string;
  constructor(entity: EntityKind, key: string, message?: string, options?: { cause?: unknown }) {
    super(
      entityCode(entity, 'NOT_FOUND'),
      message ?? `${entity.replace(/_/g, ' ')} ${key} does not exist`,
      options,
    );
    this.entity = entity;
    this.key = key;
  }
}

/** A unique key (name, pair of ids) is already taken. */
export class AlreadyExistsError extends MephistoError {
  readonly entity: EntityKind;
  readonly key: string;
  constructor(entity: EntityKind, key: string, message?: string, options?: { cause?: unknown }) {
    super(
      entityCode(entity, 'ALREADY_EXISTS'),
      message ?? `${entity.replace(/_/g, ' ')} ${key} already exists`,
      options,
    );
    this.entity = entity;
    this.key = key;
  }
}

export class InvalidArgumentError extends MephistoError {
  constructor(message: string) {
    super('MEPHISTO_ERR_INVALID_ARGUMENT', message);
  }
}

/** The transition table forbids this change; raised before the database is touched. */
export class InvalidTransitionError extends MephistoError {
  constructor(
    readonly entity: EntityKind,
    readonly from: string,
    readonly to: string,
  ) {
    super(
      'MEPHISTO_ERR_INVALID_TRANSITION',
      `${entity.replace(/_/g, ' ')} cannot go from "${from}" to "${to}"`,
    );
  }
}

/** A compare-and-set lost: the row was found in `actual`, not in one of `expected`. */
export class TransitionConflictError extends MephistoError {
  constructor(
    readonly entity: EntityKind,
    readonly id: string,
    readonly expected: readonly string[],
    readonly actual: string,
    detail?: string,
  ) {
    super(
      'MEPHISTO_ERR_TRANSITION_CONFLICT',
      `${entity.replace(/_/g, ' ')} ${id} is "${actual}", expected ${expected.map((s) => `"${s}"`).join(' or ')}` +
        (detail ? ` (${detail})` : ''),
    );
  }
}

export class TaskHasRunsError extends MephistoError {
  constructor(readonly taskId: string) {
    super(
      'MEPHISTO_ERR_TASK_HAS_RUNS',
      `task ${taskId} already has task runs; it can no longer be renamed or moved`,
    );
  }
}
