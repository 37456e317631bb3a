import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { type Call, json, problem } from '../test/fake-server.js';
import { metric, touchpoint } from '../test/fixtures.js';
import { renderApp } from '../test/render.js';

/** A metric's unit or currency (#11): set when it is created, edited on a chosen revenue or ratio metric. */
const revenue = metric({ key: 'order-value', name: 'Order value', type: 'revenue', eventName: 'purchase', currency: 'EUR', unit: null, version: 3 });

function openForm(extra = {}) {
  return renderApp('/new-experiment', {
    'GET /api/touchpoints': json({ items: [touchpoint()] }),
    'GET /api/metrics': json({ items: [metric(), revenue] }),
    'GET /api/stats/sample-size': json({ perVariant: 51_487, total: 102_974, variantRate: 0.033, deltaAbsolute: 0.003, durationDays: 21 }),
    ...extra,
  });
}

describe('metric units and currencies in the form', () => {
  it('a new revenue metric can be money: the code is checked as typed and sent with the metric', async () => {
    const user = userEvent.setup();
    const { server } = openForm({ 'POST /api/metrics': (call: Call) => json({ ...revenue, ...(call.body as object), version: 1 }, 201) });
    await user.click(await screen.findByRole('button', { name: 'New metric…' }));
    const form = screen.getByRole('group', { name: 'New metric' });
    await user.type(within(form).getByLabelText('Key'), 'aov');
    await user.type(within(form).getByLabelText('Name'), 'Average order value');
    await user.selectOptions(within(form).getByLabelText('Type'), 'revenue');
    await user.type(within(form).getByLabelText('Event name'), 'purchase');
    // Rates take no unit: the choice appears for revenue and ratio metrics only.
    await user.selectOptions(within(form).getByLabelText('Values are'), 'money (a currency)');
    await user.type(within(form).getByLabelText('Currency (ISO 4217 code)'), 'xyz');
    expect(within(form).getByText('XYZ is not an ISO 4217 currency code.')).toBeTruthy();
    await user.click(within(form).getByRole('button', { name: 'Create metric' }));
    expect(server.callsTo('POST /api/metrics')).toHaveLength(0);
    await user.clear(within(form).getByLabelText('Currency (ISO 4217 code)'));
    await user.type(within(form).getByLabelText('Currency (ISO 4217 code)'), 'chf');
    await user.click(within(form).getByRole('button', { name: 'Create metric' }));
    await waitFor(() => expect(server.callsTo('POST /api/metrics')).toHaveLength(1));
    expect(server.callsTo('POST /api/metrics')[0]!.body).toMatchObject({ key: 'aov', type: 'revenue', eventName: 'purchase', unit: null, currency: 'CHF' });
  });

  it('a chosen revenue metric’s currency can be changed to a unit (PATCH with If-Match); a server refusal shows at the field', async () => {
    const user = userEvent.setup();
    let refuse = true;
    const { server } = openForm({
      'PATCH /api/metrics/order-value': (call: Call) =>
        refuse ? problem(422, 'validation-failed', 'unit: must not start or end with a space', [{ field: 'unit', detail: 'must not start or end with a space' }]) : json({ ...revenue, ...(call.body as object), version: 4 }),
    });
    await user.selectOptions(await screen.findByLabelText('Primary metric'), 'order-value');
    await user.click(screen.getByText('Units and currencies of the chosen metrics'));
    const editor = screen.getByRole('group', { name: 'Order value' });
    expect((within(editor).getByLabelText('Currency (ISO 4217 code)') as HTMLInputElement).value).toBe('EUR');
    await user.selectOptions(within(editor).getByLabelText('Values are'), 'counted in a unit');
    await user.type(within(editor).getByLabelText('Unit'), 'orders');
    await user.click(within(editor).getByRole('button', { name: 'Save units of Order value' }));
    expect(await within(editor).findByText('must not start or end with a space')).toBeTruthy();
    refuse = false;
    await user.click(within(editor).getByRole('button', { name: 'Save units of Order value' }));
    await waitFor(() => expect(server.callsTo('PATCH /api/metrics/order-value')).toHaveLength(2));
    const patch = server.callsTo('PATCH /api/metrics/order-value')[1]!;
    expect(patch.body).toEqual({ unit: 'orders', currency: null });
    expect(patch.headers.get('If-Match')).toBe('"3"');
    // The picker now lists the metric with its unit.
    await waitFor(() => expect(within(screen.getByLabelText('Primary metric')).getByRole('option', { name: /Order value · revenue of "purchase" · orders/ })).toBeTruthy());
  });
});
