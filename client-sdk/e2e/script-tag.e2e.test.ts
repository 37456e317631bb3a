// @vitest-environment node
/**
 * The script tag (issue 14) in a real headless Chromium (Debian's `chromium`, driven by playwright-core)
 * against the real server process (`src/main.ts`, as `npm start` runs it, on PGlite), which builds and
 * serves GET /sdk/touchpoint.js itself. The "shop" is static HTML on another origin with only the
 * script tag in its `<head>` (and, on one page, the anti-flicker snippet before it).
 *
 * What the page shows is sampled on every animation frame by an init script: rAF callbacks run right
 * before each paint, so a sample is what that frame paints.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, type Request, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignVariant } from '@touchpoint/client-sdk';
import type { SdkExperiment } from '@touchpoint/client-sdk';
import { scriptTagSnippet } from '@touchpoint/client-sdk/script-tag';
import { type ServerProcess, startServerProcess, stopServerProcess } from '../../server/src/test/server-process.js';

const CHROMIUM = '/usr/bin/chromium';
const ADMIN_KEY = `tp_admin_${randomBytes(24).toString('base64url')}`;
const ORIGINAL = 'Buy now';
const VARIANT_TEXT = 'Buy now, ships today';
// A loaded CI machine can take more than the default 1 s to answer the first /sdk/config; the test is
// about hiding, not about that machine's speed.
const ANTI_FLICKER_MS = 5000;

let server: ServerProcess | undefined;
let shop: http.Server | undefined;
let browser: Browser | undefined;
let dataDir = '';
let api = '';
let shopUrl = '';
let sdkKey = '';
const pages: Record<string, string> = {};

async function call<T = unknown>(method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${api}${route}`, {
    method,
    headers: { Authorization: `Bearer ${ADMIN_KEY}`, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** An anonymous id the experiment puts in `variantKey` (found with the SDK's own assignment). */
function unitIn(experiment: Omit<SdkExperiment, 'variants'> & { variants: Array<{ key: string; weight: number }> }, variantKey: string): string {
  for (let i = 0; ; i++) if (assignVariant(experiment, `shopper-${i}`)?.variantKey === variantKey) return `shopper-${i}`;
}

const shopPage = (head: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title>${head}</head><body>${body}</body></html>`;
const PRODUCT_BODY = `<h1 id="title">Red running shoe</h1><p>€89</p><button id="buy">${ORIGINAL}</button>
<script>document.getElementById('buy').addEventListener('click', function () { touchpoint.track('purchase', { value: 89 }); });</script>`;

/** A context whose pages record, on every animation frame, the button's text and whether it is visible. */
async function samplingContext(unitId?: string): Promise<BrowserContext> {
  const context = await browser!.newContext();
  await context.addInitScript((unit) => {
    if (unit && !localStorage.getItem('tp.anon')) localStorage.setItem('tp.anon', JSON.stringify(unit));
    const samples: Array<{ text: string; visible: boolean }> = [];
    (window as unknown as { samples: typeof samples }).samples = samples;
    const frame = () => {
      const el = document.getElementById('buy');
      if (el) samples.push({ text: el.textContent ?? '', visible: getComputedStyle(el).visibility !== 'hidden' });
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }, unitId ?? '');
  return context;
}

const samplesOf = (page: import('playwright-core').Page) =>
  page.evaluate(() => (window as unknown as { samples: Array<{ text: string; visible: boolean }> }).samples);

/** Every item the pages of a context sent to /sdk/events (fetch and sendBeacon alike). */
function recordItems(context: BrowserContext): Array<{ type: string; experimentKey?: string; name?: string }> {
  const items: Array<{ type: string; experimentKey?: string; name?: string }> = [];
  context.on('request', (request: Request) => {
    if (!request.url().includes('/sdk/events')) return;
    try {
      items.push(...(JSON.parse(request.postData() ?? '{}') as { items: typeof items }).items);
    } catch {
      items.push({ type: 'unreadable' });
    }
  });
  return items;
}

const CTA = { key: 'cta-ships-today', salt: 'cta-ships-today', coverage: 1, variants: [{ key: 'control', weight: 0.5 }, { key: 'urgent', weight: 0.5 }] };
const LANDING = { key: 'landing-b', salt: 'landing-b', coverage: 1, variants: [{ key: 'control', weight: 0.5 }, { key: 'b', weight: 0.5 }] };

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'tp-script-e2e-'));
  server = await startServerProcess({ DATA_DIR: dataDir, ADMIN_KEY });
  api = server.url.replace(/\/+$/, '');
  sdkKey = (await call<{ secret: string }>('POST', '/api/keys', { kind: 'sdk', name: 'shop' })).secret;

  await call('POST', '/api/metrics', { key: 'purchase', name: 'Purchase', type: 'conversion', eventName: 'purchase' });
  await call('POST', '/api/touchpoints', { key: 'pdp-cta', name: 'Product page CTA', kind: 'cta', funnelStage: 'decision', urlPattern: '/product*' });
  await call('POST', '/api/touchpoints', { key: 'landing', name: 'Landing page', kind: 'landing_page', funnelStage: 'awareness', urlPattern: '/landing*' });
  await call('POST', '/api/experiments', {
    key: CTA.key, name: 'CTA ships today', touchpointKey: 'pdp-cta', primaryMetric: 'purchase',
    variants: [
      { key: 'control', name: 'Buy now', weight: 0.5 },
      { key: 'urgent', name: 'Ships today', weight: 0.5, changes: [{ selector: '#buy', action: 'text', value: VARIANT_TEXT }, { selector: '#buy', action: 'class-add', value: 'urgent' }] },
    ],
  });
  await call('POST', `/api/experiments/${CTA.key}/start`);
  // /landing-b matches /landing* too: the script must not redirect again from there (no loop).
  await call('POST', '/api/experiments', {
    key: LANDING.key, name: 'Landing B', touchpointKey: 'landing', primaryMetric: 'purchase',
    variants: [{ key: 'control', name: 'A', weight: 0.5 }, { key: 'b', name: 'B', weight: 0.5, redirect: '/landing-b' }],
  });
  await call('POST', `/api/experiments/${LANDING.key}/start`);
  // A draft, shown only through a preview link.
  await call('POST', '/api/experiments', {
    key: 'title-draft', name: 'Title draft', touchpointKey: 'pdp-cta', primaryMetric: 'purchase',
    variants: [{ key: 'control', name: 'A', weight: 0.5 }, { key: 'bold', name: 'B', weight: 0.5, changes: [{ selector: '#title', action: 'html', value: '<b>Preview</b> title' }] }],
  });

  const tag = scriptTagSnippet({ serverUrl: api, sdkKey });
  pages['/product'] = shopPage(tag, PRODUCT_BODY);
  pages['/product-af'] = shopPage(scriptTagSnippet({ serverUrl: api, sdkKey, selectors: ['#buy'], timeoutMs: ANTI_FLICKER_MS }), PRODUCT_BODY);
  // A single-page app: the product view is rendered late, after a client-side route change.
  pages['/spa'] = shopPage(tag, `<main id="app"><a id="go" href="#">Shoes</a></main>
<script>document.getElementById('go').addEventListener('click', function (e) {
  e.preventDefault();
  history.pushState({}, '', '/product/red-shoe');
  setTimeout(function () { document.getElementById('app').innerHTML = '<button id="buy">${ORIGINAL}</button>'; }, 200);
});</script>`);
  pages['/landing'] = shopPage(tag, '<h1>Landing A</h1>');
  pages['/landing-b'] = shopPage(tag, '<h1>Landing B</h1>');
  shop = http.createServer((req, res) => {
    const html = pages[new URL(req.url ?? '/', 'http://x').pathname];
    res.writeHead(html ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(html ?? 'not found');
  });
  await new Promise<void>((resolve) => shop!.listen(0, '127.0.0.1', resolve));
  // Another origin than the API's (localhost vs 127.0.0.1): every SDK request goes through CORS.
  shopUrl = `http://localhost:${(shop.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => shop?.close(resolve));
  if (server) await stopServerProcess(server.child);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('script tag on a static shop page', () => {
  it('repeat visit: the variant\'s text is on screen from the first painted frame, the original never; exposure and purchase reach the results', async () => {
    const unit = unitIn(CTA, 'urgent');
    const context = await samplingContext(unit);
    const items = recordItems(context);
    const page = await context.newPage();
    await page.goto(`${shopUrl}/product`);
    await page.evaluate(() => touchpoint.ready());
    await expect.poll(() => page.textContent('#buy')).toBe(VARIANT_TEXT);

    // Second visit: the configuration is in localStorage, applied while the parser inserts the button.
    await page.reload();
    await page.evaluate(() => touchpoint.ready());
    await expect.poll(async () => (await samplesOf(page)).length).toBeGreaterThan(3);
    const samples = await samplesOf(page);
    expect(samples[0]).toEqual({ text: VARIANT_TEXT, visible: true });
    expect(samples.filter((s) => s.text !== VARIANT_TEXT)).toEqual([]);
    expect(await page.getAttribute('#buy', 'class')).toBe('urgent');

    await page.click('#buy');
    await page.evaluate(() => touchpoint.client.flush());
    await expect.poll(() => items.filter((i) => i.type === 'event' && i.name === 'purchase').length).toBe(1);
    // The first visit's exposure left by beacon as the page unloaded (which the browser does not report
    // as a request of the new page): the results are where it shows, as one unit.
    type Results = { exposures: { units: number }; metrics: Array<{ key: string; variants: Array<{ key: string; units: number; converted: number }> }> };
    await expect
      .poll(async () => {
        const r = await call<Results>('GET', `/api/experiments/${CTA.key}/results?maxAge=0`);
        return { exposed: r.exposures.units, purchase: r.metrics.find((m) => m.key === 'purchase')?.variants.find((v) => v.key === 'urgent') };
      })
      .toMatchObject({ exposed: 1, purchase: { units: 1, converted: 1 } });
    await context.close();
  });

  it('first visit with the anti-flicker snippet: the original text is never painted', async () => {
    const context = await samplingContext(unitIn(CTA, 'urgent'));
    const page = await context.newPage();
    await page.goto(`${shopUrl}/product-af`);
    await page.evaluate(() => touchpoint.ready());
    await expect.poll(async () => (await samplesOf(page)).some((s) => s.visible && s.text === VARIANT_TEXT)).toBe(true);
    const samples = await samplesOf(page);
    expect(samples.filter((s) => s.visible && s.text !== VARIANT_TEXT)).toEqual([]);
    // Released by the script once applied, long before the snippet's own timeout.
    expect(await page.$('#tp-antiflicker')).toBeNull();
    await context.close();
  });

  it('a unit outside the variant sees the original and is exposed as control', async () => {
    const context = await samplingContext(unitIn(CTA, 'control'));
    const items = recordItems(context);
    const page = await context.newPage();
    await page.goto(`${shopUrl}/product-af`);
    await page.evaluate(() => touchpoint.ready());
    await expect.poll(async () => (await samplesOf(page)).some((s) => s.visible)).toBe(true);
    expect((await samplesOf(page)).every((s) => s.text === ORIGINAL)).toBe(true);
    await page.evaluate(() => touchpoint.client.flush());
    await expect.poll(() => items.filter((i) => i.type === 'exposure' && i.experimentKey === CTA.key).length).toBe(1);
    await context.close();
  });

  it('a single-page app: a route change to a matching URL and a late-rendered element get the change and the exposure', async () => {
    const context = await samplingContext(unitIn(CTA, 'urgent'));
    const items = recordItems(context);
    const page = await context.newPage();
    await page.goto(`${shopUrl}/spa`);
    await page.evaluate(() => touchpoint.ready());
    await page.click('#go');
    await page.waitForSelector('#buy');
    await expect.poll(() => page.textContent('#buy')).toBe(VARIANT_TEXT);
    const samples = await samplesOf(page);
    expect(samples.filter((s) => s.text !== VARIANT_TEXT)).toEqual([]);
    await page.evaluate(() => touchpoint.client.flush());
    await expect.poll(() => items.filter((i) => i.type === 'exposure' && i.experimentKey === CTA.key).length).toBe(1);
    await context.close();
  });

  it('a redirect variant lands on its URL with the query string, one exposure sent by beacon, and no loop', async () => {
    const context = await samplingContext(unitIn(LANDING, 'b'));
    const items = recordItems(context);
    const page = await context.newPage();
    await page.goto(`${shopUrl}/landing?utm_source=mail&gclid=abc`);
    await page.waitForURL(`${shopUrl}/landing-b?utm_source=mail&gclid=abc`);
    await page.evaluate(() => touchpoint.ready());
    expect(await page.textContent('h1')).toBe('Landing B');
    await expect.poll(() => items.filter((i) => i.type === 'exposure' && i.experimentKey === LANDING.key).length).toBe(1);
    await expect
      .poll(async () => (await call<{ exposures: { units: number } }>('GET', `/api/experiments/${LANDING.key}/results?maxAge=0`)).exposures.units)
      .toBe(1);
    await page.close({ runBeforeUnload: true });
    expect(items.filter((i) => i.type === 'exposure' && i.experimentKey === LANDING.key)).toHaveLength(1);
    await context.close();
  });

  it('a shipped winner (rollout form) shows its changes to every unit, a control unit too, and logs no exposure', async () => {
    await call('POST', '/api/experiments', {
      key: 'title-shipped', name: 'Title shipped', touchpointKey: 'pdp-cta', primaryMetric: 'purchase',
      variants: [{ key: 'control', name: 'A', weight: 0.5 }, { key: 'bold', name: 'B', weight: 0.5, changes: [{ selector: '#title', action: 'text', value: 'Shipped title' }] }],
    });
    await call('POST', '/api/experiments/title-shipped/start');
    await call('POST', '/api/experiments/title-shipped/stop', { winner: 'bold', note: 'won', ship: true });
    const context = await samplingContext(unitIn(CTA, 'control'));
    const items = recordItems(context);
    const page = await context.newPage();
    await page.goto(`${shopUrl}/product`);
    await page.evaluate(() => touchpoint.ready());
    await expect.poll(() => page.textContent('#title')).toBe('Shipped title');
    await page.evaluate(() => touchpoint.client.flush());
    expect(items.filter((i) => i.experimentKey === 'title-shipped')).toEqual([]);
    await context.close();
  });

  it('a preview link shows its variant (of a draft) and sends nothing at all', async () => {
    const link = await call<{ url: string }>('POST', '/api/experiments/title-draft/preview-links', { variantKey: 'bold', url: `${shopUrl}/product` });
    const context = await samplingContext(unitIn(CTA, 'urgent'));
    const items = recordItems(context);
    const page = await context.newPage();
    await page.goto(link.url);
    await page.evaluate(() => touchpoint.ready());
    await expect.poll(() => page.innerHTML('#title')).toBe('<b>Preview</b> title');
    // Running experiments still show, unlogged: the page is what the previewer's visitors would see.
    expect(await page.textContent('#buy')).toBe(VARIANT_TEXT);
    await page.click('#buy');
    await page.evaluate(() => touchpoint.client.flush());
    await page.close({ runBeforeUnload: true });
    expect(items).toEqual([]);
    await context.close();
  });
});

declare global {
  // The script tag's global, as the page sees it.
  const touchpoint: import('../src/script-tag/index.js').TouchpointGlobal;
}
