import { useCallback, useEffect, useRef, useState } from 'react';
import { AGENT_STATUS, STATUS_TO_TEXT_MAP, type AgentStatus } from './agent-status.js';
import type { LiveUpdate } from './live-socket.js';
import {
  useMephistoLiveTask,
  type MephistoLiveTask,
  type MephistoLiveTaskProps,
} from './use-mephisto-live-task.js';
import type { MephistoSocket } from './use-mephisto-socket.js';
import { uuidv4 } from './uuid.js';

/** Statuses after which no remote call can be answered. */
const DISCONNECTED_STATUSES: readonly string[] = [
  AGENT_STATUS.DISCONNECT,
  AGENT_STATUS.RETURNED,
  AGENT_STATUS.EXPIRED,
  AGENT_STATUS.TIMEOUT,
  AGENT_STATUS.MEPHISTO_DISCONNECT,
];

/**
 * Why a remote call was refused: the agent reached a status that makes an answer impossible.
 * mephisto-task rejected with the plain object `{disconnected: true, reason}`; this is an Error with
 * the same two fields.
 */
export class RemoteProcedureDisconnect extends Error {
  readonly disconnected = true;

  /** @param reason the worker-facing text of the status (`STATUS_TO_TEXT_MAP`) */
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'RemoteProcedureDisconnect';
  }
}

/** A backend procedure: call it, or its `invoke`, with JSON-serialisable arguments. */
export interface RemoteProcedure {
  (args?: unknown): Promise<unknown>;
  invoke: (args?: unknown) => Promise<unknown>;
}

export interface MephistoRemoteProcedureTask<TaskData = unknown> extends Omit<
  MephistoLiveTask<TaskData>,
  keyof MephistoSocket
> {
  /** The procedure registered on the server under `targetEvent`. */
  remoteProcedure: (targetEvent: string) => RemoteProcedure;
  /** Set (to the worker-facing text) once the agent reached a status that ends the task. */
  disconnectIssueText: string | undefined;
  /** The live socket, for pages that need it directly. */
  _fullSocketProps: MephistoSocket;
}

interface PendingCall {
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/**
 * Remote procedure calls over the live socket (spec §7.4): connects as soon as there is an agent; a
 * call sends the live update `{request_id, target, args: JSON}` and resolves with the parsed
 * `response` of the update that `handles` that request id. Calls made, or still waiting, once the
 * agent is disconnected reject with {@link RemoteProcedureDisconnect} (mephisto-task left the waiting
 * ones pending). Handlers passed in `props` are called as well as this hook's own, not instead.
 */
export function useMephistoRemoteProcedureTask<TaskData = unknown>(
  props: MephistoLiveTaskProps = {},
): MephistoRemoteProcedureTask<TaskData> {
  const [disconnectIssueText, setDisconnectIssueText] = useState<string | undefined>(undefined);
  const disconnectRef = useRef<string | undefined>(undefined);
  const pending = useRef(new Map<string, PendingCall>());

  const live = useMephistoLiveTask<TaskData>({
    ...props,
    onStatusUpdate: (update) => {
      if (DISCONNECTED_STATUSES.includes(update.status)) {
        const reason = STATUS_TO_TEXT_MAP[update.status as AgentStatus] ?? update.status;
        disconnectRef.current = reason;
        setDisconnectIssueText(reason);
        const waiting = [...pending.current.values()];
        pending.current.clear();
        for (const call of waiting) call.reject(new RemoteProcedureDisconnect(reason));
      }
      props.onStatusUpdate?.(update);
    },
    onLiveUpdate: (update) => {
      answer(pending.current, update);
      props.onLiveUpdate?.(update);
    },
  });
  const { connect, destroy, sendLiveUpdate, ...rest } = live;
  const { agentId } = live;

  useEffect(() => {
    if (agentId) connect(agentId);
  }, [agentId, connect]);

  const remoteProcedure = useCallback(
    (targetEvent: string): RemoteProcedure => {
      const procedure = (args?: unknown): Promise<unknown> =>
        new Promise((resolve, reject) => {
          if (disconnectRef.current !== undefined) {
            reject(new RemoteProcedureDisconnect(disconnectRef.current));
            return;
          }
          const requestId = uuidv4();
          pending.current.set(requestId, { resolve, reject });
          sendLiveUpdate({ request_id: requestId, target: targetEvent, args: JSON.stringify(args) }).catch(
            (error: unknown) => {
              pending.current.delete(requestId);
              reject(error instanceof Error ? error : new Error(String(error)));
            },
          );
        });
      return Object.assign(procedure, { invoke: procedure });
    },
    [sendLiveUpdate],
  );

  return {
    ...rest,
    remoteProcedure,
    disconnectIssueText,
    _fullSocketProps: { connect, destroy, sendLiveUpdate },
  };
}

/** Settles the call that `update` answers, if any. */
function answer(pending: Map<string, PendingCall>, update: LiveUpdate): void {
  const requestId = update['handles'];
  if (typeof requestId !== 'string') return;
  const call = pending.get(requestId);
  if (!call) return;
  pending.delete(requestId);
  const response = update['response'];
  try {
    call.resolve(typeof response === 'string' ? JSON.parse(response) : response);
  } catch (error) {
    call.reject(error);
  }
}
