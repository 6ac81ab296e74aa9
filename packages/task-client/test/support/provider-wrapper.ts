/** Stand-ins for the globals of a provider's `wrap_crowd_source.js`, for the duration of a test. */
import { vi, type Mock } from 'vitest';

export interface FakeWrapper {
  handleSubmitToProvider: Mock<(taskData: unknown) => void>;
}

/** Defines the wrapper globals for a worker (null ids: a preview) until `vi.unstubAllGlobals()`. */
export function installWrapper(
  workerName: string | null = 'worker-1',
  assignmentId: string | null = 'assignment-1',
): FakeWrapper {
  const handleSubmitToProvider = vi.fn<(taskData: unknown) => void>();
  vi.stubGlobal('getWorkerName', () => workerName);
  vi.stubGlobal('getAssignmentId', () => assignmentId);
  vi.stubGlobal('getAgentRegistration', () => ({
    worker_name: workerName,
    agent_registration_id: `${String(assignmentId)}-${String(workerName)}`,
    assignment_id: assignmentId,
    provider_type: 'mock',
  }));
  vi.stubGlobal('handleSubmitToProvider', handleSubmitToProvider);
  return { handleSubmitToProvider };
}
