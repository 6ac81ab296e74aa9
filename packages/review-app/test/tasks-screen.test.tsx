// @vitest-environment happy-dom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeReviewServer, errorReply } from './support/fake-review-server.js';
import { navigate, openApp, resetApp } from './support/render-app.js';

afterEach(resetApp);

describe('tasks screen', () => {
  it('lists tasks with their runs: state, unit counts by status, spend, and links', async () => {
    openApp('#/');
    const task = await screen.findByTestId('task-1');
    expect(within(task).getByTestId('task-name-1').textContent).toContain('Sentiment labels');
    expect(screen.getByTestId('run-state-7').textContent).toBe('Running');
    expect(screen.getByTestId('run-state-8').textContent).toBe('Ended');
    // One figure per run: the ledger's total (not the $12.00 awaiting review), with or without the parts.
    expect(screen.getByTestId('run-spend-7').textContent).toBe('$12.50');
    expect(screen.getByTestId('run-spend-8').textContent).toBe('$1.00');
    // Run 7: 60 units, statuses cycling over 5 → 12 each.
    expect(screen.getByTestId('run-counts-7-completed').textContent).toContain('24');
    expect(screen.getByTestId('run-counts-7-accepted').textContent).toContain('12');
    expect(screen.queryByTestId('run-counts-7-expired')).toBeNull();
    expect(screen.getByTestId('run-link-7').getAttribute('href')).toBe('#/runs/7');
    expect(screen.getByTestId('run-link-7').textContent).toContain('24 to review');
    expect(screen.getByTestId('run-monitor-link-7').getAttribute('href')).toBe('#/runs/7/monitor');
    expect(document.title).toContain('Tasks');
  });

  it('shows the server error message inline, and loads again on Refresh', async () => {
    const server = new FakeReviewServer().replyOnce(
      'GET',
      '/api/tasks',
      errorReply(500, 'MEPHISTO_ERR_STORE', 'The database is locked'),
    );
    openApp('#/', { server });
    const error = await screen.findByTestId('tasks-error');
    expect(error.textContent).toContain('The database is locked');
    expect(error.textContent).toContain('MEPHISTO_ERR_STORE');
    fireEvent.click(screen.getByTestId('tasks-refresh'));
    expect(await screen.findByTestId('task-1')).toBeTruthy();
    await waitFor(() => {
      expect(screen.queryByTestId('tasks-error')).toBeNull();
    });
  });

  it('says so when there are no tasks', async () => {
    const server = new FakeReviewServer();
    server.data.tasks.length = 0;
    openApp('#/', { server });
    expect((await screen.findByTestId('tasks-empty')).textContent).toContain('No tasks yet');
  });

  it('navigates by fragment, and shows a not-found screen for unknown ones', async () => {
    openApp('#/');
    await screen.findByTestId('task-1');
    navigate('#/qualifications');
    expect(await screen.findByTestId('qualifications-screen')).toBeTruthy();
    expect(screen.getByTestId('nav-qualifications').getAttribute('aria-current')).toBe('page');
    navigate('#/nowhere');
    expect((await screen.findByTestId('not-found')).textContent).toContain('/nowhere');
  });
});
