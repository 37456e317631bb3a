import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ExperimentResults } from '../api/results-types.js';
import { json } from '../test/fake-server.js';
import { apiKey, experiment, running, touchpoint } from '../test/fixtures.js';
import { renderApp } from '../test/render.js';
import { DEMO_RESULTS, resultsFixture } from '../test/results-fixture.js';

/** How results read for a product owner (#11): units, too little data, guardrail margins, segments, stopped experiments. */
const KEY = DEMO_RESULTS.experiment.key;
const demo = () => running({ key: KEY, name: DEMO_RESULTS.experiment.name, variants: DEMO_RESULTS.variants.map((v) => ({ key: v.key, name: v.name, weight: v.weight, payload: null })), primaryMetric: 'demo-purchase' });

function page(results: ExperimentResults, path = `/experiments/${KEY}`) {
  return renderApp(path, {
    [`GET /api/experiments/${KEY}`]: json(demo()),
    [`GET /api/experiments/${KEY}/audit`]: json({ items: [] }),
    [`GET /api/experiments/${KEY}/segments`]: json({ attributes: [{ name: 'device', units: 30_000 }, { name: 'plan', units: 12 }] }),
    'GET /api/keys': json({ items: [apiKey()] }),
    [`GET /api/experiments/${KEY}/results`]: json(results),
  });
}

/** Six units: the case — the comparison's Bayesian figures are extreme, the decision collects. */
const sixUnits = () =>
  resultsFixture((r) => {
    const primary = r.metrics.find((m) => m.role === 'primary')!;
    primary.variants[0]!.units = 3;
    primary.variants[1]!.units = 3;
    primary.variants[1]!.comparison!.chanceToBeatControl = 0.375;
    primary.variants[1]!.comparison!.expectedLoss = 0.139;
    for (const m of r.metrics) for (const v of m.variants) if (v.comparison) v.comparison.significant = false;
    r.decision = {
      status: 'collecting',
      recommendedVariant: null,
      reasons: ['minimum-sample: too little data: "control" has 3 units of 100 and 0 converted of 10'],
      checks: [
        { name: 'minimum-sample', ok: false, detail: 'too little data: "control" has 3 units of 100 and 0 converted of 10; "free-shipping" has 3 units of 100 and 1 converted of 10 (at least 100 units and 10 converted units in every arm)' },
        { name: 'minimum-days', ok: false, detail: 'ran 0.1 days of the 7 required' },
      ],
    };
  });

describe('results presentation', () => {
  it('too little data: says why and what is missing instead of a chance to beat control of 37.5%; no verdict while collecting', async () => {
    page(sixUnits());
    const note = await screen.findByTestId('too-little-data');
    expect(note.textContent).toContain('Still needed: "control" has 3 units of 100');
    const purchase = screen.getByTestId('metric-demo-purchase');
    expect(purchase.textContent).not.toContain('37.5%');
    expect(purchase.textContent).not.toContain('13.900 pp');
    const chance = purchase.querySelectorAll('[data-slot="chance-to-beat"]');
    expect(chance[1]!.textContent).toBe('Too little data');
    expect(screen.queryByText(/credible interval of the lift \[/)).toBeNull();
    // Nothing reads as a finding: no Better / Worse / Significant / winner anywhere.
    expect(within(purchase).getAllByText('Collecting data').length).toBeGreaterThan(0);
    expect(document.body.textContent).not.toMatch(/\bBetter\b|\bWorse\b|Significant|winner/);
  });

  it('a clear result never reads "100%" or "0.000 pp"', async () => {
    page(
      resultsFixture((r) => {
        const c = r.metrics[0]!.variants[1]!.comparison!;
        c.chanceToBeatControl = 0.99998;
        c.expectedLoss = 0.0000001;
      }),
    );
    const row = within(within(await screen.findByTestId('metric-demo-purchase')).getByRole('table')).getAllByRole('row')[2]!;
    expect(row.querySelector('[data-slot="chance-to-beat"]')!.textContent).toBe('> 99.9%');
    expect(row.querySelector('[data-slot="expected-loss"]')!.textContent).toBe('< 0.001 pp');
    expect(row.textContent).not.toMatch(/100\.0%|0\.000 pp/);
  });

  it('shows a revenue metric in its currency and a ratio in its unit, everywhere its values appear', async () => {
    page(
      resultsFixture((r) => {
        r.metrics.find((m) => m.key === 'demo-revenue')!.currency = 'EUR';
        const ratio = r.metrics.find((m) => m.type === 'ratio');
        if (ratio) ratio.unit = 'items';
      }),
    );
    const revenue = await screen.findByTestId('metric-demo-revenue');
    expect(within(revenue).getByRole('columnheader', { name: 'Mean per unit (EUR)' })).toBeTruthy();
    const control = within(within(revenue).getByRole('table')).getAllByRole('row')[1]!;
    expect(control.textContent).toMatch(/€\d+\.\d\d/);
    expect(within(revenue).getByTestId('details-demo-revenue').textContent).toMatch(/Absolute difference [+−]€\d/);
  });

  it('a guardrail says its status with the lift and its margin, not just "Inconclusive"', async () => {
    page(
      resultsFixture((r) => {
        const c = r.metrics.find((m) => m.role === 'guardrail')!.variants[1]!.comparison!;
        c.relativeLift.estimate = -0.004;
        c.guardrail = { margin: 0.02, status: 'ok', pValue: 0.001 };
      }),
    );
    const guard = await screen.findByTestId('metric-demo-add-to-cart');
    expect(guard.querySelector('[data-slot="guardrail-status"]')!.textContent).toBe('Not harmed: lift −0.4%, margin −2%');
    expect(within(guard).getByRole('columnheader', { name: 'Guardrail' })).toBeTruthy();
  });

  it('segments: attributes from the exposures, any metric, a scale per segment', async () => {
    const user = userEvent.setup();
    const { server } = page(
      resultsFixture((r) => {
        // A tiny segment with a wide interval must not squash the large segment's small lift.
        const [big, small] = r.segments!.values;
        big!.variants[1]!.comparison!.relativeLift.ci = [0.01, 0.05];
        big!.variants[1]!.comparison!.relativeLift.estimate = 0.03;
        small!.variants[1]!.comparison!.relativeLift.ci = [-0.8, 1.5];
      }),
      `/experiments/${KEY}?segment=device`,
    );
    const breakdown = await screen.findByTestId('segment-breakdown');
    const scales = [...breakdown.querySelectorAll('[data-slot="segment-scale"]')].map((s) => s.textContent);
    expect(scales[0]).toBe(' · scale ±5.5%');
    expect(scales[1]).toBe(' · scale ±165%');
    // The attributes offered are the experiment's own, with their units.
    expect(within(screen.getByLabelText('Break down by')).getByRole('option', { name: 'plan (12 units)' })).toBeTruthy();
    await user.selectOptions(screen.getByLabelText('Metric'), 'Revenue per visitor');
    await waitFor(() => expect(server.callsTo(`GET /api/experiments/${KEY}/results`).at(-1)!.query.get('segmentMetric')).toBe('demo-revenue'));
    expect(window.location.search).toBe('?segment=device&segmentMetric=demo-revenue');
  });

  it('lists: a stopped experiment shows its winner and its decision; "winner" only once the results decided', async () => {
    const full = resultsFixture();
    const primary = full.metrics.find((m) => m.role === 'primary')!;
    const stopped = experiment({ key: 'done', name: 'Done test', status: 'stopped', startedAt: '2026-11-01T00:00:00Z', stoppedAt: '2026-11-15T00:00:00Z', decision: { winner: 'urgent', note: null } });
    const noWinner = experiment({ key: 'flat', name: 'Flat test', status: 'stopped', startedAt: '2026-11-01T00:00:00Z', stoppedAt: '2026-11-15T00:00:00Z', decision: { winner: null, note: null } });
    const early = experiment({ key: 'early', name: 'Early test', status: 'stopped', startedAt: '2026-11-01T00:00:00Z', stoppedAt: '2026-11-02T00:00:00Z', decision: { winner: 'urgent', note: null } });
    const stored = { computedAt: full.computedAt, ageSeconds: 1, exposures: { units: 30_000, analysedUnits: 30_000 }, srm: { mismatch: false }, decision: { status: 'ship' as const, recommendedVariant: 'free-shipping' }, metrics: [primary] };
    renderApp('/experiments', {
      'GET /api/touchpoints': json({ items: [touchpoint()] }),
      'GET /api/experiments': json({ items: [stopped, noWinner, early] }),
      'GET /api/results/summary': json({ items: [{ key: 'done', results: stored }, { key: 'flat', results: null }, { key: 'early', results: { ...stored, decision: { status: 'collecting', recommendedVariant: null } } }] }),
    });
    const row = await screen.findByRole('row', { name: /Done test/ });
    await waitFor(() => expect(row.querySelector('[data-slot="stopped-outcome"]')?.textContent).toBe('Winner: Ships today'));
    await waitFor(() => expect(row.querySelector('[data-slot="decision-status"]')?.textContent).toBe('Ship'));
    const flat = screen.getByRole('row', { name: /Flat test/ });
    expect(flat.querySelector('[data-slot="stopped-outcome"]')?.textContent).toBe('No winner');
    const stoppedEarly = screen.getByRole('row', { name: /Early test/ });
    await waitFor(() => expect(stoppedEarly.querySelector('[data-slot="decision-status"]')?.textContent).toBe('Collecting data'));
    expect(stoppedEarly.querySelector('[data-slot="stopped-outcome"]')?.textContent).toBe('Chosen at stop: Ships today');
    expect(stoppedEarly.textContent).not.toMatch(/winner|significant/i);
  });
});
