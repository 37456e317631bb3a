import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareCuped } from './cuped.js';
import { summarize } from './means.js';
import { type CoMoments, type Moments, combineCoMoments, combineMoments, compareCupedMoments, momentsOf, ratioEstimateFromMoments, summarizeMoments, sumsAbout } from './moments.js';
import { ratioEstimate } from './ratio.js';
import { mulberry32, normal } from './testing/random.js';

const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

/** Partial moments of consecutive chunks of `values`, pooled left to right (as days are). */
function pooledByChunks(values: readonly number[], sizes: readonly number[]): Moments {
  let start = 0;
  let pooled: Moments = { n: 0, sum: 0, m2: 0 };
  for (const size of sizes) {
    pooled = combineMoments(pooled, momentsOf(values.slice(start, start + size)));
    start += size;
  }
  return combineMoments(pooled, momentsOf(values.slice(start)));
}

describe('moments: variances without catastrophic cancellation (Chan, Golub & LeVeque 1979)', () => {
  it('1e9 + {4, 7, 13, 16}: M2 = 6² + 3² + 3² + 6² = 90, variance 30 (by hand), where the one-pass formula fails', () => {
    const values = [4, 7, 13, 16].map((v) => 1e9 + v);
    const pooled = combineMoments(momentsOf(values.slice(0, 1)), combineMoments(momentsOf(values.slice(1, 3)), momentsOf(values.slice(3))));
    expect(pooled).toEqual({ n: 4, sum: 4e9 + 40, m2: 90 });
    expect(summarizeMoments(pooled)).toEqual({ n: 4, mean: 1e9 + 10, variance: 30 });
    // Σy² − (Σy)²/n on the same data: Σy² ≈ 4e18 has an ulp of 512, so the variance is off by far more than 30.
    const raw = { n: 4, sum: values.reduce((s, v) => s + v, 0), sumSquares: values.reduce((s, v) => s + v * v, 0) };
    expect(Math.abs(summarize(raw).variance - 30)).toBeGreaterThan(10);
  });

  // python3 (3.11), statistics.stdev in exact fractions on the same doubles, drawn by the same
  // mulberry32(1979) + Box–Muller as ./testing/random.ts ported line by line:
  //   values = [1e9 + 100 * normal(r) for _ in range(1000)]; statistics.stdev(values) → 96.20752154562872
  it('1e9 + 100·N(0,1), 1000 values pooled from 14 uneven days: SD equals python statistics.stdev to 1e-10', () => {
    const random = mulberry32(1979);
    const values = Array.from({ length: 1000 }, () => 1e9 + 100 * normal(random));
    const pooled = pooledByChunks(values, [1, 80, 2, 150, 70, 70, 3, 200, 90, 60, 100, 40, 34]);
    const sd = Math.sqrt(summarizeMoments(pooled).variance);
    // Each partial mean carries an error of about one ulp of 1e9 (1.2e-7): a few 1e-11 on the SD.
    expect(relative(sd, 96.20752154562872)).toBeLessThan(1e-10);
    expect(relative(sd, Math.sqrt(momentsOf(values).m2 / 999))).toBeLessThan(1e-10);
    // The one-pass formula is off in the third digit here.
    const raw = { n: 1000, sum: pooled.sum, sumSquares: values.reduce((s, v) => s + v * v, 0) };
    expect(relative(Math.sqrt(summarize(raw).variance), 96.20752154562872)).toBeGreaterThan(1e-3);
  });

  it('pooling any split gives the two-pass moments (property)', () => {
    const value = fc.oneof(fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.double({ min: 1e9 - 500, max: 1e9 + 500, noNaN: true }));
    fc.assert(
      fc.property(fc.array(value, { minLength: 2, maxLength: 60 }), fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 6 }), (values, sizes) => {
        const pooled = pooledByChunks(values, sizes);
        const direct = momentsOf(values);
        expect(pooled.n).toBe(direct.n);
        // Values mixing 0 and 1e9 have a spread of 1e9: M2 itself is then huge and relative error applies.
        expect(Math.abs(pooled.m2 - direct.m2)).toBeLessThanOrEqual(1e-9 * direct.m2 + 1e-6);
      }),
    );
  });

  it('an empty part changes nothing; one value has M2 = 0 and variance 0', () => {
    const m = momentsOf([3, 5, 10]);
    expect(combineMoments(m, { n: 0, sum: 0, m2: 0 })).toEqual(m);
    expect(combineMoments({ n: 0, sum: 0, m2: 0 }, m)).toEqual(m);
    expect(summarizeMoments(momentsOf([7]))).toEqual({ n: 1, mean: 7, variance: 0 });
    expect(summarizeMoments({ n: 0, sum: 0, m2: 0 })).toEqual({ n: 0, mean: 0, variance: 0 });
  });

  it('co-moments pool like moments: the covariance of 1e9-offset pairs matches the two-pass one', () => {
    const random = mulberry32(7);
    const pairs = Array.from({ length: 300 }, () => {
      const x = 5e8 + 50 * normal(random);
      return [x, 1e9 + 2 * (x - 5e8) + 30 * normal(random)] as const;
    });
    const twoPass = (ps: readonly (readonly [number, number])[]): CoMoments => {
      const x = momentsOf(ps.map((p) => p[0]));
      const y = momentsOf(ps.map((p) => p[1]));
      const mx = x.sum / x.n;
      const my = y.sum / y.n;
      return { n: x.n, sumX: x.sum, sumY: y.sum, m2X: x.m2, m2Y: y.m2, comoment: ps.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0) };
    };
    const pooled = [pairs.slice(0, 10), pairs.slice(10, 170), pairs.slice(170)].map(twoPass).reduce(combineCoMoments);
    const direct = twoPass(pairs);
    expect(relative(pooled.comoment, direct.comoment)).toBeLessThan(1e-9);
    expect(relative(pooled.m2X, direct.m2X)).toBeLessThan(1e-9);
    expect(relative(pooled.m2Y, direct.m2Y)).toBeLessThan(1e-9);
  });

  it('sums about a reference keep the variance and shift the mean', () => {
    const m = momentsOf([1e9 + 1, 1e9 + 2, 1e9 + 6]);
    const s = sumsAbout(m, 1e9 + 3);
    expect(summarize(s)).toEqual({ n: 3, mean: 0, variance: 7 });
  });
});

describe('compareCupedMoments: CUPED on moments', () => {
  /** Sufficient statistics and co-moments of (x, y) pairs. */
  function both(pairs: readonly (readonly [number, number])[]) {
    const x = momentsOf(pairs.map((p) => p[0]));
    const y = momentsOf(pairs.map((p) => p[1]));
    const mx = x.sum / x.n;
    const my = y.sum / y.n;
    const moments: CoMoments = { n: x.n, sumX: x.sum, sumY: y.sum, m2X: x.m2, m2Y: y.m2, comoment: pairs.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0) };
    const sums = {
      n: x.n,
      sum: y.sum,
      sumSquares: pairs.reduce((s, p) => s + p[1] * p[1], 0),
      covariateSum: x.sum,
      covariateSumSquares: pairs.reduce((s, p) => s + p[0] * p[0], 0),
      sumProducts: pairs.reduce((s, p) => s + p[0] * p[1], 0),
    };
    return { moments, sums };
  }
  const arm = (seed: number, offset: number, lift: number) => {
    const random = mulberry32(seed);
    return Array.from({ length: 400 }, () => {
      const x = offset + 20 * normal(random);
      return [x, x + lift + 10 * normal(random)] as const;
    });
  };

  it('equals compareCuped on raw sums where those are exact enough (values near 0)', () => {
    const a = both(arm(1, 0, 0));
    const b = both(arm(2, 0, 3));
    const fromMoments = compareCupedMoments(a.moments, b.moments);
    const fromSums = compareCuped(a.sums, b.sums);
    expect(fromMoments.theta).toBeCloseTo(fromSums.theta, 10);
    expect(fromMoments.varianceReduction!).toBeCloseTo(fromSums.varianceReduction!, 10);
    expect(fromMoments.absoluteDifference.estimate!).toBeCloseTo(fromSums.absoluteDifference.estimate!, 10);
    expect(fromMoments.absoluteDifference.se!).toBeCloseTo(fromSums.absoluteDifference.se!, 10);
    expect(fromMoments.relativeLift.estimate!).toBeCloseTo(fromSums.relativeLift.estimate!, 10);
  });

  it('is unchanged by an offset of 1e9 on y and x, except the relative lift (whose base moves)', () => {
    const near = compareCupedMoments(both(arm(1, 0, 0)).moments, both(arm(2, 0, 3)).moments);
    const shift = (pairs: ReturnType<typeof arm>) => pairs.map(([x, y]) => [x + 1e9, y + 1e9] as const);
    const far = compareCupedMoments(both(shift(arm(1, 0, 0))).moments, both(shift(arm(2, 0, 3))).moments);
    expect(relative(far.theta, near.theta)).toBeLessThan(1e-9);
    expect(relative(far.absoluteDifference.se!, near.absoluteDifference.se!)).toBeLessThan(1e-9);
    expect(Math.abs(far.absoluteDifference.estimate! - near.absoluteDifference.estimate!)).toBeLessThan(1e-6);
  });
});

describe('ratioEstimateFromMoments: the delta-method ratio on moments', () => {
  /** Orders x (1–3) and their value y per unit. */
  const units = () => {
    const random = mulberry32(11);
    return Array.from({ length: 500 }, () => {
      const x = 1 + Math.floor(3 * random());
      return [x, 40 * x + 25 * normal(random)] as const;
    });
  };
  const moments = (pairs: readonly (readonly [number, number])[]): CoMoments => {
    const x = momentsOf(pairs.map((p) => p[0]));
    const y = momentsOf(pairs.map((p) => p[1]));
    const mx = x.sum / x.n;
    const my = y.sum / y.n;
    return { n: x.n, sumX: x.sum, sumY: y.sum, m2X: x.m2, m2Y: y.m2, comoment: pairs.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0) };
  };
  /** Two-pass reference: Σ(y − R·x)²/(n − 1)/(n·x̄²), R from the first pass. */
  const twoPass = (pairs: readonly (readonly [number, number])[]) => {
    const n = pairs.length;
    const sx = pairs.reduce((s, p) => s + p[0], 0);
    const r = pairs.reduce((s, p) => s + p[1], 0) / sx;
    const residual = pairs.reduce((s, p) => s + (p[1] - r * p[0]) ** 2, 0) / (n - 1);
    return { ratio: r, variance: residual / (n * (sx / n) ** 2) };
  };

  it('equals ratioEstimate on raw sums for ordinary order values', () => {
    const pairs = units();
    const raw = ratioEstimate({
      n: pairs.length,
      sum: pairs.reduce((s, p) => s + p[1], 0),
      sumSquares: pairs.reduce((s, p) => s + p[1] * p[1], 0),
      denSum: pairs.reduce((s, p) => s + p[0], 0),
      denSumSquares: pairs.reduce((s, p) => s + p[0] * p[0], 0),
      sumProducts: pairs.reduce((s, p) => s + p[0] * p[1], 0),
    });
    const fromMoments = ratioEstimateFromMoments(moments(pairs));
    expect(fromMoments.ratio).toBeCloseTo(raw.ratio!, 12);
    expect(relative(fromMoments.variance!, raw.variance!)).toBeLessThan(1e-9);
    expect(relative(fromMoments.variance!, twoPass(pairs).variance)).toBeLessThan(1e-9);
  });

  it('keeps the two-pass variance with one order per unit worth 1e9 + 25·N(0, 1), where raw sums do not', () => {
    const random = mulberry32(12);
    const pairs = Array.from({ length: 500 }, () => [1, 1e9 + 25 * normal(random)] as const);
    const reference = twoPass(pairs).variance;
    expect(relative(ratioEstimateFromMoments(moments(pairs)).variance!, reference)).toBeLessThan(1e-9);
    const raw = ratioEstimate({
      n: pairs.length,
      sum: pairs.reduce((s, p) => s + p[1], 0),
      sumSquares: pairs.reduce((s, p) => s + p[1] * p[1], 0),
      denSum: pairs.length,
      denSumSquares: pairs.length,
      sumProducts: pairs.reduce((s, p) => s + p[1], 0),
    });
    expect(raw.variance === null || relative(raw.variance, reference) > 1e-3).toBe(true);
  });

  it('is undefined without units, with one unit, or with a zero denominator', () => {
    expect(ratioEstimateFromMoments({ n: 1, sumX: 2, sumY: 10, m2X: 0, m2Y: 0, comoment: 0 })).toEqual({ ratio: 5, variance: null });
    expect(ratioEstimateFromMoments({ n: 5, sumX: 0, sumY: 0, m2X: 0, m2Y: 0, comoment: 0 })).toEqual({ ratio: null, variance: null });
  });
});
