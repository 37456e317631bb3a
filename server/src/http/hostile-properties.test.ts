import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, createHarness, fixtures, seedCatalog } from '../test/harness.js';
import {
  RESERVED_NAMES,
  type Snapshot,
  expectProblemDocument,
  expectWrites,
  hostileBody,
  hostileDictionary,
  hostileJson,
  hostileString,
  jsonText,
  percentEncode,
  snapshot as takeSnapshot,
} from '../test/hostile.js';

/**
 * design.md §7 as properties: on every endpoint that takes a JSON body or writes, arbitrary JSON gets
 * a 4xx problem document and writes nothing, and a valid body with one field replaced by arbitrary JSON
 * is either taken (writing exactly what it should) or refused (writing nothing); never a 5xx.
 * On /sdk/events an item is rejected alone: no invalid item is stored, no valid one lost.
 */

const T0 = new Date('2026-11-22T12:00:00Z');
const RUNNING = 'prop-running';
const NUM_RUNS = 60;

type Body = Record<string, unknown>;
type Path = readonly (string | number)[];
// Response bodies are checked field by field; their exact types are the route tests' business.
type Json = any;

interface Target {
  method: 'POST' | 'PATCH';
  path: string;
  /** A body the endpoint takes in the target's current state. */
  body: Body;
  /** The resource's version before the request (PATCH and lifecycle actions). */
  version?: number;
  key?: 'admin' | 'sdk';
  /** Whatever else `verify` needs to know of the state before. */
  meta?: Json;
}

interface Spec {
  name: string;
  /** The endpoint's real member names, mixed with hostile ones in arbitrary dictionaries. */
  fields: readonly string[];
  /** Where property 2 puts arbitrary JSON (top-level members and some nested ones). */
  replace: readonly Path[];
  /** Status of success. */
  success: number;
  /** Runs per property (NUM_RUNS unless given). */
  numRuns?: number;
  /** Some arbitrary dictionaries are valid bodies here (all members optional): a 2xx is then verified, not refused. */
  arbitraryMayPass?: boolean;
  /** The endpoint in a state that takes `target.body`; a fresh resource or key per run where a success consumes it. */
  target(run: number): Promise<Target>;
  /** After a success: exactly the expected rows and audit entries were written, and they hold what was sent. */
  verify(check: { before: Snapshot; after: Snapshot; json: Json; sent: Json; target: Target }): Promise<void> | void;
}

/** Sets `value` at `path` in a deep copy of `body` (creating nothing: the path exists in the valid body). */
function replaced(body: Body, path: Path, value: unknown): Body {
  const copy = structuredClone(body);
  let node: Json = copy;
  for (const step of path.slice(0, -1)) node = node[step];
  node[path.at(-1)!] = value;
  return copy;
}

/**
 * What property 2 puts in a field: arbitrary JSON, and often an edge value of the right kind, so that
 * the success path is taken too (and checked), not only the refusals.
 */
const replacement = fc.oneof(
  { weight: 2, arbitrary: hostileJson },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(null, true, false, 0, -0, 1, 2, 0.5, 1e-7, -1, 1e12, 1e21, '', 'a', 'control', 'urgent', 'purchase', 'FR', [], {}, ['purchase'], [0.5, 0.5]),
  },
);

const isReserved = (path: Path) => path.length === 1 && (RESERVED_NAMES as readonly string[]).includes(String(path[0]));

/** Top-level primitives sent come back as sent (objects are normalized: defaults, nulls). */
function expectEchoed(json: Json, sent: Json, skip: readonly string[] = ['version']): void {
  for (const [field, value] of Object.entries(sent as Body)) {
    if (skip.includes(field) || !(field in json) || (typeof value === 'object' && value !== null)) continue;
    expect(json[field], field).toEqual(value);
  }
}

describeEachEngine('hostile input properties', (db) => {
  let h: Harness;
  const clock = { now: T0 };
  let n = 0;
  const nextRun = () => ++n;

  const snapshot = async () => (await takeSnapshot(db().db)) as Snapshot;

  const send = (target: Target, text: string, headers: Record<string, string> = {}) =>
    h.call(target.method, target.path, text, { key: target.key === 'sdk' ? h.sdkKey : h.adminKey, headers });

  const version = async (path: string) => {
    const res = await h.call('GET', path);
    expect(res.status, path).toBe(200);
    return ((await res.json()) as { version: number }).version;
  };

  const act = async (key: string, action: string) => {
    const res = await h.call('POST', `/api/experiments/${key}/${action}`);
    expect(res.status, await res.clone().text()).toBe(200);
  };

  const createExperiment = async (key: string, then: string[] = []) => {
    const res = await h.call('POST', '/api/experiments', fixtures.experiment(key));
    expect(res.status, await res.clone().text()).toBe(201);
    for (const action of then) await act(key, action);
  };

  beforeAll(async () => {
    h = await createHarness(db().db, { now: () => clock.now });
    await seedCatalog(h);
    for (const [path, body] of [
      ['/api/touchpoints', fixtures.touchpoint('prop-tp')],
      ['/api/metrics', fixtures.metric('prop-metric')],
      ['/api/metrics', { ...fixtures.metric('prop-add-to-cart'), eventName: 'add_to_cart' }],
    ] as const) {
      const res = await h.call('POST', path, body);
      expect(res.status, await res.clone().text()).toBe(201);
    }
    await createExperiment('prop-draft');
    await createExperiment(RUNNING, ['start']);
  });

  /** The experiment's stored variants and metric links agree with what the API answered. */
  async function expectExperimentStored(json: Json) {
    const got = await h.call('GET', `/api/experiments/${json.key}`);
    expect(await got.json()).toEqual(json);
  }

  const lifecycleSpec = (action: 'start' | 'pause' | 'stop' | 'archive' | 'unarchive', before: string[], extra: Body, fields: string[]): Spec => ({
    name: `POST /api/experiments/:key/${action}`,
    fields: [...fields, 'version'],
    replace: [...fields.map((f) => [f]), ['version']],
    success: 200,
    arbitraryMayPass: true,
    target: async (run) => {
      const key = `prop-${action}-${run}`;
      await createExperiment(key, before);
      const current = await version(`/api/experiments/${key}`);
      return { method: 'POST', path: `/api/experiments/${key}/${action}`, body: { ...extra, version: current }, version: current };
    },
    verify: async ({ before: b, after: a, json, sent, target }) => {
      expect(json.version).toBe(target.version! + 1);
      if (action === 'start') {
        expectWrites(b, a, { audit_log: 1, experiment_phases: 1 }, ['experiment_rows', 'phase_rows']);
        expect(json.status).toBe('running');
      } else if (action === 'stop') {
        expectWrites(b, a, { audit_log: 1 }, ['experiment_rows', 'phase_rows']);
        expect(json.status).toBe('stopped');
        expect(json.decision).toEqual({ winner: sent.winner ?? null, note: sent.note ?? null });
        expect(json.rollout).toEqual(sent.ship === true ? { variantKey: sent.winner, since: json.stoppedAt } : null);
      } else {
        expectWrites(b, a, { audit_log: 1 }, ['experiment_rows']);
        if (action === 'pause') expect(json.status).toBe('paused');
        if (action === 'archive') expect(json.archivedAt).toEqual(expect.any(String));
        if (action === 'unarchive') expect(json.archivedAt).toBeNull();
      }
      await expectExperimentStored(json);
    },
  });

  const specs: Spec[] = [
    {
      name: 'POST /api/touchpoints',
      fields: ['key', 'name', 'kind', 'funnelStage', 'urlPattern', 'description'],
      replace: [['key'], ['name'], ['kind'], ['funnelStage'], ['urlPattern'], ['description']],
      success: 201,
      target: async (run) => ({ method: 'POST', path: '/api/touchpoints', body: { ...fixtures.touchpoint(`prop-tp-${run}`), urlPattern: '/checkout/*', description: 'A CTA' } }),
      verify: async ({ before, after, json, sent }) => {
        expectWrites(before, after, { touchpoints: 1, audit_log: 1 }, ['touchpoint_rows']);
        expectEchoed(json, sent);
        expect(await (await h.call('GET', `/api/touchpoints/${json.key}`)).json()).toEqual(json);
      },
    },
    {
      name: 'PATCH /api/touchpoints/:key',
      fields: ['name', 'kind', 'funnelStage', 'urlPattern', 'description', 'version'],
      replace: [['name'], ['kind'], ['funnelStage'], ['urlPattern'], ['description'], ['version']],
      success: 200,
      arbitraryMayPass: true,
      target: async (run) => {
        const current = await version('/api/touchpoints/prop-tp');
        return { method: 'PATCH', path: '/api/touchpoints/prop-tp', body: { name: `Renamed ${run}`, kind: 'cart', urlPattern: null, version: current }, version: current };
      },
      verify: async ({ before, after, json, sent, target }) => {
        expectWrites(before, after, { audit_log: 1 }, ['touchpoint_rows']);
        expect(json.version).toBe(target.version! + 1);
        expectEchoed(json, sent);
        expect(await (await h.call('GET', '/api/touchpoints/prop-tp')).json()).toEqual(json);
      },
    },
    {
      name: 'POST /api/metrics',
      fields: ['key', 'name', 'type', 'eventName', 'steps', 'numerator', 'denominator', 'attributionHours', 'direction', 'description'],
      replace: [['key'], ['name'], ['type'], ['eventName'], ['steps'], ['numerator'], ['attributionHours'], ['direction'], ['description']],
      success: 201,
      target: async (run) => ({ method: 'POST', path: '/api/metrics', body: { ...fixtures.metric(`prop-metric-${run}`), attributionHours: 48, direction: 'increase', description: 'Orders' } }),
      verify: async ({ before, after, json, sent }) => {
        expectWrites(before, after, { metrics: 1, audit_log: 1 }, ['metric_rows']);
        expectEchoed(json, sent);
        expect(await (await h.call('GET', `/api/metrics/${json.key}`)).json()).toEqual(json);
      },
    },
    {
      name: 'PATCH /api/metrics/:key',
      fields: ['name', 'eventName', 'steps', 'numerator', 'denominator', 'attributionHours', 'direction', 'description', 'version', 'type'],
      replace: [['name'], ['eventName'], ['attributionHours'], ['direction'], ['description'], ['version']],
      success: 200,
      arbitraryMayPass: true,
      target: async (run) => {
        const current = await version('/api/metrics/prop-metric');
        return { method: 'PATCH', path: '/api/metrics/prop-metric', body: { name: `Renamed ${run}`, eventName: 'purchase', attributionHours: 24, version: current }, version: current };
      },
      verify: async ({ before, after, json, sent, target }) => {
        expectWrites(before, after, { audit_log: 1 }, ['metric_rows']);
        expect(json.version).toBe(target.version! + 1);
        expectEchoed(json, sent);
        expect(await (await h.call('GET', '/api/metrics/prop-metric')).json()).toEqual(json);
      },
    },
    {
      name: 'POST /api/experiments',
      numRuns: 150,
      fields: [
        'key', 'name', 'hypothesis', 'touchpointKey', 'variants', 'coverage', 'targeting', 'namespace', 'salt', 'primaryMetric',
        'secondaryMetrics', 'guardrailMetrics', 'alpha', 'correction', 'sequential', 'minimumDetectableEffect', 'stickyBucketing', 'version',
      ],
      replace: [
        ['key'], ['name'], ['hypothesis'], ['touchpointKey'], ['variants'], ['coverage'], ['targeting'], ['namespace'], ['salt'], ['primaryMetric'],
        ['secondaryMetrics'], ['guardrailMetrics'], ['alpha'], ['correction'], ['sequential'], ['minimumDetectableEffect'], ['stickyBucketing'],
        ['variants', 0], ['variants', 1, 'weight'], ['variants', 1, 'payload'], ['variants', 0, 'key'], ['namespace', 'range'], ['namespace', 'range', 1],
        ['targeting', 'all'], ['targeting', 'all', 0, 'value'], ['sequential', 'tuningParameter'], ['secondaryMetrics', 0],
      ],
      success: 201,
      target: async (run) => ({
        method: 'POST',
        path: '/api/experiments',
        body: fixtures.experiment(`prop-exp-${run}`, {
          coverage: 0.8,
          targeting: { all: [{ attribute: 'country', op: 'in', value: ['FR', 'BE'] }] },
          namespace: { id: 'prop-layer', range: [0, 0.5] },
          secondaryMetrics: ['prop-add-to-cart'],
          sequential: { tuningParameter: 5000 },
          alpha: 0.05,
          correction: 'holm',
        }),
      }),
      verify: async ({ before, after, json, sent }) => {
        const links = (json.primaryMetric ? 1 : 0) + json.secondaryMetrics.length + json.guardrailMetrics.length;
        expectWrites(before, after, { experiments: 1, variants: json.variants.length, experiment_metrics: links, audit_log: 1 }, ['experiment_rows', 'variant_rows']);
        expect(json.status).toBe('draft');
        expectEchoed(json, sent);
        await expectExperimentStored(json);
      },
    },
    {
      name: 'PATCH /api/experiments/:key',
      fields: [
        'touchpointKey', 'variants', 'name', 'hypothesis', 'coverage', 'targeting', 'namespace', 'salt', 'primaryMetric', 'secondaryMetrics',
        'guardrailMetrics', 'alpha', 'correction', 'sequential', 'minimumDetectableEffect', 'stickyBucketing', 'newPhase', 'version', 'key', 'status',
      ],
      replace: [
        ['touchpointKey'], ['variants'], ['name'], ['hypothesis'], ['coverage'], ['targeting'], ['namespace'], ['salt'], ['primaryMetric'],
        ['secondaryMetrics'], ['guardrailMetrics'], ['alpha'], ['correction'], ['sequential'], ['minimumDetectableEffect'], ['stickyBucketing'],
        ['newPhase'], ['version'], ['variants', 1], ['variants', 0, 'weight'], ['variants', 1, 'payload'],
      ],
      success: 200,
      arbitraryMayPass: true,
      target: async (run) => {
        const current = (await (await h.call('GET', '/api/experiments/prop-draft')).json()) as Json;
        return {
          meta: { variants: current.variants.length },
          method: 'PATCH',
          path: '/api/experiments/prop-draft',
          version: current.version,
          body: {
            name: `Renamed ${run}`,
            hypothesis: 'Shorter copy',
            coverage: 0.9,
            variants: fixtures.experiment('x').variants,
            targeting: null,
            secondaryMetrics: ['prop-add-to-cart'],
            newPhase: false,
            version: current.version,
          },
        };
      },
      verify: async ({ before, after, json, sent, target }) => {
        expectWrites(before, after, { audit_log: 1 }, ['experiment_rows', 'variants', 'variant_rows', 'experiment_metrics']);
        expect(json.version).toBe(target.version! + 1);
        expect(after.variants).toBe((before.variants as number) - target.meta.variants + json.variants.length);
        expectEchoed(json, sent, ['version', 'newPhase']);
        await expectExperimentStored(json);
      },
    },
    lifecycleSpec('start', [], {}, []),
    lifecycleSpec('pause', ['start'], {}, []),
    lifecycleSpec('stop', ['start'], { winner: 'urgent', note: 'Ships today wins', ship: true }, ['winner', 'note', 'ship']),
    lifecycleSpec('archive', [], {}, []),
    lifecycleSpec('unarchive', ['archive'], {}, []),
    {
      name: 'POST /api/keys',
      fields: ['kind', 'name', 'allowedOrigins', 'id', 'secret'],
      replace: [['kind'], ['name'], ['allowedOrigins'], ['allowedOrigins', 0]],
      success: 201,
      target: async (run) => ({ method: 'POST', path: '/api/keys', body: { kind: 'sdk', name: `Prop ${run}`, allowedOrigins: ['https://shop.example.com'] } }),
      verify: ({ before, after, json, sent }) => {
        expectWrites(before, after, { api_keys: 1, audit_log: 1 }, ['key_rows']);
        expect(json).toMatchObject({ kind: sent.kind, name: sent.name, allowedOrigins: sent.allowedOrigins ?? [], secret: expect.any(String) });
      },
    },
    {
      name: 'POST /api/webhooks',
      fields: ['url', 'events', 'format', 'id', 'secret'],
      replace: [['url'], ['events'], ['events', 0], ['format']],
      success: 201,
      // A public documentation address (203.0.113.0/24): no DNS lookup on the success path.
      target: async () => ({ method: 'POST', path: '/api/webhooks', body: { url: 'https://203.0.113.10/hook', events: ['experiment.started', 'experiment.stopped'], format: 'json' } }),
      verify: ({ before, after, json, sent }) => {
        expectWrites(before, after, { audit_log: 1 }, []);
        expect(json).toMatchObject({ url: sent.url, events: sent.events, format: sent.format ?? 'json', secret: expect.stringMatching(/^whsec_[0-9a-f]{64}$/) });
      },
    },
    {
      name: 'POST /api/stats/analyze',
      fields: ['metric', 'alpha', 'correction', 'sequential', 'variants'],
      replace: [
        ['metric'], ['alpha'], ['correction'], ['sequential'], ['variants'], ['sequential', 'tuningParameter'],
        ['variants', 0], ['variants', 0, 'units'], ['variants', 1, 'conversions'], ['variants', 1, 'key'], ['variants', 0, 'weight'],
      ],
      success: 200,
      target: async () => ({
        method: 'POST',
        path: '/api/stats/analyze',
        body: {
          metric: 'conversion',
          alpha: 0.05,
          correction: 'holm',
          sequential: { tuningParameter: 5000 },
          variants: [
            { key: 'control', units: 10000, conversions: 500, weight: 0.5 },
            { key: 'b', units: 10000, conversions: 560, weight: 0.5 },
          ],
        },
      }),
      verify: ({ before, after, json, sent }) => {
        expectWrites(before, after, {});
        expect(json.variants.map((v: { key: string }) => v.key)).toEqual(sent.variants.map((v: { key: string }) => v.key));
      },
    },
    {
      name: 'POST /api/stats/analyze (revenue)',
      fields: ['metric', 'alpha', 'correction', 'sequential', 'variants'],
      replace: [['alpha'], ['variants', 0, 'mean'], ['variants', 1, 'sd'], ['variants', 1, 'units'], ['variants', 1]],
      success: 200,
      target: async () => ({
        method: 'POST',
        path: '/api/stats/analyze',
        body: {
          metric: 'revenue',
          variants: [
            { key: 'control', units: 5000, mean: 2.5, sd: 10 },
            { key: 'b', units: 5000, mean: 2.7, sd: 11 },
          ],
        },
      }),
      verify: ({ before, after, json, sent }) => {
        expectWrites(before, after, {});
        expect(json.variants.map((v: { key: string }) => v.key)).toEqual(sent.variants.map((v: { key: string }) => v.key));
      },
    },
    {
      name: 'POST /sdk/assign',
      fields: ['unitId', 'attributes', 'experiments', 'logExposures'],
      replace: [['unitId'], ['attributes'], ['experiments'], ['logExposures'], ['attributes', 'country'], ['experiments', 0]],
      success: 200,
      arbitraryMayPass: true,
      target: async (run) => ({
        method: 'POST',
        path: '/sdk/assign',
        key: 'sdk',
        body: { unitId: `assign-${run}`, attributes: { country: 'FR', device: 'mobile' }, experiments: [RUNNING], logExposures: true },
      }),
      verify: ({ before, after, json, sent }) => {
        expect(Array.isArray(json.assignments)).toBe(true);
        if (sent.logExposures !== true) {
          expect(json.exposures).toBeUndefined();
          expectWrites(before, after, {});
          return;
        }
        const { logged, accepted, duplicates } = json.exposures as { logged: number; accepted: number; duplicates: number };
        expect(logged).toBe(json.assignments.filter((a: { inExperiment: boolean }) => a.inExperiment).length);
        expect(accepted + duplicates).toBe(logged);
        expectWrites(before, after, { exposures: accepted }, accepted > 0 ? ['exposure_rows'] : []);
      },
    },
  ];

  for (const spec of specs) {
    describe(spec.name, () => {
      it('arbitrary JSON bodies are refused with a 4xx problem document and write nothing', async () => {
        const target = await spec.target(nextRun());
        await fc.assert(
          fc.asyncProperty(hostileBody(spec.fields), async (text) => {
            const before = await snapshot();
            const res = await send(target, text);
            const body = await res.text();
            expect(res.status, body).toBeLessThan(500);
            if (res.status < 300 && spec.arbitraryMayPass) {
              expect(res.status, body).toBe(spec.success);
              await spec.verify({ before, after: await snapshot(), json: JSON.parse(body), sent: JSON.parse(text), target });
              // The success consumed the target (a new version, a new state): take a fresh one.
              Object.assign(target, await spec.target(nextRun()));
              return;
            }
            expectProblemDocument(res, body);
            expect(await snapshot()).toEqual(before);
          }),
          { numRuns: spec.numRuns ?? NUM_RUNS },
        );
      });

      it('a valid body with one field replaced by arbitrary JSON is taken or refused whole, never a 5xx', async () => {
        // The valid body is taken as it is (else the property below proves nothing).
        {
          const target = await spec.target(nextRun());
          const before = await snapshot();
          const res = await send(target, JSON.stringify(target.body));
          const body = await res.text();
          expect(res.status, body).toBe(spec.success);
          await spec.verify({ before, after: await snapshot(), json: JSON.parse(body), sent: target.body, target });
        }
        const paths = [...spec.replace, ...RESERVED_NAMES.slice(0, 2).map((name) => [name])];
        await fc.assert(
          fc.asyncProperty(fc.constantFrom(...paths), replacement, async (path, value) => {
            const target = await spec.target(nextRun());
            const text = path[0] === '__proto__' ? jsonText(target.body, value) : JSON.stringify(replaced(target.body, path, value));
            const before = await snapshot();
            const res = await send(target, text);
            const body = await res.text();
            expect(res.status, body).toBeLessThan(500);
            if (res.status < 300) {
              expect(isReserved(path), `${String(path[0])} was taken: ${body}`).toBe(false);
              expect(res.status, body).toBe(spec.success);
              await spec.verify({ before, after: await snapshot(), json: JSON.parse(body), sent: JSON.parse(text), target });
              return;
            }
            const problem = expectProblemDocument(res, body);
            if (isReserved(path)) expect(problem.errors?.map((e) => e.field), body).toContain(path[0]);
            expect(await snapshot()).toEqual(before);
          }),
          { numRuns: spec.numRuns ?? NUM_RUNS },
        );
      });
    });
  }

  describe('POST /api/experiments/:key/results/refresh', () => {
    const path = `/api/experiments/${RUNNING}/results/refresh`;

    it('arbitrary query parameters are refused with a 4xx problem document, or refresh the snapshot and nothing else', async () => {
      const names = fc.oneof(fc.constantFrom('segment', 'top', 'format', 'maxAge', ...RESERVED_NAMES), hostileString);
      const values = fc.oneof(hostileString, fc.integer().map(String), fc.constantFrom('country', 'device', '10', '0', '51', '1e3', ''));
      await fc.assert(
        fc.asyncProperty(fc.uniqueArray(fc.tuple(names, values), { maxLength: 4, selector: ([k]) => k }), async (params) => {
          // Any UTF-16, percent-encoded as UTF-8 where well formed and as raw bytes where not.
          const query = params.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
          const before = await snapshot();
          const res = await h.call('POST', `${path}${query ? `?${query}` : ''}`);
          const body = await res.text();
          expect(res.status, body).toBeLessThan(500);
          if (res.status === 200) {
            expectWrites(before, await snapshot(), {}, ['results_snapshots', 'snapshot_rows']);
            return;
          }
          expectProblemDocument(res, body);
          expect(await snapshot()).toEqual(before);
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('a JSON body (the endpoint takes none) is refused with a 4xx problem document and writes nothing', async () => {
      await fc.assert(
        fc.asyncProperty(hostileBody(['segment', 'top', 'format']).filter((text) => text !== '{}'), async (text) => {
          const before = await snapshot();
          const res = await h.call('POST', path, text);
          const body = await res.text();
          expectProblemDocument(res, body);
          expect(await snapshot()).toEqual(before);
        }),
        { numRuns: NUM_RUNS },
      );
    });
  });

  describe('DELETE with arbitrary path segments', () => {
    /** Any bytes, percent-encoded: invalid UTF-8, NUL, slashes and dots included. */
    const segment = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 40 }).map((bytes) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')),
      hostileString.filter((s) => s.length > 0 && s.isWellFormed()).map(encodeURIComponent),
    );

    it('DELETE /api/touchpoints/:key and /api/keys/:id: 404 or 4xx, writing nothing', async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom('/api/touchpoints/', '/api/keys/'), segment, async (base, key) => {
          const before = await snapshot();
          const res = await h.call('DELETE', `${base}${key}`);
          const body = await res.text();
          expectProblemDocument(res, body);
          expect(await snapshot()).toEqual(before);
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('DELETE /api/units/:unitId: an erasure that deletes nothing else and is audited, or a 4xx writing nothing', async () => {
      await fc.assert(
        fc.asyncProperty(segment, async (unitId) => {
          const before = await snapshot();
          const res = await h.call('DELETE', `/api/units/${unitId}`);
          const body = await res.text();
          expect(res.status, body).toBeLessThan(500);
          if (res.status === 200) {
            expect(JSON.parse(body)).toEqual({ exposuresDeleted: 0, eventsDeleted: 0, aliasesDeleted: 0 });
            expectWrites(before, await snapshot(), { audit_log: 1 });
            return;
          }
          expectProblemDocument(res, body);
          expect(await snapshot()).toEqual(before);
        }),
        { numRuns: NUM_RUNS },
      );
    });
  });

  describe('POST /sdk/events', () => {
    const EXPOSURE_FIELDS = ['id', 'type', 'unitId', 'experimentKey', 'variantKey', 'timestamp', 'attributes'];
    const EVENT_FIELDS = ['id', 'type', 'unitId', 'name', 'value', 'timestamp', 'attributes'];
    const timestamp = new Date(T0.getTime() - 60_000).toISOString();
    const storable = (s: unknown): s is string => typeof s === 'string' && s.isWellFormed() && !s.includes('\u0000');
    const storableJson = (v: unknown, depth: number): boolean =>
      depth <= 8 &&
      (v === null || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) || storable(v) ||
        (Array.isArray(v) ? v.every((x) => storableJson(x, depth + 1)) : typeof v === 'object' && Object.entries(v as Body).every(([k, x]) => storable(k) && storableJson(x, depth + 1))));

    /**
     * Whether an item must be stored, judged independently of the server's code: its own members only,
     * each in its documented form (README "Ingestion", design.md §6). Timestamps and keys are compared
     * with the valid ones the test sent: arbitrary JSON never forms an in-window ISO date or a running experiment's key.
     */
    function mustStore(item: unknown, valid: Body): boolean {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) return false;
      const x = item as Body;
      const allowed = x.type === 'exposure' ? EXPOSURE_FIELDS : x.type === 'event' ? EVENT_FIELDS : null;
      if (!allowed || x.type !== valid.type || Object.keys(x).some((k) => !allowed.includes(k))) return false;
      if (!storable(x.id) || x.id.length < 1 || x.id.length > 200) return false;
      if (!storable(x.unitId) || x.unitId.length < 1 || x.unitId.length > 1000) return false;
      if (x.timestamp !== valid.timestamp) return false;
      if (x.attributes !== undefined) {
        const a = x.attributes;
        if (typeof a !== 'object' || a === null || Array.isArray(a)) return false;
        const keys = Object.keys(a);
        if (keys.length > 50 || Buffer.byteLength(JSON.stringify(a)) > 8192) return false;
        if (keys.some((k) => k.length < 1 || k.length > 100 || k === '__proto__')) return false;
        if (!storableJson(a, 0)) return false;
      }
      if (x.type === 'exposure') return x.experimentKey === valid.experimentKey && (x.variantKey === 'control' || x.variantKey === 'urgent');
      if (typeof x.name !== 'string' || x.name.length > 100 || !/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/.test(x.name)) return false;
      return x.value === undefined || x.value === null || (typeof x.value === 'number' && Math.abs(x.value) <= 1e12);
    }

    /** The id a rejection echoes: the item's string id (at most 200 characters), else null. */
    const echoedId = (item: unknown) => {
      const id = typeof item === 'object' && item !== null ? (item as Body).id : undefined;
      return typeof id === 'string' ? id.slice(0, 200) : null;
    };

    const validItem = (run: number, i: number): Body =>
      i % 2 === 0
        ? { id: `prop-x-${run}-${i}`, type: 'exposure', unitId: `prop-u-${run}-${i}`, experimentKey: RUNNING, variantKey: i % 4 === 0 ? 'control' : 'urgent', timestamp, attributes: { device: 'mobile' } }
        : { id: `prop-e-${run}-${i}`, type: 'event', unitId: `prop-u-${run}-${i}`, name: 'purchase', value: 42.5, timestamp, attributes: { channel: 'email' } };

    const contentType = fc.constantFrom('application/json', 'text/plain;charset=UTF-8', 'text/plain');

    interface Answer {
      accepted: number;
      duplicates: number;
      rejected: { index: number; id: string | null; reason: string }[];
    }

    const runningId = async () => (await db().db.selectFrom('experiments').select('id').where('key', '=', RUNNING).executeTakeFirstOrThrow()).id;

    /** The row an item was stored as: the event by its id, the exposure by its unit (the first exposure is the one kept). */
    async function storedRow(item: Body): Promise<Body | undefined> {
      if (item.type === 'event') return (await db().db.selectFrom('events').selectAll().where('event_id', '=', item.id as string).executeTakeFirst()) as Body | undefined;
      const experimentId = await runningId();
      return (await db().db.selectFrom('exposures').selectAll().where('experiment_id', '=', experimentId).where('unit_id', '=', item.unitId as string).executeTakeFirst()) as Body | undefined;
    }

    /**
     * Sends a batch and checks the 202: each item is stored exactly when it must be, as it was sent,
     * and nothing else is written. An item repeating what an earlier run stored (a replaced id or unit
     * that happens to repeat one) is a duplicate or an already-counted exposure, as the README says.
     */
    async function sendBatch(items: unknown[], valid: Body[], type: string, text = JSON.stringify({ items })) {
      const must = items.map((item, i) => mustStore(item, valid[i] ?? {}));
      const earlier = await Promise.all(items.map((item, i) => (must[i] ? storedRow(item as Body) : undefined)));
      const before = await snapshot();
      const res = await h.call('POST', '/sdk/events', text, { key: h.sdkKey, headers: { 'Content-Type': type } });
      const body = await res.text();
      expect(res.status, body).toBe(202);
      const answer = JSON.parse(body) as Answer;
      expect(answer.rejected.map((r) => r.index), body).toEqual(must.flatMap((m, i) => (m ? [] : [i])));
      for (const r of answer.rejected) {
        expect(r.reason.length, body).toBeGreaterThan(0);
        expect(r.id, body).toEqual(echoedId(items[r.index]));
      }
      let events = 0;
      let exposures = 0;
      let duplicates = 0;
      for (const [i, item] of items.entries()) {
        if (!must[i]) {
          // A rejected item that kept one of our ids was not stored under it.
          if (valid[i] && typeof item === 'object' && item !== null && (item as Body).id === valid[i]!.id && valid[i]!.type === 'event') {
            expect(await storedRow(valid[i]!), `item ${i} stored`).toBeUndefined();
          }
          continue;
        }
        const x = item as Body;
        const row = await storedRow(x);
        expect(row, `item ${i} lost: ${body}`).toBeDefined();
        if (earlier[i]) {
          // Already stored by an earlier run: unchanged, and a duplicate if it is the same item.
          expect(row).toEqual(earlier[i]);
          if (x.type === 'event' || earlier[i]!.first_item_id === x.id) duplicates++;
          continue;
        }
        expect(row!.unit_id).toBe(x.unitId);
        expect(row!.attributes ?? undefined).toEqual(x.attributes === undefined ? undefined : JSON.parse(JSON.stringify(x.attributes)));
        if (x.type === 'event') {
          events++;
          expect(row!.name).toBe(x.name);
          const sentValue = x.value === undefined || x.value === null ? null : Number(x.value);
          expect(row!.value === null ? null : Number(row!.value), body).toSatisfy((v: number | null) => v === sentValue);
        } else {
          exposures++;
          expect(row!.first_item_id).toBe(x.id);
          expect(row!.variant_index).toBe(x.variantKey === 'control' ? 0 : 1);
        }
      }
      expect(answer.duplicates, body).toBe(duplicates);
      expect(answer.accepted, body).toBe(must.filter(Boolean).length - duplicates);
      expectWrites(before, await snapshot(), { events, exposures }, exposures > 0 ? ['exposure_rows'] : []);
    }

    it('a batch of valid items is stored whole (the properties below start from it)', async () => {
      const run = nextRun();
      const items = [0, 1, 2, 3].map((i) => validItem(run, i));
      await sendBatch(items, items, 'application/json');
    });

    it('arbitrary JSON bodies, as JSON or as a beacon, are refused with a 4xx problem document and write nothing (or are an empty batch)', async () => {
      await fc.assert(
        fc.asyncProperty(hostileBody(['items']), contentType, async (text, type) => {
          const before = await snapshot();
          const res = await h.call('POST', '/sdk/events', text, { key: h.sdkKey, headers: { 'Content-Type': type } });
          const body = await res.text();
          expect(res.status, body).toBeLessThan(500);
          if (res.status === 202) {
            // Only `{ "items": [...] }` is a batch; arbitrary items are each rejected with a reason.
            const { items } = JSON.parse(text) as { items: unknown[] };
            expect(Object.keys(JSON.parse(text))).toEqual(['items']);
            const answer = JSON.parse(body) as Answer;
            expect(answer, body).toMatchObject({ accepted: 0, duplicates: 0 });
            expect(answer.rejected.map((r) => r.index), body).toEqual(items.map((_, index) => index));
            for (const r of answer.rejected) expect(r.id, body).toEqual(echoedId(items[r.index]));
          } else {
            expectProblemDocument(res, body);
          }
          expect(await snapshot()).toEqual(before);
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('a batch of arbitrary items and dictionaries over the item fields: each rejected with its reason, nothing stored', async () => {
      const itemArb = fc.oneof(
        hostileJson,
        hostileDictionary([...new Set([...EXPOSURE_FIELDS, ...EVENT_FIELDS])]).map((t) => JSON.parse(t) as unknown),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(itemArb, { maxLength: 8 }), contentType, async (items, type) => {
          await sendBatch(items, [], type);
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('valid batches with some items changed (one member replaced or added, or the whole item) lose no valid item and store no invalid one', async () => {
      const allFields = [...new Set([...EXPOSURE_FIELDS, ...EVENT_FIELDS, ...RESERVED_NAMES])];
      const change = fc.oneof(
        { weight: 4, arbitrary: fc.tuple(fc.constant('member' as const), fc.constantFrom(...allFields), hostileJson) },
        { weight: 1, arbitrary: fc.tuple(fc.constant('whole' as const), fc.constant(''), hostileJson) },
      );
      await fc.assert(
        fc.asyncProperty(fc.array(fc.option(change, { nil: undefined, freq: 2 }), { minLength: 1, maxLength: 8 }), contentType, async (changes, type) => {
          const run = nextRun();
          const valid = changes.map((_, i) => validItem(run, i));
          // Each item as JSON text: a __proto__ member goes over the wire verbatim, and JSON.parse makes it an own member, as the server's parser does.
          const texts = changes.map((c, i) => {
            if (!c) return JSON.stringify(valid[i]);
            const [kind, field, value] = c;
            if (kind === 'whole') return JSON.stringify(value);
            return field === '__proto__' ? jsonText(valid[i], value) : JSON.stringify({ ...valid[i], [field]: value });
          });
          const text = `{"items":[${texts.join(',')}]}`;
          await sendBatch((JSON.parse(text) as { items: unknown[] }).items, valid, type, text);
        }),
        { numRuns: NUM_RUNS },
      );
    });
  });
});
