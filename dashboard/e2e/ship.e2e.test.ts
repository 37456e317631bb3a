// @vitest-environment node
/**
 * Shipping a winner from the dashboard (#11, design.md §8) end to end in headless Chromium (Debian's
 * chromium, playwright-core): the built dashboard served by the real server in-process (in-memory
 * PGlite). An experiment is created and started through the API; in the UI it is stopped shipping a
 * variant, the page and the list say it is served to everyone, /sdk/assign of the real server answers
 * the shipped variant to random units without logging an exposure; End rollout (confirmed) ends it,
 * the page says so and /sdk/assign no longer serves it. Screenshots go to dashboard/test-artifacts/.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DashboardUnderTest, artifacts, callApi, signIn, startDashboard } from './support.js';

const KEY = 'pdp-sticky-atc';
let dut: DashboardUnderTest | undefined;
let browser: Browser | undefined;
let baseUrl = '';
let adminKey = '';
let sdkKey = '';

const api = <T,>(method: string, route: string, body?: unknown, key = adminKey): Promise<T> => callApi<T>(baseUrl, key, method, route, body);

interface Assignment {
  experimentKey: string;
  inExperiment: boolean;
  reason?: string;
  variantKey?: string;
  payload?: unknown;
}

/** POST /sdk/assign for `units` random unit ids with logExposures: true: the answers and the exposures logged. */
async function assignRandomUnits(units: number): Promise<{ answers: Assignment[]; logged: number }> {
  const answers: Assignment[] = [];
  let logged = 0;
  for (let i = 0; i < units; i++) {
    const reply = await api<{ assignments: Assignment[]; exposures: { logged: number } }>('POST', '/sdk/assign', { unitId: randomUUID(), experiments: [KEY], logExposures: true }, sdkKey);
    answers.push(...reply.assignments);
    logged += reply.exposures.logged;
  }
  return { answers, logged };
}

beforeAll(async () => {
  dut = await startDashboard();
  ({ browser, baseUrl, adminKey } = dut);
  await api('POST', '/api/touchpoints', { key: 'pdp-add-to-cart', name: 'Product page add to cart', kind: 'product_page', funnelStage: 'decision' });
  await api('POST', '/api/metrics', { key: 'add-to-cart', name: 'Add to cart', type: 'conversion', eventName: 'add_to_cart' });
  await api('POST', '/api/experiments', {
    key: KEY,
    name: 'Sticky add-to-cart bar',
    touchpointKey: 'pdp-add-to-cart',
    primaryMetric: 'add-to-cart',
    variants: [
      { key: 'control', name: 'Inline button', weight: 0.5, payload: { sticky: false } },
      { key: 'sticky-bar', name: 'Sticky bar', weight: 0.5, payload: { sticky: true } },
    ],
  });
  await api('POST', `/api/experiments/${KEY}/start`);
  sdkKey = (await api<{ secret: string }>('POST', '/api/keys', { kind: 'sdk', name: 'Shop' })).secret;
}, 120_000);

afterAll(async () => {
  await dut?.close();
  expect(dut?.violations, 'API answers that do not match the OpenAPI document').toEqual([]);
});

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });

it('stops an experiment shipping a variant, serves it to everyone through /sdk/assign, and ends the rollout', async () => {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(20_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await signIn(page, baseUrl, dut!.admin);

  // While it runs, units are split between the two variants.
  const before = await assignRandomUnits(20);
  expect(before.answers.every((a) => a.inExperiment)).toBe(true);

  await page.goto(`${baseUrl}/experiments/${KEY}`);
  await page.getByRole('heading', { name: 'Sticky add-to-cart bar', level: 1 }).waitFor();
  // The results are in before the dialog opens: it shows their decision (no conversions yet: it collects).
  await expect.poll(() => page.getByTestId('results-area').innerText()).toMatch(/exposed units|No units exposed yet/);
  await shot(page, 'ship-00-running');
  await page.getByRole('button', { name: 'Stop…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Stop the experiment' });
  await expect.poll(() => dialog.innerText()).toContain('The results are still collecting data');
  // Collecting: nothing in the dialog is called the winner, nor significant.
  expect(await dialog.innerText()).not.toMatch(/winner|significant/i);
  await dialog.getByLabel(/Sticky bar/).check();
  await dialog.getByLabel('Ship the chosen variant to everyone').check();
  await dialog.getByLabel('Note').fill('The bar lifts add-to-cart on mobile.');
  await expect.poll(() => dialog.innerText()).toContain('Shipping serves Sticky bar to every visitor');
  await shot(page, 'ship-01-stop-dialog');
  await dialog.getByRole('button', { name: 'Stop and ship' }).click();
  await dialog.waitFor({ state: 'detached' });

  const banner = page.getByTestId('stopped-banner');
  await expect.poll(() => banner.innerText()).toMatch(/Serving Sticky bar to everyone since \w{3} \d{1,2}, \d{4}/);
  await expect.poll(() => page.locator('.page-head .badge').first().textContent()).toBe('Stopped');
  await shot(page, 'ship-02-serving');

  // The real server serves the shipped variant to every unit, outside the experiment, logging nothing.
  await expect
    .poll(async () => (await assignRandomUnits(1)).answers[0]?.reason, { timeout: 20_000 })
    .toBe('rollout');
  const shipped = await assignRandomUnits(100);
  expect(shipped.logged).toBe(0);
  expect(new Set(shipped.answers.map((a) => `${a.inExperiment} ${a.reason} ${a.variantKey} ${JSON.stringify(a.payload)}`))).toEqual(
    new Set(['false rollout sticky-bar {"sticky":true}']),
  );

  // The list says what it serves.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Experiments' }).click();
  const row = page.getByRole('row', { name: /Sticky add-to-cart bar/ });
  await expect.poll(() => row.innerText()).toContain('Serving Sticky bar to everyone');
  await shot(page, 'ship-03-list');

  // End the rollout, with confirmation.
  await row.getByRole('link', { name: 'Sticky add-to-cart bar' }).click();
  await banner.getByRole('button', { name: 'End rollout' }).click();
  const confirm = page.getByRole('dialog', { name: 'End the rollout?' });
  await confirm.getByRole('button', { name: 'End rollout' }).click();
  await confirm.waitFor({ state: 'detached' });
  await expect.poll(() => banner.innerText()).toMatch(/Rollout ended \w{3} \d{1,2}, \d{4}, .*; visitors get the control\./);
  expect(await banner.innerText()).not.toContain('Serving');
  await shot(page, 'ship-04-rollout-ended');

  await expect
    .poll(async () => (await assignRandomUnits(1)).answers[0], { timeout: 20_000 })
    .toEqual({ experimentKey: KEY, inExperiment: false, reason: 'not running' });
  expect((await assignRandomUnits(20)).logged).toBe(0);

  // After a reload the page still says when the rollout ended (it reads the audit log).
  await page.reload();
  await expect.poll(() => page.getByTestId('stopped-banner').innerText()).toContain('visitors get the control');
  expect(errors).toEqual([]);
  await page.close();
}, 180_000);
