import { beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../test/harness.js';
import { describeEachEngine } from '../test/engines.js';
import { type Clock, DAY, HOUR, T0, at, insertEvents, insertExposures, results, resultsHarness, startedExperiment } from './test-support.js';

/** Which events count: after first exposure, inside the window and the running period; multiple exposures out. */
describeEachEngine('results: attribution', (getDb) => {
  let h: Harness;
  let clock: Clock;
  beforeAll(async () => {
    ({ h, clock } = await resultsHarness(getDb().db));
  });

  it('counts an event only after exposure, inside the attribution window and the running period', async () => {
    const db = getDb().db;
    clock.now = T0;
    const id = await startedExperiment(h, db, 'window-test', {
      metrics: [{ key: 'purchase-24h', name: 'Purchase in 24 h', type: 'conversion', eventName: 'purchase', attributionHours: 24 }],
      experiment: { primaryMetric: 'purchase-24h' },
    });
    clock.now = at(10 * DAY);
    await db.updateTable('experiments').set({ stopped_at: at(5 * DAY), status: 'stopped' }).where('id', '=', id).execute();
    await insertExposures(db, id, [
      { unitId: 'w-before', variantIndex: 0, exposedAt: at(HOUR) },
      { unitId: 'w-inside', variantIndex: 0, exposedAt: at(HOUR) },
      { unitId: 'w-late', variantIndex: 0, exposedAt: at(HOUR) },
      { unitId: 'w-after-stop', variantIndex: 1, exposedAt: at(5 * DAY - HOUR) },
      { unitId: 'w-edge', variantIndex: 1, exposedAt: at(HOUR) },
      { unitId: 'w-b', variantIndex: 1, exposedAt: at(2 * HOUR) },
    ]);
    await insertEvents(db, [
      { unitId: 'w-before', name: 'purchase', occurredAt: at(HOUR - 1) }, // before exposure
      { unitId: 'w-inside', name: 'purchase', occurredAt: at(HOUR) }, // at exposure: counts
      { unitId: 'w-inside', name: 'purchase', occurredAt: at(2 * HOUR) }, // a second one: still one unit
      { unitId: 'w-late', name: 'purchase', occurredAt: at(25 * HOUR + 1) }, // after the 24 h window
      { unitId: 'w-after-stop', name: 'purchase', occurredAt: at(5 * DAY + 1) }, // after the stop
      { unitId: 'w-edge', name: 'purchase', occurredAt: at(25 * HOUR) }, // exactly at the window end: excluded
      { unitId: 'w-b', name: 'purchase', occurredAt: at(3 * HOUR) }, // counts
      { unitId: 'w-b', name: 'add_to_cart', occurredAt: at(3 * HOUR) }, // another event name
    ]);
    const body = await results(h, 'window-test');
    const [control, variant] = body.metrics[0].variants;
    expect(control).toMatchObject({ key: 'control', units: 3, converted: 1 });
    expect(variant).toMatchObject({ key: 'urgent', units: 3, converted: 1 });
    expect(control.value).toBeCloseTo(1 / 3, 12);
    expect(body.period).toEqual({ from: T0.toISOString(), to: at(5 * DAY).toISOString() });
  });

  it('excludes a unit seen in more than one variant and reports the share', async () => {
    const db = getDb().db;
    clock.now = T0;
    const id = await startedExperiment(h, db, 'multiple-test');
    clock.now = at(2 * DAY);
    await insertExposures(db, id, [
      { unitId: 'm-1', variantIndex: 0, exposedAt: at(HOUR) },
      { unitId: 'm-2', variantIndex: 1, exposedAt: at(HOUR) },
      { unitId: 'm-3', variantIndex: 1, exposedAt: at(HOUR) },
      { unitId: 'm-both', variantIndex: 0, exposedAt: at(HOUR), multiple: true },
    ]);
    await insertEvents(db, [{ unitId: 'm-both', name: 'purchase', occurredAt: at(2 * HOUR) }]);
    const body = await results(h, 'multiple-test');
    expect(body.exposures).toEqual({ units: 4, analysedUnits: 3, multipleExposures: 1, multipleExposureShare: 0.25 });
    expect(body.metrics[0].variants.map((v: any) => [v.units, v.converted])).toEqual([[1, 0], [2, 0]]);
    expect(body.reasons.join(' ')).toContain('more than one variant');
  });

  it('revenue and ratio metrics agree with a hand computation', async () => {
    const db = getDb().db;
    clock.now = T0;
    const id = await startedExperiment(h, db, 'money-test', {
      metrics: [
        { key: 'revenue', name: 'Revenue', type: 'revenue', eventName: 'purchase' },
        { key: 'aov', name: 'Average order value', type: 'ratio', numerator: { eventName: 'purchase', aggregate: 'sum' }, denominator: { eventName: 'purchase', aggregate: 'count' } },
      ],
      experiment: { primaryMetric: 'revenue', secondaryMetrics: ['aov'] },
    });
    clock.now = at(3 * DAY);
    // Control: a buys 10 + 20, b buys 5, c nothing. Variant: d buys 40, e nothing, f buys 1 + 2 + 3.
    await insertExposures(db, id, ['a', 'b', 'c'].map((u) => ({ unitId: `r-${u}`, variantIndex: 0, exposedAt: at(HOUR) })));
    await insertExposures(db, id, ['d', 'e', 'f'].map((u) => ({ unitId: `r-${u}`, variantIndex: 1, exposedAt: at(HOUR) })));
    const buy = (u: string, value: number, hours = 2) => ({ unitId: `r-${u}`, name: 'purchase', value, occurredAt: at(hours * HOUR) });
    await insertEvents(db, [buy('a', 10), buy('a', 20), buy('b', 5), buy('d', 40), buy('f', 1), buy('f', 2), buy('f', 3), buy('c', 1000, 0.5)]);
    const body = await results(h, 'money-test');
    const [revenue, aov] = body.metrics;
    // Per-unit revenue: control [30, 5, 0], variant [40, 0, 6].
    const sd = (xs: number[]) => {
      const m = xs.reduce((s, x) => s + x, 0) / xs.length;
      return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
    };
    expect(revenue.variants[0].value).toBeCloseTo(35 / 3, 12);
    expect(revenue.variants[0].sd).toBeCloseTo(sd([30, 5, 0]), 10);
    expect(revenue.variants[1].value).toBeCloseTo(46 / 3, 12);
    expect(revenue.variants[1].sd).toBeCloseTo(sd([40, 0, 6]), 10);
    expect(revenue.variants[1].comparison.absoluteDifference.estimate).toBeCloseTo(11 / 3, 12);
    expect(revenue.variants[1].comparison.relativeLift.estimate).toBeCloseTo(46 / 35 - 1, 12);
    expect(revenue.variants[1].comparison.welch.df).toBeGreaterThan(2);
    // AOV: control 35 / 3 orders, variant 46 / 4 orders; delta-method variance by hand.
    expect(aov.variants[0].value).toBeCloseTo(35 / 3, 12);
    expect(aov.variants[1].value).toBeCloseTo(46 / 4, 12);
    const ratioVariance = (ys: number[], xs: number[]) => {
      const n = ys.length;
      const my = ys.reduce((s, v) => s + v, 0) / n;
      const mx = xs.reduce((s, v) => s + v, 0) / n;
      const vy = ys.reduce((s, v) => s + (v - my) ** 2, 0) / (n - 1);
      const vx = xs.reduce((s, v) => s + (v - mx) ** 2, 0) / (n - 1);
      const cxy = ys.reduce((s, v, i) => s + (v - my) * (xs[i]! - mx), 0) / (n - 1);
      const r = my / mx;
      return (vy - 2 * r * cxy + r * r * vx) / (n * mx * mx);
    };
    const se = Math.sqrt(ratioVariance([30, 5, 0], [2, 1, 0]) + ratioVariance([40, 0, 6], [1, 0, 3]));
    expect(aov.variants[1].comparison.absoluteDifference.se).toBeCloseTo(se, 10);
    expect(aov.variants[1].converted).toBe(2);
  });

  it('counts funnel steps only in order, after exposure', async () => {
    const db = getDb().db;
    clock.now = T0;
    const id = await startedExperiment(h, db, 'funnel-test', {
      metrics: [{ key: 'shop-funnel', name: 'Shop funnel', type: 'funnel', steps: ['view', 'add_to_cart', 'purchase'] }],
      experiment: { primaryMetric: 'shop-funnel' },
    });
    clock.now = at(3 * DAY);
    await insertExposures(db, id, ['1', '2', '3', '4'].map((u) => ({ unitId: `f-${u}`, variantIndex: 0, exposedAt: at(HOUR) })));
    await insertExposures(db, id, ['5', '6'].map((u) => ({ unitId: `f-${u}`, variantIndex: 1, exposedAt: at(HOUR) })));
    const e = (u: string, name: string, hours: number) => ({ unitId: `f-${u}`, name, occurredAt: at(hours * HOUR) });
    await insertEvents(db, [
      e('1', 'view', 2), e('1', 'add_to_cart', 3), e('1', 'purchase', 4), // full funnel
      e('2', 'purchase', 2), e('2', 'add_to_cart', 3), e('2', 'view', 4), // reversed: only step 1
      e('3', 'view', 0.5), e('3', 'add_to_cart', 2), // view before exposure: nothing counts
      e('4', 'view', 2), e('4', 'purchase', 3), // skipped a step: step 1 only
      e('5', 'view', 2), e('5', 'add_to_cart', 2), e('5', 'purchase', 2), // same timestamp: in order
      e('6', 'add_to_cart', 2), e('6', 'view', 3), e('6', 'add_to_cart', 4), // the second cart counts
    ]);
    const body = await results(h, 'funnel-test');
    const funnel = body.metrics[0];
    expect(funnel.steps.map((s: any) => s.variants.map((v: any) => v.units))).toEqual([[3, 2], [1, 2], [1, 1]]);
    expect(funnel.steps[1].variants[0].rateFromPrevious).toBeCloseTo(1 / 3, 12);
    expect(funnel.steps[2].variants[1].rateOverall).toBeCloseTo(1 / 2, 12);
    expect(funnel.variants.map((v: any) => v.converted)).toEqual([1, 1]);
    expect(funnel.steps[0].variants[1].comparison).toHaveProperty('pValue');
    const segmented = await results(h, 'funnel-test', 'maxAge=0&segment=device');
    expect(segmented.segments.values).toHaveLength(1);
    expect(segmented.segments.values[0]).toMatchObject({ kind: 'none', value: null, units: 6 });
    expect(segmented.segments.values[0].variants.map((v: any) => v.converted)).toEqual([1, 1]);
  });

  describe('degenerate data', () => {
    it('answers an experiment without exposures with reasons, no NaN', async () => {
      const db = getDb().db;
      clock.now = T0;
      await startedExperiment(h, db, 'empty-test');
      const body = await results(h, 'empty-test');
      expect(body.reasons).toContain('no exposures yet');
      expect(body.metrics[0].variants[1].comparison.reason).toBeTruthy();
      expect(body.srm.mismatch).toBe(false);
      expect(JSON.stringify(body)).not.toMatch(/NaN|Infinity/);
    });

    it('answers a variant with zero units', async () => {
      const db = getDb().db;
      clock.now = T0;
      const id = await startedExperiment(h, db, 'one-sided-test');
      await insertExposures(db, id, [{ unitId: 'o-1', variantIndex: 0, exposedAt: at(HOUR) }, { unitId: 'o-2', variantIndex: 0, exposedAt: at(HOUR) }]);
      clock.now = at(DAY);
      const body = await results(h, 'one-sided-test');
      expect(body.reasons.join(' ')).toContain('"urgent" has no units');
      expect(body.metrics[0].variants[1].comparison.pValue).toBeNull();
    });

    it('answers a draft experiment (never started)', async () => {
      await h.call('POST', '/api/experiments', { ...(await import('../test/harness.js')).fixtures.experiment('draft-test') });
      const body = await results(h, 'draft-test');
      expect(body.period.from).toBeNull();
      expect(body.reasons.join(' ')).toContain('has not started');
    });

    it('404 for an unknown experiment', async () => {
      const res = await h.call('GET', '/api/experiments/no-such-thing/results');
      expect(res.status).toBe(404);
    });
  });
});
