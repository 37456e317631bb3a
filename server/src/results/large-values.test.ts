/**
 * Variances without cancellation, end to end (design.md §5 "Numerical care"): revenue of
 * 1e9 + 100·N(0, 1) per unit, sent through POST /sdk/events over several days, read back from
 * GET /api/experiments/:key/results. The SD, the Welch SE and CUPED's θ must equal a two-pass
 * computation in JS on the values sent to 1e-9 relative. The one-pass formula (Σy² − (Σy)²/n) on
 * the same values is off by far more, so these checks can fail.
 */
import { type Kysely, sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import type { Database } from '../db/schema.js';
import { getExperiment } from '../experiments/repository.js';
import { mulberry32, normal } from '../stats/testing/random.js';
import { describeEachEngine } from '../test/engines.js';
import type { Harness } from '../test/harness.js';
import { computeResults } from './compute.js';
import { refreshSnapshot } from './service.js';
import { type Clock, DAY, HOUR, type SdkItem, documentOf, results, resultsHarness, sendItems, startedExperiment } from './test-support.js';

const KEY = 'large-revenue';
const UNITS_PER_VARIANT = 150;
const DAYS = 5;
const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

/** Two-pass mean and sample variance: the mean first, then Σ(y − ȳ)²/(n − 1). */
function twoPass(values: readonly number[]): { mean: number; variance: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return { mean, variance: values.reduce((s, v) => s + (v - mean) * (v - mean), 0) / (values.length - 1) };
}

function onePassVariance(values: readonly number[]): number {
  const sum = values.reduce((s, v) => s + v, 0);
  const squares = values.reduce((s, v) => s + v * v, 0);
  return (squares - (sum * sum) / values.length) / (values.length - 1);
}

describeEachEngine('results: revenue near 1e9 keeps its variance (POST /sdk/events → results)', (getDb) => {
  let h: Harness;
  let clock: Clock;
  let db: Kysely<Database>;
  /** Per variant: each unit's revenue y and its pre-exposure revenue x (the CUPED covariate). */
  const sent = [0, 1].map(() => ({ y: [] as number[], x: [] as number[] }));
  const random = mulberry32(1979);
  let itemId = 0;

  /** Units `from`..`to − 1`, alternating variants, first exposed over `days` days from `start`. */
  function traffic(from: number, to: number, start: number, days: number): SdkItem[] {
    const items: SdkItem[] = [];
    for (let u = from; u < to; u++) {
      const variant = u % 2;
      const unitId = `large-u${u}`;
      const exposedAt = start + (u % days) * DAY + (u % 7) * HOUR;
      // The covariate tracks the unit's revenue, so θ is far from 0 and CUPED's co-moment matters.
      const level = 100 * normal(random);
      const y = 1e9 + level + (variant === 1 ? 5 : 0);
      const x = 1e9 + 0.8 * level + 60 * normal(random);
      sent[variant]!.y.push(y);
      sent[variant]!.x.push(x);
      items.push(
        { id: `lv-${++itemId}`, type: 'event', unitId, name: 'deposit', value: x, timestamp: new Date(exposedAt - 2 * DAY).toISOString() },
        { id: `lv-${++itemId}`, type: 'exposure', unitId, experimentKey: KEY, variantKey: variant === 0 ? 'control' : 'urgent', timestamp: new Date(exposedAt).toISOString() },
        { id: `lv-${++itemId}`, type: 'event', unitId, name: 'deposit', value: y, timestamp: new Date(exposedAt + HOUR).toISOString() },
      );
    }
    return items;
  }

  function expectTwoPassSds(variants: { units: number; value: number; sd: number }[]): void {
    for (const [i, variant] of variants.entries()) {
      const reference = twoPass(sent[i]!.y);
      expect(variant.units).toBe(sent[i]!.y.length);
      expect(relative(variant.value, reference.mean)).toBeLessThan(1e-15);
      expect(relative(variant.sd, Math.sqrt(reference.variance))).toBeLessThan(1e-9);
    }
  }

  beforeAll(async () => {
    db = getDb().db;
    ({ h, clock } = await resultsHarness(db));
    await startedExperiment(h, db, KEY, {
      metrics: [{ key: 'large-revenue', name: 'Deposits', type: 'revenue', eventName: 'deposit', attributionHours: 48 }],
      experiment: { primaryMetric: 'large-revenue' },
    });
    const start = clock.now.getTime();
    // Received at the end of the days: every item is inside ingestion's 7-day bound.
    clock.now = new Date(start + DAYS * DAY);
    await sendItems(h, traffic(0, 2 * UNITS_PER_VARIANT, start, DAYS));
  });

  it('the SD of each variant equals the two-pass SD to 1e-9 (the one-pass formula misses by > 1e-6)', async () => {
    const body = await results(h, KEY);
    expectTwoPassSds(body.metrics[0].variants);
    for (const { y } of sent) {
      const sd = Math.sqrt(twoPass(y).variance);
      expect(relative(Math.sqrt(Math.max(0, onePassVariance(y))), sd)).toBeGreaterThan(1e-6);
    }
  });

  it("Welch's SE and CUPED's θ equal their two-pass values to 1e-9", async () => {
    const body = await results(h, KEY);
    const comparison = body.metrics[0].variants[1].comparison;
    const [a, b] = sent.map((s) => twoPass(s.y));
    const se = Math.sqrt(a!.variance / UNITS_PER_VARIANT + b!.variance / UNITS_PER_VARIANT);
    expect(relative(comparison.absoluteDifference.se, se)).toBeLessThan(1e-9);

    // θ = Cov(x, y)/Var(x) over both arms pooled, centred on the pooled means (two passes).
    const ys = sent.flatMap((s) => s.y);
    const xs = sent.flatMap((s) => s.x);
    const my = ys.reduce((s, v) => s + v, 0) / ys.length;
    const mx = xs.reduce((s, v) => s + v, 0) / xs.length;
    const covariance = xs.reduce((s, x, i) => s + (x - mx) * (ys[i]! - my), 0);
    const varianceX = xs.reduce((s, x) => s + (x - mx) * (x - mx), 0);
    expect(comparison.cuped).not.toBeNull();
    expect(relative(comparison.cuped.theta, covariance / varianceX)).toBeLessThan(1e-9);
  });

  it("a new day of traffic: the incremental refresh gives the full computation's document, still to 1e-9", async () => {
    // A refresh once the receive margin has passed: the next one reads only what comes after it.
    const day = clock.now.getTime();
    clock.now = new Date(day + HOUR);
    await results(h, KEY);
    clock.now = new Date(day + DAY);
    await sendItems(h, traffic(2 * UNITS_PER_VARIANT, 2 * UNITS_PER_VARIANT + 40, day, 1));
    const experiment = await getExperiment(db, KEY);
    const served = await refreshSnapshot(db, experiment, { top: 10 }, clock.now, undefined, { reconcileMs: Number.POSITIVE_INFINITY });
    expect(served.snapshot.refresh).toEqual({ mode: 'incremental', daysRecomputed: 1 });
    expect(documentOf(served)).toEqual(documentOf(await computeResults(db, experiment, { now: clock.now })));
    expectTwoPassSds(served.metrics[0]!.variants as { units: number; value: number; sd: number }[]);
  });

  it('a refresh state stored by the previous version (raw Σy² rows) is recomputed in full on upgrade', async () => {
    const experiment = await getExperiment(db, KEY);
    // The shape version 1 stored: per-day rows with raw sums of squares.
    await sql`update results_snapshots set state = jsonb_set(jsonb_set(state, '{version}', '1'), '{dayRows}',
      '[{"variantIndex":0,"group":"2026-11-02","groupKind":"value","units":1,"metrics":[{"converted":1,"sum":1e9,"sumSquares":1e18}]}]')
      where experiment_id = ${experiment.id} and segment = ''`.execute(db);
    clock.now = new Date(clock.now.getTime() + HOUR);
    const served = await refreshSnapshot(db, experiment, { top: 10 }, clock.now, undefined, { reconcileMs: Number.POSITIVE_INFINITY });
    expect(served.snapshot.refresh?.mode).toBe('full');
    expect(documentOf(served)).toEqual(documentOf(await computeResults(db, experiment, { now: clock.now })));
    expectTwoPassSds(served.metrics[0]!.variants as { units: number; value: number; sd: number }[]);
  });
});
