import { expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, createHarness, fixtures, seedCatalog } from '../test/harness.js';

type Experiment = Record<string, unknown> & { key: string; version: number };

describeEachEngine('experiments API', (db) => {
  let h: Harness;
  const post = (body: unknown) => h.call('POST', '/api/experiments', body);

  it('creates a draft with defaults and reads it back', async () => {
    h = await createHarness(db().db);
    await seedCatalog(h);
    await h.call('POST', '/api/metrics', { key: 'add-to-cart', name: 'Add to cart', type: 'conversion', eventName: 'add_to_cart' });
    const res = await post(fixtures.experiment('cta-copy', { secondaryMetrics: ['add-to-cart'], targeting: { all: [{ attribute: 'country', op: 'in', value: ['FR', 'BE'] }] } }));
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/api/experiments/cta-copy');
    const created = (await res.json()) as Experiment;
    expect(created).toMatchObject({
      key: 'cta-copy', status: 'draft', salt: 'cta-copy', coverage: 1, alpha: 0.05, correction: 'holm', sequential: { tuningParameter: 5000 },
      primaryMetric: 'purchase', secondaryMetrics: ['add-to-cart'], guardrailMetrics: [], phase: null, version: 1, decision: null,
      variants: [{ key: 'control', weight: 0.5, payload: { label: 'Buy now' } }, { key: 'urgent', weight: 0.5 }],
    });
    const read = (await (await h.call('GET', '/api/experiments/cta-copy')).json()) as Experiment;
    expect(read).toEqual(created);
  });

  it('lists with status, touchpoint and text filters', async () => {
    await h.call('POST', '/api/touchpoints', fixtures.touchpoint('pdp-gallery'));
    await post(fixtures.experiment('gallery-zoom', { touchpointKey: 'pdp-gallery', name: 'Gallery zoom' }));
    await post(fixtures.experiment('gallery-video', { touchpointKey: 'pdp-gallery', name: 'Gallery video_100%' }));
    await h.call('POST', '/api/experiments/gallery-zoom/start');
    const keys = async (query: string) =>
      ((await (await h.call('GET', `/api/experiments${query}`)).json()) as { items: Experiment[] }).items.map((e) => e.key).sort();
    expect(await keys('?touchpointKey=pdp-gallery')).toEqual(['gallery-video', 'gallery-zoom']);
    expect(await keys('?status=running')).toEqual(['gallery-zoom']);
    expect(await keys('?q=ZOOM')).toEqual(['gallery-zoom']);
    expect(await keys('?q=_100%25')).toEqual(['gallery-video']);
    expect(await keys('?q=%25')).toEqual(['gallery-video']);
    expect(await keys('?limit=1&offset=0')).toHaveLength(1);
  });

  it('refuses references to a missing touchpoint or metric, naming each field', async () => {
    const res = await post(fixtures.experiment('dangling', { touchpointKey: 'nowhere', primaryMetric: 'ghost', guardrailMetrics: ['purchase-x'] }));
    expect(res.status).toBe(422);
    const fields = ((await res.json()) as { errors: { field: string }[] }).errors.map((e) => e.field);
    expect(fields).toEqual(['touchpointKey', 'primaryMetric', 'guardrailMetrics.0']);
    expect((await h.call('GET', '/api/experiments/dangling')).status).toBe(404);
  });

  it('refuses invalid targeting with the SDK validator and a metric listed twice', async () => {
    const badTargeting = await post(fixtures.experiment('bad-targeting', { targeting: { all: [{ attribute: 'country', op: 'like', value: 'F%' }] } }));
    expect(badTargeting.status).toBe(422);
    expect(await badTargeting.json()).toMatchObject({ errors: [{ field: 'targeting' }] });
    const twice = await post(fixtures.experiment('twice', { secondaryMetrics: ['purchase'] }));
    expect(twice.status).toBe(422);
    expect(await twice.json()).toMatchObject({ errors: [{ field: 'secondaryMetrics.0' }] });
  });

  it('refuses a duplicate key with 409 and keeps the first', async () => {
    const res = await post(fixtures.experiment('cta-copy', { name: 'Impostor' }));
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ type: '/problems/already-exists', errors: [{ field: 'key' }] });
    expect(((await (await h.call('GET', '/api/experiments/cta-copy')).json()) as Experiment).name).toBe('Checkout CTA copy');
  });

  it('accepts three variants with weights that sum to 1 within floating-point tolerance', async () => {
    const third = 1 / 3;
    const res = await post(fixtures.experiment('three-way', {
      variants: [{ key: 'a', name: 'A', weight: third }, { key: 'b', name: 'B', weight: third }, { key: 'c', name: 'C', weight: third }],
      namespace: { id: 'checkout-layer', range: [0, 0.5] },
      sequential: {},
    }));
    expect(res.status, await res.clone().text()).toBe(201);
    expect(await res.json()).toMatchObject({ namespace: { id: 'checkout-layer', range: [0, 0.5] }, sequential: { tuningParameter: 5000 } });
  });
});
