import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ExperimentResults } from '../api/results-types.js';
import type { Experiment } from '../api/types.js';
import { formatDateTime } from '../components/format.js';
import { json, problem } from '../test/fake-server.js';
import { apiKey, experiment, running, touchpoint } from '../test/fixtures.js';
import { renderApp } from '../test/render.js';
import { resultsFixture } from '../test/results-fixture.js';

/** Shipping the winner from the dashboard (#11, design.md §8): the stop dialog, the page's banner, the lists. */
const KEY = 'checkout-cta-copy';
const STOPPED_AT = '2026-12-01T09:30:00.000Z';
const ENDED_AT = '2026-12-03T16:45:00.000Z';

const shipAdvice = () =>
  resultsFixture((r) => {
    r.decision.status = 'ship';
    r.decision.recommendedVariant = 'urgent';
  });
const collecting = () =>
  resultsFixture((r) => {
    for (const m of r.metrics) for (const v of m.variants) if (v.comparison) v.comparison.significant = false;
    r.decision = { status: 'collecting', recommendedVariant: null, reasons: ['minimum-days: ran 2.0 days of the 7 required'], checks: [{ name: 'minimum-days', ok: false, detail: 'ran 2.0 days of the 7 required' }] };
  });

const stopped = (over: Partial<Experiment> = {}) =>
  running({ status: 'stopped', stoppedAt: STOPPED_AT, decision: { winner: 'urgent', note: 'Urgency sells.' }, version: 3, ...over });

function page(e: Experiment, results: ExperimentResults, extra: Parameters<typeof renderApp>[1] = {}) {
  return renderApp(`/experiments/${KEY}`, {
    [`GET /api/experiments/${KEY}`]: json(e),
    [`GET /api/experiments/${KEY}/audit`]: json({ items: [] }),
    [`GET /api/experiments/${KEY}/segments`]: json({ attributes: [] }),
    [`GET /api/experiments/${KEY}/results`]: json(results),
    'GET /api/keys': json({ items: [apiKey()] }),
    ...extra,
  });
}

/** The stop answer the server gives: stopped, with the rollout when shipped. */
const stopReply = (body: { winner: string | null; note: string | null; ship?: boolean }) =>
  json(stopped({ decision: { winner: body.winner, note: body.note }, rollout: body.ship && body.winner ? { variantKey: body.winner, since: STOPPED_AT } : null }));

describe('stop dialog: ship the winner', () => {
  it('while the decision collects: nothing preselected, nothing called winner or significant; shipping posts ship: true and the page says what is served', async () => {
    const user = userEvent.setup();
    const { server } = page(running(), collecting(), { [`POST /api/experiments/${KEY}/stop`]: (call) => stopReply(call.body as { winner: string; note: string; ship: boolean }) });
    await screen.findByText('Collecting data', { selector: '[data-slot="decision-status"]' });
    await user.click(await screen.findByRole('button', { name: 'Stop…' }));
    const dialog = screen.getByRole('dialog', { name: 'Stop the experiment' });
    expect(dialog.textContent).not.toMatch(/winner|significant/i);
    expect(dialog.textContent).toContain('still collecting data');
    expect(within(dialog).getAllByRole('radio').filter((r) => (r as HTMLInputElement).checked)).toHaveLength(0);
    expect(within(dialog).getByRole('group', { name: 'Variant to keep' })).toBeTruthy();

    await user.click(within(dialog).getByLabelText(/Ships today/));
    const ship = within(dialog).getByLabelText('Ship the chosen variant to everyone');
    // One sentence says what shipping does; it names the chosen variant.
    expect(dialog.textContent).toContain('Shipping serves Ships today to every visitor the targeting admits, with no exposures logged, until you end the rollout.');
    await user.click(ship);
    await user.type(within(dialog).getByLabelText('Note'), 'Ship it.');
    await user.click(within(dialog).getByRole('button', { name: 'Stop and ship' }));

    const banner = await screen.findByTestId('stopped-banner');
    expect(server.callsTo(`POST /api/experiments/${KEY}/stop`)[0]?.body).toEqual({ winner: 'urgent', note: 'Ship it.', ship: true });
    expect(server.callsTo(`POST /api/experiments/${KEY}/stop`)[0]?.headers.get('If-Match')).toBe('"2"');
    expect(banner.textContent).toContain(`Serving Ships today to everyone since ${formatDateTime(STOPPED_AT)}.`);
    expect(within(banner).getByRole('button', { name: 'End rollout' })).toBeTruthy();
  });

  it('when the decision is ship: the recommended variant is preselected and called the winner; not shipping posts no ship flag', async () => {
    const user = userEvent.setup();
    const { server } = page(running(), shipAdvice(), { [`POST /api/experiments/${KEY}/stop`]: (call) => stopReply(call.body as { winner: string; note: string }) });
    await screen.findByText('Ship', { selector: '[data-slot="decision-status"]' });
    await user.click(await screen.findByRole('button', { name: 'Stop…' }));
    const dialog = screen.getByRole('dialog', { name: 'Stop the experiment' });
    expect(dialog.textContent).toContain('The results recommend shipping Ships today.');
    expect(within(dialog).getByRole('group', { name: 'Winner' })).toBeTruthy();
    expect((within(dialog).getByLabelText(/Ships today/) as HTMLInputElement).checked).toBe(true);
    expect(within(dialog).getByLabelText(/Ships today/).closest('div')?.textContent).toContain('recommended');
    const ship = within(dialog).getByLabelText('Ship the winner to everyone') as HTMLInputElement;
    expect(ship.checked).toBe(false);

    // "No winner" cannot ship: the box is disabled and nothing is shipped.
    await user.click(within(dialog).getByLabelText('No winner'));
    expect(ship.disabled).toBe(true);
    await user.click(within(dialog).getByLabelText(/Ships today/));
    expect(ship.disabled).toBe(false);
    await user.click(within(dialog).getByRole('button', { name: 'Stop experiment' }));

    const banner = await screen.findByTestId('stopped-banner');
    expect(server.callsTo(`POST /api/experiments/${KEY}/stop`)[0]?.body).toEqual({ winner: 'urgent', note: null });
    expect(banner.textContent).toContain('Ships today (urgent) won.');
    expect(banner.textContent).not.toContain('Serving');
  });

  it('a refused stop is shown in the dialog, which stays open', async () => {
    const user = userEvent.setup();
    page(running(), shipAdvice(), { [`POST /api/experiments/${KEY}/stop`]: problem(412, 'precondition-failed', 'The experiment changed since you loaded it.') });
    await screen.findByText('Ship', { selector: '[data-slot="decision-status"]' });
    await user.click(await screen.findByRole('button', { name: 'Stop…' }));
    const dialog = screen.getByRole('dialog', { name: 'Stop the experiment' });
    await user.click(within(dialog).getByLabelText('Ship the winner to everyone'));
    await user.click(within(dialog).getByRole('button', { name: 'Stop and ship' }));
    expect(await within(dialog).findByText(/changed since you loaded it/)).toBeTruthy();
  });
});

describe('experiment page of a shipped experiment', () => {
  it('says what is served since when, ends the rollout after confirmation (If-Match), then says when it ended', async () => {
    const user = userEvent.setup();
    const shipped = stopped({ rollout: { variantKey: 'urgent', since: STOPPED_AT } });
    let ended = false;
    const { server } = page(shipped, shipAdvice(), {
      [`GET /api/experiments/${KEY}/audit`]: () =>
        json({ items: ended ? [{ id: 9, at: ENDED_AT, keyId: null, requestId: 'r9', entityType: 'experiment', entityKey: KEY, action: 'end-rollout', before: null, after: null }] : [] }),
      [`POST /api/experiments/${KEY}/rollout/end`]: () => {
        ended = true;
        return json(stopped({ rollout: null, version: 4 }));
      },
    });
    const banner = await screen.findByTestId('stopped-banner');
    expect(banner.textContent).toContain(`Serving Ships today to everyone since ${formatDateTime(STOPPED_AT)}.`);
    expect(banner.textContent).toContain('no exposures are logged');
    expect(banner.textContent).toContain('Note: Urgency sells.');
    // Archiving is refused by the server while a rollout runs: the button is not offered.
    expect(screen.queryByRole('button', { name: 'Archive' })).toBeNull();

    await user.click(within(banner).getByRole('button', { name: 'End rollout' }));
    const dialog = screen.getByRole('dialog', { name: 'End the rollout?' });
    expect(dialog.textContent).toContain('see the control');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(server.callsTo(`POST /api/experiments/${KEY}/rollout/end`)).toHaveLength(0);

    await user.click(within(banner).getByRole('button', { name: 'End rollout' }));
    await user.click(within(screen.getByRole('dialog', { name: 'End the rollout?' })).getByRole('button', { name: 'End rollout' }));
    await waitFor(() => expect(screen.getByTestId('stopped-banner').textContent).toContain(`Rollout ended ${formatDateTime(ENDED_AT)}; visitors get the control.`));
    expect(screen.getByTestId('stopped-banner').textContent).not.toContain('Serving');
    expect(server.callsTo(`POST /api/experiments/${KEY}/rollout/end`)[0]?.headers.get('If-Match')).toBe('"3"');
    expect(screen.getByRole('button', { name: 'Archive' })).toBeTruthy();
  });

  it('a stopped experiment whose results still collect: its choice is not called the winner', async () => {
    page(stopped(), collecting());
    await screen.findByText('Collecting data', { selector: '[data-slot="decision-status"]' });
    const banner = screen.getByTestId('stopped-banner');
    expect(banner.textContent).toContain('Ships today (urgent) chosen at stop.');
    expect(banner.textContent).not.toMatch(/winner|won/i);
  });

  it('a refused end is shown in the dialog', async () => {
    const user = userEvent.setup();
    page(stopped({ rollout: { variantKey: 'urgent', since: STOPPED_AT } }), shipAdvice(), {
      [`POST /api/experiments/${KEY}/rollout/end`]: problem(409, 'invalid-transition', 'Experiment "checkout-cta-copy" has no rollout to end.'),
    });
    await user.click(await screen.findByRole('button', { name: 'End rollout' }));
    const dialog = screen.getByRole('dialog', { name: 'End the rollout?' });
    await user.click(within(dialog).getByRole('button', { name: 'End rollout' }));
    expect(await within(dialog).findByText(/has no rollout to end/)).toBeTruthy();
  });
});

describe('lists', () => {
  const shipped = stopped({ key: 'shipped', name: 'Shipped test', rollout: { variantKey: 'urgent', since: STOPPED_AT } });
  const endedOne = stopped({ key: 'ended', name: 'Ended test' });

  it('experiments list: a stopped experiment shows its outcome, and "Serving … to everyone" while its rollout runs', async () => {
    renderApp('/experiments', {
      'GET /api/touchpoints': json({ items: [touchpoint()] }),
      'GET /api/experiments': json({ items: [shipped, endedOne] }),
      'GET /api/results/summary': json({ items: [{ key: 'shipped', results: null }, { key: 'ended', results: null }] }),
    });
    const row = await screen.findByRole('row', { name: /Shipped test/ });
    await waitFor(() => expect(row.querySelector('[data-slot="stopped-outcome"]')?.textContent).toBe('Chosen at stop: Ships today Serving Ships today to everyone'));
    const ended = screen.getByRole('row', { name: /Ended test/ });
    expect(ended.querySelector('[data-slot="stopped-outcome"]')?.textContent).toBe('Chosen at stop: Ships today');
  });

  it('funnel overview: the winner shipped on a touchpoint is listed under it', async () => {
    const { server } = renderApp('/', {
      'GET /api/touchpoints': json({ items: [touchpoint()] }),
      'GET /api/experiments': (call) => json({ items: call.query.get('status') === 'stopped' ? [shipped, endedOne] : [] }),
      'GET /api/results/summary': json({ items: [] }),
    });
    const shippedList = await screen.findByRole('list', { name: 'Shipped on Checkout button' });
    expect(shippedList.textContent).toBe('Serving Ships today to everyone from Shipped test');
    expect(within(shippedList).getByRole('link', { name: 'Shipped test' }).getAttribute('href')).toBe('/experiments/shipped');
    expect(screen.queryByText(/Ended test/)).toBeNull();
    expect(server.callsTo('GET /api/experiments').map((c) => c.query.get('status')).sort()).toEqual(['running', 'stopped']);
  });
});
