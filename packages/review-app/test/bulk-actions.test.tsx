// @vitest-environment happy-dom
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { A_UUID } from './support/fake-review-server.js';
import { openApp, resetApp } from './support/render-app.js';

afterEach(resetApp);

const BULK_PATH = '/api/units/bulk-actions';

async function openRun7() {
  const opened = openApp('#/runs/7');
  await screen.findByTestId('unit-row-101');
  return opened;
}

describe('bulk review', () => {
  it('offers its actions once units are selected', async () => {
    await openRun7();
    expect(screen.getByTestId('bulk-selection').textContent).toBe('No units selected');
    expect(screen.queryByTestId('bulk-approve')).toBeNull();
    fireEvent.click(screen.getByTestId('unit-select-101'));
    expect(screen.getByTestId('bulk-selection').textContent).toBe('1 unit selected');
    expect(screen.getByTestId<HTMLButtonElement>('bulk-approve').disabled).toBe(false);
    expect(screen.getByTestId('unit-row-101').getAttribute('aria-selected')).toBe('true');
  });

  it('rejects the selected units with the feedback, and reports applied and failed units', async () => {
    const { server } = await openRun7();
    fireEvent.click(screen.getByTestId('unit-select-101')); // completed
    fireEvent.click(screen.getByTestId('unit-select-105')); // completed
    fireEvent.click(screen.getByTestId('unit-select-103')); // assigned: the server refuses it
    fireEvent.click(screen.getByTestId('bulk-reject'));
    expect(screen.getByTestId('bulk-invalid').textContent).toContain('feedback');
    expect(server.to('POST', BULK_PATH)).toHaveLength(0);

    fireEvent.change(screen.getByTestId('bulk-feedback'), { target: { value: 'Answers were random' } });
    fireEvent.click(screen.getByTestId('bulk-reject'));
    const result = await screen.findByTestId('bulk-result');
    expect(result.textContent).toContain('Applied to 2 units');
    expect(screen.getByTestId('bulk-failed').textContent).toContain(
      'Unit 103: Unit 103 is assigned, not completed',
    );

    const [post] = server.to('POST', BULK_PATH);
    expect(post?.body).toEqual({
      action: 'reject',
      feedback: 'Answers were random',
      unit_ids: ['101', '105', '103'],
      idempotency_key: A_UUID,
    });
    // The list reloads with the new statuses; the selection is cleared.
    await waitFor(() => {
      expect(screen.getByTestId('unit-status-101').textContent).toBe('Rejected');
    });
    expect(screen.getByTestId('bulk-selection').textContent).toBe('No units selected');
  });

  it('approves every loaded unit with select-all, feedback optional', async () => {
    const { server } = await openRun7();
    fireEvent.click(screen.getByTestId('unit-select-all'));
    expect(screen.getByTestId('bulk-selection').textContent).toBe('50 units selected');
    fireEvent.click(screen.getByTestId('bulk-approve'));
    await screen.findByTestId('bulk-result');
    const body = server.to('POST', BULK_PATH)[0]?.body as { action: string; unit_ids: string[] };
    expect(body.action).toBe('approve');
    expect(body).not.toHaveProperty('feedback');
    expect(body.unit_ids).toHaveLength(50);
    fireEvent.click(screen.getByTestId('unit-select-all'));
    fireEvent.click(screen.getByTestId('unit-select-all'));
    expect(screen.getByTestId('bulk-selection').textContent).toBe('No units selected');
  });

  it('soft-rejects and pays a bonus to the selection, showing the total first', async () => {
    const { server } = await openRun7();
    fireEvent.click(screen.getByTestId('unit-select-101'));
    fireEvent.click(screen.getByTestId('unit-select-102'));
    fireEvent.change(screen.getByTestId('bulk-bonus-amount'), { target: { value: '0.75' } });
    expect(screen.getByTestId('bulk-bonus-total').textContent).toBe(
      '$0.75 to each of 2 units: $1.50 in all.',
    );
    fireEvent.change(screen.getByTestId('bulk-bonus-reason'), { target: { value: 'Thanks for the care' } });
    fireEvent.click(screen.getByTestId('bulk-bonus'));
    await screen.findByTestId('bulk-result');
    expect(server.to('POST', BULK_PATH)[0]?.body).toEqual({
      action: 'bonus',
      amount: 0.75,
      reason: 'Thanks for the care',
      unit_ids: ['101', '102'],
      idempotency_key: A_UUID,
    });

    fireEvent.click(screen.getByTestId('unit-select-105'));
    fireEvent.click(screen.getByTestId('bulk-soft-reject'));
    await waitFor(() => {
      expect(server.to('POST', BULK_PATH)).toHaveLength(2);
    });
    const [bonus, softReject] = server.to('POST', BULK_PATH);
    expect(softReject?.body).toEqual({ action: 'soft_reject', unit_ids: ['105'], idempotency_key: A_UUID });
    // Two user actions, two keys.
    expect(softReject?.body).not.toMatchObject({
      idempotency_key: (bonus?.body as { idempotency_key: string }).idempotency_key,
    });
  });

  it('clears the selection when the filter changes', async () => {
    await openRun7();
    fireEvent.click(screen.getByTestId('unit-select-101'));
    fireEvent.click(screen.getByTestId('status-chip-completed'));
    expect(screen.getByTestId('bulk-selection').textContent).toBe('No units selected');
  });
});
