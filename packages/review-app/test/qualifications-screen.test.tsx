// @vitest-environment happy-dom
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { A_UUID } from './support/fake-review-server.js';
import { openApp, resetApp } from './support/render-app.js';

afterEach(resetApp);

describe('qualifications screen', () => {
  it('lists qualifications with how many workers hold them', async () => {
    openApp('#/qualifications');
    expect((await screen.findByTestId('qualification-row-trusted')).textContent).toContain(
      'Did good work before',
    );
    expect(screen.getByTestId('qualification-granted-trusted').textContent).toBe('1');
    expect(screen.getByTestId('qualification-granted-blocked-from-labels').textContent).toBe('0');
  });

  it('creates a qualification, and shows the server’s refusal of a duplicate', async () => {
    const { server } = openApp('#/qualifications');
    await screen.findByTestId('qualifications-table');
    fireEvent.click(screen.getByTestId('qualification-create'));
    expect(screen.getByTestId('qualification-create-invalid').textContent).toContain('name');

    fireEvent.change(screen.getByTestId('qualification-create-name'), { target: { value: 'fluent-fr' } });
    fireEvent.change(screen.getByTestId('qualification-create-description'), {
      target: { value: 'Native French' },
    });
    fireEvent.click(screen.getByTestId('qualification-create'));
    expect(await screen.findByTestId('qualification-row-fluent-fr')).toBeTruthy();
    expect(server.to('POST', '/api/qualifications')[0]?.body).toEqual({
      name: 'fluent-fr',
      description: 'Native French',
    });

    fireEvent.change(screen.getByTestId('qualification-create-name'), { target: { value: 'trusted' } });
    fireEvent.click(screen.getByTestId('qualification-create'));
    expect((await screen.findByTestId('qualification-create-error')).textContent).toContain(
      'Qualification trusted exists',
    );
  });

  it('grants to and revokes from a worker by id', async () => {
    const { server } = openApp('#/qualifications');
    await screen.findByTestId('qualification-grant-name');
    fireEvent.click(screen.getByTestId('qualification-grant-grant-button'));
    expect(screen.getByTestId('qualification-grant-invalid').textContent).toContain('worker');

    fireEvent.change(screen.getByTestId('qualification-grant-name'), {
      target: { value: 'blocked-from-labels' },
    });
    fireEvent.change(screen.getByTestId('qualification-grant-worker'), { target: { value: '13' } });
    fireEvent.change(screen.getByTestId('qualification-grant-value'), { target: { value: '0' } });
    fireEvent.click(screen.getByTestId('qualification-grant-grant-button'));
    await waitFor(() => {
      expect(screen.getByTestId('qualification-granted-blocked-from-labels').textContent).toBe('1');
    });
    expect(server.to('POST', '/api/qualifications/blocked-from-labels/grant')[0]?.body).toEqual({
      worker_id: '13',
      value: 0,
      idempotency_key: A_UUID,
    });

    fireEvent.click(screen.getByTestId('qualification-grant-revoke-button'));
    await waitFor(() => {
      expect(screen.getByTestId('qualification-granted-blocked-from-labels').textContent).toBe('0');
    });
    expect(server.to('POST', '/api/qualifications/blocked-from-labels/revoke')[0]?.body).toEqual({
      worker_id: '13',
      idempotency_key: A_UUID,
    });
  });

  it('shows a grant to an unknown worker as the server’s error', async () => {
    openApp('#/qualifications');
    await screen.findByTestId('qualification-grant-name');
    fireEvent.change(screen.getByTestId('qualification-grant-worker'), { target: { value: '404' } });
    fireEvent.click(screen.getByTestId('qualification-grant-grant-button'));
    expect((await screen.findByTestId('qualification-grant-error')).textContent).toContain('No worker 404');
  });
});
