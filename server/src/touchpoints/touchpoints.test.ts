import { beforeAll, expect, it } from 'vitest';
import { findActiveKey } from '../keys/repository.js';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, createHarness, fixtures } from '../test/harness.js';

interface Touchpoint {
  key: string;
  name: string;
  kind: string;
  funnelStage: string;
  urlPattern: string | null;
  description: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

describeEachEngine('touchpoints', (db) => {
  let h: Harness;
  let adminKeyId = '';
  beforeAll(async () => {
    h = await createHarness(db().db);
    adminKeyId = (await findActiveKey(db().db, h.adminKey))!.id;
  });

  const create = async (body: Record<string, unknown>) => {
    const res = await h.call('POST', '/api/touchpoints', body);
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as Touchpoint;
  };
  const get = async (key: string) => (await (await h.call('GET', `/api/touchpoints/${key}`)).json()) as Touchpoint;
  const list = async (query = '') => {
    const res = await h.call('GET', `/api/touchpoints${query}`);
    expect(res.status, await res.clone().text()).toBe(200);
    return ((await res.json()) as { items: Touchpoint[] }).items.map((t) => t.key);
  };
  const auditOf = (key: string) =>
    db().db.selectFrom('audit_log').selectAll().where('entity_type', '=', 'touchpoint').where('entity_key', '=', key).orderBy('id').execute();
  const problem = async (res: Response, status: number, type: string) => {
    const text = await res.text();
    expect(res.status, text).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(body).toMatchObject({ type: `/problems/${type}`, status });
    return body;
  };

  it('creates a touchpoint with every field and reads it back with its ETag', async () => {
    const res = await h.call('POST', '/api/touchpoints', {
      key: 'pdp-gallery',
      name: 'Product page gallery',
      kind: 'product_page',
      funnelStage: 'consideration',
      urlPattern: '/products/*',
      description: 'Image gallery above the fold',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/api/touchpoints/pdp-gallery');
    expect(res.headers.get('etag')).toBe('"1"');
    const created = (await res.json()) as Touchpoint;
    expect(created).toMatchObject({
      key: 'pdp-gallery',
      name: 'Product page gallery',
      kind: 'product_page',
      funnelStage: 'consideration',
      urlPattern: '/products/*',
      description: 'Image gallery above the fold',
      version: 1,
    });
    expect(new Date(created.createdAt).toISOString()).toBe(created.createdAt);
    const read = await h.call('GET', '/api/touchpoints/pdp-gallery');
    expect(read.headers.get('etag')).toBe('"1"');
    expect(await read.json()).toEqual(created);
  });

  it('defaults optional fields to null', async () => {
    expect(await create(fixtures.touchpoint('minimal-tp'))).toMatchObject({ urlPattern: null, description: null, version: 1 });
  });

  it('refuses a duplicate key with 409 naming the key, and changes nothing', async () => {
    await create({ ...fixtures.touchpoint('dup-tp'), name: 'Original' });
    const auditBefore = (await auditOf('dup-tp')).length;
    const body = await problem(await h.call('POST', '/api/touchpoints', { ...fixtures.touchpoint('dup-tp'), name: 'Impostor' }), 409, 'already-exists');
    expect(body.errors).toEqual([expect.objectContaining({ field: 'key' })]);
    expect((await get('dup-tp')).name).toBe('Original');
    expect(await auditOf('dup-tp')).toHaveLength(auditBefore);
  });

  it('concurrent creations of one key: one 201, the rest 409', async () => {
    const responses = await Promise.all(Array.from({ length: 4 }, (_, i) => h.call('POST', '/api/touchpoints', { ...fixtures.touchpoint('race-tp'), name: `Racer ${i}` })));
    expect(responses.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    expect(await auditOf('race-tp')).toHaveLength(1);
  });

  it('reads an unknown key as 404', async () => {
    await problem(await h.call('GET', '/api/touchpoints/no-such-touchpoint'), 404, 'not-found');
  });

  it('lists in key order, filtered by funnel stage, kind and text', async () => {
    await create({ key: 'f-landing', name: 'Spring landing', kind: 'landing_page', funnelStage: 'awareness' });
    await create({ key: 'f-cart', name: 'Cart drawer', kind: 'cart', funnelStage: 'decision' });
    await create({ key: 'f-cta', name: 'Cart CTA', kind: 'cta', funnelStage: 'decision' });
    await create({ key: 'f-email', name: 'Win-back email', kind: 'email', funnelStage: 'retention' });
    const all = await list('?limit=500');
    expect(all).toEqual([...all].sort());
    expect(all).toEqual(expect.arrayContaining(['f-landing', 'f-cart', 'f-cta', 'f-email']));
    expect(await list('?funnelStage=decision&q=f-')).toEqual(['f-cart', 'f-cta']);
    expect(await list('?kind=cart&q=f-')).toEqual(['f-cart']);
    expect(await list('?kind=cta&funnelStage=decision&q=f-')).toEqual(['f-cta']);
    expect(await list('?kind=email&funnelStage=decision')).toEqual([]);
    // q matches key or name, case-insensitively.
    expect(await list('?q=CART')).toEqual(['f-cart', 'f-cta']);
    expect(await list('?q=win-back')).toEqual(['f-email']);
    expect(await list('?q=f-&limit=2')).toEqual(['f-cart', 'f-cta']);
    expect(await list('?q=f-&limit=2&offset=2')).toEqual(['f-email', 'f-landing']);
    expect(await list('?q=f-&offset=100')).toEqual([]);
  });

  it('treats % and _ in q literally (and a backslash too)', async () => {
    await create({ key: 'lit-percent', name: 'Banner 100% off', kind: 'other', funnelStage: 'awareness' });
    await create({ key: 'lit-underscore', name: 'snake_case block', kind: 'other', funnelStage: 'awareness' });
    await create({ key: 'lit-backslash', name: 'C:\\path block', kind: 'other', funnelStage: 'awareness' });
    await create({ key: 'lit-plain', name: 'Banner 1000 off snakeXcase', kind: 'other', funnelStage: 'awareness' });
    expect(await list(`?q=${encodeURIComponent('%')}`)).toEqual(['lit-percent']);
    expect(await list(`?q=${encodeURIComponent('100%')}`)).toEqual(['lit-percent']);
    expect(await list(`?q=${encodeURIComponent('_')}`)).toEqual(['lit-underscore']);
    expect(await list(`?q=${encodeURIComponent('snake_case')}`)).toEqual(['lit-underscore']);
    expect(await list(`?q=${encodeURIComponent('\\')}`)).toEqual(['lit-backslash']);
    expect(await list(`?q=${encodeURIComponent('%%')}`)).toEqual([]);
    expect(await list(`?q=${encodeURIComponent('__')}`)).toEqual([]);
  });

  it('PATCH with a body version updates, bumps the version and the ETag', async () => {
    const created = await create(fixtures.touchpoint('patch-tp'));
    const res = await h.call('PATCH', '/api/touchpoints/patch-tp', { name: 'Renamed', urlPattern: '/checkout', version: 1 });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get('etag')).toBe('"2"');
    const updated = (await res.json()) as Touchpoint;
    expect(updated).toMatchObject({ key: 'patch-tp', name: 'Renamed', urlPattern: '/checkout', kind: 'cta', version: 2, createdAt: created.createdAt });
    expect(await get('patch-tp')).toEqual(updated);
  });

  it('PATCH with If-Match updates; null clears an optional field', async () => {
    await create({ ...fixtures.touchpoint('ifmatch-tp'), description: 'Will go' });
    const res = await h.call('PATCH', '/api/touchpoints/ifmatch-tp', { description: null, funnelStage: 'decision' }, { headers: { 'If-Match': '"1"' } });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ description: null, funnelStage: 'decision', version: 2 });
    const weak = await h.call('PATCH', '/api/touchpoints/ifmatch-tp', { kind: 'cart' }, { headers: { 'If-Match': 'W/"2"' } });
    expect(weak.status).toBe(200);
  });

  it('PATCH without a version → 428, and nothing changes', async () => {
    await create(fixtures.touchpoint('noversion-tp'));
    await problem(await h.call('PATCH', '/api/touchpoints/noversion-tp', { name: 'x' }), 428, 'precondition-required');
    expect(await get('noversion-tp')).toMatchObject({ name: 'Checkout CTA', version: 1 });
  });

  it('a stale version → 409 from the body, 412 from If-Match, with the current version', async () => {
    await create(fixtures.touchpoint('stale-tp'));
    expect((await h.call('PATCH', '/api/touchpoints/stale-tp', { name: 'First', version: 1 })).status).toBe(200);
    const auditBefore = (await auditOf('stale-tp')).length;
    const conflict = await problem(await h.call('PATCH', '/api/touchpoints/stale-tp', { name: 'Lost', version: 1 }), 409, 'version-conflict');
    expect(conflict.currentVersion).toBe(2);
    const precondition = await problem(await h.call('PATCH', '/api/touchpoints/stale-tp', { name: 'Lost' }, { headers: { 'If-Match': '"1"' } }), 412, 'precondition-failed');
    expect(precondition.currentVersion).toBe(2);
    expect(await get('stale-tp')).toMatchObject({ name: 'First', version: 2 });
    expect(await auditOf('stale-tp')).toHaveLength(auditBefore);
  });

  it('two concurrent edits of one version: exactly one wins, no lost update', async () => {
    await create(fixtures.touchpoint('concurrent-tp'));
    const responses = await Promise.all(['Alice', 'Bob', 'Carol'].map((name) => h.call('PATCH', '/api/touchpoints/concurrent-tp', { name, version: 1 })));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(2);
    const winner = (await responses[statuses.indexOf(200)]!.json()) as Touchpoint;
    expect(await get('concurrent-tp')).toMatchObject({ name: winner.name, version: 2 });
    expect((await auditOf('concurrent-tp')).filter((a) => a.action === 'update')).toHaveLength(1);
  });

  it('PATCH cannot change the key, and 404s on an unknown touchpoint', async () => {
    await create(fixtures.touchpoint('fixed-key-tp'));
    const body = await problem(await h.call('PATCH', '/api/touchpoints/fixed-key-tp', { key: 'other', version: 1 }), 422, 'validation-failed');
    expect(body.errors).toEqual([expect.objectContaining({ field: 'key' })]);
    await problem(await h.call('PATCH', '/api/touchpoints/no-such-tp', { name: 'x', version: 1 }), 404, 'not-found');
  });

  it('DELETE removes an unused touchpoint (204), then it is gone', async () => {
    await create(fixtures.touchpoint('delete-tp'));
    const res = await h.call('DELETE', '/api/touchpoints/delete-tp');
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    await problem(await h.call('GET', '/api/touchpoints/delete-tp'), 404, 'not-found');
    await problem(await h.call('DELETE', '/api/touchpoints/delete-tp'), 404, 'not-found');
    // The key is free again.
    await create(fixtures.touchpoint('delete-tp'));
  });

  it('DELETE of a touchpoint an experiment uses → 409 in-use, also when the experiment is archived', async () => {
    await create(fixtures.touchpoint('checkout-cta'));
    expect((await h.call('POST', '/api/metrics', fixtures.metric())).status).toBe(201);
    expect((await h.call('POST', '/api/experiments', fixtures.experiment('uses-tp'))).status).toBe(201);
    const auditBefore = (await auditOf('checkout-cta')).length;
    const body = await problem(await h.call('DELETE', '/api/touchpoints/checkout-cta'), 409, 'in-use');
    expect(body.detail).toMatch(/1 experiment/);
    expect((await h.call('GET', '/api/touchpoints/checkout-cta')).status).toBe(200);
    expect((await h.call('POST', '/api/experiments/uses-tp/archive')).status).toBe(200);
    await problem(await h.call('DELETE', '/api/touchpoints/checkout-cta'), 409, 'in-use');
    expect(await auditOf('checkout-cta')).toHaveLength(auditBefore);
  });

  it('a delete racing an experiment that uses the touchpoint: one of them wins, the loser is a 4xx naming why', async () => {
    for (let round = 0; round < 6; round++) {
      const key = `race-del-${round}`;
      await create(fixtures.touchpoint(key));
      const [deleted, created] = await Promise.all([
        h.call('DELETE', `/api/touchpoints/${key}`),
        h.call('POST', '/api/experiments', fixtures.experiment(`race-exp-${round}`, { touchpointKey: key })),
      ]);
      const outcome = `${deleted.status}/${created.status}`;
      expect(['204/422', '409/201'], outcome).toContain(outcome);
      const exists = (await h.call('GET', `/api/touchpoints/${key}`)).status === 200;
      expect(exists, outcome).toBe(created.status === 201);
      if (created.status === 422) {
        const body = (await created.json()) as { errors?: { field: string }[] };
        expect(body.errors?.map((e) => e.field), outcome).toEqual(['touchpointKey']);
      } else {
        expect(((await deleted.json()) as { type: string }).type).toBe('/problems/in-use');
      }
    }
  });

  it('writes one audit entry per change with the admin key id, before and after', async () => {
    const created = await create(fixtures.touchpoint('audited-tp'));
    const updated = (await (await h.call('PATCH', '/api/touchpoints/audited-tp', { name: 'Audited', version: 1 })).json()) as Touchpoint;
    expect((await h.call('DELETE', '/api/touchpoints/audited-tp')).status).toBe(204);
    const entries = await auditOf('audited-tp');
    expect(entries.map((e) => e.action)).toEqual(['create', 'update', 'delete']);
    for (const entry of entries) {
      expect(entry.key_id).toBe(adminKeyId);
      expect(entry.request_id).toEqual(expect.any(String));
      expect(entry.at).toBeInstanceOf(Date);
    }
    expect(entries[0]).toMatchObject({ before: null, after: created });
    expect(entries[1]).toMatchObject({ before: created, after: updated });
    expect(entries[2]).toMatchObject({ before: updated, after: null });
  });

  it('an SDK key cannot touch touchpoints', async () => {
    expect((await h.call('POST', '/api/touchpoints', fixtures.touchpoint('sdk-tp'), { key: h.sdkKey })).status).toBe(403);
    expect((await h.call('GET', '/api/touchpoints/sdk-tp')).status).toBe(404);
  });
});
