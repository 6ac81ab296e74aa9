import { Component, type ErrorInfo, type ReactNode } from 'react';

/** What `handleError` receives: the error's message and React's component stack. */
export interface ErrorBoundaryReport {
  error: string;
  errorInfo: ErrorInfo;
}

export interface ErrorBoundaryProps {
  /** Called once per caught error, typically with `handleFatalError` to report it to the server. */
  handleError?: (report: ErrorBoundaryReport) => void;
  children?: ReactNode;
}

interface ErrorBoundaryState {
  error: Error | null;
  errorInfo: ErrorInfo | null;
}

/**
 * mephisto-task's error boundary: a render error below it shows "Oops! Something went wrong." with
 * the error and its component stack, and is passed to `handleError`.
 */
export class ErrorBoundary extends Component<ErrorBoundaryProps, ErrorBoundaryState> {
  override state: ErrorBoundaryState = { error: null, errorInfo: null };

  static getDerivedStateFromError(error: unknown): Partial<ErrorBoundaryState> {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: Error, errorInfo: ErrorInfo): void {
    this.setState({ error, errorInfo });
    this.props.handleError?.({ error: error.message, errorInfo });
  }

  override render(): ReactNode {
    const { error, errorInfo } = this.state;
    if (error === null) return this.props.children;
    return (
      <div>
        <h2>Oops! Something went wrong.</h2>
        <details style={{ whiteSpace: 'pre-wrap' }}>
          {error.toString()}
          <br />
          {errorInfo?.componentStack}
        </details>
      </div>
    );
  }
}
