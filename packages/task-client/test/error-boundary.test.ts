// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { createElement, useContext } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorBoundary, MephistoContext, type ErrorBoundaryReport } from '../src/index.js';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

function Broken(): never {
  throw new Error('render failed');
}

describe('ErrorBoundary', () => {
  it('renders its children when nothing fails', () => {
    render(createElement(ErrorBoundary, null, createElement('p', null, 'task')));
    expect(screen.getByText('task')).toBeTruthy();
  });

  it('shows the error with its component stack and reports it to handleError', () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const reports: ErrorBoundaryReport[] = [];
    render(
      createElement(ErrorBoundary, { handleError: (report) => reports.push(report) }, createElement(Broken)),
    );
    expect(screen.getByRole('heading').textContent).toBe('Oops! Something went wrong.');
    expect(document.querySelector('details')?.textContent).toContain('Error: render failed');
    expect(document.querySelector('details')?.textContent).toContain('Broken');
    expect(reports).toHaveLength(1);
    expect(reports[0]?.error).toBe('render failed');
    expect(reports[0]?.errorInfo.componentStack).toContain('Broken');
  });
});

describe('MephistoContext', () => {
  it('defaults to an empty object', () => {
    let seen: unknown;
    function Reader(): null {
      seen = useContext(MephistoContext);
      return null;
    }
    render(createElement(Reader));
    expect(seen).toEqual({});
  });
});
