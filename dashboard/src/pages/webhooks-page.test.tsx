import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Webhook, WebhookDelivery } from '../api/types.js';
import { json, problem } from '../test/fake-server.js';
import { renderApp } from '../test/render.js';

const hook = (overrides: Partial<Webhook> = {}): Webhook => ({
  id: 'wh_0123456789abcdef',
  url: 'https://hooks.example.com/touchpoint',
  events: ['experiment.started', 'experiment.srm_detected'],
  format: 'json',
  createdAt: '2026-12-01T09:00:00.000Z',
  ...overrides,
});

const delivery = (overrides: Partial<WebhookDelivery> = {}): WebhookDelivery => ({
  id: '1',
  eventId: 'evt_1',
  type: 'experiment.srm_detected',
  status: 'pending',
  attempts: 2,
  createdAt: '2026-12-01T10:00:00.000Z',
  nextAttemptAt: '2026-12-01T10:01:30.000Z',
  deliveredAt: null,
  lastStatusCode: 500,
  lastError: 'HTTP 500',
  log: [],
  ...overrides,
});

describe('Webhooks page', () => {
  it('is in the navigation', async () => {
    renderApp('/experiments', { 'GET /api/experiments': json({ items: [] }), 'GET /api/results/summary': json({ items: [] }) });
    const link = screen.getByRole('link', { name: 'Webhooks' });
    expect(link.getAttribute('href')).toBe('/webhooks');
  });

  it('creates a Slack webhook for chosen events and shows the secret once', async () => {
    const user = userEvent.setup();
    const { server } = renderApp('/webhooks', {
      'GET /api/webhooks': json({ items: [] }),
      'POST /api/webhooks': (call) => json({ ...hook(), ...(call.body as object), secret: 'whsec_shownOnce' }, 201),
    });
    await screen.findByText('No webhooks yet.');
    await user.type(screen.getByLabelText('Address'), 'https://hooks.slack.com/services/T/B/x');
    // Every event is ticked by default; keep only the SRM and guardrail alerts.
    for (const label of [/Experiment started/, /Experiment paused/, /Experiment stopped/, /Decision changed/, /Rollout of a shipped winner ended/]) await user.click(screen.getByLabelText(label));
    await user.click(screen.getByLabelText(/Slack message/));
    await user.click(screen.getByRole('button', { name: 'Add webhook' }));
    expect(await screen.findByText('whsec_shownOnce')).toBeTruthy();
    expect(screen.getByText('This is the only time it is shown.')).toBeTruthy();
    expect(server.callsTo('POST /api/webhooks')[0]?.body).toEqual({
      url: 'https://hooks.slack.com/services/T/B/x',
      events: ['experiment.srm_detected', 'experiment.guardrail_harmed'],
      format: 'slack',
    });
    expect(server.callsTo('GET /api/webhooks')).toHaveLength(2);
    await user.click(screen.getByRole('button', { name: 'I have saved it' }));
    expect(screen.queryByText('whsec_shownOnce')).toBeNull();
  });

  it('shows the server refusal of a private address next to the field, and needs one event', async () => {
    const user = userEvent.setup();
    const { server } = renderApp('/webhooks', {
      'GET /api/webhooks': json({ items: [] }),
      'POST /api/webhooks': problem(422, 'validation-failed', 'url: points at a private address', [{ field: 'url', detail: 'points at a private, loopback or link-local address (127.0.0.1); set WEBHOOK_ALLOW_PRIVATE=1 to allow it' }]),
    });
    await screen.findByText('No webhooks yet.');
    await user.type(screen.getByLabelText('Address'), 'http://127.0.0.1:9000/hook');
    await user.click(screen.getByRole('button', { name: 'Add webhook' }));
    const message = await screen.findByText(/points at a private, loopback or link-local address/);
    expect(message.closest('.field')?.querySelector('input')).toBeTruthy();
    for (const box of screen.getAllByRole('checkbox')) if ((box as HTMLInputElement).checked) await user.click(box);
    await user.click(screen.getByRole('button', { name: 'Add webhook' }));
    expect(await screen.findByText('Choose at least one event.')).toBeTruthy();
    expect(server.callsTo('POST /api/webhooks')).toHaveLength(1);
  });

  it('lists webhooks with their recent deliveries, and deletes after confirmation', async () => {
    const user = userEvent.setup();
    let items = [hook()];
    const { server } = renderApp('/webhooks', {
      'GET /api/webhooks': () => json({ items }),
      'GET /api/webhooks/wh_0123456789abcdef/deliveries': json({
        items: [delivery(), delivery({ id: '2', type: 'experiment.started', status: 'delivered', attempts: 1, lastStatusCode: 204, lastError: null, nextAttemptAt: null })],
      }),
      'DELETE /api/webhooks/wh_0123456789abcdef': () => {
        items = [];
        return { status: 204 };
      },
    });
    const row = (await screen.findByText('https://hooks.example.com/touchpoint')).closest('tr')!;
    expect(within(row).getByText('Experiment started (or resumed), Sample-ratio mismatch detected')).toBeTruthy();
    await user.click(within(row).getByRole('button', { name: 'Recent deliveries to https://hooks.example.com/touchpoint' }));
    const table = await screen.findByRole('table', { name: 'Recent deliveries' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(within(rows[0]!).getByText('Retrying')).toBeTruthy();
    expect(within(rows[0]!).getByText('HTTP 500')).toBeTruthy();
    expect(within(rows[1]!).getByText('Delivered')).toBeTruthy();
    expect(server.callsTo('GET /api/webhooks/wh_0123456789abcdef/deliveries')[0]?.query.get('limit')).toBe('20');

    await user.click(within(row).getByRole('button', { name: 'Delete webhook https://hooks.example.com/touchpoint' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete this webhook?' });
    await user.click(within(dialog).getByRole('button', { name: 'Delete webhook' }));
    expect(await screen.findByText('No webhooks yet.')).toBeTruthy();
    expect(server.callsTo('DELETE /api/webhooks/wh_0123456789abcdef')).toHaveLength(1);
    expect(screen.queryByRole('table', { name: 'Recent deliveries' })).toBeNull();
  });
});
