import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../openapi/document.js';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, createHarness, fixtures, seedCatalog } from '../test/harness.js';
import {
  type QueryPair,
  type Snapshot,
  expectProblemDocument,
  expectWrites,
  hostileHeaderValue,
  hostileQuery,
  hostileSegment,
  percentDecode,
  percentEncode,
  queryString,
  snapshot as takeSnapshot,
} from '../test/hostile.js';

/**
 * design.md §7 for every GET: an arbitrary query string, path parameter or header gets a 2xx/304 or a
 * 4xx problem document, never a 5xx, and writes nothing (results may store their snapshot on a 200,
 * and nothing else). Endpoints that read a query refuse unknown and repeated parameters.
 */

const T0 = new Date('2026-11-22T12:00:00Z');
const RUNNING = 'q-running';
const STOPPED = 'q-stopped';
const NUM_RUNS = 25;

/** One property per name (the specs are built once the keys exist; the coverage test holds the two lists together). */
const SPEC_NAMES = ['health', 'ready', 'openapi', 'prometheus', 'problem', 'touchpoints', 'touchpoint', 'metrics', 'metric', 'experiments', 'experiment', 'audit', 'results', 'segments', 'summary', 'keys', 'sampleSize', 'sdkConfig', 'sdkConfigKeyInQuery', 'sdkScript', 'sdkPreview', 'webhooks', 'webhookDeliveries', 'namespaces', 'authConfig', 'me', 'users', 'oidcStart', 'oidcCallback'];

interface GetSpec {
  /** The route, as the OpenAPI document writes it. */
  route: string;
  path: string;
  /** The parameters the endpoint reads, with values it takes (percent-encoded). */
  params: Record<string, readonly string[]>;
  /** The endpoint validates its query (unknown or repeated parameters → 422); false: it reads none and ignores it. */
  strict: boolean;
  /** Key sent in the Authorization header. */
  auth: 'admin' | 'sdk' | 'none';
  /**
   * Numeric parameters: only a decimal numeral is a number (Number() also reads '', ' ', '0x10', '0b1'
   * as numbers: `?maxAge=` would silently mean 0, "recompute").
   */
  numeric?: readonly string[];
  /** A 200 may store a results snapshot (and write nothing else). */
  storesSnapshot?: boolean;
  /** Content type of a 200 (JSON unless given). */
  contentType?: (names: Map<string, string>) => RegExp;
}

const STAGES = ['awareness', 'consideration', 'decision', 'purchase', 'retention'];
const KINDS = ['cta', 'checkout_form', 'product_page', 'pricing_page', 'cart', 'landing_page', 'email', 'other'];
const PAGING = { limit: ['1', '2', '100', '500'], offset: ['0', '1', '1000000'] };
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SEARCH = ['checkout', 'q-', '%25', '_', '%5C', 'Checkout%20CTA', percentEncode('😀'), 'x'.repeat(200)];

/**
 * The names the server sees in a query (URL decoding, `+` as space; names without a valid decoding
 * stay raw and match no real name) and whether one is given twice. A pair without a name is no parameter.
 */
function parsedNames(pairs: readonly QueryPair[]): { names: Map<string, string>; repeated: boolean } {
  const names = new Map<string, string>();
  let repeated = false;
  for (const [name, value] of pairs) {
    if (name === '') continue;
    const decoded = percentDecode(name) ?? `\u0000raw:${name}`;
    if (names.has(decoded)) repeated = true;
    else names.set(decoded, value === null ? '' : (percentDecode(value) ?? `\u0000raw:${value}`));
  }
  return { names, repeated };
}

describeEachEngine('hostile queries, path parameters and headers on GET', (db) => {
  let h: Harness;
  const clock = { now: T0 };
  const snapshot = async () => (await takeSnapshot(db().db)) as Snapshot;

  const keyFor = (auth: GetSpec['auth']) => (auth === 'admin' ? h.adminKey : auth === 'sdk' ? h.sdkKey : null);

  const act = async (key: string, action: string) => {
    const res = await h.call('POST', `/api/experiments/${key}/${action}`);
    expect(res.status, await res.clone().text()).toBe(200);
  };

  let etag = '';
  let specs: Record<string, GetSpec> = {};

  beforeAll(async () => {
    h = await createHarness(db().db, { now: () => clock.now });
    await seedCatalog(h);
    for (const [key, then] of [[RUNNING, ['start']], [STOPPED, ['start', 'stop', 'archive']], ['q-draft', []]] as const) {
      const res = await h.call('POST', '/api/experiments', fixtures.experiment(key, { secondaryMetrics: [] }));
      expect(res.status, await res.clone().text()).toBe(201);
      for (const action of then) await act(key, action);
    }
    // A little traffic with attributes, so results and segment breakdowns have something to compute.
    const timestamp = new Date(T0.getTime() - 3_600_000).toISOString();
    const items = Array.from({ length: 24 }, (_, i) => [
      { id: `qx-${i}`, type: 'exposure', unitId: `qu-${i}`, experimentKey: RUNNING, variantKey: i % 2 ? 'urgent' : 'control', timestamp, attributes: { country: i % 3 ? 'FR' : 'BE', device: i % 4 ? 'mobile' : 'desktop' } },
      ...(i % 3 === 0 ? [{ id: `qe-${i}`, type: 'event', unitId: `qu-${i}`, name: 'purchase', value: 20 + i, timestamp }] : []),
    ]).flat();
    const sent = await h.call('POST', '/sdk/events', { items }, { key: h.sdkKey });
    expect(await sent.json()).toMatchObject({ accepted: items.length, rejected: [] });
    // One revoked key, so includeRevoked has something to show.
    const created = (await (await h.call('POST', '/api/keys', { kind: 'sdk', name: 'revoked' })).json()) as { id: string };
    expect((await h.call('DELETE', `/api/keys/${created.id}`)).status).toBe(204);
    // A webhook (a public documentation address: no DNS needed), so its deliveries route has one to read.
    const hook = await h.call('POST', '/api/webhooks', { url: 'https://203.0.113.10/hook', events: ['experiment.started'] });
    expect(hook.status, await hook.clone().text()).toBe(201);
    const webhookId = ((await hook.json()) as { id: string }).id;
    const preview = await h.call('POST', `/api/experiments/${RUNNING}/preview-links`, { variantKey: 'urgent' });
    expect(preview.status, await preview.clone().text()).toBe(201);
    const previewToken = ((await preview.json()) as { token: string }).token;
    const config = await h.call('GET', '/sdk/config', undefined, { key: h.sdkKey });
    etag = config.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);

    specs = {
      health: { route: '/health', path: '/health', params: {}, strict: false, auth: 'none' },
      ready: { route: '/ready', path: '/ready', params: {}, strict: false, auth: 'none' },
      openapi: { route: '/openapi.json', path: '/openapi.json', params: {}, strict: false, auth: 'none' },
      prometheus: { route: '/metrics', path: '/metrics', params: {}, strict: false, auth: 'none', contentType: () => /^text\/plain; version=0\.0\.4/ },
      problem: { route: '/problems/{type}', path: '/problems/validation-failed', params: {}, strict: false, auth: 'none' },
      touchpoints: { route: '/api/touchpoints', path: '/api/touchpoints', params: { funnelStage: STAGES, kind: KINDS, q: SEARCH, ...PAGING }, strict: true, numeric: ['limit', 'offset'], auth: 'admin' },
      touchpoint: { route: '/api/touchpoints/{key}', path: '/api/touchpoints/checkout-cta', params: {}, strict: false, auth: 'admin' },
      metrics: { route: '/api/metrics', path: '/api/metrics', params: { type: ['conversion', 'revenue', 'ratio', 'funnel'], q: SEARCH, ...PAGING }, strict: true, numeric: ['limit', 'offset'], auth: 'admin' },
      metric: { route: '/api/metrics/{key}', path: '/api/metrics/purchase', params: {}, strict: false, auth: 'admin' },
      experiments: {
        route: '/api/experiments',
        path: '/api/experiments',
        params: { status: ['draft', 'running', 'paused', 'stopped'], touchpointKey: ['checkout-cta', 'nope'], q: SEARCH, archived: ['true', 'false'], ...PAGING },
        strict: true,
        numeric: ['limit', 'offset'],
        auth: 'admin',
      },
      experiment: { route: '/api/experiments/{key}', path: `/api/experiments/${RUNNING}`, params: {}, strict: false, auth: 'admin' },
      audit: { route: '/api/experiments/{key}/audit', path: `/api/experiments/${STOPPED}/audit`, params: PAGING, strict: true, numeric: ['limit', 'offset'], auth: 'admin' },
      results: {
        route: '/api/experiments/{key}/results',
        path: `/api/experiments/${RUNNING}/results`,
        params: { format: ['json', 'csv'], segment: ['country', 'device', '_none', 'a.b-c'], segmentMetric: ['purchase', 'nope', 'Bad Key'], top: ['1', '10', '50'], maxAge: ['0', '60', '86400'] },
        strict: true,
        numeric: ['top', 'maxAge'],
        auth: 'admin',
        storesSnapshot: true,
        contentType: (names) => (names.get('format') === 'csv' ? /^text\/csv/ : /^application\/json/),
      },
      segments: { route: '/api/experiments/{key}/segments', path: `/api/experiments/${RUNNING}/segments`, params: {}, strict: true, auth: 'admin' },
      summary: { route: '/api/results/summary', path: '/api/results/summary', params: {}, strict: true, auth: 'admin' },
      keys: { route: '/api/keys', path: '/api/keys', params: { includeRevoked: ['true', 'false'] }, strict: true, auth: 'admin' },
      webhooks: { route: '/api/webhooks', path: '/api/webhooks', params: {}, strict: false, auth: 'admin' },
      namespaces: { route: '/api/namespaces', path: '/api/namespaces', params: {}, strict: false, auth: 'admin' },
      authConfig: { route: '/api/auth/config', path: '/api/auth/config', params: {}, strict: false, auth: 'none' },
      me: { route: '/api/auth/me', path: '/api/auth/me', params: {}, strict: false, auth: 'admin' },
      users: { route: '/api/users', path: '/api/users', params: {}, strict: false, auth: 'admin' },
      // SSO is not configured here: both answer 404 whatever the query.
      oidcStart: { route: '/api/auth/oidc/start', path: '/api/auth/oidc/start', params: {}, strict: false, auth: 'none' },
      oidcCallback: { route: '/api/auth/oidc/callback', path: '/api/auth/oidc/callback', params: { code: ['x'], state: ['y'] }, strict: false, auth: 'none' },
      webhookDeliveries: { route: '/api/webhooks/{id}/deliveries', path: `/api/webhooks/${webhookId}/deliveries`, params: { limit: ['1', '50', '200'] }, strict: true, numeric: ['limit'], auth: 'admin' },
      sampleSize: {
        route: '/api/stats/sample-size',
        path: '/api/stats/sample-size',
        params: {
          baseline: ['0.03', '0.5', '0.999'],
          mde: ['0.1', '0.01', '1e-6'],
          mdeType: ['relative', 'absolute'],
          alpha: ['0.05', '0.5', '1e-9'],
          power: ['0.8', '0.99'],
          variants: ['2', '3', '20'],
          dailyUnits: ['1000', '0.5', '1e12'],
        },
        strict: true,
        numeric: ['baseline', 'mde', 'alpha', 'power', 'variants', 'dailyUnits'],
        auth: 'admin',
      },
      sdkConfig: { route: '/sdk/config', path: '/sdk/config', params: {}, strict: false, auth: 'sdk' },
      // navigator.sendBeacon cannot set headers: the SDK key may travel in the query.
      sdkConfigKeyInQuery: { route: '/sdk/config', path: '/sdk/config', params: { sdkKey: [h.sdkKey, h.adminKey, 'tp_sdk_unknown'] }, strict: false, auth: 'none' },
      // Themes add their own cache-busting parameters (WordPress: ?ver=): the script ignores what it does not read.
      sdkScript: { route: '/sdk/touchpoint.js', path: '/sdk/touchpoint.js', params: { v: ['0123456789abcdef', 'x'] }, strict: false, auth: 'none', contentType: () => /^text\/javascript; charset=utf-8$/ },
      sdkPreview: { route: '/sdk/preview', path: '/sdk/preview', params: { token: [previewToken] }, strict: true, auth: 'sdk' },
    };
  });

  /** Answered, and wrote nothing (or only a results snapshot, on a 200 of an endpoint that stores one). */
  async function expectAnswer(res: Response, before: Snapshot, { storesSnapshot = false, json = true }: { storesSnapshot?: boolean; json?: boolean } = {}) {
    const text = await res.text();
    expect(res.status, text).toBeLessThan(500);
    if (res.status >= 400) {
      expectProblemDocument(res, text);
      expect(await snapshot()).toEqual(before);
      return { text, ok: false };
    }
    expect([200, 304], text).toContain(res.status);
    if (res.status === 200 && json) {
      expect(res.headers.get('content-type'), text).toMatch(/^application\/json/);
      JSON.parse(text);
    }
    const after = await snapshot();
    if (storesSnapshot && res.status === 200) expectWrites(before, after, {}, ['results_snapshots', 'snapshot_rows']);
    else expect(after).toEqual(before);
    return { text, ok: true };
  }

  it('covers every GET route of the app and of the OpenAPI document', () => {
    const fromApp = h.app.routes.filter((r) => r.method === 'GET').map((r) => r.path.replace(/:(\w+)/g, '{$1}'));
    const fromDocument = Object.entries(buildOpenApiDocument().paths as Record<string, object>).filter(([, operations]) => 'get' in operations).map(([path]) => path);
    const covered = new Set(Object.values(specs).map((spec) => spec.route));
    expect([...new Set([...fromApp, ...fromDocument])].filter((route) => !covered.has(route))).toEqual([]);
    expect(fromApp.length).toBeGreaterThanOrEqual(16);
    expect(Object.keys(specs).sort()).toEqual([...SPEC_NAMES].sort());
  });

  describe('arbitrary query strings', () => {
    for (const name of SPEC_NAMES) {
      it(`${name}: a 200 or a 4xx problem document, never a 5xx, writing nothing${name === 'results' ? ' but its snapshot' : ''}`, async () => {
        const spec = specs[name]!;
        await fc.assert(
          fc.asyncProperty(hostileQuery(spec.params), async (pairs) => {
            const query = queryString(pairs);
            const before = await snapshot();
            const res = await h.call('GET', `${spec.path}${query ? `?${query}` : ''}`, undefined, { key: keyFor(spec.auth) });
            const { names: given, repeated } = parsedNames(pairs);
            const json = !spec.contentType;
            const { text, ok } = await expectAnswer(res.clone(), before, { storesSnapshot: spec.storesSnapshot, json });
            if (!ok) return;
            expect(res.status, text).toBe(200);
            if (spec.contentType) expect(res.headers.get('content-type'), text).toMatch(spec.contentType(given));
            if (spec.strict) {
              // Taken only if every parameter is one the endpoint reads, given once.
              const unknown = [...given.keys()].filter((n) => !Object.hasOwn(spec.params, n));
              expect({ unknown, repeated }, `${query} was taken: ${text.slice(0, 300)}`).toEqual({ unknown: [], repeated: false });
            }
            for (const n of spec.numeric ?? []) {
              if (given.has(n)) expect(given.get(n), `${query} was taken: ${text.slice(0, 300)}`).toMatch(DECIMAL);
            }
          }),
          { numRuns: NUM_RUNS },
        );
      });
    }

    it('a refused query names each unknown or repeated parameter', async () => {
      const spec = specs.touchpoints!;
      await fc.assert(
        fc.asyncProperty(hostileQuery(spec.params), async (pairs) => {
          const { names: given } = parsedNames(pairs);
          const decoded = pairs.filter(([n]) => n !== '').map(([n]) => percentDecode(n));
          const repeated = [...new Set(decoded.filter((n, i) => n !== null && decoded.indexOf(n) !== i))];
          const unknown = [...given.keys()].filter((n) => !Object.hasOwn(spec.params, n) && !n.startsWith('\u0000raw:'));
          const res = await h.call('GET', `${spec.path}?${queryString(pairs)}`);
          const text = await res.text();
          // Repeated parameters are refused first, each named; else each unknown one is named.
          const named = repeated.length ? repeated : unknown;
          if (named.length === 0) return;
          const problem = expectProblemDocument(res, text);
          expect(res.status, text).toBe(422);
          const fields = problem.errors!.map((e) => e.field);
          for (const n of named.slice(0, 40)) expect(fields, text.slice(0, 500)).toContain(n);
        }),
        { numRuns: NUM_RUNS },
      );
    });
  });

  describe('arbitrary path parameters', () => {
    const bases = [
      ['/api/experiments/', ''],
      ['/api/experiments/', '/results'],
      ['/api/experiments/', '/audit'],
      ['/api/touchpoints/', ''],
      ['/api/metrics/', ''],
      ['/api/keys/', ''],
      ['/problems/', ''],
      ['/sdk/', ''],
      ['/api/', ''],
      ['/', ''],
    ] as const;
    /** What exists under each base, so that a segment spelling one (percent-encoded) may be found. */
    const existing: Record<string, readonly string[]> = {
      '/api/experiments/': [RUNNING, STOPPED, 'q-draft'],
      '/api/touchpoints/': ['checkout-cta'],
      '/api/metrics/': ['purchase'],
      '/problems/': ['not-found', 'validation-failed'],
      '/sdk/': ['config'],
      '/': ['health', 'ready', 'openapi.json'],
    };
    // Existing keys spelled with some letters percent-encoded: the same resource.
    const spelled = fc
      .tuple(fc.constantFrom(...Object.values(existing).flat()), fc.infiniteStream(fc.boolean()))
      .map(([key, flags]) => [...key].map((ch) => (flags.next().value ? `%${ch.charCodeAt(0).toString(16)}` : ch)).join(''));
    const segment = fc.oneof({ weight: 6, arbitrary: hostileSegment }, { weight: 1, arbitrary: spelled });

    it('GET <base>/<arbitrary bytes>[/results|/audit]: a 404 or another 4xx problem document, never a 5xx, writing nothing', async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...bases), segment, async ([base, tail], x) => {
          const path = `${base}${x}${tail}`;
          const before = await snapshot();
          const res = await h.call('GET', path);
          // Dot segments (".", "%2e", "..") are resolved by the URL parser: another route answers, as any server would.
          const resolved = new URL(path, 'http://localhost').pathname !== path.split('?')[0];
          const decoded = percentDecode(x, false);
          const found = decoded !== null && (existing[base] ?? []).includes(decoded) && !resolved && !x.includes('?') && !x.includes('#');
          const { text, ok } = await expectAnswer(res.clone(), before, { storesSnapshot: tail === '/results', json: true });
          if (found) {
            expect(res.status, `${path}: ${text.slice(0, 300)}`).toBe(200);
          } else if (!resolved) {
            expect(ok, `${path} was answered ${res.status}: ${text.slice(0, 300)}`).toBe(false);
          }
        }),
        { numRuns: NUM_RUNS * 4 },
      );
    });
  });

  describe('headers GETs read', () => {
    it('If-None-Match on /sdk/config: 304 exactly when it names the current ETag (or is *), else 200; never a 5xx', async () => {
      const value = fc.oneof(
        { weight: 3, arbitrary: hostileHeaderValue },
        { weight: 1, arbitrary: fc.constantFrom(etag, `W/${etag}`, ` ${etag} `, `"x", ${etag}`, `${etag},"x"`, `W/"x",W/${etag}`, etag.slice(1, -1), etag.toLowerCase(), `${etag}x`, '*', ' * ') },
      );
      await fc.assert(
        fc.asyncProperty(value, async (ifNoneMatch) => {
          const before = await snapshot();
          const res = await h.call('GET', '/sdk/config', undefined, { key: h.sdkKey, headers: { 'If-None-Match': ifNoneMatch } });
          const { text } = await expectAnswer(res.clone(), before);
          expect(res.headers.get('etag')).toBe(etag);
          // RFC 9110 §13.1.2: weak comparison against each listed tag; "*" matches any current representation.
          const sent = ifNoneMatch.trim();
          const matches = sent === '*' || sent.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
          expect(res.status, `If-None-Match: ${ifNoneMatch.slice(0, 200)}`).toBe(matches ? 304 : 200);
          if (res.status === 304) expect(text).toBe('');
        }),
        { numRuns: NUM_RUNS * 2 },
      );
    });

    it('arbitrary and oversized Authorization values: 200 with the right key, else 401 (with a challenge) or 403; never a 5xx, writing nothing', async () => {
      const paths = [['/api/touchpoints', 'admin'], [`/api/experiments/${RUNNING}/results`, 'admin'], ['/api/results/summary', 'admin'], ['/sdk/config', 'sdk']] as const;
      const authorization = fc.oneof(
        { weight: 2, arbitrary: hostileHeaderValue },
        { weight: 2, arbitrary: hostileHeaderValue.map((v) => `Bearer ${v}`) },
        {
          weight: 2,
          arbitrary: fc.constantFrom(
            () => `Bearer ${h.adminKey}`,
            () => `bearer   ${h.adminKey}  `,
            () => `Bearer ${h.sdkKey}`,
            () => `Bearer ${h.adminKey}x`,
            () => `Bearer ${h.adminKey.slice(0, -1)}`,
            () => `Bearer ${h.adminKey} ${h.adminKey}`,
            () => `Basic ${Buffer.from(`admin:${h.adminKey}`).toString('base64')}`,
            () => `Bearer ${'a'.repeat(200)}`,
            () => `Bearer ${'a'.repeat(201)}`,
            () => `Bearer ${'a'.repeat(1_000_000)}`,
            () => `Bearer ${' '.repeat(100_000)}x`,
            () => 'Bearer',
            () => 'Bearer ',
          ).map((f) => f()),
        },
      );
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...paths), authorization, async ([path, kind], value) => {
          const before = await snapshot();
          const res = await h.app.request(path, { headers: { Authorization: value } });
          const { text } = await expectAnswer(res.clone(), before, { storesSnapshot: path.endsWith('/results') });
          const sent = value.trim();
          const admin = new RegExp(`^bearer +${h.adminKey}$`, 'i').test(sent);
          const sdk = new RegExp(`^bearer +${h.sdkKey}$`, 'i').test(sent);
          const detail = `${path} with Authorization: ${value.slice(0, 100)}: ${text.slice(0, 300)}`;
          if (admin || (sdk && kind === 'sdk')) expect(res.status, detail).toBe(200);
          else if (sdk) expect(res.status, detail).toBe(403);
          else {
            expect(res.status, detail).toBe(401);
            expect(res.headers.get('www-authenticate'), detail).toMatch(/^Bearer /);
          }
        }),
        { numRuns: NUM_RUNS * 2 },
      );
    });

    it('arbitrary Accept values on results: JSON (CSV with ?format=csv) or a 4xx problem document, never a 5xx', async () => {
      const accept = fc.oneof(hostileHeaderValue, fc.constantFrom('text/csv', 'application/json', 'application/problem+json', '*/*', 'text/html', 'application/xml', 'text/csv;q=0, */*;q=0'));
      await fc.assert(
        fc.asyncProperty(accept, fc.constantFrom('', '?format=csv', '?format=json', '?format=xml', '?segment=country&format=csv'), async (value, query) => {
          const before = await snapshot();
          const res = await h.call('GET', `/api/experiments/${RUNNING}/results${query}`, undefined, { headers: { Accept: value } });
          const { text, ok } = await expectAnswer(res.clone(), before, { storesSnapshot: true, json: false });
          if (!ok) {
            expect(query, text).toBe('?format=xml');
            return;
          }
          expect(res.headers.get('content-type'), text.slice(0, 200)).toMatch(query.includes('csv') ? /^text\/csv/ : /^application\/json/);
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('arbitrary X-Request-Id values: the request is answered as without it, and only a safe id is echoed', async () => {
      await fc.assert(
        fc.asyncProperty(hostileHeaderValue, fc.constantFrom('/health', '/api/touchpoints', '/api/nothing'), async (value, path) => {
          const before = await snapshot();
          const res = await h.call('GET', path, undefined, { headers: { 'X-Request-Id': value } });
          await expectAnswer(res.clone(), before);
          expect(res.status).toBe(path === '/api/nothing' ? 404 : 200);
          expect(res.headers.get('x-request-id')).toMatch(/^[A-Za-z0-9._:-]{1,100}$/);
        }),
        { numRuns: NUM_RUNS },
      );
    });
  });
});
