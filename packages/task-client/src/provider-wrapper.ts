/**
 * The globals a provider's `wrap_crowd_source.js` defines on the page (spec §7.1). mephisto-task read
 * them as free variables; this reads them from `globalThis` each time they are needed, so a wrapper
 * loaded after the bundle, or replaced by a test, is still the one used.
 */
import type { AgentRegistration } from './wire/index.js';

/** Extra query parameters the wrapper wants on every request (e.g. a provider's own ids). */
export type ProviderURLParams = Record<string, unknown>;

/** What `wrap_crowd_source.js` provides. */
export interface ProviderWrapper {
  /** The provider's worker id, or null when the page is a preview. */
  getWorkerName(): string | null;
  /** The provider's assignment id, or null when the page is a preview. */
  getAssignmentId(): string | null;
  /** The `provider_data` of `POST /request_agent`. */
  getAgentRegistration(): AgentRegistration;
  /** Tells the provider the work is done (MTurk form post, Prolific redirect, an alert for mock). */
  handleSubmitToProvider(taskData: unknown): unknown;
  /** Optional: merged into the query of every request, a function or a plain object. */
  getProviderURLParams?: (() => ProviderURLParams | null | undefined) | ProviderURLParams;
}

type RequiredGlobal = Exclude<keyof ProviderWrapper, 'getProviderURLParams'>;

/** The wrapper function `name`; throws a message naming the missing script rather than a ReferenceError. */
function wrapperFunction<K extends RequiredGlobal>(name: K): ProviderWrapper[K] {
  const value = (globalThis as Record<string, unknown>)[name];
  if (typeof value !== 'function') {
    throw new Error(
      `${name}() is not defined: the task page must load the provider's wrap_crowd_source.js before the task bundle`,
    );
  }
  return value as ProviderWrapper[K];
}

export function providerWorkerName(): string | null {
  return wrapperFunction('getWorkerName')() ?? null;
}

export function providerAssignmentId(): string | null {
  return wrapperFunction('getAssignmentId')() ?? null;
}

export function providerAgentRegistration(): AgentRegistration {
  return wrapperFunction('getAgentRegistration')();
}

export function submitToProvider(taskData: unknown): void {
  wrapperFunction('handleSubmitToProvider')(taskData);
}

/**
 * The wrapper's extra query parameters, or null when it defines none. An error thrown by the
 * wrapper's function propagates, as in mephisto-task.
 */
export function providerURLParams(): ProviderURLParams | null {
  const source = (globalThis as Record<string, unknown>)['getProviderURLParams'];
  if (typeof source === 'function') return (source as () => ProviderURLParams | null | undefined)() ?? null;
  if (typeof source === 'object' && source !== null) return source as ProviderURLParams;
  return null;
}
