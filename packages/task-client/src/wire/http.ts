/**
 * The HTTP side of the wire format: Mephisto's router routes (spec §6.3), the bodies a task page posts
 * and the JSON each route answers. Shared by the browser helpers (`routes.ts`) and the server.
 */

/** The `mephisto-task` version the server expects; a different one is logged as a mismatch. */
export const MEPHISTO_TASK_VERSION = '2.0.4';

export const ROUTES = {
  taskConfig: '/task_config.json',
  requestAgent: '/request_agent',
  submitOnboarding: '/submit_onboarding',
  submitTask: '/submit_task',
  submitMetadata: '/submit_metadata',
  logError: '/log_error',
  isAlive: '/is_alive',
  getTimestamp: '/get_timestamp',
  /** `GET /download_file/<filename>`: a file uploaded with a multipart submit (see {@link UploadedFile}). */
  downloadFile: '/download_file',
} as const;

/** `POST /request_agent`. `provider_data` is the provider wrapper's `getAgentRegistration()`. */
export interface RequestAgentBody {
  provider_data: Record<string, unknown>;
  /** Seconds since the epoch. */
  client_timestamp?: number;
}

/**
 * `POST /submit_task` (JSON form). `worker_id` is a mephisto-ts addition: when the page sends the
 * `worker_id` it was given in `agent_details`, the server refuses a submit for another worker's agent.
 */
export interface SubmitTaskBody {
  USED_AGENT_ID: string;
  final_data: unknown;
  client_timestamp?: number;
  worker_id?: string;
}

/**
 * `POST /submit_onboarding`, as mephisto-task's `postCompleteOnboarding` posts it: the agent id and the
 * onboarding answers travel inside `provider_data`. Mephisto answered with an `agent_details` packet.
 */
export interface SubmitOnboardingBody {
  provider_data: { USED_AGENT_ID: string; onboarding_data?: unknown; [key: string]: unknown };
  client_timestamp?: number;
}

/** `POST /submit_metadata` (JSON form). `worker_id`: as on {@link SubmitTaskBody}. */
export interface SubmitMetadataBody {
  USED_AGENT_ID: string;
  metadata?: unknown;
  client_timestamp?: number;
  worker_id?: string;
}

/**
 * One file of a multipart (`multipart/form-data`) `/submit_task` or `/submit_metadata`, as stored. Such a
 * submit carries text fields `USED_AGENT_ID`, the data as JSON text (`final_string_data` or `final_data`;
 * `metadata`), optional `client_timestamp` (decimal seconds) and `worker_id`, and any number of files
 * under any field names. The submitted data gets `files` (these records, in upload order) and
 * `filesByFields` (`{fieldname: [records]}`), shaped like the multer records Mephisto's router added.
 * `filename` is the stored name to pass to `/download_file/`; `originalname`, `encoding` and
 * `mimetype` are what the browser said and are not trusted by the server.
 */
export interface UploadedFile {
  fieldname: string;
  originalname: string;
  encoding: string;
  mimetype: string;
  /** The server's files directory. */
  destination: string;
  /** `<ms>-<random>-<field>-<original name>`, sanitised to `[A-Za-z0-9._-]`. */
  filename: string;
  /** `destination` joined with `filename`. */
  path: string;
  /** Bytes. */
  size: number;
}

/** `POST /log_error`. The page may report an error before it has an agent, so the id may be null. */
export interface LogErrorBody {
  USED_AGENT_ID?: string | null;
  error_data: unknown;
  client_timestamp?: number;
}

/** The fixed answers of the simple routes, verbatim from Mephisto's router. */
export const STATUS_REPLIES = {
  submitted: 'Submitted!',
  metadataSubmitted: 'Submitted metadata',
  errorLogged: 'Error log sent!',
  alive: 'Alive!',
} as const;

export interface StatusReply {
  status: (typeof STATUS_REPLIES)[keyof typeof STATUS_REPLIES];
}

/** `GET /get_timestamp`: milliseconds since the epoch (as Mephisto's node router). */
export interface TimestampReply {
  timestamp: number;
}

/**
 * Every refused request (4xx/5xx) from a mephisto-ts server: a stable `code` (see docs/errors.md) and a
 * message for people.
 */
export interface ErrorReply {
  error: { code: string; message: string };
}
