// @vitest-environment node
/**
 * The contract between the SDK and the server (issue 14: `identify()` had passed its tests against a
 * fake server and was refused by the real one). The SDK as built for publishing (scripts/build.mjs, into
 * a folder of this test's own) runs in Node against the real server process (`npm start`'s src/main.ts
 * on PGlite, real HTTP), for every kind of item the SDK sends: exposures, events with and without a
 * value, identify links, batches, the explicit flush, and the page-hide paths (beacon, and fetch
 * keepalive when no beacon is taken) with their `?sdkKey=` query and text/plain body. Nothing is faked
 * on the server side: the server must accept every item (the SDK reports any rejection through
 * onError), and each must show in the experiment's results.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type * as ClientModule from '@touchpoint/client-sdk/client';
import type * as TrackingModule from '@touchpoint/client-sdk/tracking';
import type { Client, SdkError } from '@touchpoint/client-sdk';
import { type ServerProcess, startServerProcess, stopServerProcess } from '../../server/src/test/server-process.js';

const sdkDir = fileURLToPath(new URL('..', import.meta.url));
const buildDir = `.contract-build-${process.pid}`;
const dataDir = mkdtempSync(path.join(tmpdir(), 'touchpoint-contract-'));
const KEY = 'contract-cta';

let server: ServerProcess;
let adminKey: string;
let sdkKey: string;
let sdk: typeof ClientModule & typeof TrackingModule;

const api = async (method: string, route: string, body?: unknown) => {
  const res = await fetch(`${server.url}${route}`, {
    method,
    headers: { Authorization: `Bearer ${adminKey}`, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  if (res.status >= 300) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<any>;
};

/** In-memory storage, so that each client is a visitor of its own. */
const memoryStorage = () => {
  const map = new Map<string, string>();
  return { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), removeItem: (k: string) => void map.delete(k) };
};

/** A page whose visibility the test controls: hiding it runs the SDK's page-hide flush. */
const fakePage = () => {
  const listeners = new Map<string, Set<() => void>>();
  return {
    visibilityState: 'visible',
    addEventListener: (type: string, fn: () => void) => void (listeners.get(type) ?? listeners.set(type, new Set()).get(type)!).add(fn),
    removeEventListener: (type: string, fn: () => void) => void listeners.get(type)?.delete(fn),
    hide() {
      this.visibilityState = 'hidden';
      for (const fn of listeners.get('visibilitychange') ?? []) fn();
    },
  };
};

const errors: SdkError[] = [];
/** A visitor: the built SDK with its built tracking plug-in, talking to the real server. */
function visitor(tracking: TrackingModule.TrackingOptions = {}): Client {
  return sdk.createClient({
    apiUrl: server.url,
    sdkKey,
    storage: memoryStorage(),
    refreshInterval: 0,
    onError: (error) => errors.push(error),
    tracking: sdk.httpTracking({ sendBeacon: null, ...tracking }),
  });
}

beforeAll(async () => {
  const built = promisify(execFile)(process.execPath, ['scripts/build.mjs', '--outdir', buildDir], { cwd: sdkDir });
  server = await startServerProcess({ DATA_DIR: dataDir });
  await built;
  sdk = {
    ...((await import(pathToFileURL(path.join(sdkDir, buildDir, 'client.js')).href)) as typeof ClientModule),
    ...((await import(pathToFileURL(path.join(sdkDir, buildDir, 'tracking/index.js')).href)) as typeof TrackingModule),
  };
  adminKey = /Admin key\s*: (tp_admin_\w+)/.exec(server.output())![1]!;
  sdkKey = /SDK key\s*: (tp_sdk_\w+)/.exec(server.output())![1]!;
  await api('POST', '/api/touchpoints', { key: 'contract-page', name: 'Contract page', kind: 'cta', funnelStage: 'purchase' });
  await api('POST', '/api/metrics', { key: 'purchase', name: 'Purchase', type: 'conversion', eventName: 'purchase' });
  await api('POST', '/api/metrics', { key: 'add-to-cart', name: 'Add to cart', type: 'conversion', eventName: 'add_to_cart' });
  await api('POST', '/api/metrics', { key: 'revenue', name: 'Revenue', type: 'revenue', eventName: 'purchase' });
  await api('POST', '/api/experiments', {
    key: KEY,
    name: 'Contract CTA',
    touchpointKey: 'contract-page',
    variants: [{ key: 'control', name: 'Buy', weight: 0.5 }, { key: 'urgent', name: 'Buy now', weight: 0.5 }],
    primaryMetric: 'purchase',
    secondaryMetrics: ['add-to-cart', 'revenue'],
  });
  await api('POST', `/api/experiments/${KEY}/start`);
}, 180_000);

afterAll(async () => {
  if (server) await stopServerProcess(server.child);
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(path.join(sdkDir, buildDir), { recursive: true, force: true });
});

/** Per variant: units, converted units of a metric, and the revenue sum (mean × units). */
async function results() {
  const doc = await api('GET', `/api/experiments/${KEY}/results?maxAge=0`);
  const metric = (key: string) => Object.fromEntries((doc.metrics as any[]).find((m) => m.key === key).variants.map((v: any) => [v.key, v]));
  const sum = (field: 'units' | 'converted', key: string) => Object.values(metric(key)).reduce((s: number, v: any) => s + v[field], 0);
  const revenue = Object.values(metric('revenue')).reduce((s: number, v: any) => s + (v.value ?? 0) * v.units, 0);
  return { units: sum('units', 'purchase'), purchased: sum('converted', 'purchase'), carted: sum('converted', 'add-to-cart'), revenue, multiple: doc.exposures.multipleExposures as number };
}

it('every item the SDK sends is accepted by the real server and counted in the results', async () => {
  // 1. Exposure, event without a value, event with a value, in batches of two, then an explicit flush.
  const shopper = visitor({ batchSize: 2, flushInterval: 60_000 });
  await shopper.ready();
  expect(shopper.getVariant(KEY).inExperiment).toBe(true);
  shopper.track('add_to_cart');
  shopper.track('purchase', { value: 30 });
  await shopper.flush();

  // 2. identify: exposed anonymously, signs in, buys under the account id — one converted unit.
  const member = visitor();
  await member.ready();
  const seen = member.getVariant(KEY).variantKey;
  member.identify(`account-${process.pid}`);
  expect(member.getVariant(KEY)).toMatchObject({ variantKey: seen, reason: 'linked' });
  member.track('purchase', { value: 12.5 });
  await member.flush();

  // 3. Page hidden before the timer fires: the beacon path (text/plain, key in the query string),
  //    here a real HTTP POST of the beacon's URL and body, as the browser would send it.
  const page = fakePage();
  const beacons: Array<Promise<Response>> = [];
  const reader = visitor({
    flushInterval: 60_000,
    document: page,
    sendBeacon: (url, body) => {
      beacons.push(fetch(url, { method: 'POST', headers: { 'Content-Type': 'text/plain;charset=UTF-8' }, body }));
      return true;
    },
  });
  await reader.ready();
  reader.getVariant(KEY);
  reader.track('add_to_cart');
  page.hide();
  expect(beacons).toHaveLength(1);
  for (const res of await Promise.all(beacons)) {
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ accepted: 2, rejected: [] });
  }

  // 4. No beacon: the page-hide flush falls back to fetch with keepalive (same URL and body).
  const keepalivePage = fakePage();
  const late = visitor({ flushInterval: 60_000, document: keepalivePage, sendBeacon: null });
  await late.ready();
  late.getVariant(KEY);
  late.track('purchase', { value: 7.5 });
  keepalivePage.hide();

  // Everything counted: 4 units (the member once), purchases by the shopper, the member and the last
  // visitor, carts by the shopper and the reader, 30 + 12.5 + 7.5 of revenue; no rejection anywhere.
  await expect.poll(results, { timeout: 30_000 }).toEqual({ units: 4, purchased: 3, carted: 2, revenue: 50, multiple: 0 });
  expect(errors).toEqual([]);
  for (const client of [shopper, member, reader, late]) client.destroy();
}, 120_000);
