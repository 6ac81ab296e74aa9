/**
 * Returns `promise` after logging its failure on the console. mephisto-task's handlers fired requests
 * without returning them, so a refusal became an unhandled rejection; ours return the promise (it
 * rejects with the server's message for a caller that awaits it) and this keeps a caller that ignores
 * it, as every mephisto-task page does, from raising an unhandled rejection.
 */
export function reported<T>(promise: Promise<T>, action: string): Promise<T> {
  promise.catch((error: unknown) => {
    console.error(`mephisto-ts: ${action} failed:`, error);
  });
  return promise;
}
