// @vitest-environment happy-dom
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeReviewServer, errorReply, type RecordedRequest } from './support/fake-review-server.js';
import { openApp, resetApp } from './support/render-app.js';

afterEach(resetApp);

const ACTION_PATH = '/api/units/105/actions';

const keyOf = (request: RecordedRequest | undefined): string =>
  (request?.body as { idempotency_key: string }).idempotency_key;

async function openUnit105(server: FakeReviewServer, retryDelaysMs: readonly number[] = []) {
  openApp('#/runs/7/units/105', { server, retryDelaysMs });
  await screen.findByTestId('unit-submission');
}

describe('review actions: idempotency keys and in-flight buttons', () => {
  it('sends one request for a double click, with every button disabled while it is in flight', async () => {
    const server = new FakeReviewServer();
    const release = server.hold('POST', ACTION_PATH);
    await openUnit105(server);
    const approve = screen.getByTestId<HTMLButtonElement>('unit-approve');
    fireEvent.click(approve);
    fireEvent.click(approve);
    await waitFor(() => {
      expect(approve.disabled).toBe(true);
    });
    expect(screen.getByTestId<HTMLButtonElement>('unit-reject').disabled).toBe(true);
    expect(screen.getByTestId<HTMLButtonElement>('unit-bonus').disabled).toBe(true);
    expect(screen.getByTestId('unit-running')).toBeTruthy();
    fireEvent.click(approve);
    await act(async () => {
      release();
      await Promise.resolve();
    });
    await screen.findByTestId('unit-result');
    expect(server.to('POST', ACTION_PATH)).toHaveLength(1);
    expect(approve.disabled).toBe(false);
  });

  it('re-sends the same key automatically when the network fails, and the server applies it once', async () => {
    const server = new FakeReviewServer().replyOnce(
      'POST',
      ACTION_PATH,
      'network',
      errorReply(503, 'X', 'busy'),
    );
    await openUnit105(server, [0, 0]);
    fireEvent.change(screen.getByTestId('unit-bonus-amount'), { target: { value: '2' } });
    fireEvent.change(screen.getByTestId('unit-bonus-reason'), { target: { value: 'Extra' } });
    fireEvent.click(screen.getByTestId('unit-bonus'));
    await screen.findByTestId('unit-result');
    const posts = server.to('POST', ACTION_PATH);
    expect(posts).toHaveLength(3);
    expect(new Set(posts.map(keyOf)).size).toBe(1);
    expect(server.unit('105').review.bonus).toBe(2);
  });

  it('offers Retry when the outcome is unknown, and the retry reuses the key', async () => {
    const server = new FakeReviewServer().replyOnce('POST', ACTION_PATH, 'network');
    await openUnit105(server);
    fireEvent.click(screen.getByTestId('unit-approve'));
    const error = await screen.findByTestId('unit-error');
    expect(error.textContent).toContain('Could not reach the review server');
    expect(error.textContent).toContain('Retrying is safe');
    fireEvent.click(screen.getByTestId('unit-retry'));
    expect((await screen.findByTestId('unit-result')).textContent).toContain('now Accepted');
    const [first, retry] = server.to('POST', ACTION_PATH);
    expect(keyOf(retry)).toBe(keyOf(first));
  });

  it('treats clicking the same action again after an unknown outcome as a retry (same key)', async () => {
    // The first request reached the server and was applied, but its answer was lost (a 502 from a proxy).
    const server = new FakeReviewServer();
    await openUnit105(server);
    const realFetch = server.fetch;
    let lose = true;
    const lossy = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const response = await realFetch(input, init);
      if (lose && init?.method === 'POST') {
        lose = false;
        return errorReply(502, 'PROXY', 'Bad gateway');
      }
      return response;
    };
    vi.stubGlobal('fetch', lossy);

    fireEvent.click(screen.getByTestId('unit-approve'));
    expect((await screen.findByTestId('unit-error')).textContent).toContain('Bad gateway');
    fireEvent.click(screen.getByTestId('unit-approve'));
    expect((await screen.findByTestId('unit-result')).textContent).toContain(
      'Already done by an earlier request',
    );
    const [first, second] = server.to('POST', ACTION_PATH);
    expect(keyOf(second)).toBe(keyOf(first));
    expect(server.unit('105').history.filter((entry) => entry.action === 'approve')).toHaveLength(1);
  });

  it('uses a new key for the next action after a success or a definitive refusal', async () => {
    const server = new FakeReviewServer().replyOnce(
      'POST',
      ACTION_PATH,
      errorReply(400, 'MEPHISTO_ERR_BAD_REQUEST', 'Feedback is too long'),
    );
    await openUnit105(server);
    fireEvent.click(screen.getByTestId('unit-soft-reject'));
    expect((await screen.findByTestId('unit-error')).textContent).toContain('Feedback is too long');
    expect(screen.queryByTestId('unit-retry')).toBeNull();
    fireEvent.click(screen.getByTestId('unit-soft-reject'));
    await screen.findByTestId('unit-result');
    fireEvent.click(screen.getByTestId('unit-approve'));
    await waitFor(() => {
      expect(server.to('POST', ACTION_PATH)).toHaveLength(3);
    });
    const keys = server.to('POST', ACTION_PATH).map(keyOf);
    expect(new Set(keys).size).toBe(3);
  });

  it('retries a bulk action on the units it was first sent to, even if the selection changed', async () => {
    const server = new FakeReviewServer().replyOnce('POST', '/api/units/bulk-actions', 'network');
    openApp('#/runs/7', { server });
    await screen.findByTestId('unit-row-101');
    fireEvent.click(screen.getByTestId('unit-select-101'));
    fireEvent.click(screen.getByTestId('bulk-approve'));
    await screen.findByTestId('bulk-error');
    fireEvent.click(screen.getByTestId('unit-select-105'));
    fireEvent.click(screen.getByTestId('bulk-retry'));
    await screen.findByTestId('bulk-result');
    const [first, retry] = server.to('POST', '/api/units/bulk-actions');
    expect(retry?.body).toEqual(first?.body);
    expect((retry?.body as { unit_ids: string[] }).unit_ids).toEqual(['101']);
  });
});
