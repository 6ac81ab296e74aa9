// @vitest-environment happy-dom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { A_UUID } from './support/fake-review-server.js';
import { HOSTILE_TEXT } from './support/review-fixtures.js';
import { navigate, openApp, resetApp } from './support/render-app.js';

afterEach(resetApp);

const UNITS_PATH = '/api/runs/7/units';

describe('run units screen', () => {
  it('loads the first page, then the next by keyset cursor with "Load more"', async () => {
    const { server } = openApp('#/runs/7');
    await screen.findByTestId('unit-row-101');
    expect(screen.getByTestId('units-count').textContent).toBe('Showing 50 of 60 units.');
    const [first] = server.to('GET', UNITS_PATH);
    expect(first?.url.searchParams.get('limit')).toBe('50');
    expect(first?.url.searchParams.has('cursor')).toBe(false);
    expect(first?.url.searchParams.has('status')).toBe(false);

    fireEvent.click(screen.getByTestId('units-load-more'));
    await screen.findByTestId('unit-row-160');
    const second = server.to('GET', UNITS_PATH)[1];
    expect(second?.url.searchParams.get('cursor')).toBe('150');
    expect(screen.getByTestId('units-count').textContent).toBe('Showing 60 of 60 units.');
    expect(screen.queryByTestId('units-load-more')).toBeNull();
    expect(screen.getAllByTestId(/^unit-row-/)).toHaveLength(60);
  });

  it('filters by status chip and by search, restarting from the first page', async () => {
    const { server } = openApp('#/runs/7');
    await screen.findByTestId('unit-row-101');
    // The chips carry the run's counts from the task list.
    await waitFor(() => {
      expect(screen.getByTestId('status-chip-completed').textContent).toContain('24');
    });

    fireEvent.click(screen.getByTestId('status-chip-completed'));
    expect(screen.getByTestId('status-chip-completed').getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByTestId('status-chip-all').getAttribute('aria-pressed')).toBe('false');
    await waitFor(() => {
      expect(screen.getByTestId('units-count').textContent).toBe('Showing 24 of 24 units.');
    });
    const filtered = server.to('GET', UNITS_PATH).at(-1);
    expect(filtered?.url.searchParams.get('status')).toBe('completed');
    expect(filtered?.url.searchParams.has('cursor')).toBe(false);
    expect(screen.queryByTestId('unit-row-102')).toBeNull(); // accepted

    fireEvent.change(screen.getByTestId('units-search'), { target: { value: ' bob ' } });
    fireEvent.click(screen.getByTestId('units-search-submit'));
    await waitFor(() => {
      expect(server.to('GET', UNITS_PATH).at(-1)?.url.searchParams.get('q')).toBe('bob');
    });
    const searched = server.to('GET', UNITS_PATH).at(-1);
    expect(searched?.url.searchParams.get('status')).toBe('completed');
    await waitFor(() => {
      expect(screen.getByTestId('units-count').textContent).toContain('matching “bob”');
    });
    for (const row of screen.getAllByTestId(/^unit-row-/)) expect(row.textContent).toContain('bob');

    fireEvent.click(screen.getByTestId('units-search-clear'));
    fireEvent.click(screen.getByTestId('status-chip-all'));
    await waitFor(() => {
      expect(screen.getByTestId('units-count').textContent).toBe('Showing 50 of 60 units.');
    });
  });

  it('opens a unit: facts, input, submission as text, files, history', async () => {
    openApp('#/runs/7/units/101');
    const panel = await screen.findByTestId('unit-detail');
    const submission = await within(panel).findByTestId('unit-submission');
    expect(submission.textContent).toContain(HOSTILE_TEXT);
    expect(within(panel).getByTestId('unit-submission-raw').textContent).toContain('<script>');
    expect(within(panel).getByTestId('unit-input').textContent).toContain('Label <b>this</b>');
    // Shown, never parsed: no script or img element came from the data.
    expect(document.querySelector('script')).toBeNull();
    expect(document.querySelector('img')).toBeNull();
    expect(document.querySelector('b')).toBeNull();
    expect((window as unknown as Record<string, unknown>).__pwned).toBeUndefined();

    expect(within(panel).getByTestId('unit-detail-worker').textContent).toBe('carol');
    const file = within(panel).getByTestId('unit-file-0');
    expect(file.textContent).toBe('photo <1>.png');
    expect(file.getAttribute('href')).toBe('/api/units/101/files/photo%20%3C1%3E.png');
    expect(within(panel).getByTestId('unit-history-0').textContent).toContain('Soft-rejected');
    expect(within(panel).getByTestId('unit-history-0').textContent).toContain('Too short');
    expect(screen.getByTestId('unit-open-101').getAttribute('aria-current')).toBe('true');
    await waitFor(() => {
      expect(document.activeElement).toBe(screen.getByTestId('unit-detail-title'));
    });
  });

  it('downloads a file with the bearer token, not by a bare link', async () => {
    const createObjectURL = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:fake');
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
    const { server } = openApp('#/runs/7/units/101');
    fireEvent.click(await screen.findByTestId('unit-file-0'));
    await waitFor(() => {
      expect(createObjectURL).toHaveBeenCalledTimes(1);
    });
    const [download] = server.to('GET', '/api/units/101/files/photo%20%3C1%3E.png');
    expect(download?.headers.get('Authorization')).toMatch(/^Bearer /);
  });

  it('reviews one unit from its panel and updates its row and history', async () => {
    const { server } = openApp('#/runs/7/units/105');
    const panel = await screen.findByTestId('unit-detail');
    await within(panel).findByTestId('unit-submission');
    fireEvent.change(screen.getByTestId('unit-feedback'), { target: { value: '  Nice work ' } });
    fireEvent.click(screen.getByTestId('unit-approve'));
    expect((await screen.findByTestId('unit-result')).textContent).toContain('now Accepted');
    const [post] = server.to('POST', '/api/units/105/actions');
    expect(post?.body).toEqual({
      action: 'approve',
      feedback: 'Nice work',
      idempotency_key: A_UUID,
    });
    expect(post?.headers.get('Content-Type')).toBe('application/json');
    await waitFor(() => {
      expect(screen.getByTestId('unit-status-105').textContent).toBe('Accepted');
    });
    await waitFor(() => {
      expect(within(panel).getByTestId('unit-history-0').textContent).toContain('Approved');
    });
    expect(screen.getByTestId<HTMLTextAreaElement>('unit-feedback').value).toBe('');
  });

  it('will not reject without feedback or pay a bonus without amount and reason', async () => {
    const { server } = openApp('#/runs/7/units/102');
    await screen.findByTestId('unit-submission');
    fireEvent.click(screen.getByTestId('unit-reject'));
    expect(screen.getByTestId('unit-invalid').textContent).toContain('feedback');
    expect(document.activeElement).toBe(screen.getByTestId('unit-feedback'));
    fireEvent.click(screen.getByTestId('unit-bonus'));
    expect(screen.getByTestId('unit-invalid').textContent).toContain('at least $0.01');
    fireEvent.change(screen.getByTestId('unit-bonus-amount'), { target: { value: '1.005' } });
    fireEvent.click(screen.getByTestId('unit-bonus'));
    expect(screen.getByTestId('unit-invalid').textContent).toContain('at least $0.01');
    fireEvent.change(screen.getByTestId('unit-bonus-amount'), { target: { value: '1.25' } });
    fireEvent.click(screen.getByTestId('unit-bonus'));
    expect(screen.getByTestId('unit-invalid').textContent).toContain('reason');
    expect(server.to('POST', '/api/units/102/actions')).toHaveLength(0);

    fireEvent.change(screen.getByTestId('unit-bonus-reason'), { target: { value: 'Great detail' } });
    fireEvent.click(screen.getByTestId('unit-bonus'));
    await screen.findByTestId('unit-result');
    expect(server.to('POST', '/api/units/102/actions')[0]?.body).toEqual({
      action: 'bonus',
      amount: 1.25,
      reason: 'Great detail',
      idempotency_key: A_UUID,
    });
  });

  it('shows the server’s error message for a refused action, inline', async () => {
    const { server } = openApp('#/runs/7/units/103'); // assigned: not reviewable yet
    await screen.findByTestId('unit-submission');
    fireEvent.click(screen.getByTestId('unit-approve'));
    const error = await screen.findByTestId('unit-error');
    expect(error.textContent).toContain('Unit 103 is assigned, not completed');
    expect(error.textContent).toContain('MEPHISTO_ERR_UNIT_NOT_REVIEWABLE');
    expect(screen.queryByTestId('unit-retry')).toBeNull(); // a refusal is final: nothing to retry
    expect(server.to('POST', '/api/units/103/actions')).toHaveLength(1);
  });

  it('closes the panel and opens another unit by link', async () => {
    openApp('#/runs/7/units/101');
    await screen.findByTestId('unit-detail');
    navigate('#/runs/7');
    await waitFor(() => {
      expect(screen.queryByTestId('unit-detail')).toBeNull();
    });
    navigate('#/runs/7/units/105');
    expect((await screen.findByTestId('unit-detail-title')).textContent).toBe('Unit 105');
  });
});
