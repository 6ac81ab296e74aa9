/**
 * Opens the app as a reviewer would, already holding the session token (the token-handling test covers
 * the `#token=` fragment itself), with the fake server as `fetch` and no pauses between retries.
 */
import { act, cleanup, render, type RenderResult } from '@testing-library/react';
import { vi } from 'vitest';
import { App } from '../../src/app.js';
import { FakeReviewServer, TOKEN } from './fake-review-server.js';

export interface OpenedApp extends RenderResult {
  server: FakeReviewServer;
}

export function openApp(
  route = '#/',
  options: { retryDelaysMs?: readonly number[]; server?: FakeReviewServer } = {},
): OpenedApp {
  const server = (options.server ?? new FakeReviewServer()).install();
  window.sessionStorage.setItem('mephisto-review-token', TOKEN);
  window.history.replaceState(null, '', `/${route}`);
  const view = render(<App retryDelaysMs={options.retryDelaysMs ?? []} />);
  return { ...view, server };
}

/** Goes to another screen as a click on a link would. */
export function navigate(hash: string): void {
  act(() => {
    window.location.hash = hash;
  });
}

/** Per-test cleanup: unmount, restore globals, forget the token, reset the address. */
export function resetApp(): void {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  window.sessionStorage.clear();
  window.history.replaceState(null, '', '/');
}
