import { createContext, type Context } from 'react';
import type { MephistoRemoteProcedureTask } from './use-mephisto-remote-procedure-task.js';
import type { MephistoLiveTask } from './use-mephisto-live-task.js';

/**
 * What pages usually put in {@link MephistoContext}: a hook's result, whole or in part, plus anything
 * of their own.
 */
export type MephistoContextValue = Partial<MephistoLiveTask & MephistoRemoteProcedureTask> &
  Record<string, unknown>;

/** mephisto-task's context for handing the hook's result down the tree; `{}` by default. */
export const MephistoContext: Context<MephistoContextValue> = createContext<MephistoContextValue>({});
