/**
 * EVENT_STORE=clickhouse end to end (issue 15, design.md §12): two real server processes (src/main.ts as
 * a user starts it, catalog in PGlite), one on the default PostgreSQL/PGlite event tables and one on a
 * two-shard ClickHouse cluster (CLICKHOUSE_URL + CLICKHOUSE_CLUSTER), get the same calls over HTTP:
 * catalog, traffic on /sdk/events (retries, multiple exposures, another variant, pre-exposure and late
 * events, identify links), results, an erasure, more traffic and an incremental refresh. The results
 * documents must agree to 1e-9; the rows must sit on both shards, each unit on one.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ServerProcess, startServerProcess, stopServerProcess } from '../test/server-process.js';
import { seededRandom } from '../demo/random.js';
import { type ClickHouseStore, openClickHouse, selectRows } from './connection.js';
import { migrateClickHouse } from './migrations.js';
import { type ClickHouseCluster, describeClickHouse, differences, startClickHouse } from './test-support.js';

const ADMIN_KEY = 'chwire-e2e-Q7zP2Lx9Vr4Tn8Kc1Bw6';
const SECOND = 1000;


/**
 * What differs between two servers for reasons other than the event store: the instants each was asked
 * at (start, computation, elapsed time and what follows from it), and the snapshot meta.
 */
const TIME_KEYS = new Set(['snapshot', 'period', 'daysElapsed', 'startedAt', 'stoppedAt', 'computedAt', 'durationMs', 'ageSeconds', 'updatedAt', 'elapsedDays', 'daysRunning', 'remainingDays', 'estimatedDays', 'estimatedEnd', 'etaDate']);
function comparable(document: unknown): unknown {
  if (Array.isArray(document)) return document.map(comparable);
  if (document && typeof document === 'object') {
    return Object.fromEntries(Object.entries(document).filter(([k]) => !TIME_KEYS.has(k)).map(([k, v]) => [k, comparable(v)]));
  }
  return document;
}

interface Server {
  process: ServerProcess;
  sdkKey: string;
  call(method: string, path: string, body?: unknown, key?: string): Promise<Response>;
}

async function server(env: Record<string, string>): Promise<Server> {
  const process = await startServerProcess({ DATA_DIR: 'memory://', ADMIN_KEY, RESULTS_REFRESH_SECONDS: '0', SDK_RATE_LIMIT_PER_MINUTE: '0', ...env }, { bannerTimeoutMs: 150_000 });
  const call = (method: string, path: string, body?: unknown, key = ADMIN_KEY) =>
    fetch(`${process.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  const res = await call('POST', '/api/keys', { type: 'sdk', name: 'e2e sdk' });
  expect(res.status).toBe(201);
  return { process, sdkKey: ((await res.json()) as { secret: string }).secret, call };
}

const ok = async (res: Response, what: string) => {
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<any>;
};

describeClickHouse('EVENT_STORE=clickhouse through the HTTP server equals the PostgreSQL run', () => {
  let cluster: ClickHouseCluster;
  let store: ClickHouseStore;
  let onPostgres: Server;
  let onClickHouse: Server;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    cluster = await startClickHouse();
    [onPostgres, onClickHouse] = await Promise.all([
      server({}),
      server({ EVENT_STORE: 'clickhouse', CLICKHOUSE_URL: cluster.urls.join(','), CLICKHOUSE_CLUSTER: cluster.cluster }),
    ]);
    children.push(onPostgres.process.child, onClickHouse.process.child);
    store = openClickHouse({ urls: cluster.urls, cluster: cluster.cluster });
  }, 300_000);
  afterAll(async () => {
    await Promise.all(children.map((child) => stopServerProcess(child)));
    await store?.close();
    await cluster?.stop();
  }, 120_000);

  it('announces its event store and is ready only with it; its migrations ran once and run again as no-ops', async () => {
    expect(onClickHouse.process.output()).toMatch(/Events: ClickHouse, 2 shard\(s\) of cluster touchpoint_test/);
    expect(onPostgres.process.output()).not.toMatch(/Events: ClickHouse/);
    expect(await ok(await onClickHouse.call('GET', '/ready'), 'ready')).toEqual({ status: 'ready', database: 'ok', eventStore: 'ok' });
    expect(await ok(await onPostgres.call('GET', '/ready'), 'ready')).toEqual({ status: 'ready', database: 'ok' });
    // The server migrated both shards at start; a second run (another instance starting) applies nothing.
    for (const url of cluster.urls) {
      const rows = await selectRows<{ name: string }>(store.shards[cluster.urls.indexOf(url)]!, 'SELECT name FROM touchpoint_migrations ORDER BY name');
      expect(rows.map((r) => r.name)).toEqual(['0001_events_and_exposures', '0002_events_sorted_by_name', '0003_erased_exposure_days', '0004_identity_links']);
    }
    expect(await migrateClickHouse(store)).toEqual([]);
    expect(await migrateClickHouse(store)).toEqual([]);
  }, 120_000);

  it('ingests, computes, erases and refreshes incrementally with the same results documents (1e-9)', async () => {
    const both = async (method: string, path: string, body?: unknown) => {
      const [a, b] = await Promise.all([onPostgres.call(method, path, body), onClickHouse.call(method, path, body)]);
      return [await ok(a, `${method} ${path} (postgres)`), await ok(b, `${method} ${path} (clickhouse)`)] as const;
    };
    await both('POST', '/api/touchpoints', { key: 'checkout-cta', name: 'Checkout CTA', kind: 'cta', funnelStage: 'purchase' });
    for (const metric of [
      { key: 'purchase', name: 'Purchase', type: 'conversion', eventName: 'purchase' },
      { key: 'order-revenue', name: 'Revenue', type: 'revenue', eventName: 'purchase', attributionHours: 72 },
      { key: 'aov', name: 'Average order value', type: 'ratio', numerator: { eventName: 'purchase', aggregate: 'sum' }, denominator: { eventName: 'purchase', aggregate: 'count' } },
      { key: 'shop-funnel', name: 'Shop funnel', type: 'funnel', steps: ['view', 'add_to_cart', 'purchase'] },
      { key: 'cart', name: 'Add to cart', type: 'conversion', eventName: 'add_to_cart', attributionHours: 24 },
    ]) await both('POST', '/api/metrics', metric);
    await both('POST', '/api/experiments', {
      key: 'ch-e2e', name: 'ClickHouse end to end', hypothesis: 'The event store changes nothing', touchpointKey: 'checkout-cta',
      variants: [
        { key: 'control', name: 'A', weight: 0.5, payload: {} },
        { key: 'b', name: 'B', weight: 0.5, payload: {} },
      ],
      primaryMetric: 'purchase', secondaryMetrics: ['order-revenue', 'aov', 'shop-funnel', 'cart'],
    });
    const [startedA, startedB] = await both('POST', '/api/experiments/ch-e2e/start');
    // Traffic after both starts (each server counts events from its own start on).
    const base = Math.max(Date.parse(startedA.startedAt), Date.parse(startedB.startedAt)) + 50;
    const random = seededRandom(1515);
    let id = 0;
    const at = (ms: number) => new Date(base + ms).toISOString();
    const items: Record<string, unknown>[] = [];
    const UNITS = 240;
    const exposedAs = new Map<string, { variant: string; t0: number }>();
    for (let u = 0; u < UNITS; u++) {
      const unitId = `e2e-${u}`;
      const variant = random() < 0.5 ? 'control' : 'b';
      const t0 = Math.floor(random() * 2 * SECOND);
      exposedAs.set(unitId, { variant, t0 });
      // Attributes for segments: a string, a number or a boolean, or none; "o'neil" must survive the SQL.
      const channel = ['ads', 'mail', "o'neil", 3, true][Math.floor(random() * 5)];
      const exposure = (variantKey: string, t: number) => ({ id: `x-${++id}`, type: 'exposure', unitId, experimentKey: 'ch-e2e', variantKey, timestamp: at(t), attributes: random() < 0.1 ? {} : { device: random() < 0.5 ? 'mobile' : 'desktop', ...(random() < 0.8 && { channel }) } });
      const event = (name: string, t: number, value?: number) => ({ id: `e-${++id}`, type: 'event', unitId, name, timestamp: at(t), ...(value !== undefined && { value }) });
      items.push(exposure(variant, t0));
      if (random() < 0.2) items.push(exposure(variant, t0 + 100)); // seen again
      if (random() < 0.08) items.push(exposure(variant === 'control' ? 'b' : 'control', t0 + 200)); // another variant
      if (random() < 0.3) items.push(event('purchase', -3_600_000 - Math.floor(random() * 3_600_000), 25)); // before exposure (CUPED)
      if (random() < 0.7) items.push(event('view', t0 + 10));
      if (random() < (variant === 'b' ? 0.45 : 0.35)) items.push(event('add_to_cart', t0 + 20));
      // Order values, a few of them very large (the variance must survive the mean; an average order value
      // whose every order is ~1e6 apart from cents is ill-conditioned: float moments then differ at 1e-7).
      if (random() < (variant === 'b' ? 0.3 : 0.22)) items.push(event('purchase', t0 + 30, random() < 0.1 ? 1e6 + Math.round(random() * 10_000) / 100 : 20 + Math.round(random() * 10_000) / 100));
      if (random() < 0.05) items.push(event('purchase', t0 - 5)); // before its exposure: not counted
    }
    // Identify links (an anonymous id of a unit that has no exposure of its own signs in as an exposed one).
    for (let u = 0; u < 6; u++) items.push({ id: `i-${++id}`, type: 'identify', unitId: `e2e-${u * 7}`, anonymousId: `anon-${u}`, timestamp: at(0) });
    // Links that merge (results/README.md, "Identity"): anonymous ids with exposures and events of their own,
    // linked to exposed accounts, most pairs on different shards (checked below): the anonymous exposure
    // earlier (it wins: variant, time, attributes), later (the account's wins), in the other variant (several
    // variants), or none (only its events, counted for the account). Some links precede the rows, some follow.
    const LINKED = 24;
    const linkOf = (anon: string, account: string) => ({ id: `i-${++id}`, type: 'identify', unitId: account, anonymousId: anon, timestamp: at(0) });
    const links: Record<string, unknown>[] = [];
    for (let u = 0; u < LINKED; u++) {
      const account = `e2e-${u * 9 + 6}`;
      const anon = `anon-x-${u}`;
      const { variant, t0 } = exposedAs.get(account)!;
      const other = variant === 'control' ? 'b' : 'control';
      const anonExposure = (variantKey: string, t: number, attributes: Record<string, unknown>) => ({ id: `x-${++id}`, type: 'exposure', unitId: anon, experimentKey: 'ch-e2e', variantKey, timestamp: at(t), attributes });
      const anonEvent = (name: string, t: number, value?: number) => ({ id: `e-${++id}`, type: 'event', unitId: anon, name, timestamp: at(t), ...(value !== undefined && { value }) });
      const kind = u % 4;
      if (kind === 0 && t0 >= 10) items.push(anonExposure(variant, Math.floor(t0 / 2), { device: 'tablet', channel: 'ads' }), anonEvent('view', Math.floor(t0 / 2) + 1), anonEvent('purchase', t0 + 3, 31.5));
      if (kind === 1) items.push(anonExposure(variant, t0 + 300, { device: 'tablet' }), anonEvent('add_to_cart', t0 + 310), anonEvent('purchase', t0 + 320, 12.25));
      if (kind === 2) items.push(anonExposure(other, t0 + 150, { device: 'mobile', channel: 'mail' }), anonEvent('purchase', t0 + 160, 50));
      if (kind === 3) items.push(anonEvent('view', t0 + 5), anonEvent('add_to_cart', t0 + 6), anonEvent('purchase', t0 + 7, 19.99), anonEvent('purchase', -3_600_000, 8));
      (u % 3 === 0 ? links : items).push(linkOf(anon, account));
    }
    items.push(...links);
    // An anonymous purchase whose link only comes with the late traffic (below).
    const lateAccount = `e2e-${UNITS - 7}`;
    items.push({ id: `e-${++id}`, type: 'event', unitId: 'anon-late', name: 'purchase', value: 77, timestamp: at(exposedAs.get(lateAccount)!.t0 + 9) });
    const send = async (batch: Record<string, unknown>[]) => {
      const [a, b] = await Promise.all([onPostgres, onClickHouse].map((s) => s.call('POST', '/sdk/events', { items: batch }, s.sdkKey)));
      const [ra, rb] = [await ok(a!, 'events (postgres)'), await ok(b!, 'events (clickhouse)')];
      expect(a!.status).toBe(202);
      expect(b!.status).toBe(202);
      expect(ra.rejected ?? []).toEqual([]);
      expect(rb.rejected ?? []).toEqual([]);
      return [ra, rb];
    };
    for (let i = 0; i < items.length; i += 50) {
      const batch = items.slice(i, i + 50);
      await send(batch);
      // A retried batch (the SDK did not see the 202): nothing new on either store.
      if (i % 200 === 0) {
        const [, again] = await send(batch);
        expect(again.accepted + again.duplicates).toBe(batch.length);
      }
    }
    // Every timestamp in the past on both servers before they compute.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, base + 3 * SECOND - Date.now())));

    const results = async () => {
      const [a, b] = await both('GET', '/api/experiments/ch-e2e/results?maxAge=0');
      return [a, b];
    };
    const [first, firstCh] = await results();
    expect(differences(comparable(first), comparable(firstCh))).toEqual([]);
    expect(first.exposures.multipleExposures).toBeGreaterThan(3);
    expect(first.metrics.length).toBe(5);

    // The rows sit on both shards, each unit on one (sharded by unit id).
    const unitsOn = await Promise.all(store.shards.map(async (shard) => (await selectRows<{ unit_id: string }>(shard, 'SELECT DISTINCT unit_id FROM tp_exposure_items')).map((r) => r.unit_id)));
    expect(unitsOn[0]!.length).toBeGreaterThan(30);
    expect(unitsOn[1]!.length).toBeGreaterThan(30);
    expect(unitsOn[0]!.filter((u) => unitsOn[1]!.includes(u))).toEqual([]);
    expect(unitsOn.flat().filter((u) => u.startsWith('e2e-')).length).toBe(UNITS);
    // Linked ids whose account sits on the other shard (the merge crosses shards).
    const crossing = [...Array(LINKED).keys()].filter((u) => unitsOn.flat().includes(`anon-x-${u}`) && unitsOn[0]!.includes(`anon-x-${u}`) !== unitsOn[0]!.includes(`e2e-${u * 9 + 6}`));
    expect(crossing.length).toBeGreaterThan(3);

    // Erasure: the same counts, the unit gone from both shards.
    const erased = ['e2e-1', 'e2e-2', 'e2e-100'];
    for (const unit of erased) {
      const [a, b] = await both('DELETE', `/api/units/${unit}`);
      expect(b).toEqual(a);
      expect(a.exposuresDeleted).toBe(1);
    }
    // A linked unit erased whole: its account and its anonymous id, on their two shards.
    const [erasedLinked, erasedLinkedCh] = await both('DELETE', `/api/units/e2e-${crossing[0]! * 9 + 6}`);
    expect(erasedLinkedCh).toEqual(erasedLinked);
    expect(erasedLinked).toMatchObject({ exposuresDeleted: 2, aliasesDeleted: 1 });
    for (const shard of store.shards) {
      const left = await selectRows<{ n: string }>(shard, `SELECT (SELECT count() FROM tp_events WHERE unit_id IN ('e2e-1','e2e-2','e2e-100')) + (SELECT count() FROM tp_exposure_items WHERE unit_id IN ('e2e-1','e2e-2','e2e-100')) AS n`);
      expect(Number(left[0]!.n)).toBe(0);
    }

    // Late traffic: events received now that occurred earlier, and a few new units; then an incremental refresh.
    const late: Record<string, unknown>[] = [];
    for (let u = 0; u < UNITS; u += 9) late.push({ id: `late-${u}`, type: 'event', unitId: `e2e-${u}`, name: 'purchase', value: 40 + u, timestamp: at(2 * SECOND + u) });
    // A late link: the anonymous id's purchase (sent with the first traffic) now counts for its account (refresh rule c).
    late.push({ id: `i-${++id}`, type: 'identify', unitId: lateAccount, anonymousId: 'anon-late', timestamp: at(2 * SECOND) });
    for (let u = UNITS; u < UNITS + 10; u++) late.push({ id: `late-x-${u}`, type: 'exposure', unitId: `e2e-${u}`, experimentKey: 'ch-e2e', variantKey: u % 2 ? 'b' : 'control', timestamp: at(2 * SECOND) });
    await send(late);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const [refreshed, refreshedCh] = await both('POST', '/api/experiments/ch-e2e/results/refresh');
    expect(refreshed.snapshot.refresh.mode).toBe('incremental');
    expect(refreshedCh.snapshot.refresh.mode).toBe('incremental');
    expect(differences(comparable(refreshed), comparable(refreshedCh))).toEqual([]);
    expect(differences(comparable(refreshedCh.metrics), comparable(firstCh.metrics))).not.toEqual([]);
    expect(refreshedCh.exposures.units).toBeLessThan(UNITS + 10 - erased.length);

    // The segment menu reads the exposures' attributes from ClickHouse, and the breakdowns (a simple
    // metric, the funnel; top 1 folds a value into 'other'; units without the attribute are 'none').
    const [segments, segmentsCh] = await both('GET', '/api/experiments/ch-e2e/segments');
    expect(segmentsCh).toEqual(segments);
    expect(segments.attributes.map((a: { name: string }) => a.name)).toEqual(expect.arrayContaining(['device', 'channel']));
    for (const query of ['segment=device', 'segment=channel&segmentMetric=order-revenue', 'segment=device&top=1&segmentMetric=shop-funnel', 'segment=channel&segmentMetric=aov']) {
      const [bySegment, bySegmentCh] = await both('GET', `/api/experiments/ch-e2e/results?maxAge=0&${query}`);
      expect(bySegment.segments.values.length, query).toBeGreaterThan(1);
      expect(differences(comparable(bySegment), comparable(bySegmentCh)), query).toEqual([]);
    }
  }, 400_000);
});
