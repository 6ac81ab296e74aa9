// @vitest-environment happy-dom
import { render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../src/app.js';
import { forgetSessionToken, takeSessionToken } from '../src/session/session-token.js';
import { FakeReviewServer, TOKEN } from './support/fake-review-server.js';
import { openApp, resetApp } from './support/render-app.js';

afterEach(resetApp);

describe('session token', () => {
  it('is taken from the #token= fragment once, kept for the tab, and removed from the address bar', () => {
    window.history.replaceState(null, '', '/?x=1#token=abc%2Fdef');
    expect(takeSessionToken()).toBe('abc/def');
    expect(window.location.hash).toBe('');
    expect(window.location.href).not.toContain('abc');
    expect(window.location.search).toBe('?x=1');
    // A reload of the same tab (no fragment any more) still has it; a new link replaces it.
    expect(takeSessionToken()).toBe('abc/def');
    window.history.replaceState(null, '', '/#token=new');
    expect(takeSessionToken()).toBe('new');
    forgetSessionToken();
    expect(takeSessionToken()).toBeNull();
  });

  it('leaves an app route in the fragment alone', () => {
    window.sessionStorage.setItem('mephisto-review-token', 'stored');
    window.history.replaceState(null, '', '/#/runs/7');
    expect(takeSessionToken()).toBe('stored');
    expect(window.location.hash).toBe('#/runs/7');
  });

  it('is sent as a bearer token on every request', async () => {
    const server = new FakeReviewServer().install();
    window.history.replaceState(null, '', `/#token=${TOKEN}`);
    render(<App retryDelaysMs={[]} />);
    expect(await screen.findByTestId('task-1')).toBeTruthy();
    expect(window.location.href).not.toContain(TOKEN);
    expect(server.requests.length).toBeGreaterThan(0);
    for (const request of server.requests) {
      expect(request.headers.get('Authorization')).toBe(`Bearer ${TOKEN}`);
    }
  });

  it('without a token, says to open the link that `mephisto review` prints', () => {
    const server = new FakeReviewServer().install();
    render(<App />);
    const page = screen.getByTestId('session-expired');
    expect(page.dataset.reason).toBe('missing');
    expect(page.textContent).toContain('mephisto review');
    expect(server.requests).toHaveLength(0);
  });

  it('on a 401, shows the expired-link screen and forgets the token', async () => {
    // The server refuses the token, as it does after `mephisto review` restarted with a new one.
    const server = new FakeReviewServer().replyOnce(
      'GET',
      '/api/tasks',
      new Response(JSON.stringify({ error: { code: 'MEPHISTO_ERR_REVIEW_TOKEN', message: 'Bad token' } }), {
        status: 401,
      }),
    );
    openApp('#/', { server });
    const page = await screen.findByTestId('session-expired');
    expect(page.dataset.reason).toBe('rejected');
    expect(page.textContent).toContain('expired or its token is wrong');
    expect(page.textContent).toContain('mephisto review');
    await waitFor(() => {
      expect(window.sessionStorage.getItem('mephisto-review-token')).toBeNull();
    });
  });
});
