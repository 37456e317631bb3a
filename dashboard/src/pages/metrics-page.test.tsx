import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { formatAmount } from '../components/format.js';
import { json, problem } from '../test/fake-server.js';
import { metric } from '../test/fixtures.js';
import { renderApp } from '../test/render.js';

describe('metrics page', () => {
  it('lists each metric with what it counts and its unit or currency (#11), reachable from the navigation', async () => {
    const user = userEvent.setup();
    renderApp('/experiments', {
      'GET /api/touchpoints': json({ items: [] }),
      'GET /api/experiments': json({ items: [] }),
      'GET /api/metrics': json({
        items: [
          metric(),
          metric({ key: 'order-value', name: 'Order value', type: 'revenue', currency: 'EUR', attributionHours: null }),
          metric({ key: 'items-per-order', name: 'Items per order', type: 'ratio', eventName: null, unit: 'items', numerator: { eventName: 'item_added', aggregate: 'count' }, denominator: { eventName: 'purchase', aggregate: 'count' } }),
          metric({ key: 'refunds', name: 'Refunds', type: 'revenue', eventName: 'refund', direction: 'decrease' }),
        ],
      }),
    });
    await user.click(await screen.findByRole('link', { name: 'Metrics' }));
    const row = (name: RegExp) => screen.getByRole('row', { name });
    await screen.findByRole('row', { name: /Order value/ });
    // Not /metrics, which the server answers itself (Prometheus).
    expect(window.location.pathname).toBe('/metric-definitions');
    expect(row(/Order value/).querySelector('[data-slot="measured-in"]')?.textContent).toBe(`Euro (EUR), e.g. ${formatAmount(1234.5, { currency: 'EUR' })}`);
    expect(row(/Order value/).textContent).toContain('€1,234.50');
    expect(row(/Order value/).textContent).toContain('until the experiment ends');
    expect(row(/Items per order/).querySelector('[data-slot="measured-in"]')?.textContent).toBe('items, e.g. 2.50 items');
    expect(row(/Items per order/).textContent).toContain('count of item_added ÷ count of purchase');
    expect(row(/^Purchase/).querySelector('[data-slot="measured-in"]')?.textContent).toBe('share of units (%)');
    expect(row(/^Purchase/).textContent).toContain('72 h after exposure');
    // Money without a currency says so rather than guessing one.
    expect(row(/Refunds/).querySelector('[data-slot="measured-in"]')?.textContent).toBe('no unit set');
    expect(within(row(/Refunds/)).getByText('lower')).toBeTruthy();
  });

  it('shows an empty state and an error state', async () => {
    const { unmount } = renderApp('/metric-definitions', { 'GET /api/metrics': json({ items: [] }) });
    expect(await screen.findByText(/No metrics yet/)).toBeTruthy();
    unmount();
    renderApp('/metric-definitions', { 'GET /api/metrics': problem(503, 'service-unavailable', 'The database is unreachable.') });
    expect((await screen.findByRole('alert')).textContent).toContain('Could not load metrics');
  });
});
