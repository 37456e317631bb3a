/**
 * `npm run bench:script -w client-sdk`: the script tag's cost, with its baselines in the same run.
 *
 * - Size of GET /sdk/touchpoint.js as served by the real server process (raw and gzip).
 * - In headless Chromium, on a static shop page served locally, time from DOMContentLoaded to the
 *   moment the CTA shows the variant's text (a MutationObserver from an init script). (Whether the
 *   original is ever painted is the end-to-end test's question, e2e/script-tag.e2e.test.ts: headless
 *   Chromium's frame timing on a loaded machine makes it a poor benchmark figure.)
 *     none          the page without any script (DOMContentLoaded only: the page's own cost)
 *     inline        a hard-coded inline change run at DOMContentLoaded (what a developer would write)
 *     first visit   the script tag, nothing cached: the change waits for /sdk/config
 *     repeat visit  the script tag with the cached config: applied while parsing, before DOMContentLoaded
 * Negative figures mean "before DOMContentLoaded". Median and 90th percentile of RUNS page loads each.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { assignVariant } from '../src/assign.js';
import { scriptTagSnippet } from '../src/script-tag/snippet.js';
import { startServerProcess, stopServerProcess } from '../../server/src/test/server-process.js';

const RUNS = Number(process.env.RUNS ?? 15);
const ADMIN_KEY = `tp_admin_${randomBytes(24).toString('base64url')}`;
const VARIANT_TEXT = 'Buy now, ships today';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tp-script-bench-'));
const server = await startServerProcess({ DATA_DIR: dataDir, ADMIN_KEY });
const api = server.url.replace(/\/+$/, '');
const call = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
  const res = await fetch(`${api}${route}`, { method, headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' }, ...(body !== undefined && { body: JSON.stringify(body) }) });
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
};

try {
  const sdkKey = (await call<{ secret: string }>('POST', '/api/keys', { kind: 'sdk', name: 'bench' })).secret;
  await call('POST', '/api/metrics', { key: 'purchase', name: 'Purchase', type: 'conversion', eventName: 'purchase' });
  await call('POST', '/api/touchpoints', { key: 'pdp-cta', name: 'CTA', kind: 'cta', funnelStage: 'decision', urlPattern: '/p/*' });
  await call('POST', '/api/experiments', {
    key: 'cta', name: 'CTA', touchpointKey: 'pdp-cta', primaryMetric: 'purchase',
    variants: [{ key: 'control', name: 'A', weight: 0.5 }, { key: 'urgent', name: 'B', weight: 0.5, changes: [{ selector: '#buy', action: 'text', value: VARIANT_TEXT }] }],
  });
  await call('POST', '/api/experiments/cta/start');
  const experiment = { key: 'cta', salt: 'cta', coverage: 1, variants: [{ key: 'control', weight: 0.5 }, { key: 'urgent', weight: 0.5 }] };
  let unit = 0;
  while (assignVariant(experiment, `bench-${unit}`)?.variantKey !== 'urgent') unit++;

  const raw = await (await fetch(`${api}/sdk/touchpoint.js`)).text();

  // A product page of a realistic size: a few hundred elements around the CTA.
  const filler = Array.from({ length: 300 }, (_, i) => `<li class="item">Product ${i} <span>€${(i % 90) + 10}</span></li>`).join('');
  const body = `<h1>Red running shoe</h1><button id="buy">Buy now</button><ul>${filler}</ul>`;
  const page = (head: string) => `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title>${head}</head><body>${body}</body></html>`;
  const pages: Record<string, string> = {
    '/p/none': page(''),
    '/p/inline': page(`<script>document.addEventListener('DOMContentLoaded', function () { document.getElementById('buy').textContent = ${JSON.stringify(VARIANT_TEXT)}; });</script>`),
    '/p/script': page(scriptTagSnippet({ serverUrl: api, sdkKey })),
  };
  const shop = http.createServer((req, res) => {
    const html = pages[new URL(req.url ?? '/', 'http://x').pathname];
    res.writeHead(html ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(html ?? '');
  });
  await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
  const shopUrl = `http://localhost:${(shop.address() as AddressInfo).port}`;

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  type Sample = { dcl: number; applied: number | null };
  async function load(context: import('playwright-core').BrowserContext, route: string): Promise<Sample> {
    const tab = await context.newPage();
    await tab.goto(`${shopUrl}${route}`, { waitUntil: 'load' });
    if (!route.endsWith('none')) await tab.waitForFunction((text) => document.getElementById('buy')?.textContent === text, VARIANT_TEXT, { timeout: 10_000 });
    const sample = await tab.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      return { dcl: nav.domContentLoadedEventStart, applied: (window as unknown as { appliedAt?: number }).appliedAt ?? null };
    });
    await tab.close();
    return sample;
  }
  async function contextFor(): Promise<import('playwright-core').BrowserContext> {
    const context = await browser.newContext();
    await context.addInitScript(([id, text]) => {
      if (!localStorage.getItem('tp.anon')) localStorage.setItem('tp.anon', JSON.stringify(id));
      new MutationObserver((_, observer) => {
        if (document.getElementById('buy')?.textContent === text) {
          (window as unknown as { appliedAt?: number }).appliedAt = performance.now();
          observer.disconnect();
        }
      }).observe(document, { childList: true, subtree: true, characterData: true });
    }, [`bench-${unit}`, VARIANT_TEXT] as const);
    return context;
  }

  const results: Record<string, Sample[]> = { none: [], inline: [], 'first visit': [], 'repeat visit': [] };
  for (let i = 0; i < RUNS; i++) {
    const context = await contextFor();
    results.none!.push(await load(context, '/p/none'));
    results.inline!.push(await load(context, '/p/inline'));
    results['first visit']!.push(await load(context, '/p/script')); // fresh storage: fetches the config
    results['repeat visit']!.push(await load(context, '/p/script')); // the config is now cached
    await context.close();
  }
  await browser.close();
  shop.close();

  const quantile = (xs: number[], q: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))]! : NaN;
  };
  const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : '—');
  console.log(`\nscript tag (GET /sdk/touchpoint.js): ${raw.length} bytes minified, ${gzipSync(raw, { level: 9 }).length} bytes gzipped (the server sends it gzipped at level 9); budget 12288 gzipped\n`);
  console.log(`page loads: ${RUNS} per row; times from navigation start (DCL) and from DOMContentLoaded to "variant text on the CTA" (negative: before DCL)`);
  console.log('row            | DCL median | DCL→applied median | p90');
  for (const [name, samples] of Object.entries(results)) {
    const deltas = samples.filter((s) => s.applied !== null).map((s) => s.applied! - s.dcl);
    console.log(
      `${name.padEnd(14)} | ${ms(quantile(samples.map((s) => s.dcl), 0.5)).padStart(10)} | ${(name === 'none' ? '—' : ms(quantile(deltas, 0.5))).padStart(18)} | ${(name === 'none' ? '—' : ms(quantile(deltas, 0.9))).padStart(9)}`,
    );
  }
} finally {
  await stopServerProcess(server.child);
  rmSync(dataDir, { recursive: true, force: true });
}
