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
  MEPHISTO_ERR_EXPORT_TARGET_NOT_FOUND: {
    meaning:
      '`mephisto export` was given a name that is neither the id of a task run nor the name of a task in this database.',
    remedy:
      'List tasks and their runs with `mephisto runs` (check `--db` points at the right database); a run id is all digits, a task name is its mephisto.task.task_name.',
  },
  MEPHISTO_ERR_EXPORT_OUTPUT: {
    meaning:
      'The export file could not be written: its folder is missing or not writable, the path is a folder, or the disk is full. Nothing was left at the path (the export writes FILE.partial and renames it only once complete).',
    remedy: 'Choose a path in an existing, writable folder (or create the folder) and export again.',
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
  MEPHISTO_ERR_WEBAPP_BUILD_FAILED: {
    meaning:
      "A step of building the task's webapp (`npm install`, the post_install_script or `npm run build`) exited with an error, was killed, or could not be started.",
    remedy:
      "The message names the step, the command, its exit code and the last lines of the tool's output. Fix the webapp or the script (run the command yourself in the webapp folder to see all of it) and launch again.",
  },
  MEPHISTO_ERR_WEBAPP_BUNDLE_MISSING: {
    meaning:
      'The bundle named by task_source does not exist after the webapp build, or there is no webapp (no package.json) to build it from.',
    remedy:
      "Make the webapp's build write exactly the file task_source names (e.g. webapp/build/bundle.js), or correct task_source. A task without webapp/package.json must ship the bundle prebuilt.",
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
  MEPHISTO_ERR_BUDGET_EXCEEDED: {
    meaning:
      "A payment (a reward on approval, a bonus) or a launch would take the run's spend past its budget (`mephisto.provider.budget_in_dollars`, or the account balance the platform reports); nothing was paid or launched.",
    remedy:
      '`mephisto runs` shows the spend so far. Raise the budget (a resume may change it), pay less, or top up the account.',
  },
  MEPHISTO_ERR_PROVIDER_CREDENTIALS: {
    meaning:
      'The crowd provider has no usable credentials (no AWS keys for MTurk from the usual sources, no Prolific API token), or the platform refused them.',
    remedy:
      'MTurk: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or an AWS profile (docs/providers/mturk.md). Prolific: set PROLIFIC_API_TOKEN. `mephisto doctor` shows which are set; `mephisto register <provider> name=<requester>` tries them.',
  },
  MEPHISTO_ERR_SECRET_ON_COMMAND_LINE: {
    meaning:
      '`mephisto register` was given a credential (an access key, secret key, API key or token) on the command line. mephisto-ts never stores credentials, so nothing was registered.',
    remedy:
      'Put it where the provider reads it instead. MTurk: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or a profile named like the requester in ~/.aws/credentials. Prolific: PROLIFIC_API_TOKEN. Then run `mephisto register <provider> name=<requester>` without it. Your shell history now holds the key: delete that line, or rotate the key.',
  },
  MEPHISTO_ERR_PROVIDER_API: {
    meaning:
      "A call to the crowd platform's API failed after its retries (throttling, 5xx, timeouts) or was refused as invalid; the message quotes the platform's error.",
    remedy:
      'Nothing was recorded as done: retry the action later (its idempotency key keeps it from happening twice). A refusal names the parameter the platform objected to.',
  },
  MEPHISTO_ERR_PROVIDER_REGISTRATION: {
    meaning:
      "A worker's page registered with provider data the platform would not accept (a preview without an assignment, a HIT or study of another run, a missing participant id).",
    remedy:
      'Open the task from the platform (the HIT or the study), not the bare server address; a preview has to be accepted before working.',
  },
  MEPHISTO_ERR_PROVIDER_RECORD_INVALID: {
    meaning:
      "A crowd provider's record in the store (table `provider_records`: a HIT, a study, a bonus key, …) does not have the shape this version of mephisto-ts expects, so the provider stopped rather than guess (it could otherwise launch or pay twice).",
    remedy:
      'The message names the record (provider type, kind, key) and the fields that do not match. Use the mephisto-ts version that wrote it, or repair or delete the record by hand once you have checked the platform (the HIT, study or payment it describes).',
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
      "A worker's request has a content type the route does not accept (multipart/form-data is accepted by /submit_task and /submit_metadata only).",
    remedy: 'Post JSON (`Content-Type: application/json`), or multipart/form-data to the two submit routes.',
  },
  MEPHISTO_ERR_AGENT_NOT_YOURS: {
    meaning:
      "A submit named an agent that the server gave to another worker than the `worker_id` the request carries, or a WebSocket bound to one worker's agent named an agent of another worker.",
    remedy:
      'Nothing was stored or rebound. The page should use the agent id it was given in its own agent_details.',
  },
  MEPHISTO_ERR_ARCHITECT_LISTEN: {
    meaning:
      'The task server could not bind its host and port (the port is in use, or the host is not an address of this machine).',
    remedy:
      'Stop the program using the port, or set mephisto.architect.port to another port (0 picks a free one); check mephisto.architect.hostname / listen_host.',
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
  MEPHISTO_ERR_SOCKET_MALFORMED_PACKET: {
    meaning:
      'A WebSocket message from a page is not a packet: not JSON text, not an object, or a field is missing or of the wrong type (packet_type, subject_id, data, client_timestamp, update_id). It was answered with an `error` packet and ignored.',
    remedy:
      'Send JSON packets as mephisto-task does (docs/protocol.md, "WebSocket"); the message names the field at fault.',
  },
  MEPHISTO_ERR_SOCKET_UNKNOWN_PACKET: {
    meaning:
      'A page sent a packet type it may not send over the WebSocket (only alive, heartbeat and mephisto_bound_live_update are taken). It was answered with an `error` packet and ignored.',
    remedy:
      'Submit and report errors over HTTP (/submit_task, /log_error). There is no backend channel to register in mephisto-ts: the engine runs inside the server.',
  },
  MEPHISTO_ERR_SOCKET_NOT_BOUND: {
    meaning:
      'A heartbeat or live update on a WebSocket named another agent than the one the socket said `alive` for. It was answered with an `error` packet and ignored.',
    remedy: 'Use one socket per agent, or send `alive` for the new agent first (mephisto-task does).',
  },
  MEPHISTO_ERR_SOCKET_FRAME_TOO_LARGE: {
    meaning:
      "A WebSocket message was larger than the task server's `socketMaxPayload`; the server closed the socket with code 1009.",
    remedy:
      "Send smaller live updates (large data belongs in the submit, or in files), or raise the task server's `socketMaxPayload` limit.",
  },
  MEPHISTO_ERR_SITE_BUILD: {
    meaning:
      'The pages workers load cannot be built from this blueprint and provider: the provider has no browser wrapper (wrap_crowd_source.js), the blueprint type has no built-in pages, extra_source_dir is not a folder, or two task files would be served under the same name.',
    remedy:
      'Read the message: it names the part at fault. Rename one of two clashing HTML files, fix extra_source_dir, or serve your own pages for a blueprint without built-in ones.',
  },
  MEPHISTO_ERR_SITE_FILE_MISSING: {
    meaning:
      "A file the task page loads (the bundle named by the blueprint's task_source, or a task HTML file) could not be read when a worker's browser asked for it.",
    remedy:
      'Build the bundle (or restore the file) at the path the message names; it is read on every request, so the server need not restart.',
  },
  MEPHISTO_ERR_FILE_TOO_LARGE: {
    meaning:
      "A file in a worker's multipart submit is larger than the task server's `fileSizeLimit` (default 10 MiB).",
    remedy:
      'Nothing was stored. Raise `fileSizeLimit` in the task server limits if such files are expected, or have the page shrink the file.',
  },
  MEPHISTO_ERR_TOO_MANY_FILES: {
    meaning:
      "A worker's multipart submit carries more files than the task server's `filesLimit` (default 10).",
    remedy: 'Nothing was stored. Raise `filesLimit` if the task needs more files per submit.',
  },
  MEPHISTO_ERR_FIELD_TOO_LARGE: {
    meaning:
      "A non-file field of a worker's multipart submit (such as final_string_data) is larger than `fieldSizeLimit`, its name is longer than 100 bytes, or the fields together exceed `bodyLimit`.",
    remedy:
      'Nothing was stored. Raise `fieldSizeLimit` / `bodyLimit` if submissions are legitimately this large, or send large content as files.',
  },
  MEPHISTO_ERR_TOO_MANY_FIELDS: {
    meaning:
      "A worker's multipart submit has more non-file fields than the task server's `fieldsLimit` (default 32).",
    remedy:
      'Nothing was stored. Put the data in one JSON field (final_string_data) rather than one field per value, or raise `fieldsLimit`.',
  },
  MEPHISTO_ERR_UPLOADS_DISABLED: {
    meaning: 'A multipart submit carried files, but this task server was started without a files directory.',
    remedy:
      'Nothing was stored. Start the task server with `filesDir` (where uploads are kept) if the task uploads files.',
  },
  MEPHISTO_ERR_FILE_NOT_FOUND: {
    meaning:
      "`/download_file/:file` named no file in the task server's files directory (or the server keeps no uploads).",
    remedy: "Use the `filename` of a record in the submission's `files` list, exactly as stored.",
  },
  MEPHISTO_ERR_ONBOARDING_NOT_ENABLED: {
    meaning: 'A page submitted onboarding (`/submit_onboarding`), but this run has no onboarding.',
    remedy:
      'Onboarding is not served by mephisto-ts yet; run the task without onboarding_source / onboarding_qualification.',
  },
  MEPHISTO_ERR_INTERNAL: {
    meaning: 'The task server failed unexpectedly while answering a worker.',
    remedy: "The server's log has the error and its stack; please report it.",
  },
  MEPHISTO_ERR_REVIEW_KEY_REUSED: {
    meaning:
      'A review action (approve, reject, bonus, block, grant, …) carried an idempotency key that an earlier, different request already used.',
    remedy:
      'Send a fresh key (a new UUID) for every new action; reuse a key only to retry the very same request. Nothing was done.',
  },
  MEPHISTO_ERR_REVIEW_NOT_SUBMITTED: {
    meaning:
      'A review action named a unit with no submitted work to review (it is created, launched, assigned or expired).',
    remedy: 'Review units once they are `completed`; list them with the status filter `completed`.',
  },
  MEPHISTO_ERR_REVIEW_CONFLICT: {
    meaning:
      'A review action contradicts the decision already taken on the unit: rejecting or soft-rejecting an accepted unit (the worker is paid), soft-rejecting a rejected one, or approving a soft-rejected one.',
    remedy:
      'Nothing was changed. A rejection can be overturned by approving; an accepted unit stays accepted (pay a bonus or block the worker instead).',
  },
  MEPHISTO_ERR_REVIEW_UNAUTHORIZED: {
    meaning:
      'A review API request had no `Authorization: Bearer` token, or not the token of this review server.',
    remedy:
      'Open the URL `mephisto review` printed (the token is in its `#token=` part); a restarted server has a new token.',
  },
  MEPHISTO_ERR_REVIEW_FORBIDDEN: {
    meaning:
      'A review API request came from another site (its Origin or Sec-Fetch-Site says cross-site), or named a Host the server does not answer to.',
    remedy:
      'Use the review app the server itself serves, at the printed URL; other pages may not drive the API from your browser.',
  },
  MEPHISTO_ERR_REVIEW_INVALID_REQUEST: {
    meaning:
      "A review API request's body, path or query is not what the route takes: malformed JSON, a missing or mistyped field, an amount out of range, an unknown status, …",
    remedy: 'Read the message: it names each field at fault and what was expected (see docs/review.md).',
  },
  MEPHISTO_ERR_REVIEW_UNSUPPORTED_MEDIA_TYPE: {
    meaning: 'A review API request with a body was not sent as `Content-Type: application/json`.',
    remedy: 'Send JSON bodies with `Content-Type: application/json`.',
  },
  MEPHISTO_ERR_REVIEW_BODY_TOO_LARGE: {
    meaning: "A review API request's body is larger than the review server accepts (1 MiB).",
    remedy: 'Split a bulk action over fewer units per request (at most 1,000).',
  },
  MEPHISTO_ERR_REVIEW_ROUTE_NOT_FOUND: {
    meaning: 'No route of the review API matches the method and path requested.',
    remedy: 'See docs/review.md for the routes served.',
  },
  MEPHISTO_ERR_REVIEW_FILE_NOT_FOUND: {
    meaning:
      "A review file download named a file that is not among the files recorded in that unit's submission, or that is no longer on disk.",
    remedy: "Use the `url` of one of the unit's `files`, as the unit's detail lists them.",
  },
  MEPHISTO_ERR_REVIEW_LISTEN: {
    meaning:
      'The review server could not bind its host and port (the port is in use, or the host is not an address of this machine).',
    remedy: 'Pass another --port (0 picks a free one) or --host, or stop the program using the port.',
  },
  MEPHISTO_ERR_REVIEW_INTERNAL: {
    meaning: 'The review server failed unexpectedly while answering a request.',
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

/** A payment or launch would take a run's spend past its budget; nothing was written. */
export class BudgetExceededError extends MephistoError {
  constructor(
    readonly taskRunId: string,
    /** The budget, whole cents. */
    readonly budgetCents: number,
    /** What the run has spent or reserved so far, whole cents. */
    readonly spentCents: number,
    /** What was asked for, whole cents. */
    readonly requestedCents: number,
  ) {
    super(
      'MEPHISTO_ERR_BUDGET_EXCEEDED',
      `task run ${taskRunId}: ${formatCents(requestedCents)} more would take its spend to ` +
        `${formatCents(spentCents + requestedCents)}, over its budget of ${formatCents(budgetCents)} ` +
        `(spent or reserved so far: ${formatCents(spentCents)})`,
    );
  }
}

/** Whole cents as dollars, `$12.34`. */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}$${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
