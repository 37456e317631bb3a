import { beforeAll, describe, expect, it } from 'vitest';
import { findActiveKey } from '../keys/repository.js';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, createHarness, fixtures } from '../test/harness.js';

interface Metric {
  key: string;
  name: string;
  type: string;
  eventName: string | null;
  steps: string[] | null;
  numerator: { eventName: string; aggregate: string } | null;
  denominator: { eventName: string; aggregate: string } | null;
  attributionHours: number | null;
  direction: string;
  description: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

const RATIO = {
  numerator: { eventName: 'purchase', aggregate: 'sum' },
  denominator: { eventName: 'purchase', aggregate: 'count' },
};

describeEachEngine('metrics', (db) => {
  let h: Harness;
  let adminKeyId = '';
  beforeAll(async () => {
    h = await createHarness(db().db);
    adminKeyId = (await findActiveKey(db().db, h.adminKey))!.id;
  });

  const create = async (body: Record<string, unknown>) => {
    const res = await h.call('POST', '/api/metrics', body);
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as Metric;
  };
  const get = async (key: string) => (await (await h.call('GET', `/api/metrics/${key}`)).json()) as Metric;
  const list = async (query = '') => {
    const res = await h.call('GET', `/api/metrics${query}`);
    expect(res.status, await res.clone().text()).toBe(200);
    return ((await res.json()) as { items: Metric[] }).items.map((m) => m.key);
  };
  const auditOf = (key: string) =>
    db().db.selectFrom('audit_log').selectAll().where('entity_type', '=', 'metric').where('entity_key', '=', key).orderBy('id').execute();
  const metricCount = async () => Number((await db().db.selectFrom('metrics').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  /** A 4xx problem naming exactly these fields (in any order), and no row or audit entry written. */
  const refused = async (send: () => Promise<Response>, status: number, type: string, fields?: string[]) => {
    const rows = await metricCount();
    const audit = Number((await db().db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const res = await send();
    const text = await res.text();
    expect(res.status, text).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = JSON.parse(text) as { type: string; errors?: { field: string }[] };
    expect(body.type).toBe(`/problems/${type}`);
    if (fields) expect((body.errors ?? []).map((e) => e.field).sort(), text).toEqual([...fields].sort());
    expect(await metricCount()).toBe(rows);
    expect(Number((await db().db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)).toBe(audit);
    return body;
  };

  describe('create', () => {
    it('a conversion metric, with defaults: 72 h attribution, increase is good', async () => {
      const res = await h.call('POST', '/api/metrics', fixtures.metric('purchase'));
      expect(res.status).toBe(201);
      expect(res.headers.get('location')).toBe('/api/metrics/purchase');
      expect(res.headers.get('etag')).toBe('"1"');
      const metric = (await res.json()) as Metric;
      expect(metric).toMatchObject({
        key: 'purchase',
        type: 'conversion',
        eventName: 'purchase',
        steps: null,
        numerator: null,
        denominator: null,
        attributionHours: 72,
        direction: 'increase',
        description: null,
        version: 1,
      });
      expect(await get('purchase')).toEqual(metric);
    });

    it('a revenue metric with an open attribution window and "decrease is good"', async () => {
      expect(await create({ key: 'refunds', name: 'Refunds', type: 'revenue', eventName: 'refund', attributionHours: null, direction: 'decrease' })).toMatchObject({
        type: 'revenue',
        eventName: 'refund',
        attributionHours: null,
        direction: 'decrease',
      });
    });

    it('a ratio metric (average order value)', async () => {
      expect(await create({ key: 'aov', name: 'Average order value', type: 'ratio', ...RATIO })).toMatchObject({ type: 'ratio', eventName: null, ...RATIO });
    });

    it('a funnel metric with ordered steps', async () => {
      const steps = ['product_view', 'add_to_cart', 'checkout.started', 'purchase'];
      expect(await create({ key: 'shop-funnel', name: 'Shop funnel', type: 'funnel', steps })).toMatchObject({ type: 'funnel', steps, eventName: null });
      expect((await get('shop-funnel')).steps).toEqual(steps);
    });

    it('refuses a duplicate key with 409 naming the key, and keeps the original', async () => {
      await create({ ...fixtures.metric('dup-metric'), name: 'Original' });
      const body = (await refused(() => h.call('POST', '/api/metrics', { ...fixtures.metric('dup-metric'), name: 'Impostor' }), 409, 'already-exists', ['key'])) as { errors: unknown[] };
      expect(body.errors).toHaveLength(1);
      expect((await get('dup-metric')).name).toBe('Original');
    });

    it('reads an unknown key as 404', async () => {
      await refused(() => h.call('GET', '/api/metrics/no-such-metric'), 404, 'not-found');
    });
  });

  describe('type-specific definitions', () => {
    const cases: [label: string, body: Record<string, unknown>, fields: string[]][] = [
      ['conversion without eventName', { type: 'conversion' }, ['eventName']],
      ['conversion with a null eventName', { type: 'conversion', eventName: null }, ['eventName']],
      ['revenue without eventName', { type: 'revenue' }, ['eventName']],
      ['conversion with steps', { type: 'conversion', eventName: 'purchase', steps: ['a', 'b'] }, ['steps']],
      ['conversion with a numerator', { type: 'conversion', eventName: 'purchase', numerator: RATIO.numerator }, ['numerator']],
      ['revenue with a ratio definition', { type: 'revenue', eventName: 'purchase', ...RATIO }, ['numerator', 'denominator']],
      ['ratio without numerator', { type: 'ratio', denominator: RATIO.denominator }, ['numerator']],
      ['ratio without denominator', { type: 'ratio', numerator: RATIO.numerator }, ['denominator']],
      ['ratio without either', { type: 'ratio' }, ['numerator', 'denominator']],
      ['ratio with an eventName', { type: 'ratio', eventName: 'purchase', ...RATIO }, ['eventName']],
      ['ratio with steps', { type: 'ratio', steps: ['a', 'b'], ...RATIO }, ['steps']],
      ['ratio with an unknown aggregate', { type: 'ratio', numerator: { eventName: 'purchase', aggregate: 'avg' }, denominator: RATIO.denominator }, ['numerator.aggregate']],
      ['ratio with a part missing its event', { type: 'ratio', numerator: { aggregate: 'sum' }, denominator: RATIO.denominator }, ['numerator.eventName']],
      ['funnel without steps', { type: 'funnel' }, ['steps']],
      ['funnel with one step', { type: 'funnel', steps: ['purchase'] }, ['steps']],
      ['funnel with no steps', { type: 'funnel', steps: [] }, ['steps']],
      ['funnel with 11 steps', { type: 'funnel', steps: Array.from({ length: 11 }, (_, i) => `step${i}`) }, ['steps']],
      ['funnel with a bad step name', { type: 'funnel', steps: ['view', 'add to cart'] }, ['steps.1']],
      ['funnel with an eventName', { type: 'funnel', steps: ['a', 'b'], eventName: 'purchase' }, ['eventName']],
      ['funnel with a ratio definition', { type: 'funnel', steps: ['a', 'b'], ...RATIO }, ['numerator', 'denominator']],
      ['an unknown type', { type: 'count', eventName: 'purchase' }, ['type']],
    ];
    it.each(cases)('%s → 422 naming the field', async (_label, definition, fields) => {
      await refused(() => h.call('POST', '/api/metrics', { key: 'bad-definition', name: 'Bad', ...definition }), 422, 'validation-failed', fields);
    });

    it('extra fields are refused', async () => {
      await refused(() => h.call('POST', '/api/metrics', { ...fixtures.metric('extra-metric'), window: 24 }), 422, 'validation-failed', ['window']);
    });
  });

  describe('list', () => {
    beforeAll(async () => {
      await create({ key: 'l-add-to-cart', name: 'Add to cart', type: 'conversion', eventName: 'add_to_cart' });
      await create({ key: 'l-revenue', name: 'Revenue per visitor', type: 'revenue', eventName: 'purchase' });
      await create({ key: 'l-aov', name: 'AOV', type: 'ratio', ...RATIO });
      await create({ key: 'l-funnel', name: 'Checkout funnel', type: 'funnel', steps: ['checkout.started', 'purchase'] });
      await create({ key: 'l-percent', name: 'Share 100% paid', type: 'conversion', eventName: 'paid' });
      await create({ key: 'l-underscore', name: 'new_customer', type: 'conversion', eventName: 'first_purchase' });
      await create({ key: 'l-plain', name: 'Share 1000 paid newXcustomer', type: 'conversion', eventName: 'paid' });
    });

    it('lists in key order, filtered by type and by text in key or name', async () => {
      const all = await list('?limit=500');
      expect(all).toEqual([...all].sort());
      expect(await list('?type=ratio&q=l-')).toEqual(['l-aov']);
      expect(await list('?type=funnel&q=l-')).toEqual(['l-funnel']);
      expect(await list('?type=revenue&q=l-')).toEqual(['l-revenue']);
      expect(await list('?q=CART')).toEqual(['l-add-to-cart']);
      expect(await list('?q=revenue per')).toEqual(['l-revenue']);
      expect(await list('?q=l-&limit=2')).toEqual(['l-add-to-cart', 'l-aov']);
      expect(await list('?q=l-&limit=2&offset=2')).toEqual(['l-funnel', 'l-percent']);
    });

    it('treats % and _ in q literally', async () => {
      expect(await list(`?q=${encodeURIComponent('%')}`)).toEqual(['l-percent']);
      expect(await list(`?q=${encodeURIComponent('100%')}`)).toEqual(['l-percent']);
      expect(await list(`?q=${encodeURIComponent('_')}`)).toEqual(['l-underscore']);
      expect(await list(`?q=${encodeURIComponent('new_c')}`)).toEqual(['l-underscore']);
    });

    it('refuses an unknown type filter and unknown parameters', async () => {
      await refused(() => h.call('GET', '/api/metrics?type=count'), 422, 'validation-failed', ['type']);
      await refused(() => h.call('GET', '/api/metrics?kind=cta'), 422, 'validation-failed', ['kind']);
    });
  });

  describe('update', () => {
    it('PATCH with a body version changes the description fields and bumps the version', async () => {
      const created = await create(fixtures.metric('patch-metric'));
      const res = await h.call('PATCH', '/api/metrics/patch-metric', { name: 'Purchases', attributionHours: 24, direction: 'decrease', description: 'Orders', version: 1 });
      expect(res.status, await res.clone().text()).toBe(200);
      expect(res.headers.get('etag')).toBe('"2"');
      const updated = (await res.json()) as Metric;
      expect(updated).toMatchObject({ name: 'Purchases', attributionHours: 24, direction: 'decrease', description: 'Orders', eventName: 'purchase', version: 2, createdAt: created.createdAt });
      expect(await get('patch-metric')).toEqual(updated);
    });

    it('PATCH with If-Match works; null opens the attribution window', async () => {
      await create(fixtures.metric('ifmatch-metric'));
      const res = await h.call('PATCH', '/api/metrics/ifmatch-metric', { attributionHours: null }, { headers: { 'If-Match': '"1"' } });
      expect(res.status, await res.clone().text()).toBe(200);
      expect(await res.json()).toMatchObject({ attributionHours: null, version: 2 });
    });

    it('a guardrail margin (relative, in (0, 1)) is stored, patched and cleared; null = the 2 % default', async () => {
      expect(await create({ ...fixtures.metric('margin-metric'), guardrailMargin: 0.05 })).toMatchObject({ guardrailMargin: 0.05 });
      const res = await h.call('PATCH', '/api/metrics/margin-metric', { guardrailMargin: null, version: 1 });
      expect(res.status, await res.clone().text()).toBe(200);
      expect(await res.json()).toMatchObject({ guardrailMargin: null, version: 2 });
      for (const bad of [0, 1, -0.1, 1.5, 'x']) {
        await refused(() => h.call('POST', '/api/metrics', { ...fixtures.metric('bad-margin'), guardrailMargin: bad }), 422, 'validation-failed', ['guardrailMargin']);
      }
    });

    it('PATCH without a version → 428', async () => {
      await create(fixtures.metric('noversion-metric'));
      await refused(() => h.call('PATCH', '/api/metrics/noversion-metric', { name: 'x' }), 428, 'precondition-required');
    });

    it('a stale version → 409 from the body, 412 from If-Match', async () => {
      await create(fixtures.metric('stale-metric'));
      expect((await h.call('PATCH', '/api/metrics/stale-metric', { name: 'First', version: 1 })).status).toBe(200);
      const conflict = (await refused(() => h.call('PATCH', '/api/metrics/stale-metric', { name: 'Lost', version: 1 }), 409, 'version-conflict')) as unknown as { currentVersion: number };
      expect(conflict.currentVersion).toBe(2);
      await refused(() => h.call('PATCH', '/api/metrics/stale-metric', { name: 'Lost' }, { headers: { 'If-Match': '"1"' } }), 412, 'precondition-failed');
      expect(await get('stale-metric')).toMatchObject({ name: 'First', version: 2 });
    });

    it('two concurrent edits of one version: exactly one wins', async () => {
      await create(fixtures.metric('concurrent-metric'));
      const responses = await Promise.all(['A', 'B', 'C'].map((name) => h.call('PATCH', '/api/metrics/concurrent-metric', { name, version: 1 })));
      expect(responses.map((r) => r.status).sort()).toEqual([200, 409, 409]);
      expect((await auditOf('concurrent-metric')).filter((a) => a.action === 'update')).toHaveLength(1);
    });

    it('the type cannot change', async () => {
      await create(fixtures.metric('fixed-type'));
      await refused(() => h.call('PATCH', '/api/metrics/fixed-type', { type: 'revenue', version: 1 }), 422, 'validation-failed', ['type']);
      await refused(() => h.call('PATCH', '/api/metrics/fixed-type', { key: 'other', version: 1 }), 422, 'validation-failed', ['key']);
    });

    it('the definition must stay coherent for the type', async () => {
      await create(fixtures.metric('coherent-conversion'));
      await create({ key: 'coherent-ratio', name: 'AOV', type: 'ratio', ...RATIO });
      await create({ key: 'coherent-funnel', name: 'Funnel', type: 'funnel', steps: ['a', 'b'] });
      const patch = (key: string, body: Record<string, unknown>) => () => h.call('PATCH', `/api/metrics/${key}`, { ...body, version: 1 });
      await refused(patch('coherent-conversion', { eventName: null }), 422, 'validation-failed', ['eventName']);
      await refused(patch('coherent-conversion', { steps: ['a', 'b'] }), 422, 'validation-failed', ['steps']);
      await refused(patch('coherent-conversion', { numerator: RATIO.numerator }), 422, 'validation-failed', ['numerator']);
      await refused(patch('coherent-ratio', { denominator: null }), 422, 'validation-failed', ['denominator']);
      await refused(patch('coherent-ratio', { eventName: 'purchase' }), 422, 'validation-failed', ['eventName']);
      await refused(patch('coherent-funnel', { steps: ['only'] }), 422, 'validation-failed', ['steps']);
      await refused(patch('coherent-funnel', { steps: null }), 422, 'validation-failed', ['steps']);
      await refused(patch('coherent-funnel', { eventName: 'purchase' }), 422, 'validation-failed', ['eventName']);
      // Coherent changes go through.
      const ok = await h.call('PATCH', '/api/metrics/coherent-funnel', { steps: ['a', 'b', 'c'], version: 1 });
      expect(ok.status, await ok.clone().text()).toBe(200);
      expect(await ok.json()).toMatchObject({ steps: ['a', 'b', 'c'], version: 2 });
      const ratio = await h.call('PATCH', '/api/metrics/coherent-ratio', { numerator: { eventName: 'purchase', aggregate: 'count' }, version: 1 });
      expect(ratio.status).toBe(200);
      expect(await ratio.json()).toMatchObject({ numerator: { eventName: 'purchase', aggregate: 'count' }, denominator: RATIO.denominator });
      const conversion = await h.call('PATCH', '/api/metrics/coherent-conversion', { eventName: 'order_completed', version: 1 });
      expect(await conversion.json()).toMatchObject({ eventName: 'order_completed', steps: null, numerator: null });
    });

    it('404 on an unknown metric, and there is no DELETE', async () => {
      await refused(() => h.call('PATCH', '/api/metrics/no-such-metric', { name: 'x', version: 1 }), 404, 'not-found');
      await create(fixtures.metric('kept-metric'));
      const res = await h.call('DELETE', '/api/metrics/kept-metric');
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect((await h.call('GET', '/api/metrics/kept-metric')).status).toBe(200);
    });
  });

  it('writes one audit entry per change with the admin key id, before and after', async () => {
    const created = await create(fixtures.metric('audited-metric'));
    const updated = (await (await h.call('PATCH', '/api/metrics/audited-metric', { name: 'Audited', version: 1 })).json()) as Metric;
    const again = (await (await h.call('PATCH', '/api/metrics/audited-metric', { attributionHours: 12 }, { headers: { 'If-Match': '"2"' } })).json()) as Metric;
    const entries = await auditOf('audited-metric');
    expect(entries.map((e) => e.action)).toEqual(['create', 'update', 'update']);
    for (const entry of entries) {
      expect(entry.key_id).toBe(adminKeyId);
      expect(entry.request_id).toEqual(expect.any(String));
    }
    expect(entries[0]).toMatchObject({ before: null, after: created });
    expect(entries[1]).toMatchObject({ before: created, after: updated });
    expect(entries[2]).toMatchObject({ before: updated, after: again });
  });
});
