// @vitest-environment node
/**
 * End to end in a real headless Chromium (Debian's `chromium` package, driven by playwright-core;
 * no browser is ever downloaded). The dashboard is built, the real server runs in-process on an
 * in-memory PGlite database, and the scenario goes through the UI only: sign in, create a
 * touchpoint, a metric and an experiment, start it, find it on the funnel and in the list, stop it
 * with a winner; then sends simulated SDK traffic with an imbalanced split and finds the results
 * table, the charts and the SRM banner. Screenshots go to dashboard/test-artifacts/.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DashboardUnderTest, artifacts, callApi, seriousAxeViolations, signIn as signInAs, startDashboard } from './support.js';

const API_DELAY_MS = 250;

let dut: DashboardUnderTest | undefined;
let browser: Browser | undefined;
let baseUrl = '';
let adminKey = '';
let admin = { email: '', password: '' };

beforeAll(async () => {
  dut = await startDashboard();
  ({ browser, baseUrl, adminKey, admin } = dut);
}, 120_000);

/** The page says nothing is significant: its text, "Not significant" taken out, never says "significant". */
async function noSignificanceClaim(page: Page): Promise<boolean> {
  const text = await page.locator('body').innerText();
  return !/significant/i.test(text.replace(/not significant/gi, ''));
}

afterAll(async () => {
  await dut?.close();
  expect(dut?.violations, 'API answers that do not match the OpenAPI document').toEqual([]);
});

async function newPage(width: number, height: number): Promise<Page> {
  const context = await browser!.newContext({ viewport: { width, height } });
  // Every API answer arrives late, as on a loaded machine: an assertion that samples the page once
  // instead of waiting for data-dependent text then fails here every time rather than now and then in CI.
  await context.route('**/api/**', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, API_DELAY_MS));
    await route.continue();
  });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.setDefaultNavigationTimeout(15_000);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(String(error)));
  // The server's Content-Security-Policy (server/src/http/security-headers.ts) must let the real
  // dashboard run: any script, style, image or fetch it refuses is a failure of the scenario.
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) problems.push(message.text());
  });
  (page as Page & { problems?: string[] }).problems = problems;
  return page;
}

const shot = (page: Page, name: string, fullPage = true) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage });

async function signIn(page: Page) {
  await signInAs(page, baseUrl, admin);
  await page.getByRole('heading', { name: 'Funnel overview' }).waitFor();
}

describe('dashboard in headless Chromium', () => {
  it('signs in, creates a touchpoint, metric and experiment, starts it, finds it, stops it with a winner', async () => {
    const page = await newPage(1280, 900);
    await signIn(page);
    // The overview renders its heading before its data arrive: wait for the empty state, never sample it once.
    await page.getByText('No touchpoints yet').waitFor();

    // Create the experiment; its touchpoint and metric are created inline.
    await page.getByRole('link', { name: 'New experiment' }).first().click();
    await page.getByRole('heading', { name: 'New experiment', level: 1 }).waitFor();
    await page.locator('#key').fill('Checkout CTA');
    await expect.poll(() => page.locator('#key-error').textContent()).toContain('lower-case');
    await page.locator('#key').fill('checkout-cta-copy');
    await page.locator('#name').fill('Checkout CTA copy');
    await page.locator('#hypothesis').fill('Saying it ships today lifts purchases.');

    await page.locator('#new-touchpoint-key').fill('checkout-cta');
    await page.locator('#new-touchpoint-name').fill('Checkout button');
    await page.locator('#new-touchpoint-kind').selectOption('cta');
    await page.locator('#new-touchpoint-stage').selectOption('purchase');
    await page.getByRole('button', { name: 'Create touchpoint' }).click();
    await expect.poll(() => page.locator('#touchpointKey').inputValue()).toBe('checkout-cta');

    await page.locator('#variant-1-name').fill('Ships today');
    await page.locator('#variant-0-payload').fill('{ "label": "Buy now" }');
    await page.locator('#variant-1-payload').fill('{ "label": "Buy now, ships today"');
    await expect.poll(() => page.locator('#variant-1-payload-error').textContent()).toContain('Not valid JSON');
    await page.locator('#variant-1-payload').fill('{ "label": "Buy now, ships today" }');
    await page.locator('#variant-1-weight').fill('40');
    await expect.poll(() => page.locator('#variants-error').textContent()).toContain('add up to 100');
    await page.locator('#variant-0-weight').fill('60');
    await expect.poll(() => page.locator('#variants-error').count()).toBe(0);

    await page.getByRole('button', { name: 'Add condition' }).click();
    await page.locator('#cond-0-attribute').fill('country');
    await page.locator('#cond-0-op').selectOption('in');
    await page.locator('#cond-0-value').fill('FR, BE, DE');

    await page.getByRole('button', { name: 'New metric…' }).click();
    await page.locator('#new-metric-key').fill('purchase');
    await page.locator('#new-metric-name').fill('Purchase');
    await page.locator('#new-metric-event').fill('purchase');
    await page.getByRole('button', { name: 'Create metric' }).click();
    await expect.poll(() => page.locator('#primaryMetric').inputValue()).toBe('purchase');
    await page.getByText(/Needs [\d,]+ units per variant/).waitFor();
    await shot(page, '01-create-form');

    await page.getByRole('button', { name: 'Create experiment' }).click();
    await page.getByRole('heading', { name: 'Checkout CTA copy', level: 1 }).waitFor();
    expect(await page.locator('.badge').first().textContent()).toBe('Draft');
    await expect.poll(() => page.getByTestId('results-area').textContent()).toContain('No results yet');
    await expect.poll(() => page.getByLabel('SDK integration code').textContent()).toContain("getVariant('checkout-cta-copy')");

    // Start, with confirmation.
    await page.getByRole('button', { name: 'Start' }).click();
    const startDialog = page.getByRole('dialog', { name: 'Start the experiment?' });
    await startDialog.getByRole('button', { name: 'Start' }).click();
    await startDialog.waitFor({ state: 'detached' });
    await expect.poll(() => page.locator('.page-head .badge').first().textContent()).toBe('Running');
    await page.getByRole('heading', { name: 'History' }).waitFor();
    // The audit names the person who pressed Start (ADMIN_EMAIL's user is named after its address).
    await page.getByText(/Started by admin ·/).waitFor();
    await shot(page, '02-experiment-running');

    // The funnel overview shows it under its stage; other stages are marked as not tested.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Funnel' }).click();
    const purchase = page.locator('li.stage', { has: page.getByRole('heading', { name: 'Purchase' }) });
    await purchase.getByRole('link', { name: 'Checkout CTA copy' }).waitFor();
    await expect.poll(() => purchase.locator('.tag').textContent()).toBe('Testing');
    const awareness = page.locator('li.stage', { has: page.getByRole('heading', { name: 'Awareness' }) });
    await expect.poll(() => awareness.locator('.tag').textContent()).toBe('Not tested');
    await shot(page, '03-funnel-overview');

    // The list, filtered to running experiments.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Experiments' }).click();
    await page.getByLabel('Status').selectOption('running');
    const row = page.getByRole('row', { name: /Checkout CTA copy/ });
    await row.waitFor();
    await expect.poll(() => row.textContent()).toContain('Running');
    await shot(page, '04-experiments-list');

    // Stop with a winner and a note.
    await row.getByRole('link', { name: 'Checkout CTA copy' }).click();
    await page.getByRole('button', { name: 'Stop…' }).click();
    const stopDialog = page.getByRole('dialog', { name: 'Stop the experiment' });
    await stopDialog.getByLabel(/Ships today/).check();
    await stopDialog.getByLabel('Note').fill('Ship the urgency copy.');
    await shot(page, '05-stop-dialog', false);
    await stopDialog.getByRole('button', { name: 'Stop experiment' }).click();
    await stopDialog.waitFor({ state: 'detached' });
    // No traffic: the results still collect, so the choice is not called the winner.
    await page.getByText('Ships today (variant-a) chosen at stop.').waitFor();
    await expect.poll(() => page.locator('.page-head .badge').first().textContent()).toBe('Stopped');
    await shot(page, '06-experiment-stopped');

    expect((page as Page & { problems?: string[] }).problems).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('shows results after simulated SDK traffic with an imbalanced split: results table, charts, SRM banner, segments', async () => {
    // Set-up through the admin API (the UI for these is covered above): a touchpoint, a conversion and
    // a funnel metric, an experiment split 50/50, and an SDK key.
    const api = <T,>(method: string, route: string, body?: unknown, key = adminKey): Promise<T> => callApi<T>(baseUrl, key, method, route, body);
    await api('POST', '/api/touchpoints', { key: 'signup-hero', name: 'Signup hero', kind: 'landing_page', funnelStage: 'awareness' });
    await api('POST', '/api/metrics', { key: 'signup', name: 'Signup', type: 'conversion', eventName: 'signup' });
    await api('POST', '/api/metrics', { key: 'signup-funnel', name: 'Signup funnel', type: 'funnel', steps: ['pricing_view', 'signup_start', 'signup'] });
    // Money: the signups' first-order value, in euros (#11: shown with its currency everywhere).
    await api('POST', '/api/metrics', { key: 'first-order', name: 'First order value', type: 'revenue', eventName: 'signup', currency: 'EUR' });
    await api('POST', '/api/experiments', {
      key: 'hero-headline',
      name: 'Hero headline',
      touchpointKey: 'signup-hero',
      variants: [
        { key: 'control', name: 'Current headline', weight: 0.5 },
        { key: 'bold', name: 'Bold headline', weight: 0.5 },
      ],
      primaryMetric: 'signup',
      secondaryMetrics: ['signup-funnel', 'first-order'],
      minimumDetectableEffect: 0.2,
      // A fixed horizon (sequential testing is the default): 1,200 units are far short of the sample a
      // 20 % effect needs, so the clear signup lift below (about 10 % vs 16 %, p < 0.01) gets no verdict.
      sequential: null,
    });
    const sdkKey = (await api<{ secret: string }>('POST', '/api/keys', { kind: 'sdk', name: 'E2E SDK' })).secret;

    // Start it in the UI.
    const page = await newPage(1280, 900);
    await signIn(page);
    await page.goto(`${baseUrl}/experiments/hero-headline`);
    await page.getByRole('button', { name: 'Start' }).click();
    const startDialog = page.getByRole('dialog', { name: 'Start the experiment?' });
    await startDialog.getByRole('button', { name: 'Start' }).click();
    await startDialog.waitFor({ state: 'detached' });
    await expect.poll(() => page.locator('.page-head .badge').first().textContent()).toBe('Running');

    // Simulated traffic through the SDK path: 1,200 units split 62/38 (deliberately imbalanced, so the
    // SRM check must fire), exposures with device/country attributes, then funnel and signup events.
    const t0 = Date.now() + 1000;
    const items: unknown[] = [];
    for (let i = 0; i < 1200; i++) {
      const variant = i % 50 < 31 ? 'control' : 'bold';
      const unitId = `e2e-unit-${i}`;
      const at = (ms: number) => new Date(t0 + i * 10 + ms).toISOString();
      items.push({ id: `x-${i}`, type: 'exposure', unitId, timestamp: at(0), experimentKey: 'hero-headline', variantKey: variant, attributes: { device: i % 3 === 0 ? 'desktop' : 'mobile', country: ['FR', 'DE', 'US'][i % 3] } });
      const r = (i * 7919) % 100;
      if (r < 60) items.push({ id: `a-${i}`, type: 'event', unitId, name: 'pricing_view', timestamp: at(1) });
      if (r < 30) items.push({ id: `b-${i}`, type: 'event', unitId, name: 'signup_start', timestamp: at(2) });
      if (r < (variant === 'bold' ? 16 : 10)) items.push({ id: `c-${i}`, type: 'event', unitId, name: 'signup', timestamp: at(3), value: 20 + (i % 7) });
    }
    while (Date.now() < t0 + 12_500) await new Promise((resolve) => setTimeout(resolve, 250)); // every timestamp in the past
    for (let i = 0; i < items.length; i += 500) {
      const res = await api<{ accepted: number; rejected: unknown[] }>('POST', '/sdk/events', { items: items.slice(i, i + 500) }, sdkKey);
      expect(res.rejected).toEqual([]);
    }

    // The page: recompute (the snapshot taken at the start had no units), then results, charts and the banner.
    await page.getByRole('button', { name: 'Recompute now' }).click();
    const banner = page.getByTestId('srm-banner');
    await banner.waitFor();
    expect(await banner.getAttribute('role')).toBe('alert');
    expect(await banner.textContent()).toContain('Sample ratio mismatch');
    const table = page.getByTestId('metric-signup').getByRole('table');
    expect(await table.getByRole('row').count()).toBe(3);
    expect(await table.textContent()).toContain('Bold headline');
    expect(await page.getByTestId('metric-signup').getByRole('img', { name: /^Lift [+−]/ }).count()).toBe(1);
    expect(await page.getByRole('progressbar').getAttribute('aria-valuenow')).toMatch(/^\d/);
    await page.getByTestId('cumulative-chart').locator('svg.recharts-surface').first().waitFor();
    await page.getByTestId('funnel-chart').locator('svg.recharts-surface').first().waitFor();
    expect(await page.getByTestId('funnel-chart').textContent()).toContain('signup_start');
    expect(await page.getByTestId('cumulative-table').textContent()).toMatch(/[+−]\d/);
    // Before the planned sample of a fixed horizon: the figures, no "Significant" and no better/worse verdict.
    const signup = (await page.getByTestId('metric-signup').textContent()) ?? '';
    expect(signup).toContain('fixed horizon: planned sample not reached');
    expect(signup).not.toMatch(/Better|Worse|Inconclusive/);
    // Collecting (design §8): every verdict cell says so; no significance badge anywhere on the page.
    const verdicts = await page.locator('[data-slot="verdict"]').allTextContents();
    expect(verdicts.length).toBeGreaterThan(0);
    expect(new Set(verdicts)).toEqual(new Set(['Collecting data']));
    // The revenue metric in its currency: the column says EUR, every value is in euros.
    const revenue = page.getByTestId('metric-first-order');
    expect(await revenue.getByRole('columnheader', { name: 'Mean per unit (EUR)' }).count()).toBe(1);
    expect(await revenue.locator('td[data-label="Mean per unit (EUR)"]').allTextContents()).toEqual([expect.stringMatching(/^€\d+\.\d\d /), expect.stringMatching(/^€\d+\.\d\d /)]);
    // …although the fixed-horizon p-value is below alpha: only the server's hold keeps the badge away.
    const p = await page.getByTestId('metric-signup').getByRole('row', { name: /Bold headline/ }).locator('td[data-label="p-value"]').textContent();
    expect(p === '< 0.0001' || Number(p) < 0.05).toBe(true);
    expect(await noSignificanceClaim(page)).toBe(true);
    // The decision (design §8): collecting, with the failing checks listed.
    const decision = page.getByTestId('decision');
    expect(await decision.locator('[data-slot="decision-status"]').textContent()).toBe('Collecting data');
    expect(await decision.locator('[data-check="srm"]').getAttribute('data-ok')).toBe('false');
    await shot(page, '10-results');
    // Accessibility: axe-core over the whole results page, every disclosure open, charts drawn.
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.getByLabel('Break down by').selectOption('device');
    await page.getByTestId('segment-breakdown').waitFor();
    expect(await page.getByTestId('segment-breakdown').textContent()).toContain('mobile');
    expect(page.url()).toContain('?segment=device');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    expect((await download).suggestedFilename()).toBe('hero-headline-results.csv');
    await shot(page, '11-results-segment');

    // The list shows exposed units and the headline lift.
    await page.goto(`${baseUrl}/experiments?status=running`);
    const row = page.getByRole('row', { name: /Hero headline/ });
    await expect.poll(() => row.locator('[data-slot="exposed-units"]').textContent()).toBe('1,200');
    await expect.poll(() => row.locator('[data-slot="primary-lift"]').textContent()).toMatch(/[+−]\d/);
    // Collecting (design §8): the decision's status instead of a significance badge.
    expect(await row.locator('[data-slot="primary-lift"]').textContent()).toContain('Collecting data');
    expect(await noSignificanceClaim(page)).toBe(true);
    await shot(page, '12-list-with-lift');

    // The funnel overview's headline says the same.
    await page.goto(`${baseUrl}/`);
    await expect.poll(() => page.locator('[data-slot="headline-lift"]').first().textContent()).toContain('Collecting data');
    expect(await noSignificanceClaim(page)).toBe(true);

    // 360 px: the results fit without horizontal scrolling.
    const narrow = await newPage(360, 740);
    await signIn(narrow);
    await narrow.goto(`${baseUrl}/experiments/hero-headline`);
    await narrow.getByTestId('srm-banner').waitFor();
    await narrow.getByTestId('cumulative-chart').locator('svg.recharts-surface').first().waitFor();
    expect(await narrow.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    await shot(narrow, '13-mobile-results');

    expect((page as Page & { problems?: string[] }).problems).toEqual([]);
    await narrow.context().close();
    await page.context().close();
  }, 120_000);

  it('is served with its security headers and refuses to render inside a foreign page\'s iframe', async () => {
    const page = await newPage(1024, 768);
    const response = await page.goto(baseUrl);
    const headers = response!.headers();
    expect(headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['x-content-type-options']).toBe('nosniff');
    await page.getByLabel('Password').waitFor();
    // A page of another origin (localhost is another host than 127.0.0.1 to the browser) frames the dashboard.
    const foreign = baseUrl.replace('127.0.0.1', 'localhost');
    await page.route(`${foreign}/framing-test`, (route) =>
      route.fulfill({ contentType: 'text/html', body: `<!doctype html><iframe id="victim" src="${baseUrl}/"></iframe>` }),
    );
    await page.goto(`${foreign}/framing-test`, { waitUntil: 'load' });
    const framed = page.frames().find((frame) => frame !== page.mainFrame())!;
    // Chromium replaces a refused frame with its error page; a framed dashboard would load its own URL.
    await expect.poll(() => framed.url(), { timeout: 10_000 }).not.toBe('about:blank');
    expect(framed.url()).toMatch(/^chrome-error:/);
    (page as Page & { problems?: string[] }).problems!.length = 0; // the refusal itself is logged as a CSP error
    await page.context().close();
  }, 120_000);

  it('is usable 360 px wide: every page fits without horizontal scrolling', async () => {
    const page = await newPage(360, 740);
    await signIn(page);
    await page.goto(`${baseUrl}/experiments`);
    await page.getByRole('row', { name: /Checkout CTA copy/ }).waitFor();
    // The stopped experiment says what was chosen; not "winner" while its results still collect (no traffic here).
    await expect.poll(() => page.getByRole('row', { name: /Checkout CTA copy/ }).locator('[data-slot="stopped-outcome"]').textContent()).toBe('Chosen at stop: Ships today');
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await shot(page, '07-mobile-list');
    await page.goto(`${baseUrl}/experiments/checkout-cta-copy`);
    await page.getByRole('heading', { name: 'Checkout CTA copy', level: 1 }).waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await shot(page, '08-mobile-experiment');
    await page.goto(`${baseUrl}/new-experiment`);
    await page.getByRole('button', { name: 'Create experiment' }).waitFor();
    await page.getByRole('button', { name: 'Add condition' }).click();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await shot(page, '09-mobile-form');
    for (const path of ['/', '/keys', '/sample-size', '/metric-definitions']) {
      await page.goto(`${baseUrl}${path}`);
      await page.locator('main h1').waitFor();
      expect(await overflow(), path).toBeLessThanOrEqual(0);
    }
    await page.context().close();
  }, 120_000);
});
