import { useCallback, useEffect, useRef, useState } from 'react';
import { BLOCKED_REASONS, getBlockedExplanation } from './blocked-explanation.js';
import { isMobile } from './browser-support.js';
import { providerAssignmentId, providerWorkerName } from './provider-wrapper.js';
import { reported } from './reported.js';
import {
  getTaskConfig,
  isFormData,
  postCompleteOnboarding,
  postCompleteTask,
  postErrorLog,
  postMetadata,
  requestAgent,
  type TaskConfig,
} from './routes.js';
import type { AgentDetailsPacket } from './wire/index.js';

/** The hook's state; every field is returned as is. */
export interface MephistoTaskState<TaskData = unknown> {
  /** The provider's worker id (`getWorkerName()`); null in preview. */
  providerWorkerId: string | null;
  /** The server's worker id, once `/request_agent` answered. */
  mephistoWorkerId: string | null;
  /** The agent the page works as; an onboarding agent's id starts with `onboarding`. */
  agentId: string | null;
  /** The provider's assignment id (`getAssignmentId()`); null in preview. */
  assignmentId: string | null;
  /** `task_config.json`, once loaded. */
  taskConfig: TaskConfig | null;
  /** True when the wrapper gives no worker or no assignment: the page only shows the task. */
  isPreview: boolean;
  /** Always null (as in mephisto-task). */
  previewHtml: string | null;
  /** Why the worker cannot do the task (`no_mobile`, `no_websockets`, `null_agent_id`, `server_error`…). */
  blockedReason: string | null;
  /** The sentence to show for `blockedReason` (the server's `failure_reason` or message when it gave one). */
  blockedExplanation: string | null;
  /** The unit's data (`init_task_data`), once an agent was given. */
  initialTaskData: TaskData | null;
  /** Whether the agent is an onboarding agent; null until the server answered. */
  isOnboarding: boolean | null;
  /** True once the page can show the task: preview with its config, or an agent with its data. */
  loaded: boolean;
  /**
   * mephisto-ts addition: the stable code of the server's refusal (`agent_details.data.failure_code`:
   * `no_units`, `too_many_concurrent`, `max_for_task`, `blocked`, `not_qualified`, `run_over`, `provider_refused`…).
   */
  failureCode: string | null;
  /**
   * mephisto-ts addition: the error that stopped the task from loading (`blockedReason` is then
   * `server_error`); a `TaskServerError` carries the server's `code` and `status`.
   */
  loadError: Error | null;
}

/** A metadata item of `handleMetadataSubmit`: filed under its `type`. */
export interface MetadataItem {
  type: string;
  [field: string]: unknown;
}

export interface MephistoTask<TaskData = unknown> extends MephistoTaskState<TaskData> {
  /** `!loaded` */
  isLoading: boolean;
  /**
   * Submits the worker's answer: onboarding answers go to `/submit_onboarding` and the page continues
   * with the agent the server gives next; task answers go to `/submit_task` (as multipart when `data`
   * is a `FormData`), then to the provider's `handleSubmitToProvider`. Rejects with the server's
   * message when it refuses (mephisto-task returned nothing).
   */
  handleSubmit: (data: unknown) => Promise<void>;
  /**
   * Posts metadata to `/submit_metadata`: either the items given, each filed under its `type`, or a
   * `FormData` whose `data` field holds it (multipart, as mephisto-core). Resolves with the server's reply.
   */
  handleMetadataSubmit: (...metadata: unknown[]) => Promise<unknown>;
  /** Reports a fatal page error to `/log_error`. */
  handleFatalError: (errorData: unknown) => Promise<void>;
}

const INITIAL_STATE: Omit<
  MephistoTaskState,
  'providerWorkerId' | 'assignmentId' | 'isPreview' | 'initialTaskData'
> = {
  mephistoWorkerId: null,
  agentId: null,
  taskConfig: null,
  previewHtml: null,
  blockedReason: null,
  blockedExplanation: null,
  isOnboarding: null,
  loaded: false,
  failureCode: null,
  loadError: null,
};

/**
 * mephisto-task's main hook: loads `task_config.json`, asks for an agent (unless the page is a preview
 * or blocked on mobile) and exposes the unit's data and the submit handlers. The provider wrapper's
 * globals must be defined when the component first renders.
 *
 * Unlike mephisto-task, the handlers always see the current agent (not the one of their first render),
 * the task is requested once even under React StrictMode, and a failure to load becomes
 * `blockedReason: 'server_error'` instead of an unhandled rejection.
 */
export function useMephistoTask<TaskData = unknown>(): MephistoTask<TaskData> {
  const [state, setState] = useState<MephistoTaskState<TaskData>>(() => {
    const providerWorkerId = providerWorkerName();
    const assignmentId = providerAssignmentId();
    return {
      ...INITIAL_STATE,
      providerWorkerId,
      assignmentId,
      isPreview: providerWorkerId === null || assignmentId === null,
      initialTaskData: null,
    };
  });
  // The latest state, for handlers called between renders.
  const stateRef = useRef(state);
  const update = useCallback((patch: Partial<MephistoTaskState<TaskData>>) => {
    stateRef.current = { ...stateRef.current, ...patch };
    setState(stateRef.current);
  }, []);

  const afterAgentRegistration = useCallback(
    (packet: AgentDetailsPacket) => {
      const { worker_id: workerId, agent_id: agentId } = packet.data;
      if (agentId === null) {
        update({
          mephistoWorkerId: workerId,
          agentId: null,
          isOnboarding: false,
          blockedReason: BLOCKED_REASONS.nullAgentId,
          blockedExplanation: packet.data.failure_reason ?? null,
          failureCode: packet.data.failure_code ?? null,
        });
      } else {
        update({
          mephistoWorkerId: workerId,
          agentId,
          isOnboarding: agentId.startsWith('onboarding'),
          initialTaskData: (packet.data.init_task_data ?? null) as TaskData | null,
          loaded: true,
          failureCode: null,
        });
      }
    },
    [update],
  );

  const started = useRef(false);
  useEffect(() => {
    // Once per component, StrictMode's second effect run included: asking twice would take two units.
    if (started.current) return;
    started.current = true;
    const { isPreview } = stateRef.current;
    const load = async (): Promise<void> => {
      const taskConfig = await getTaskConfig();
      if (taskConfig['block_mobile'] && isMobile()) {
        update({ blockedReason: BLOCKED_REASONS.noMobile, taskConfig, loaded: isPreview });
        return;
      }
      update({ taskConfig, loaded: isPreview });
      if (!isPreview) afterAgentRegistration(await requestAgent());
    };
    load().catch((error: unknown) => {
      const loadError = error instanceof Error ? error : new Error(String(error));
      console.error('mephisto-ts: the task could not be loaded:', loadError);
      update({
        blockedReason: BLOCKED_REASONS.serverError,
        blockedExplanation: loadError.message,
        loadError,
      });
    });
  }, [update, afterAgentRegistration]);

  const handleSubmit = useCallback(
    (data: unknown): Promise<void> => {
      const submit = async (): Promise<void> => {
        const { agentId, isOnboarding, mephistoWorkerId } = stateRef.current;
        if (agentId === null) throw new Error('handleSubmit was called before the server gave an agent');
        if (isOnboarding) {
          if (isFormData(data))
            throw new TypeError('onboarding answers are JSON: pass an object, not FormData');
          afterAgentRegistration(await postCompleteOnboarding(agentId, data));
        } else {
          await postCompleteTask(agentId, data, { workerId: mephistoWorkerId });
        }
      };
      return reported(submit(), 'handleSubmit');
    },
    [afterAgentRegistration],
  );

  const handleMetadataSubmit = useCallback((...items: unknown[]): Promise<unknown> => {
    const [first] = items;
    const metadata = isFormData(first) ? first : metadataByType(items);
    const { agentId, mephistoWorkerId } = stateRef.current;
    return reported(postMetadata(agentId, metadata, { workerId: mephistoWorkerId }), 'handleMetadataSubmit');
  }, []);

  const handleFatalError = useCallback(
    (errorData: unknown): Promise<void> =>
      reported(
        postErrorLog(stateRef.current.agentId, errorData).then(() => undefined),
        'handleFatalError',
      ),
    [],
  );

  return {
    ...state,
    isLoading: !state.loaded,
    blockedExplanation:
      state.blockedExplanation ||
      (state.blockedReason === null ? null : getBlockedExplanation(state.blockedReason)),
    handleSubmit,
    handleMetadataSubmit,
    handleFatalError,
  };
}

/** mephisto-task's metadata object: each item that has a `type` filed under it. */
function metadataByType(items: unknown[]): Record<string, MetadataItem> {
  const metadata: Record<string, MetadataItem> = {};
  for (const item of items) {
    if (typeof item === 'object' && item !== null && Object.hasOwn(item, 'type')) {
      const typed = item as MetadataItem;
      metadata[typed.type] = typed;
    }
  }
  return metadata;
}
