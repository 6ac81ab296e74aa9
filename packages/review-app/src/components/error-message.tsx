import type { ReactNode } from 'react';
import { ApiError, errorText } from '../api/api-error.js';

/**
 * An error, inline where it happened: the server's `error.message` (as text) and its code, announced to
 * screen readers (role=alert). `children` adds a remedy such as a Retry button.
 */
export function ErrorMessage({
  error,
  testId,
  children,
}: {
  error: unknown;
  testId?: string;
  children?: ReactNode;
}) {
  return (
    <div className="error" role="alert" data-testid={testId}>
      <p className="error-text">{errorText(error)}</p>
      {error instanceof ApiError && error.status !== 0 && (
        <p className="error-code">
          Error code <code>{error.code}</code> (HTTP {error.status})
        </p>
      )}
      {children}
    </div>
  );
}
