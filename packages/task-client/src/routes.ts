/**
 * mephisto-task's route helpers, one per route of Mephisto's router (spec §6.3), with the same names,
 * arguments and results. Each also takes optional {@link RequestOptions} last (mephisto-ts addition).
 * Every helper rejects with a {@link TaskServerError} when the server refuses or cannot be reached.
 */
import { libVersion } from './lib-version.js';
import { providerAgentRegistration, submitToProvider } from './provider-wrapper.js';
import { pythonTime } from './python-time.js';
import { getData, postData, postMultipartData, type RequestOptions } from './request.js';
import { TaskServerError } from './task-server-error.js';
import {
  ROUTES,
  type AgentDetailsPacket,
  type AgentRegistration,
  type LogErrorBody,
  type SubmitMetadataBody,
  type SubmitTaskBody,
} from './wire/index.js';

/**
 * A route body whose agent id may be null: mephisto-task posted whatever id the page had, and the
 * server answers a missing one with a precise refusal.
 */
type AnyAgent<Body extends { USED_AGENT_ID: string }> = Omit<Body, 'USED_AGENT_ID'> & {
  USED_AGENT_ID: string | null;
};

/** The blueprint's front-end arguments (`task_config.json`); their keys depend on the blueprint. */
export type TaskConfig = Record<string, unknown>;

/** Options of {@link postCompleteTask} and {@link postMetadata}. */
export interface SubmitOptions extends RequestOptions {
  /**
   * mephisto-ts addition: the `worker_id` the page got in `agent_details`. When sent, the server refuses
   * a submit for another worker's agent. `useMephistoTask` sends it.
   */
  workerId?: string | null;
}

/** `code` of a {@link TaskServerError} for a 2xx answer that is not what the route promises. */
export const INVALID_REPLY_CODE = 'invalid_reply';

/**
 * `GET /task_config.json?mephisto_task_version=2.0.4`. Warns on the console when the server expects
 * another mephisto-task version, as mephisto-task does.
 */
export async function getTaskConfig(options: RequestOptions = {}): Promise<TaskConfig> {
  const reply = await getData(ROUTES.taskConfig, { mephisto_task_version: libVersion }, options);
  if (!isObject(reply)) throw invalidReply(ROUTES.taskConfig, 'a JSON object');
  if (reply['mephisto_task_version'] !== libVersion) {
    console.warn(
      `Version mismatch detected! This page speaks mephisto-task ${libVersion} but the server expected ` +
        `version ${String(reply['mephisto_task_version'])}. Please use the version the server expects.`,
    );
  }
  return reply;
}

/** `POST <page origin><endpoint>` with `{provider_data: data, client_timestamp}`. */
export function postProviderRequest(
  endpoint: string,
  data: unknown,
  options: RequestOptions = {},
): Promise<unknown> {
  const origin = options.baseUrl ?? pageOrigin();
  return postData(
    `${origin}${endpoint}`,
    { provider_data: data, client_timestamp: pythonTime() },
    { ...options, baseUrl: '' },
  );
}

/**
 * `POST /request_agent` with the wrapper's `getAgentRegistration()` (or `registration`, a mephisto-ts
 * addition). Resolves with the whole `agent_details` packet: a null `data.agent_id` is a refusal, with
 * `data.failure_reason` for the worker and `data.failure_code` for the page.
 */
export async function requestAgent(
  registration: AgentRegistration = providerAgentRegistration(),
  options: RequestOptions = {},
): Promise<AgentDetailsPacket> {
  return agentDetails(
    ROUTES.requestAgent,
    await postProviderRequest(ROUTES.requestAgent, registration, options),
  );
}

/**
 * `POST /submit_onboarding`. Resolves with the next `agent_details` packet: the real agent when the
 * answers passed, a refusal when they did not.
 */
export async function postCompleteOnboarding(
  agentId: string | null,
  onboardingData: unknown,
  options: RequestOptions = {},
): Promise<AgentDetailsPacket> {
  const reply = await postProviderRequest(
    ROUTES.submitOnboarding,
    { USED_AGENT_ID: agentId, onboarding_data: onboardingData },
    options,
  );
  return agentDetails(ROUTES.submitOnboarding, reply);
}

/**
 * `POST /submit_task`, then the wrapper's `handleSubmitToProvider`. `completeData` is the unit's
 * answer as JSON, or a `FormData` (with `final_string_data` or `final_data` and any files) sent as
 * multipart, as mephisto-core does; the form given is not modified. The provider is told only once the
 * server accepted the data, and gets the JSON answer (a `final_string_data` field is parsed).
 */
export async function postCompleteTask(
  agentId: string | null,
  completeData: unknown,
  options: SubmitOptions = {},
): Promise<unknown> {
  const { workerId, ...requestOptions } = options;
  const clientTimestamp = pythonTime();
  let reply: unknown;
  let providerData: unknown = completeData;
  if (isFormData(completeData)) {
    const form = copyForm(completeData);
    form.set('USED_AGENT_ID', agentId ?? '');
    form.set('client_timestamp', String(clientTimestamp));
    if (workerId) form.set('worker_id', workerId);
    providerData = formAnswer(completeData);
    reply = await postMultipartData(ROUTES.submitTask, form, requestOptions);
  } else {
    const body: AnyAgent<SubmitTaskBody> = {
      USED_AGENT_ID: agentId,
      final_data: completeData,
      client_timestamp: clientTimestamp,
    };
    if (workerId) body.worker_id = workerId;
    reply = await postData(ROUTES.submitTask, body, requestOptions);
  }
  submitToProvider(providerData);
  return reply;
}

/**
 * `POST /submit_metadata`. `metadata` is JSON, or a `FormData` whose `data` field holds the metadata
 * (sent as multipart with its files, as mephisto-core does).
 */
export function postMetadata(
  agentId: string | null,
  metadata: unknown,
  options: SubmitOptions = {},
): Promise<unknown> {
  const { workerId, ...requestOptions } = options;
  const clientTimestamp = pythonTime();
  if (isFormData(metadata)) {
    const form = copyForm(metadata);
    form.set('USED_AGENT_ID', agentId ?? '');
    const data = metadata.get('data');
    if (data !== null) form.set('metadata', data);
    form.set('client_timestamp', String(clientTimestamp));
    if (workerId) form.set('worker_id', workerId);
    return postMultipartData(ROUTES.submitMetadata, form, requestOptions);
  }
  const body: AnyAgent<SubmitMetadataBody> = {
    USED_AGENT_ID: agentId,
    metadata,
    client_timestamp: clientTimestamp,
  };
  if (workerId) body.worker_id = workerId;
  return postData(ROUTES.submitMetadata, body, requestOptions);
}

/** `POST /log_error`: reports a page error (the agent id may still be null). */
export function postErrorLog(
  agentId: string | null,
  errorData: unknown,
  options: RequestOptions = {},
): Promise<unknown> {
  const body: LogErrorBody = {
    USED_AGENT_ID: agentId,
    error_data: errorData,
    client_timestamp: pythonTime(),
  };
  return postData(ROUTES.logError, body, options);
}

/** `value` as an `agent_details` packet, or an {@link INVALID_REPLY_CODE} error naming `route`. */
function agentDetails(route: string, value: unknown): AgentDetailsPacket {
  if (isObject(value) && isObject(value['data']) && 'agent_id' in value['data']) {
    return value as unknown as AgentDetailsPacket;
  }
  throw invalidReply(route, 'an agent_details packet');
}

/** The page's origin, or '' outside a browser (where `baseUrl` should be given). */
function pageOrigin(): string {
  return typeof location === 'undefined' ? '' : location.origin;
}

function invalidReply(route: string, expected: string): TaskServerError {
  return new TaskServerError(route, 200, INVALID_REPLY_CODE, `${route} did not answer with ${expected}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isFormData(value: unknown): value is FormData {
  return typeof FormData !== 'undefined' && value instanceof FormData;
}

function copyForm(source: FormData): FormData {
  const copy = new FormData();
  source.forEach((value, key) => {
    // The file name is passed explicitly: some FormData implementations drop it when copying a File.
    if (typeof value === 'string') copy.append(key, value);
    else copy.append(key, value, value.name);
  });
  return copy;
}

/** What the provider is told for a multipart submit: the JSON answer the form carries. */
function formAnswer(form: FormData): unknown {
  const answer = form.get('final_string_data') ?? form.get('final_data');
  if (typeof answer !== 'string') return answer;
  try {
    return JSON.parse(answer) as unknown;
  } catch {
    return answer;
  }
}
