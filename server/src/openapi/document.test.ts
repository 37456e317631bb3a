import { expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { createHarness } from '../test/harness.js';

describeEachEngine('OpenAPI document', (db) => {
  it('is OpenAPI 3.1, public, and documents every route with its request schema', async () => {
    const h = await createHarness(db().db);
    const res = await h.call('GET', '/openapi.json', undefined, { key: null });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown>; additionalProperties?: unknown } }> }; parameters?: { name: string }[] }>> };
    expect(doc.openapi).toBe('3.1.0');
    for (const path of ['/api/touchpoints', '/api/metrics', '/api/experiments', '/api/experiments/{key}/stop', '/api/keys', '/health', '/ready']) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    const create = doc.paths['/api/experiments']!.post!.requestBody!.content['application/json']!.schema;
    // The very schema that validates requests: strict objects forbid unknown fields.
    expect(create.additionalProperties).toBe(false);
    expect(Object.keys(create.properties ?? {})).toEqual(expect.arrayContaining(['key', 'variants', 'coverage', 'targeting', 'namespace', 'primaryMetric']));
    expect(doc.paths['/api/experiments']!.get!.parameters!.map((p) => p.name)).toEqual(expect.arrayContaining(['status', 'touchpointKey', 'q', 'archived']));
  });

  it('documents both ways an SDK key travels: the Authorization header, or ?sdkKey= for beacons', async () => {
    const h = await createHarness(db().db);
    const doc = (await (await h.call('GET', '/openapi.json', undefined, { key: null })).json()) as {
      paths: Record<string, Record<string, { security?: unknown }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.components.securitySchemes.sdkKeyQuery).toMatchObject({ type: 'apiKey', in: 'query', name: 'sdkKey' });
    for (const [path, method] of [['/sdk/events', 'post'], ['/sdk/config', 'get'], ['/sdk/assign', 'post']] as const) {
      expect(doc.paths[path]![method]!.security, path).toEqual([{ sdkKey: [] }, { sdkKeyQuery: [] }]);
    }
    // And the query form really works where the document says so.
    expect((await h.call('GET', `/sdk/config?sdkKey=${h.sdkKey}`, undefined, { key: null })).status).toBe(200);
  });

  it('describes each problem type at its type URI', async () => {
    const h = await createHarness(db().db);
    const res = await h.call('GET', '/problems/version-conflict', undefined, { key: null });
    expect(await res.json()).toMatchObject({ type: '/problems/version-conflict', title: expect.any(String), status: 409 });
    const doc = (await (await h.call('GET', '/openapi.json', undefined, { key: null })).json()) as { paths: Record<string, Record<string, { security?: unknown }>> };
    expect(doc.paths['/problems/{type}']!.get!.security).toEqual([]);
    expect(doc.paths['/openapi.json']!.get!.security).toEqual([]);
    expect((await h.call('GET', '/problems/nope', undefined, { key: null })).status).toBe(404);
  });

  it('answers health and readiness without a key', async () => {
    const h = await createHarness(db().db);
    expect(await (await h.call('GET', '/health', undefined, { key: null })).json()).toEqual({ status: 'ok' });
    expect(await (await h.call('GET', '/ready', undefined, { key: null })).json()).toMatchObject({ status: 'ready' });
  });
});
