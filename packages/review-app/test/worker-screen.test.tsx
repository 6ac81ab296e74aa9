// @vitest-environment happy-dom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeReviewServer, errorReply, A_UUID } from './support/fake-review-server.js';
import { navigate, openApp, resetApp } from './support/render-app.js';

afterEach(resetApp);

describe('worker screen', () => {
  it('shows totals, qualifications and units across tasks', async () => {
    openApp('#/workers/11');
    await waitFor(() => {
      expect(screen.getByTestId('worker-name').textContent).toBe('Worker alice');
    });
    expect(screen.getByTestId('worker-provider').textContent).toBe('mock');
    expect(screen.getByTestId('worker-total-units').textContent).toBe('20');
    expect(screen.getByTestId('worker-total-accepted').textContent).toBe('15');
    expect(screen.getByTestId('worker-total-rejected').textContent).toBe('2');
    expect(screen.getByTestId('worker-total-earned').textContent).toBe('$9.75');
    expect(screen.getByTestId('worker-qualification-trusted').textContent).toBe('trusted: 1');
    const units = screen.getByTestId('worker-units');
    expect(within(units).getAllByTestId(/^worker-unit-/)).toHaveLength(3);
    expect(units.textContent).toContain('Sentiment labels');
    expect(screen.getByTestId('worker-block-state').dataset.blocked).toBe('false');
  });

  it('is reached from a unit row and from the header search', async () => {
    openApp('#/runs/7');
    const row = await screen.findByTestId('unit-row-101');
    expect(within(row).getByText('carol').getAttribute('href')).toBe('#/workers/13');
    fireEvent.change(screen.getByTestId('worker-jump-input'), { target: { value: '12' } });
    fireEvent.click(screen.getByTestId('worker-jump-submit'));
    // The heading shows the id until the worker is loaded, then the name.
    await waitFor(() => {
      expect(screen.getByTestId('worker-name').textContent).toBe('Worker bob');
    });
  });

  it('blocks with a reason (required) and unblocks, each with its own key', async () => {
    const { server } = openApp('#/workers/12');
    await screen.findByTestId('worker-total-units');
    fireEvent.click(screen.getByTestId('worker-block'));
    expect(screen.getByTestId('worker-block-invalid').textContent).toContain('reason');
    expect(server.to('POST', '/api/workers/12/block')).toHaveLength(0);

    fireEvent.change(screen.getByTestId('worker-block-reason'), { target: { value: 'Spam answers' } });
    fireEvent.click(screen.getByTestId('worker-block'));
    await waitFor(() => {
      expect(screen.getByTestId('worker-block-state').dataset.blocked).toBe('true');
    });
    expect(screen.getByTestId('worker-block-state').textContent).toContain('Spam answers');
    expect(screen.getByTestId('worker-block-result').textContent).toBe('Worker blocked.');
    const block = server.to('POST', '/api/workers/12/block')[0]?.body as Record<string, unknown>;
    expect(block).toEqual({ reason: 'Spam answers', idempotency_key: A_UUID });

    fireEvent.click(screen.getByTestId('worker-unblock'));
    await waitFor(() => {
      expect(screen.getByTestId('worker-block-state').dataset.blocked).toBe('false');
    });
    const unblock = server.to('POST', '/api/workers/12/unblock')[0]?.body as Record<string, unknown>;
    expect(Object.keys(unblock)).toEqual(['idempotency_key']);
    expect(unblock.idempotency_key).not.toBe(block.idempotency_key);
  });

  it('grants a qualification to this worker', async () => {
    const { server } = openApp('#/workers/12');
    await screen.findByTestId('worker-grant-name');
    fireEvent.change(screen.getByTestId('worker-grant-value'), { target: { value: '3' } });
    fireEvent.click(screen.getByTestId('worker-grant-grant-button'));
    await screen.findByTestId('worker-grant-result');
    expect(server.to('POST', '/api/qualifications/trusted/grant')[0]?.body).toEqual({
      worker_id: '12',
      value: 3,
      idempotency_key: A_UUID,
    });
    expect((await screen.findByTestId('worker-qualification-trusted')).textContent).toBe('trusted: 3');
  });

  it('shows a missing worker as an error', async () => {
    const server = new FakeReviewServer().replyOnce(
      'GET',
      '/api/workers/99',
      errorReply(404, 'MEPHISTO_ERR_WORKER_NOT_FOUND', 'No worker 99'),
    );
    openApp('#/workers/11', { server });
    await screen.findByTestId('worker-total-units');
    navigate('#/workers/99');
    expect((await screen.findByTestId('worker-error')).textContent).toContain('No worker 99');
  });
});
