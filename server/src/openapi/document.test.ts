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

  it('documents conditional requests: If-None-Match and 304 on /sdk/config, If-Match on edits, ETag and Location headers', async () => {
    const h = await createHarness(db().db);
    type Op = { parameters?: { name: string; in: string }[]; responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, unknown> }> };
    const doc = (await (await h.call('GET', '/openapi.json', undefined, { key: null })).json()) as { paths: Record<string, Record<string, Op>> };
    const config = doc.paths['/sdk/config']!.get!;
    expect(config.parameters).toContainEqual(expect.objectContaining({ name: 'If-None-Match', in: 'header' }));
    expect(config.responses['304']).toMatchObject({ headers: { ETag: expect.anything() } });
    expect(config.responses['304']!.content).toBeUndefined();
    for (const [path, method] of [['/api/experiments/{key}', 'patch'], ['/api/touchpoints/{key}', 'patch'], ['/api/metrics/{key}', 'patch'], ['/api/experiments/{key}/start', 'post']] as const) {
      const op = doc.paths[path]![method]!;
      expect(op.parameters, `${method} ${path}`).toContainEqual(expect.objectContaining({ name: 'If-Match', in: 'header' }));
      expect(Object.keys(op.responses), `${method} ${path}`).toEqual(expect.arrayContaining(['200', '412']));
      expect(op.responses['200']!.headers, `${method} ${path}`).toHaveProperty('ETag');
    }
    expect(doc.paths['/api/experiments']!.post!.responses['201']!.headers).toEqual(expect.objectContaining({ ETag: expect.anything(), Location: expect.anything() }));
    // Every response has a schema, including those that had none: SDK config and assignment, audit, erasure.
    for (const [path, method] of [['/sdk/config', 'get'], ['/sdk/assign', 'post'], ['/api/experiments/{key}/audit', 'get'], ['/api/units/{unitId}', 'delete']] as const) {
      expect(doc.paths[path]![method]!.responses['200']!.content, `${method} ${path}`).toHaveProperty(['application/json', 'schema', 'properties']);
    }
    expect(Object.keys(doc.paths['/api/experiments/{key}/results']!.get!.responses['200']!.content!)).toEqual(['application/json', 'text/csv']);
  });

  it('answers health and readiness without a key', async () => {
    const h = await createHarness(db().db);
    expect(await (await h.call('GET', '/health', undefined, { key: null })).json()).toEqual({ status: 'ok' });
    expect(await (await h.call('GET', '/ready', undefined, { key: null })).json()).toMatchObject({ status: 'ready' });
  });
});
