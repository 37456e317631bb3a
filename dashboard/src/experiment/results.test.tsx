import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ExperimentResults } from '../api/results-types.js';
import { type Call, json, problem } from '../test/fake-server.js';
import { apiKey, running } from '../test/fixtures.js';
import { renderApp } from '../test/render.js';
import { DEMO_RESULTS, resultsFixture } from '../test/results-fixture.js';

const KEY = DEMO_RESULTS.experiment.key;
const demoExperiment = () =>
  running({
    key: KEY,
    name: DEMO_RESULTS.experiment.name,
    variants: DEMO_RESULTS.variants.map((v) => ({ key: v.key, name: v.name, weight: v.weight, payload: null })),
    primaryMetric: 'demo-purchase',
  });

function page(results: ExperimentResults | ((call: Call) => ExperimentResults), path = `/experiments/${KEY}`) {
  return renderApp(path, {
    [`GET /api/experiments/${KEY}`]: json(demoExperiment()),
    [`GET /api/experiments/${KEY}/audit`]: json({ items: [] }),
    'GET /api/keys': json({ items: [apiKey()] }),
    [`GET /api/experiments/${KEY}/segments`]: json({ attributes: [{ name: 'device', units: 900 }, { name: 'country', units: 850 }] }),
    [`GET /api/experiments/${KEY}/results`]: (call) => (call.query.get('format') === 'csv' ? { status: 200, body: 'metric,variant\n', headers: { 'Content-Disposition': `attachment; filename="${KEY}-results.csv"` } } : json(typeof results === 'function' ? results(call) : results)),
  });
}

afterEach(() => vi.restoreAllMocks());

describe('results', () => {
  it('shows each metric per variant: rate, lift with its interval (text and bar label), p-values, chance to beat control, expected loss, verdict', async () => {
    page(resultsFixture());
    const purchase = await screen.findByTestId('metric-demo-purchase');
    const table = within(purchase).getByRole('table');
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    const treatment = rows[2]!;
    expect(treatment.textContent).toContain('Free shipping promise');
    expect(treatment.textContent).toContain('2.97%');
    expect(treatment.textContent).toContain('+16.7%');
    expect(treatment.textContent).toContain('[+0.9%, +32.4%]');
    expect(within(treatment).getByRole('img', { name: 'Lift +16.7%, 95% interval +0.9% to +32.4%' })).toBeTruthy();
    expect(treatment.textContent).toContain('0.038'); // p and adjusted p (Holm, one treatment)
    expect(treatment.textContent).toContain('98.8%'); // chance to beat control
    // One interval per lift in the table; the Bayesian credible interval is in the details below it.
    expect(treatment.textContent).not.toContain('credible');
    expect(within(purchase).getByTestId('details-demo-purchase').querySelector('[data-slot="credible-interval"]')!.textContent).toContain('[+0.9%, +32.3%]');
    expect(treatment.textContent).toContain('0.001 pp'); // expected loss in percentage points
    expect(within(treatment).getByText('Better')).toBeTruthy();
    expect(rows[1]!.textContent).toContain('2.54%');
    expect(rows[1]!.textContent).toContain('(control)');
    // every metric of the demo has its table; revenue shows a mean per unit
    for (const m of DEMO_RESULTS.metrics) expect(screen.getByTestId(`metric-${m.key}`)).toBeTruthy();
    expect(within(screen.getByTestId('metric-demo-revenue')).getByText('1.79', { exact: false })).toBeTruthy();
  });

  it('shows the SRM banner only on a mismatch, and a multiple-exposure warning when the share is notable', async () => {
    const first = page(resultsFixture());
    await screen.findByTestId('metric-demo-purchase');
    expect(screen.queryByTestId('srm-banner')).toBeNull();
    first.unmount();

    page(
      resultsFixture((r) => {
        r.srm = { ...r.srm, mismatch: true, chiSquare: 120.5, pValue: 1e-27 };
        r.variants[0]!.units = 17000;
        r.variants[1]!.units = 13000;
      }),
    );
    const banner = await screen.findByTestId('srm-banner');
    expect(banner.getAttribute('role')).toBe('alert');
    expect(banner.textContent).toContain('Sample ratio mismatch');
    expect(banner.textContent).toContain('p < 0.0001');
    expect(banner.textContent).toContain('Current hero: 17,000 units (56.7%), expected 50%');
    expect(banner.textContent).not.toContain('Multiple exposure');
  });

  it('warns about multiple exposure without an SRM', async () => {
    page(resultsFixture((r) => (r.exposures = { ...r.exposures, multipleExposures: 600, multipleExposureShare: 0.02 })));
    const banner = await screen.findByTestId('srm-banner');
    expect(banner.textContent).toContain('600 units (2.0%) were seen in more than one variant');
    expect(banner.textContent).not.toContain('Sample ratio mismatch');
  });

  it('shows the progress toward the needed sample with days remaining', async () => {
    page(resultsFixture());
    const bar = await screen.findByRole('progressbar', { name: /Progress toward the needed sample/ });
    expect(bar.getAttribute('aria-valuenow')).toBe('54.5');
    expect(bar.getAttribute('aria-valuetext')).toBe('54.5%, about 6 days remaining');
    expect(screen.getByText(/of 27,318 units per variant/)).toBeTruthy();
  });

  it('gives the charts text equivalents: cumulative lift by day and the funnel with drop-off', async () => {
    page(resultsFixture());
    const cumulative = await screen.findByTestId('cumulative-table');
    const days = within(cumulative).getAllByRole('row');
    expect(days).toHaveLength(DEMO_RESULTS.daily.days.length + 1);
    expect(days.at(-1)!.textContent).toContain('Nov 22, 2026');
    expect(days.at(-1)!.textContent).toContain('+16.7% [+0.9%, +32.4%]');
    expect(screen.getByRole('figure', { name: /Cumulative lift over time/ })).toBeTruthy();

    const funnel = await screen.findByTestId('funnel-chart');
    expect(within(funnel).getByRole('table').textContent).toContain('product_view');
    const step1 = DEMO_RESULTS.metrics.find((m) => m.type === 'funnel')!.steps![0]!.variants[0]!;
    expect(funnel.textContent).toContain(`${step1.units.toLocaleString('en-US')} (65.8% of exposed)`);
    expect(funnel.textContent).toContain('drop-off 34.2%');
  });

  it('shows sequential figures and CUPED when present, and reasons as text', async () => {
    page(
      resultsFixture((r) => {
        const c = r.metrics[0]!.variants[1]!.comparison!;
        c.sequential = { absoluteDifference: { ci: [-0.001, 0.009], pValue: 0.2 }, relativeLift: { ci: [-0.05, 0.4], pValue: 0.21 }, adjustedPValue: 0.21 };
        c.cuped = { theta: 0.42, varianceReduction: 0.18, absoluteDifference: c.absoluteDifference, relativeLift: { ...c.relativeLift, estimate: 0.15, ci: [0.02, 0.28] }, pValue: 0.02 };
        r.experiment.sequential = { tuningParameter: 5000 };
        r.reasons = ['Fewer than 100 units per variant: intervals are wide.'];
        r.metrics[2]!.variants[1]!.comparison!.reason = 'No unit has a positive denominator yet.';
      }),
    );
    // The table shows the confidence sequence (it decides); the fixed-horizon interval moves to the details.
    const purchase = await screen.findByTestId('metric-demo-purchase');
    expect(within(purchase).getByRole('columnheader', { name: 'Lift (95% confidence sequence)' })).toBeTruthy();
    const treatment = within(within(purchase).getByRole('table')).getAllByRole('row')[2]!;
    expect(treatment.textContent).toContain('[−5.0%, +40.0%]');
    expect(treatment.textContent).not.toContain('[+0.9%, +32.4%]');
    expect(within(treatment).getAllByText('0.210')).toHaveLength(2); // always-valid p and adjusted p
    expect(within(purchase).getByTestId('details-demo-purchase').textContent).toContain('Fixed-horizon 95% interval of the lift [+0.9%, +32.4%]');
    expect(screen.getByTestId('cuped').textContent).toContain('variance reduced by 18.0% (θ = 0.420); adjusted lift +15.0% [+2.0%, +28.0%], p = 0.020');
    expect(screen.getByTestId('results-reasons').textContent).toContain('Fewer than 100 units per variant');
    expect(screen.getByText(/No unit has a positive denominator yet/)).toBeTruthy();
  });

  it('requests the segment breakdown chosen in the selector (kept in ?segment=), including a free attribute', async () => {
    const user = userEvent.setup();
    const { server } = page((call) => (call.query.get('segment') ? resultsFixture() : resultsFixture((r) => delete r.segments)));
    await screen.findByTestId('metric-demo-purchase');
    expect(server.callsTo(`GET /api/experiments/${KEY}/results`)[0]!.query.get('segment')).toBeNull();

    await user.selectOptions(screen.getByLabelText('Break down by'), 'device');
    const breakdown = await screen.findByTestId('segment-breakdown');
    expect(server.callsTo(`GET /api/experiments/${KEY}/results`).at(-1)!.query.get('segment')).toBe('device');
    expect(window.location.search).toBe('?segment=device');
    expect(breakdown.textContent).toContain('mobile');
    expect(breakdown.textContent).toContain('desktop');

    await user.selectOptions(screen.getByLabelText('Break down by'), 'Other attribute…');
    await user.type(screen.getByLabelText('Attribute'), '9bad');
    await user.click(screen.getByRole('button', { name: 'Show' }));
    expect(screen.getByText(/An attribute name starts with a letter/)).toBeTruthy();
    await user.clear(screen.getByLabelText('Attribute'));
    await user.type(screen.getByLabelText('Attribute'), 'plan');
    await user.click(screen.getByRole('button', { name: 'Show' }));
    await waitFor(() => expect(server.callsTo(`GET /api/experiments/${KEY}/results`).at(-1)!.query.get('segment')).toBe('plan'));
  });

  it('exports CSV through the API with the session and downloads a Blob', async () => {
    const user = userEvent.setup();
    const created: Blob[] = [];
    URL.createObjectURL = vi.fn((blob: Blob) => (created.push(blob), 'blob:results'));
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    const { server } = page(resultsFixture(), `/experiments/${KEY}?segment=device`);
    await screen.findByTestId('metric-demo-purchase');
    await user.click(screen.getByRole('button', { name: 'Export CSV' }));
    expect(await screen.findByText(`Downloaded ${KEY}-results.csv.`)).toBeTruthy();
    const csv = server.callsTo(`GET /api/experiments/${KEY}/results`).find((c) => c.query.get('format') === 'csv')!;
    expect(csv.headers.get('Authorization')).toBeNull(); // the session cookie, sent by the browser
    expect(csv.query.get('segment')).toBe('device');
    expect(click).toHaveBeenCalledTimes(1);
    expect(await created[0]!.text()).toContain('metric,variant'); // the fake server sends bodies as JSON
  });

  it('says when no unit is exposed yet, and shows errors with a retry', async () => {
    const first = page(resultsFixture((r) => (r.exposures = { units: 0, analysedUnits: 0, multipleExposures: 0, multipleExposureShare: null })));
    expect(await screen.findByText(/No units exposed yet/)).toBeTruthy();
    first.unmount();
    renderApp(`/experiments/${KEY}`, {
      [`GET /api/experiments/${KEY}`]: json(demoExperiment()),
      [`GET /api/experiments/${KEY}/audit`]: json({ items: [] }),
      'GET /api/keys': json({ items: [apiKey()] }),
      [`GET /api/experiments/${KEY}/results`]: problem(503, 'service-unavailable', 'The database is unreachable.'),
    });
    await waitFor(() => expect(screen.getByTestId('results-area').textContent).toContain('The database is unreachable.'));
    expect(within(screen.getByTestId('results-area')).getByRole('button', { name: 'Try again' })).toBeTruthy();
  });
});

describe('recompute', () => {
  it('POSTs results/refresh and shows the fresh document', async () => {
    const user = userEvent.setup();
    const { server } = renderApp(`/experiments/${KEY}`, {
      [`GET /api/experiments/${KEY}`]: json(demoExperiment()),
      [`GET /api/experiments/${KEY}/audit`]: json({ items: [] }),
      'GET /api/keys': json({ items: [apiKey()] }),
      [`GET /api/experiments/${KEY}/results`]: json(resultsFixture((r) => (r.exposures = { units: 0, analysedUnits: 0, multipleExposures: 0, multipleExposureShare: null }))),
      [`POST /api/experiments/${KEY}/results/refresh`]: json(resultsFixture()),
    });
    expect(await screen.findByText(/No units exposed yet/)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Recompute now' }));
    expect(await screen.findByTestId('metric-demo-purchase')).toBeTruthy();
    expect(server.callsTo(`POST /api/experiments/${KEY}/results/refresh`)).toHaveLength(1);
  });

  it('says whether the figures come from a stored snapshot, a full computation or an incremental update', async () => {
    const stored = resultsFixture((r) => (r.snapshot = { computedAt: r.computedAt, ageSeconds: 42.4, durationMs: 900, source: 'snapshot' }));
    const view = page(stored);
    expect(await screen.findByText(/stored snapshot, 42 s old/)).toBeTruthy();
    view.unmount();
    const incremental = resultsFixture((r) => (r.snapshot = { computedAt: r.computedAt, ageSeconds: 0, durationMs: 300, source: 'computed', refresh: { mode: 'incremental', daysRecomputed: 2 } }));
    page(incremental);
    expect(await screen.findByText(/updated now: 2 exposure days recomputed/)).toBeTruthy();
  });

  it('lists the sample-ratio check per phase: a coverage ramp is two phases, each against its own weights', async () => {
    const user = userEvent.setup();
    const ramped = resultsFixture((r) => {
      r.srm = {
        ...r.srm,
        phases: [
          { phase: 0, startedAt: '2026-11-10T09:00:00Z', endedAt: '2026-11-12T09:00:00Z', coverage: 0.1, weights: [0.5, 0.5], units: [1010, 990], chiSquare: 0.2, df: 1, pValue: 0.6547, mismatch: false },
          { phase: 1, startedAt: '2026-11-12T09:00:00Z', endedAt: null, coverage: 1, weights: [0.5, 0.5], units: [14092, 13908], chiSquare: 1.2, df: 1, pValue: 0.2733, mismatch: false },
        ],
        unitsOutsidePhases: 3,
      };
    });
    page(ramped);
    const details = await screen.findByTestId('srm-details');
    expect(within(details).getByText(/Sample ratio check: split as configured/)).toBeTruthy();
    expect(within(details).getByText(/2 phases tested separately/)).toBeTruthy();
    await user.click(within(details).getByText(/Sample ratio check/));
    const rows = within(details).getAllByTestId('srm-phase');
    expect(rows).toHaveLength(2);
    expect(within(rows[0]!).getByText('Phase 1')).toBeTruthy();
    expect(within(rows[0]!).getByText('10%')).toBeTruthy();
    expect(within(rows[0]!).getByText(/1,010 \(50\.5% of 50% expected\)/)).toBeTruthy();
    expect(within(rows[1]!).getByText(/now/)).toBeTruthy();
    expect(within(details).getByText(/3 units were first exposed outside every phase/)).toBeTruthy();
  });
});

describe('decision', () => {
  it('ship: the status, the recommended variant by name, the reasons and the six checks', async () => {
    page(resultsFixture());
    const decision = await screen.findByTestId('decision');
    expect(within(decision).getByText('Ship')).toBeTruthy();
    expect(decision.querySelector('[data-slot="recommendation"]')?.textContent).toBe('Ship “Free shipping promise”');
    expect(decision.querySelector('[data-slot="decision-reasons"]')?.textContent).toContain('significantly better than the control');
    const checks = decision.querySelectorAll('[data-slot="decision-checks"] li');
    expect([...checks].map((c) => [c.getAttribute('data-check'), c.getAttribute('data-ok')])).toEqual([
      ['minimum-sample', 'true'],
      ['minimum-days', 'true'],
      ['planned-sample', 'true'],
      ['srm', 'true'],
      ['multiple-exposures', 'true'],
      ['guardrails', 'true'],
    ]);
    expect(within(decision).getByText(/6 of 6 hold/)).toBeTruthy();
  });

  it('roll-back names the control to serve', async () => {
    page(
      resultsFixture((r) => {
        r.decision = { ...r.decision, status: 'roll-back', recommendedVariant: 'control', reasons: ['"Refunds" is harmed by "free-shipping"'] };
      }),
    );
    const decision = await screen.findByTestId('decision');
    expect(decision.querySelector('[data-slot="decision-status"]')?.textContent).toBe('Roll back');
    expect(decision.querySelector('[data-slot="recommendation"]')?.textContent).toBe('Roll back: serve “Current hero”');
  });

  it('collecting: the failing check is shown open, and no badge says significant or better', async () => {
    const detail = 'ran 3.0 days of the 7 required (weekdays and weekends sell differently)';
    page(
      resultsFixture((r) => {
        // As the server sends it while collecting: every comparison held, the figures kept.
        const hold = (variants: { comparison?: { significant?: boolean; verdict?: string; reason?: string } }[]) => {
          for (const v of variants) if (v.comparison && v.comparison.significant !== undefined) Object.assign(v.comparison, { significant: false, reason: `collecting: minimum-days (${detail})`, ...(v.comparison.verdict && { verdict: 'inconclusive' }) });
        };
        for (const m of r.metrics) {
          hold(m.variants);
          for (const step of m.steps ?? []) hold(step.variants);
        }
        r.segments = undefined;
        r.decision = {
          status: 'collecting',
          recommendedVariant: null,
          reasons: [`minimum-days: ${detail}`],
          checks: r.decision.checks.map((c) => (c.name === 'minimum-days' ? { ...c, ok: false, detail } : c)),
        };
      }),
    );
    const decision = await screen.findByTestId('decision');
    expect(decision.querySelector('[data-slot="decision-status"]')?.textContent).toBe('Collecting data');
    expect(decision.querySelector('[data-slot="recommendation"]')).toBeNull();
    expect(decision.querySelector('details')?.open).toBe(true);
    expect(decision.querySelector('[data-check="minimum-days"]')?.textContent).toContain(detail);
    expect(within(screen.getByTestId('metric-demo-purchase')).getByText('+16.7%', { exact: false })).toBeTruthy(); // the figures stay
    expect(screen.queryByText('Better')).toBeNull();
    expect(screen.queryByText('Significant')).toBeNull();
    const text = (document.body.textContent ?? '').replace(/not significant/gi, '');
    expect(text.match(/.{0,60}(significant|winner).{0,60}/i)?.[0] ?? null).toBeNull();
  });
});
