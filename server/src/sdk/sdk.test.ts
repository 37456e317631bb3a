import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, createHarness, fixtures, seedCatalog } from '../test/harness.js';

interface Vector {
  experiment: { key: string; salt?: string; variants: { key: string; weight: number; payload?: unknown }[]; coverage?: number; namespace?: unknown; targeting?: unknown };
  unitId: string;
  attributes?: Record<string, unknown>;
  expected: { variantIndex: number; variantKey: string } | null;
}
const vectors = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../../client-sdk/test/vectors.json'), 'utf8')) as { assign: Vector[] };

describeEachEngine('SDK endpoints', (db) => {
  let h: Harness;
  const sdk = (method: string, p: string, body?: unknown, headers: Record<string, string> = {}) => h.call(method, p, body, { key: h.sdkKey, headers });

  it('serves only running experiments in SDK form, with an ETag that answers 304 until something changes', async () => {
    h = await createHarness(db().db);
    await seedCatalog(h);
    await h.call('POST', '/api/experiments', fixtures.experiment('live-one', { coverage: 0.5, stickyBucketing: true, namespace: { id: 'layer', range: [0, 0.5] } }));
    await h.call('POST', '/api/experiments', fixtures.experiment('draft-one'));
    await h.call('POST', '/api/experiments/live-one/start');
    const res = await sdk('GET', '/sdk/config');
    expect(res.status).toBe(200);
    const etag = res.headers.get('etag')!;
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const body = (await res.json()) as { experiments: Record<string, unknown>[] };
    expect(body.experiments).toEqual([
      {
        key: 'live-one', salt: 'live-one', coverage: 0.5, sticky: true, namespace: { id: 'layer', range: [0, 0.5] }, targeting: null,
        variants: [{ key: 'control', weight: 0.5, payload: { label: 'Buy now' } }, { key: 'urgent', weight: 0.5, payload: { label: 'Buy now, ships today' } }],
      },
    ]);
    expect((await sdk('GET', '/sdk/config', undefined, { 'If-None-Match': etag })).status).toBe(304);
    await h.call('POST', '/api/experiments/live-one/pause');
    const after = await sdk('GET', '/sdk/config', undefined, { 'If-None-Match': etag });
    expect(after.status).toBe(200);
    expect(((await after.json()) as { experiments: unknown[] }).experiments).toEqual([]);
    await h.call('POST', '/api/experiments/live-one/start');
    // An edit of a running experiment shows at once (the cached config is keyed by ids and versions).
    const before = await sdk('GET', '/sdk/config');
    const version = ((await (await h.call('GET', '/api/experiments/live-one')).json()) as { version: number }).version;
    expect((await h.call('PATCH', '/api/experiments/live-one', { version, coverage: 0.9 })).status).toBe(200);
    const raised = await sdk('GET', '/sdk/config', undefined, { 'If-None-Match': before.headers.get('etag')! });
    expect(raised.status).toBe(200);
    expect(((await raised.json()) as { experiments: { coverage: number }[] }).experiments[0]!.coverage).toBe(0.9);
  });

  it('If-None-Match: * answers 304 (RFC 9110: any current representation matches); a list naming the ETag, weak or not, too', async () => {
    const etag = (await sdk('GET', '/sdk/config')).headers.get('etag')!;
    for (const value of ['*', ' * ', etag, `W/${etag}`, `"other", W/${etag}`]) {
      const res = await sdk('GET', '/sdk/config', undefined, { 'If-None-Match': value });
      expect(res.status, value).toBe(304);
      expect(res.headers.get('etag'), value).toBe(etag);
    }
    for (const value of ['"other"', '*, "other"', `${etag}x`, etag.slice(1, -1)]) expect((await sdk('GET', '/sdk/config', undefined, { 'If-None-Match': value })).status, value).toBe(200);
  });

  it('assigns server-side with the SDK code: every contract vector agrees through HTTP', async () => {
    let viaHttp = 0;
    // Vectors share experiments: create each distinct configuration once.
    const created = new Map<string, string | null>();
    for (const [i, vector] of vectors.assign.entries()) {
      const e = vector.experiment;
      const config = JSON.stringify(e);
      if (!created.has(config)) created.set(config, await createVectorExperiment(`vector-${i}`, e));
      const key = created.get(config);
      if (!key) continue; // vectors of deliberately invalid configurations are the SDK's own business
      const res = await sdk('POST', '/sdk/assign', { unitId: vector.unitId, attributes: vector.attributes ?? {}, experiments: [key] });
      expect(res.status).toBe(200);
      const [assignment] = ((await res.json()) as { assignments: { inExperiment: boolean; variantIndex?: number; variantKey?: string }[] }).assignments;
      if (vector.expected === null) expect(assignment, `vector ${i}`).toMatchObject({ inExperiment: false });
      else expect(assignment, `vector ${i}`).toMatchObject({ inExperiment: true, ...vector.expected });
      viaHttp++;
    }
    expect(viaHttp).toBeGreaterThanOrEqual(vectors.assign.length * 0.8);
  });

  async function createVectorExperiment(key: string, e: Vector['experiment']): Promise<string | null> {
      const created = await h.call('POST', '/api/experiments', {
        key, name: key, touchpointKey: 'checkout-cta', primaryMetric: 'purchase', salt: e.salt || e.key,
        variants: e.variants.map((v) => ({ key: v.key, name: v.key, weight: v.weight, ...(v.payload !== undefined && { payload: v.payload }) })),
        coverage: e.coverage ?? 1, namespace: e.namespace ?? null, targeting: e.targeting ?? null,
      });
      if (created.status !== 201) return null;
      expect((await h.call('POST', `/api/experiments/${key}/start`)).status).toBe(200);
      return key;
  }

  it('answers design.md §4 vectors for a 50/50 cta-color experiment', async () => {
    await h.call('POST', '/api/experiments', fixtures.experiment('cta-color', { variants: [{ key: 'control', name: 'A', weight: 0.5 }, { key: 'blue', name: 'B', weight: 0.5 }] }));
    await h.call('POST', '/api/experiments/cta-color/start');
    const assign = async (unitId: string) =>
      ((await (await sdk('POST', '/sdk/assign', { unitId, experiments: ['cta-color'] })).json()) as { assignments: { variantIndex?: number }[] }).assignments[0]!.variantIndex;
    expect(await assign('user-1')).toBe(1);
    expect(await assign('user-3')).toBe(0);
    expect(await assign('alice')).toBe(1);
  });

  it('accepts an SDK key in the query string (beacons cannot send headers) but never an admin key', async () => {
    expect((await h.call('GET', `/sdk/config?sdkKey=${h.sdkKey}`, undefined, { key: null })).status).toBe(200);
    const admin = await h.call('GET', `/sdk/config?sdkKey=${h.adminKey}`, undefined, { key: null });
    expect(admin.status).toBe(403);
    expect((await h.call('GET', '/sdk/config', undefined, { key: null })).status).toBe(401);
  });

  it('answers CORS preflights and enforces the origins allowed on the key', async () => {
    const pre = await h.call('OPTIONS', '/sdk/events', undefined, { key: null, headers: { Origin: 'https://shop.example', 'Access-Control-Request-Method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    const limited = (await (await h.call('POST', '/api/keys', { kind: 'sdk', name: 'shop only', allowedOrigins: ['https://shop.example'] })).json()) as { secret: string };
    const ok = await h.call('GET', '/sdk/config', undefined, { key: limited.secret, headers: { Origin: 'https://shop.example' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(ok.headers.get('access-control-expose-headers')).toMatch(/ETag/);
    const other = await h.call('GET', '/sdk/config', undefined, { key: limited.secret, headers: { Origin: 'https://evil.example' } });
    expect(other.status).toBe(403);
  });

  it('validates assign requests like every other endpoint', async () => {
    expect((await sdk('POST', '/sdk/assign', { unitId: 'x'.repeat(1001) })).status).toBe(422);
    expect((await sdk('POST', '/sdk/assign', { unitId: 'u', attributes: { bad: '\u0000' } })).status).toBe(422);
    expect((await sdk('POST', '/sdk/assign', { unitId: 'u', extra: 1 })).status).toBe(422);
    const unknown = await sdk('POST', '/sdk/assign', { unitId: 'u', experiments: ['no-such-thing'] });
    expect(await unknown.json()).toEqual({ assignments: [{ experimentKey: 'no-such-thing', inExperiment: false, reason: 'not running' }] });
  });

  it('logs the exposures of a server-side assignment on request, once per unit and experiment', async () => {
    await h.call('POST', '/api/experiments', fixtures.experiment('assign-logged'));
    await h.call('POST', '/api/experiments/assign-logged/start');
    const exposureRows = () => db().db.selectFrom('exposures as x').innerJoin('experiments as e', 'e.id', 'x.experiment_id')
      .select(['x.unit_id', 'x.variant_index', 'x.first_item_id', 'x.attributes']).where('e.key', '=', 'assign-logged').execute();
    // Without the flag nothing is written.
    await sdk('POST', '/sdk/assign', { unitId: 'srv-0', experiments: ['assign-logged'] });
    expect(await exposureRows()).toEqual([]);

    const res = await sdk('POST', '/sdk/assign', { unitId: 'srv-1', attributes: { device: 'desktop' }, experiments: ['assign-logged', 'no-such-thing'], logExposures: true });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { assignments: { experimentKey: string; variantIndex?: number }[]; exposures: unknown };
    expect(body.exposures).toEqual({ logged: 1, accepted: 1, duplicates: 0 });
    const rows = await exposureRows();
    expect(rows).toEqual([{ unit_id: 'srv-1', variant_index: body.assignments[0]!.variantIndex, first_item_id: expect.stringMatching(/^assign-[0-9a-f]{40}$/), attributes: { device: 'desktop' } }]);
    // The same call again (a reload, a retry): recognised, nothing changes.
    const again = await sdk('POST', '/sdk/assign', { unitId: 'srv-1', attributes: { device: 'desktop' }, experiments: ['assign-logged'], logExposures: true });
    expect(((await again.json()) as { exposures: unknown }).exposures).toEqual({ logged: 1, accepted: 0, duplicates: 1 });
    expect(await exposureRows()).toEqual(rows);
    // No identity, no experiment, no exposure.
    const anonymous = await sdk('POST', '/sdk/assign', { unitId: '', experiments: ['assign-logged'], logExposures: true });
    expect(((await anonymous.json()) as { exposures: unknown }).exposures).toEqual({ logged: 0, accepted: 0, duplicates: 0 });
  });

  it('refuses attributes it could not store before logging anything', async () => {
    const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`a${i}`, i]));
    const res = await sdk('POST', '/sdk/assign', { unitId: 'srv-2', attributes: tooMany, experiments: ['assign-logged'], logExposures: true });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe('attributes');
    const stored = await db().db.selectFrom('exposures').select('unit_id').where('unit_id', '=', 'srv-2').execute();
    expect(stored).toEqual([]);
    // The same attributes are fine for assignment alone (targeting reads them, nothing is stored).
    expect((await sdk('POST', '/sdk/assign', { unitId: 'srv-2', attributes: tooMany, experiments: ['assign-logged'] })).status).toBe(200);
  });
});
