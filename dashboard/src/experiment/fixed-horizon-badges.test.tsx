/**
 * A fixed-horizon experiment before its planned sample (issue 10): the server gives no verdict
 * (`significant: false`, verdict `inconclusive`, a reason) while the figures stay, p-values below
 * alpha included. The experiments list, the funnel overview and the results page then show no
 * "Significant" badge and no "Better"/"Worse" verdict: the dashboard takes the server's verdict and
 * never decides from a p-value itself.
 */
import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ExperimentResults } from '../api/results-types.js';
import { json } from '../test/fake-server.js';
import { apiKey, running, touchpoint } from '../test/fixtures.js';
import { renderApp } from '../test/render.js';
import { DEMO_RESULTS, resultsFixture } from '../test/results-fixture.js';

const KEY = DEMO_RESULTS.experiment.key;
const HOLD = 'fixed horizon: planned sample not reached (54 %)';

/** Every comparison in the document (metrics, funnel steps, segments) held as the server holds it. */
function holdAll(node: unknown): void {
  if (Array.isArray(node)) node.forEach(holdAll);
  else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (typeof record.significant === 'boolean' && 'verdict' in record) {
      record.significant = false;
      record.verdict = 'inconclusive';
      record.reason = HOLD;
    }
    Object.values(record).forEach(holdAll);
  }
}

const beforePlannedSample = (): ExperimentResults =>
  resultsFixture((r) => {
    r.experiment.sequential = null;
    r.progress = { ...r.progress, progress: 0.54 };
    holdAll(r.metrics);
    holdAll(r.segments);
    r.reasons = [...r.reasons, `${HOLD}: no verdict before it (turn sequential testing on to look at any time)`];
    // What the server decides then (design §8): collecting, the planned-sample check says why.
    r.decision = {
      status: 'collecting',
      recommendedVariant: null,
      reasons: [`planned-sample: ${HOLD}`],
      checks: r.decision.checks.map((c) => (c.name === 'planned-sample' ? { ...c, ok: false, detail: HOLD } : c)),
    };
  });

const experiment = () =>
  running({
    key: KEY,
    name: DEMO_RESULTS.experiment.name,
    touchpointKey: 'checkout-cta',
    variants: DEMO_RESULTS.variants.map((v) => ({ key: v.key, name: v.name, weight: v.weight, payload: null })),
    primaryMetric: 'demo-purchase',
    sequential: null,
  });

/** The page's text with "Not significant" taken out: what is left must not say significant. */
const claimsSignificance = () => /significant/i.test((document.body.textContent ?? '').replace(/not significant/gi, ''));

describe('a fixed-horizon experiment before its planned sample shows no verdict badge', () => {
  it('the fixture keeps a p-value below alpha: only the server verdict can hide the badge', () => {
    const primary = beforePlannedSample().metrics.find((m) => m.role === 'primary')!;
    expect(primary.variants[1]!.comparison!.pValue!).toBeLessThan(0.05);
    expect(primary.variants[1]!.comparison!.significant).toBe(false);
  });

  it('experiments list (headline from the summary)', async () => {
    const full = beforePlannedSample();
    const primary = full.metrics.find((m) => m.role === 'primary')!;
    renderApp('/experiments', {
      'GET /api/touchpoints': json({ items: [touchpoint()] }),
      'GET /api/experiments': json({ items: [experiment()] }),
      'GET /api/results/summary': json({
        items: [{ key: KEY, results: { computedAt: full.computedAt, ageSeconds: 5, exposures: { units: 30_000, analysedUnits: 30_000 }, srm: { mismatch: false }, decision: { status: 'collecting', recommendedVariant: null }, metrics: [primary] } }],
      }),
    });
    const row = await screen.findByRole('row', { name: new RegExp(DEMO_RESULTS.experiment.name) });
    await waitFor(() => expect(row.querySelector('[data-slot="decision-status"]')?.textContent).toBe('Collecting data'));
    expect(claimsSignificance()).toBe(false);
  });

  it('funnel overview', async () => {
    renderApp('/', {
      'GET /api/touchpoints': json({ items: [touchpoint()] }),
      'GET /api/experiments': (call) => (call.query.get('status') === 'running' ? json({ items: [experiment()] }) : json({ items: [] })),
      [`GET /api/experiments/${KEY}/results`]: json(beforePlannedSample()),
    });
    await waitFor(() => expect(document.querySelector('[data-slot="headline-lift"]')?.textContent).toContain('Collecting data'));
    expect(claimsSignificance()).toBe(false);
  });

  it('results page: table, charts, funnel steps and segments', async () => {
    renderApp(`/experiments/${KEY}`, {
      [`GET /api/experiments/${KEY}`]: json(experiment()),
      [`GET /api/experiments/${KEY}/audit`]: json({ items: [] }),
      'GET /api/keys': json({ items: [apiKey()] }),
      [`GET /api/experiments/${KEY}/results`]: json(beforePlannedSample()),
    });
    await screen.findAllByText(/fixed horizon: planned sample not reached/);
    // Collecting: the verdict cells say so instead of a verdict.
    expect(screen.getAllByText('Collecting data').length).toBeGreaterThan(1);
    expect(screen.queryByText('Inconclusive')).toBeNull();
    expect(screen.queryByText('Better')).toBeNull();
    expect(screen.queryByText('Worse')).toBeNull();
    expect(claimsSignificance()).toBe(false);
    // The decision says what is missing, in the checks list.
    const decision = screen.getByTestId('decision');
    expect(decision.querySelector('[data-slot="decision-status"]')?.textContent).toBe('Collecting data');
    expect(decision.querySelector('[data-check="planned-sample"]')?.getAttribute('data-ok')).toBe('false');
    expect(screen.queryByText(/winner/i)).toBeNull();
  });
});
