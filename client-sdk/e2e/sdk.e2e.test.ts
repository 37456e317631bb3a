// @vitest-environment node
/**
 * The browser SDK end to end in a real headless Chromium (Debian's `chromium` package, driven by
 * playwright-core; no browser is ever downloaded), against the real server.
 *
 * - The SDK is built as published (`scripts/build.mjs` → dist/) and loaded by the page as ESM; its one
 *   bare import, murmurhash3js, is mapped with an import map, as a host bundler would resolve it.
 * - The server is the real app (`createApp`) on an in-memory PGlite database, listening on 127.0.0.1.
 * - Test pages come from two small node:http servers on other ports: the origin allowed on the SDK key,
 *   and one that is not. Both are cross-origin to the API, so every SDK request goes through CORS.
 * - A transparent proxy in front of the API records what reaches it (method, query, content type,
 *   origin, status, item ids) and can answer 503 for a while (the API "down").
 *
 * Every wait is on a condition (the database, the proxy's record, the page's state), never on time.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { serve } from '@hono/node-server';
import { build } from 'esbuild';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Core from '@touchpoint/client-sdk';
import type { Attributes, Client, SdkConfig, SdkError, SdkExperiment } from '@touchpoint/client-sdk';
import type { createClient } from '@touchpoint/client-sdk/client';
import type { httpTracking } from '@touchpoint/client-sdk/tracking';
import { createApp } from '../../server/src/app.js';
import { withResponseValidation } from '../../server/src/test/openapi-validator.js';
import { type DatabaseHandle, connect } from '../../server/src/db/connect.js';
import { migrateToLatest } from '../../server/src/db/migrate.js';
import { createLogger } from '../../server/src/http/logger.js';
import { createKey } from '../../server/src/keys/repository.js';
import vectors from '../test/vectors.json';

declare global {
  interface Window {
    tp: Client;
    tpReady: Promise<void>;
    tpErrors: SdkError[];
    /** On /sdk.html: the built bundle's exports. */
    tpSdk: typeof Core & { createClient: typeof createClient; httpTracking: typeof httpTracking };
  }
}

interface AssignVector {
  experiment: SdkExperiment;
  unitId: string;
  attributes?: Attributes;
  expected: { variantIndex: number; variantKey: string } | null;
}

/** One request as it reached the API through the proxy. */
interface Hop {
  method: string;
  path: string;
  sdkKeyParam: string | null;
  contentType: string;
  authorization: boolean;
  origin: string;
  status: number;
  ids: string[];
}

const CHROMIUM = '/usr/bin/chromium';
const sdkDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const distDir = path.join(sdkDir, 'dist');
const SYSTEM = { keyId: null, requestId: 'sdk-e2e' };
/** The experiment the tracking pages use: 50/50, no targeting, full coverage (a vector experiment). */
const TRACKED = 'cta-color';

let browser: Browser | undefined;
let handle: DatabaseHandle | undefined;
let apiServer: ReturnType<typeof serve> | undefined;
const httpServers: http.Server[] = [];
let apiUrl = '';
let proxyUrl = '';
let allowedOrigin = '';
let otherOrigin = '';
let adminKey = '';
let sdkKey = '';
let vendorMurmur = '';
/** Departures from the OpenAPI document in the server's answers (withResponseValidation). */
const violations: string[] = [];
const hops: Hop[] = [];
let apiDown = false;

// ---------------------------------------------------------------------------------------------
// Servers: pages, proxy

const html = (body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Touchpoint SDK e2e</title>
<script type="importmap">{ "imports": { "murmurhash3js": "/vendor/murmurhash3js.js" } }</script>
</head><body>${body}</body></html>`;

/** Exposes the built bundle's exports to the test (page.evaluate cannot import modules itself). */
const SDK = `<script type="module">
  import * as core from '/sdk/index.js';
  import { createClient } from '/sdk/client.js';
  import { httpTracking } from '/sdk/tracking/index.js';
  window.tpSdk = { ...core, createClient, httpTracking };
</script>`;

/**
 * The shop page: creates the client as the README shows, with the API URL and SDK key from the query
 * string, `/sdk/config` fetched by the client or (`bootstrap`) embedded by the page server, as in SSR.
 */
const APP = `<button id="buy">Buy now</button>
<script type="module">
  import { createClient } from '/sdk/client.js';
  import { httpTracking } from '/sdk/tracking/index.js';
  const q = new URLSearchParams(location.search);
  const n = (name, fallback) => (q.has(name) ? Number(q.get(name)) : fallback);
  const bootstrap = document.getElementById('tp-bootstrap');
  window.tpErrors = [];
  window.tp = createClient({
    apiUrl: q.get('api'),
    sdkKey: q.get('key'),
    attributes: { country: 'FR', device: 'desktop' },
    ...(bootstrap ? { bootstrap: JSON.parse(bootstrap.textContent) } : {}),
    tracking: httpTracking({ flushInterval: n('flush', 2000), retryDelay: n('retry', 1000), maxRetryDelay: n('maxRetry', 60000) }),
    onError: (error) => window.tpErrors.push(error),
  });
  window.tpReady = window.tp.ready();
</script>`;

function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer) {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

/** Serves the test pages, the built SDK (dist/) under /sdk/ and murmurhash3js as ESM under /vendor/. */
const pageServer: http.RequestListener = (req, res) => {
  const url = new URL(req.url ?? '/', 'http://pages');
  if (url.pathname.startsWith('/sdk/')) {
    const file = path.join(distDir, path.normalize(url.pathname.slice('/sdk/'.length)));
    if (!file.startsWith(distDir + path.sep) || !existsSync(file)) return send(res, 404, 'text/plain', 'not found');
    return send(res, 200, file.endsWith('.js') ? 'text/javascript' : 'application/json', readFileSync(file));
  }
  if (url.pathname === '/vendor/murmurhash3js.js') return send(res, 200, 'text/javascript', vendorMurmur);
  if (url.pathname === '/blank.html') return send(res, 200, 'text/html; charset=utf-8', html(''));
  if (url.pathname === '/sdk.html') return send(res, 200, 'text/html; charset=utf-8', html(SDK));
  if (url.pathname === '/app.html') {
    if (!url.searchParams.has('bootstrap')) return send(res, 200, 'text/html; charset=utf-8', html(APP));
    // Server-side: the page embeds the /sdk/config body, read straight from the API.
    fetch(`${apiUrl}/sdk/config`, { headers: { Authorization: `Bearer ${url.searchParams.get('key')}` } })
      .then((r) => r.text())
      .then((config) => {
        const embedded = `<script type="application/json" id="tp-bootstrap">${config.replace(/</g, '\\u003c')}</script>`;
        send(res, 200, 'text/html; charset=utf-8', html(embedded + APP));
      })
      .catch((error: unknown) => send(res, 500, 'text/plain', String(error)));
    return;
  }
  send(res, 404, 'text/plain', 'not found');
};

const itemIds = (body: Buffer): string[] => {
  try {
    return (JSON.parse(body.toString('utf8')) as { items: Array<{ id: string }> }).items.map((i) => i.id);
  } catch {
    return [];
  }
};

/** Forwards everything to the API unchanged and records it; while `apiDown`, answers 503 (CORS preflights still pass). */
const proxy: http.RequestListener = (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://proxy');
    const hop: Hop = {
      method: req.method ?? '',
      path: url.pathname,
      sdkKeyParam: url.searchParams.get('sdkKey'),
      contentType: req.headers['content-type'] ?? '',
      authorization: req.headers.authorization !== undefined,
      origin: req.headers.origin ?? '',
      status: 0,
      ids: itemIds(body),
    };
    const answered = (status: number) => {
      hop.status = status;
      hops.push(hop);
    };
    if (apiDown && req.method !== 'OPTIONS') {
      answered(503);
      res.writeHead(503, { 'Content-Type': 'text/plain', ...(req.headers.origin && { 'Access-Control-Allow-Origin': req.headers.origin }) });
      res.end('API down');
      return;
    }
    const upstream = http.request(`${apiUrl}${req.url}`, { method: req.method, headers: { ...req.headers, host: new URL(apiUrl).host } }, (answer) => {
      answered(answer.statusCode ?? 502); // recorded before the browser can see the answer
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      answered(502);
      res.writeHead(502).end();
    });
    upstream.end(body);
  });
};

async function listen(listener: http.RequestListener): Promise<string> {
  const server = http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  httpServers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

// ---------------------------------------------------------------------------------------------
// Helpers

async function api<T>(method: string, route: string, body?: unknown, key = adminKey): Promise<T> {
  const res = await fetch(`${apiUrl}${route}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A fresh browser context (its own localStorage) and page; page errors fail the test at the end. */
async function newPage(): Promise<Page & { problems: string[] }> {
  const context = await browser!.newContext();
  const page = (await context.newPage()) as Page & { problems: string[] };
  page.setDefaultTimeout(15_000);
  page.problems = [];
  page.on('pageerror', (error) => page.problems.push(String(error)));
  return page;
}

/** The shop page on `origin`, talking to `api`; resolves once the client exists and is ready. */
async function openApp(page: Page, origin: string, api: string, params: Record<string, string | number> = {}) {
  const query = new URLSearchParams({ api, key: sdkKey, ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) });
  await page.goto(`${origin}/app.html?${query}`);
  await page.waitForFunction(() => window.tp !== undefined);
  await page.evaluate(() => window.tpReady);
}

/** Ids of the items waiting in the page's persisted queue (localStorage `tp.queue`). */
const queuedIds = (page: Page) =>
  page.evaluate(() => (JSON.parse(localStorage.getItem('tp.queue') ?? '[]') as Array<{ id: string }>).map((i) => i.id));

/** What the database holds for a unit: its exposures (with the variant key) and its events. */
async function stored(unitId: string) {
  const db = handle!.db;
  const exposures = await db
    .selectFrom('exposures')
    .innerJoin('experiments', 'experiments.id', 'exposures.experiment_id')
    .innerJoin('variants', (join) => join.onRef('variants.experiment_id', '=', 'exposures.experiment_id').onRef('variants.position', '=', 'exposures.variant_index'))
    .select(['experiments.key as experimentKey', 'variants.key as variantKey', 'exposures.first_item_id as itemId'])
    .where('exposures.unit_id', '=', unitId)
    .execute();
  const events = await db.selectFrom('events').select(['event_id as itemId', 'name', 'value']).where('unit_id', '=', unitId).orderBy('id').execute();
  return { exposures, events };
}

/** The distinct experiments of the assignment vectors (one definition per key). */
const experimentsOf = (assign: AssignVector[]): SdkExperiment[] => [...new Map(assign.map((v) => [v.experiment.key, v.experiment])).values()];

const eventsHops = (ids: string[]) => hops.filter((h) => h.method === 'POST' && h.path === '/sdk/events' && h.ids.some((id) => ids.includes(id)));
const poll = { timeout: 15_000, interval: 50 };

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the SDK end-to-end test needs Debian's chromium package. ` +
        'Install it with `apt-get install -y chromium` (.ci/run does this); never download a browser.',
    );
  }
  const [, vendor, db, launched] = await Promise.all([
    // The SDK as published: `npm run build -w client-sdk`.
    promisify(execFile)(process.execPath, [path.join(sdkDir, 'scripts/build.mjs')], { cwd: sdkDir }),
    // murmurhash3js is CommonJS and external to the SDK build: an ESM wrapper, as a host bundler makes.
    build({ stdin: { contents: "export { default } from 'murmurhash3js';", resolveDir: sdkDir }, bundle: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent' }),
    connect({ dataDir: 'memory://' }).then(async (h) => (await migrateToLatest(h.db), h)),
    chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 30_000,
    }),
  ]);
  vendorMurmur = vendor.outputFiles[0]!.text;
  handle = db;
  browser = launched;

  adminKey = (await createKey(handle.db, SYSTEM, { kind: 'admin', name: 'SDK e2e admin' })).secret;
  // Every answer the browser gets is checked against the OpenAPI document (asserted after the tests).
  const app = withResponseValidation(createApp({ db: handle.db, logger: createLogger('error'), now: () => new Date(), maxBodyBytes: 1024 * 1024 }), {
    onViolation: (message) => violations.push(message),
  });
  apiServer = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  apiUrl = `http://127.0.0.1:${(apiServer.address() as AddressInfo).port}`;
  proxyUrl = await listen(proxy);
  allowedOrigin = await listen(pageServer);
  otherOrigin = await listen(pageServer);
  sdkKey = (await createKey(handle.db, SYSTEM, { kind: 'sdk', name: 'SDK e2e', allowedOrigins: [allowedOrigin] })).secret;

  // Every experiment of the contract vectors, created and started through the admin API: the server
  // then serves them in /sdk/config and assigns them in /sdk/assign.
  await api('POST', '/api/touchpoints', { key: 'checkout', name: 'Checkout', kind: 'cta', funnelStage: 'purchase' });
  await api('POST', '/api/metrics', { key: 'purchase', name: 'Purchase', type: 'conversion', eventName: 'purchase' });
  for (const e of experimentsOf(vectors.assign as AssignVector[])) {
    await api('POST', '/api/experiments', {
      key: e.key,
      name: e.key,
      touchpointKey: 'checkout',
      primaryMetric: 'purchase',
      variants: e.variants!.map((v) => ({ key: v.key, name: v.key, weight: v.weight, payload: v.payload })),
      ...(e.salt !== undefined && { salt: e.salt }),
      coverage: e.coverage ?? 1,
      namespace: e.namespace ?? null,
      targeting: e.targeting ?? null,
    });
    await api('POST', `/api/experiments/${e.key}/start`);
  }
}, 120_000);

afterAll(() => {
  expect(violations, 'API answers that do not match the OpenAPI document').toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  for (const server of httpServers) server.closeAllConnections();
  await Promise.all(httpServers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  await new Promise<void>((resolve) => (apiServer ? apiServer.close(() => resolve()) : resolve()));
  await handle?.close();
});

describe('client SDK in headless Chromium against the real server', () => {
  it('assigns in the browser exactly as the contract vectors and as POST /sdk/assign', async () => {
    const page = await newPage();
    await page.goto(`${allowedOrigin}/sdk.html`);
    await page.waitForFunction(() => window.tpSdk !== undefined);
    const assignVectors = vectors.assign as AssignVector[];

    // 1. The bundle's pure functions on every vector (hash, bucket, assignment, targeting).
    type Vectors = {
      hash: { input: string; hash: number }[];
      bucket: { input: string; bucket: number }[];
      assign: AssignVector[];
      targeting: { condition: Core.Condition; attributes: Attributes; expected: boolean }[];
    };
    const mismatches = await page.evaluate((json) => {
      const vectors = JSON.parse(json) as Vectors;
      const sdk = window.tpSdk;
      const out: string[] = [];
      const noWarn = () => {};
      vectors.hash.forEach((v, i) => sdk.hash(v.input) !== v.hash && out.push(`hash[${i}]`));
      vectors.bucket.forEach((v, i) => sdk.bucket(v.input) !== v.bucket && out.push(`bucket[${i}]`));
      vectors.assign.forEach((v, i) => {
        const a = sdk.assignVariant(v.experiment, v.unitId, v.attributes, noWarn);
        const got = a && { variantIndex: a.variantIndex, variantKey: a.variantKey };
        if (JSON.stringify(got) !== JSON.stringify(v.expected)) out.push(`assign[${i}]: ${JSON.stringify(got)}`);
      });
      vectors.targeting.forEach((v, i) => sdk.evaluateCondition(v.condition, v.attributes, noWarn) !== v.expected && out.push(`targeting[${i}]`));
      return out;
    }, JSON.stringify(vectors));
    expect(mismatches).toEqual([]);

    // 2. The browser client on the server's own /sdk/config (fetched cross-origin with the SDK key)
    //    against POST /sdk/assign, for the vector inputs and for 200 more units with varied attributes.
    const inputs = [
      ...assignVectors.filter((v) => v.unitId !== '').map((v) => ({ unitId: v.unitId, attributes: v.attributes ?? {} })),
      ...Array.from({ length: 200 }, (_, i) => ({
        unitId: i % 10 === 0 ? `visitor-${i}-${[...'é日👩‍👩‍👧'].slice(0, (i % 4) + 1).join('')}` : `visitor-${i}`,
        attributes: { country: ['FR', 'BE', 'DE'][i % 3]!, appVersion: ['2.0.9', '2.1.0', '10.0.0-rc.1'][i % 3]! },
      })),
    ];
    const browserSide = await page.evaluate(async ({ apiUrl, sdkKey, inputs }) => {
      const { createClient } = window.tpSdk;
      const res = await fetch(`${apiUrl}/sdk/config`, { headers: { Authorization: `Bearer ${sdkKey}` } });
      const config = (await res.json()) as SdkConfig;
      return inputs.map(({ unitId, attributes }) => {
        const client = createClient({ bootstrap: config, unitId, attributes, storage: null, refreshInterval: 0, overrideParam: false, onWarning: () => {} });
        const variants: Record<string, string | null> = {};
        for (const e of config.experiments) {
          const v = client.getVariant(e.key, { expose: false });
          variants[e.key] = v.inExperiment ? v.variantKey : null;
        }
        return variants;
      });
    }, { apiUrl, sdkKey, inputs });

    const serverSide: Record<string, string | null>[] = [];
    for (let i = 0; i < inputs.length; i += 25) {
      serverSide.push(
        ...(await Promise.all(
          inputs.slice(i, i + 25).map(async (input) => {
            const { assignments } = await api<{ assignments: { experimentKey: string; inExperiment: boolean; variantKey?: string }[] }>('POST', '/sdk/assign', input, sdkKey);
            return Object.fromEntries(assignments.map((a) => [a.experimentKey, a.inExperiment ? a.variantKey! : null]));
          }),
        )),
      );
    }
    expect(Object.keys(browserSide[0]!).sort()).toEqual(experimentsOf(assignVectors).map((e) => e.key).sort());
    expect(browserSide).toEqual(serverSide);

    // The vectors' expected values, through the server's config and the server's assignment.
    assignVectors
      .filter((v) => v.unitId !== '')
      .forEach((v, i) => expect(serverSide[i]![v.experiment.key], `${v.experiment.key} / ${v.unitId}`).toBe(v.expected?.variantKey ?? null));
    // Not vacuous: every variant of every experiment, and "not in the experiment", occur somewhere.
    const outcomes = new Set(browserSide.flatMap((r) => Object.entries(r).map(([k, v]) => `${k}:${v}`)));
    for (const e of experimentsOf(assignVectors)) {
      for (const variant of e.variants!) if (e.coverage !== 0) expect(outcomes).toContain(`${e.key}:${variant.key}`);
    }
    expect(outcomes).toContain('cart-upsell-0:null');
    expect(outcomes).toContain('fr-be-checkout:null');
    expect(page.problems).toEqual([]);
    await page.context().close();
  });

  it('tracks an exposure and a conversion from an allowed origin: each stored exactly once, with the right variant', async () => {
    const page = await newPage();
    const answers: Promise<{ accepted: number; duplicates: number }>[] = [];
    page.on('response', (response) => {
      if (response.url().startsWith(`${apiUrl}/sdk/events`) && response.request().method() === 'POST') answers.push(response.json());
    });
    await openApp(page, allowedOrigin, apiUrl, { flush: 50 });
    const shown = await page.evaluate(() => {
      const v = window.tp.getVariant('cta-color');
      window.tp.getVariant('cta-color'); // a second read of the same variant logs nothing more
      window.tp.track('purchase', { value: 42.5 });
      return { ...v, unitId: window.tp.getUnitId() };
    });
    expect(shown).toMatchObject({ reason: 'assigned', inExperiment: true });

    await expect.poll(() => stored(shown.unitId), poll).toEqual({
      exposures: [{ experimentKey: TRACKED, variantKey: shown.variantKey, itemId: expect.any(String) }],
      events: [{ itemId: expect.any(String), name: 'purchase', value: 42.5 }],
    });
    // On the wire: both items accepted once, none sent twice; nothing left in the page's queue.
    await expect.poll(async () => (await Promise.all(answers)).reduce((sum, a) => sum + a.accepted, 0), poll).toBe(2);
    expect((await Promise.all(answers)).reduce((sum, a) => sum + a.duplicates, 0)).toBe(0);
    // The proxy sees the answer before the page has handled it: wait for the queue to empty.
    await expect.poll(() => queuedIds(page), poll).toEqual([]);

    // The next page load shows the same variant and logs no second exposure.
    await page.reload();
    await page.waitForFunction(() => window.tp !== undefined);
    const again = await page.evaluate(() => {
      const v = window.tp.getVariant('cta-color');
      return { variantKey: v.variantKey, unitId: window.tp.getUnitId(), queue: localStorage.getItem('tp.queue') };
    });
    expect(again).toEqual({ variantKey: shown.variantKey, unitId: shown.unitId, queue: null });
    expect(await page.evaluate(() => window.tpErrors)).toEqual([]);
    expect(page.problems).toEqual([]);
    await page.context().close();
  });

  it('sends what is still queued with sendBeacon (text/plain, ?sdkKey=) when the page goes away', async () => {
    for (const leave of ['navigate', 'close'] as const) {
      const page = await newPage();
      await openApp(page, allowedOrigin, proxyUrl, { flush: 600_000 }); // nothing leaves before the page does
      const unitId = await page.evaluate(() => {
        window.tp.getVariant('cta-color');
        window.tp.track('add_to_cart', { value: 3 });
        return window.tp.getUnitId();
      });
      const ids = await queuedIds(page);
      expect(ids, leave).toHaveLength(2);
      expect(eventsHops(ids)).toEqual([]);

      if (leave === 'navigate') {
        await page.goto(`${allowedOrigin}/blank.html`);
        expect(await queuedIds(page), 'handed to the beacon, so no longer queued').toEqual([]);
        await page.context().close();
      } else {
        await page.context().close();
      }

      await expect.poll(() => stored(unitId), poll).toEqual({
        exposures: [{ experimentKey: TRACKED, variantKey: expect.any(String), itemId: ids[0] }],
        events: [{ itemId: ids[1], name: 'add_to_cart', value: 3 }],
      });
      await expect.poll(() => eventsHops(ids).length, poll).toBe(1);
      expect(eventsHops(ids), leave).toEqual([
        { method: 'POST', path: '/sdk/events', sdkKeyParam: sdkKey, contentType: expect.stringMatching(/^text\/plain/), authorization: false, origin: allowedOrigin, status: 202, ids },
      ]);
    }
  });

  it('keeps items queued while the API answers 503 across a reload (localStorage) and delivers them once after', async () => {
    apiDown = true;
    try {
      const page = await newPage();
      // Bootstrap embedded by the page server: the page works although the API is down.
      const params = { bootstrap: 1, flush: 50, retry: 100, maxRetry: 400 };
      await openApp(page, allowedOrigin, proxyUrl, params);
      const unitId = await page.evaluate(() => {
        window.tp.getVariant('cta-color');
        window.tp.track('purchase', { value: 10 });
        return window.tp.getUnitId();
      });
      const ids = await queuedIds(page);
      expect(ids).toHaveLength(2);
      await expect.poll(() => eventsHops(ids).filter((h) => h.status === 503 && h.authorization).length, poll).toBeGreaterThanOrEqual(1);
      await expect.poll(() => page.evaluate(() => window.tpErrors.some((e) => e.type === 'send')), poll).toBe(true);

      await page.reload(); // the page-hide beacon meets the 503 as well
      await page.waitForFunction(() => window.tp !== undefined);
      const after = await page.evaluate(() => {
        window.tp.getVariant('cta-color'); // already exposed: nothing new is queued
        return { unitId: window.tp.getUnitId(), queue: (JSON.parse(localStorage.getItem('tp.queue') ?? '[]') as Array<{ id: string }>).map((i) => i.id) };
      });
      expect(after).toEqual({ unitId, queue: ids });
      await expect.poll(() => eventsHops(ids).filter((h) => h.status === 503).length, poll).toBeGreaterThanOrEqual(3);
      expect(await stored(unitId)).toEqual({ exposures: [], events: [] });

      apiDown = false;
      await expect.poll(() => stored(unitId), poll).toEqual({
        exposures: [{ experimentKey: TRACKED, variantKey: expect.any(String), itemId: ids[0] }],
        events: [{ itemId: ids[1], name: 'purchase', value: 10 }],
      });
      await expect.poll(() => queuedIds(page), poll).toEqual([]);
      // Accepted exactly once each (the 503s before do not count).
      expect(eventsHops(ids).filter((h) => h.status === 202).flatMap((h) => h.ids).sort()).toEqual([...ids].sort());
      expect(page.problems).toEqual([]);
      await page.context().close();
    } finally {
      apiDown = false;
    }
  });

  it('CORS: requests from the allowed origin succeed, the browser blocks the answers for another origin', async () => {
    const configFrom = async (origin: string) => {
      const page = await newPage();
      await page.goto(`${origin}/blank.html`);
      const outcome = await page.evaluate(async ({ proxyUrl, sdkKey }) => {
        try {
          const res = await fetch(`${proxyUrl}/sdk/config`, { headers: { Authorization: `Bearer ${sdkKey}` } });
          return `HTTP ${res.status}`;
        } catch (error) {
          return (error as Error).name;
        }
      }, { proxyUrl, sdkKey });
      await page.context().close();
      return outcome;
    };
    expect(await configFrom(allowedOrigin)).toBe('HTTP 200');
    // The request reaches the server, which refuses it (403 without Access-Control-Allow-Origin); the
    // page cannot even read that answer.
    expect(await configFrom(otherOrigin)).toBe('TypeError');
    expect(hops.filter((h) => h.path === '/sdk/config' && h.method === 'GET' && h.origin === otherOrigin).map((h) => h.status)).toEqual([403]);

    // The shop page on the other origin: its fetches are blocked and its beacon refused; nothing is stored.
    const page = await newPage();
    await openApp(page, otherOrigin, proxyUrl, { bootstrap: 1, flush: 50, retry: 100, maxRetry: 400 });
    const unitId = await page.evaluate(() => {
      window.tp.getVariant('cta-color');
      window.tp.track('purchase', { value: 1 });
      return window.tp.getUnitId();
    });
    const ids = await queuedIds(page);
    expect(ids).toHaveLength(2);
    await expect.poll(() => page.evaluate(() => window.tpErrors.some((e) => e.type === 'send' && /fetch/i.test(e.message))), poll).toBe(true);
    expect(eventsHops(ids).map((h) => h.status)).toContain(403);
    await page.goto(`${otherOrigin}/blank.html`);
    await expect.poll(() => eventsHops(ids).some((h) => h.sdkKeyParam === sdkKey), poll).toBe(true);
    expect(eventsHops(ids).map((h) => ({ origin: h.origin, status: h.status }))).toEqual(eventsHops(ids).map(() => ({ origin: otherOrigin, status: 403 })));
    expect(await stored(unitId)).toEqual({ exposures: [], events: [] });
    expect(page.problems).toEqual([]);
    await page.context().close();
  });

  it('a winner shipped with stop { ship: true } is served to 1,000 random units by /sdk/assign and the built SDK, with no exposure; rollout/end stops it', async () => {
    const key = 'shipped-cta';
    await api('POST', '/api/experiments', {
      key, name: 'Shipped CTA', touchpointKey: 'checkout', primaryMetric: 'purchase',
      variants: [{ key: 'control', name: 'Buy', weight: 0.5, payload: { label: 'Buy' } }, { key: 'urgent', name: 'Buy now', weight: 0.5, payload: { label: 'Buy now' } }],
    });
    await api('POST', `/api/experiments/${key}/start`);
    await api('POST', `/api/experiments/${key}/stop`, { winner: 'urgent', note: 'e2e', ship: true });
    const units = Array.from({ length: 1000 }, () => randomUUID());
    const expected = 'urgent|rollout|false|{"label":"Buy now"}';

    // POST /sdk/assign, asking it to log exposures: every unit gets the winner, nothing is logged.
    type Answer = { assignments: Array<{ variantKey?: string; reason: string; inExperiment: boolean; payload?: unknown }>; exposures: { logged: number } };
    const served: string[] = [];
    let logged = 0;
    for (let i = 0; i < units.length; i += 50) {
      const answers = await Promise.all(units.slice(i, i + 50).map((unitId) => api<Answer>('POST', '/sdk/assign', { unitId, experiments: [key], logExposures: true }, sdkKey)));
      for (const { assignments: [a], exposures } of answers) {
        served.push(`${a!.variantKey}|${a!.reason}|${a!.inExperiment}|${JSON.stringify(a!.payload)}`);
        logged += exposures.logged;
      }
    }
    expect(new Set(served)).toEqual(new Set([expected]));
    expect(logged).toBe(0);

    // The built SDK in the browser, with tracking through the recording proxy: same answer, nothing sent.
    const page = await newPage();
    await page.goto(`${allowedOrigin}/sdk.html`);
    await page.waitForFunction(() => window.tpSdk !== undefined);
    const inBrowser = await page.evaluate(async ({ api, sdkKey, key, units }) => {
      const { createClient, httpTracking } = window.tpSdk;
      // Every request these clients make goes through this fetch: exposures would be POSTs to /sdk/events.
      let sent = 0;
      const counting: typeof fetch = (url, init) => {
        if (String(url).includes('/sdk/events')) sent++;
        return fetch(url, init);
      };
      const common = { apiUrl: api, sdkKey, storage: null, refreshInterval: 0, overrideParam: false as const, fetch: counting };
      const loader = createClient(common);
      await loader.ready();
      const outcomes = await Promise.all(units.map(async (unitId) => {
        const client = createClient({ ...common, bootstrap: loader.getConfig()!, unitId, tracking: httpTracking({ flushInterval: 0 }) });
        const v = client.getVariant(key);
        await client.flush();
        client.destroy();
        return `${v.variantKey}|${v.reason}|${v.inExperiment}|${JSON.stringify(v.payload)}`;
      }));
      return { outcomes: [...new Set(outcomes)], sent, config: loader.getConfig()!.experiments.find((e) => e.key === key) };
    }, { api: proxyUrl, sdkKey, key, units });
    expect(inBrowser.outcomes).toEqual([expected]);
    expect(inBrowser.config).toEqual({ key, targeting: null, rollout: { variantKey: 'urgent', variantIndex: 1, payload: { label: 'Buy now' } } });
    expect(inBrowser.sent).toBe(0);
    const exposures = await handle!.db
      .selectFrom('exposures').innerJoin('experiments', 'experiments.id', 'exposures.experiment_id')
      .select((eb) => eb.fn.countAll<number>().as('n')).where('experiments.key', '=', key).executeTakeFirstOrThrow();
    expect(Number(exposures.n)).toBe(0);

    // rollout/end: the default experience again, on both paths.
    await api('POST', `/api/experiments/${key}/rollout/end`);
    const after = await api<Answer>('POST', '/sdk/assign', { unitId: units[0], experiments: [key] }, sdkKey);
    expect(after.assignments[0]).toMatchObject({ inExperiment: false, reason: 'not running' });
    // A new page load (the browser may reuse the cached config for its max-age of 30 s, as after a pause).
    const reason = await page.evaluate(async ({ api, sdkKey, key }) => {
      const noStore: typeof fetch = (url, init) => fetch(url, { ...init, cache: 'no-store' });
      const client = window.tpSdk.createClient({ apiUrl: api, sdkKey, storage: null, refreshInterval: 0, overrideParam: false, unitId: 'u-1', fetch: noStore });
      await client.ready();
      return client.getVariant(key).reason;
    }, { api: proxyUrl, sdkKey, key });
    expect(reason).toBe('unknown_experiment');
  });
});
