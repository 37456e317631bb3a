import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import type { Harness } from '../test/harness.js';
import { type Clock, HOUR, T0, at, insertEvents, insertExposures, resultsHarness, startedExperiment } from './test-support.js';

/** Segment breakdowns: the attributes offered come from the exposures, and any metric can be broken down. */
describeEachEngine('results: segment attributes and any metric by segment', (getDb) => {
  let h: Harness;
  let clock: Clock;
  beforeAll(async () => {
    const db = getDb().db;
    ({ h, clock } = await resultsHarness(db));
    clock.now = T0;
    const id = await startedExperiment(h, db, 'seg-test', {
      metrics: [{ key: 'seg-revenue', name: 'Revenue', type: 'revenue', eventName: 'purchase', currency: 'EUR' }],
      experiment: { secondaryMetrics: ['seg-revenue'] },
    });
    // Six units: plan on all, device on four, a nested object (not offered), a name ?segment= refuses.
    const attributes: (Record<string, unknown> | null)[] = [
      { plan: 'pro', device: 'mobile', 'bad name': 'x' },
      { plan: 'pro', device: 'desktop', nested: { a: 1 } },
      { plan: 'free', device: 'mobile', visits: 3 },
      { plan: 'free', device: 'mobile', returning: true },
      { plan: 'free' },
      null,
    ];
    await insertExposures(
      db,
      id,
      attributes.map((a, i) => ({ unitId: `s-${i}`, variantIndex: i % 2, exposedAt: at(HOUR), attributes: a as Record<string, string> | null })),
    );
    // A unit seen in two variants is not analysed: its attribute is not offered.
    await insertExposures(db, id, [{ unitId: 's-x', variantIndex: 0, exposedAt: at(HOUR), attributes: { only_excluded: 'yes' }, multiple: true }]);
    await insertEvents(db, [
      { unitId: 's-0', name: 'purchase', value: 30, occurredAt: at(2 * HOUR) },
      { unitId: 's-1', name: 'purchase', value: 50, occurredAt: at(2 * HOUR) },
    ]);
    clock.now = at(10 * HOUR);
  });

  it('lists every scalar attribute seen in analysed exposures, most units first', async () => {
    const res = await h.call('GET', '/api/experiments/seg-test/segments');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      attributes: [
        { name: 'plan', units: 5 },
        { name: 'device', units: 4 },
        { name: 'returning', units: 1 },
        { name: 'visits', units: 1 },
      ],
    });
    expect((await h.call('GET', '/api/experiments/nope/segments')).status).toBe(404);
    expect((await h.call('GET', '/api/experiments/seg-test/segments?x=1')).status).toBe(422);
    expect((await h.call('GET', '/api/experiments/seg-test/segments', undefined, { key: h.sdkKey })).status).toBe(403);
  });

  it('breaks down any metric of the experiment (?segmentMetric=), the primary by default', async () => {
    const primary = await (await h.call('GET', '/api/experiments/seg-test/results?segment=plan&maxAge=0')).json();
    expect(primary.segments.metric).toBe('purchase');
    const res = await h.call('GET', '/api/experiments/seg-test/results?segment=plan&segmentMetric=seg-revenue&maxAge=0');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.segments.metric).toBe('seg-revenue');
    const pro = body.segments.values.find((v: { value: string }) => v.value === 'pro');
    expect(pro.variants.map((v: { key: string; value: number }) => [v.key, v.value])).toEqual([
      ['control', 30],
      ['urgent', 50],
    ]);
    // The metric carries its currency into the document.
    expect(body.metrics.find((m: { key: string }) => m.key === 'seg-revenue')).toMatchObject({ currency: 'EUR', unit: null });
    // A stored breakdown of one metric is not served for another.
    const again = await (await h.call('GET', '/api/experiments/seg-test/results?segment=plan')).json();
    expect(again.segments.metric).toBe('purchase');
  });

  it('refuses a metric that is not the experiment’s, or one without a segment', async () => {
    for (const query of ['segment=plan&segmentMetric=nope', 'segmentMetric=seg-revenue', 'segment=plan&segmentMetric=Bad%20Key']) {
      const res = await h.call('GET', `/api/experiments/seg-test/results?${query}`);
      expect(res.status, query).toBe(422);
      expect((await res.json()).errors.map((e: { field: string }) => e.field)).toEqual(['segmentMetric']);
    }
    expect((await h.call('POST', '/api/experiments/seg-test/results/refresh?segment=plan&segmentMetric=nope')).status).toBe(422);
  });
});
