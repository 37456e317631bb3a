/**
 * Issue 10: the decision procedure, by seeded simulation (design.md §5).
 *
 * - A/A at ~200 units per arm, 4,000 comparisons each, conversion and skewed revenue (20 % of units buy,
 *   order values lognormal): the headline (absolute difference) rejects 4–6 % of the time, and its false
 *   positives do not lean: "worse" and "better" counts within 3 standard errors of each other
 *   (|W − B| ≤ 3·√(W + B), the sd of W − B when each false positive is equally likely to be either).
 * - Daily peeking over 14 looks with the defaults (sequential on, N* = 5,000) stays at or below 5.5 %.
 * - Fieller's lift interval covers the true lift 93.5–96.5 % of the time, and it excludes a lift of 0
 *   exactly when the absolute-difference test rejects (100 % agreement, every simulated comparison).
 *
 * Sufficient statistics are drawn directly (binomial counts; for revenue, the number of buyers and the
 * sum and sum of squares of their order values), so the whole file runs in a few seconds. Run it with
 *   npx vitest run server/src/stats/headline-simulation.test.ts
 * The figures are printed as "[headline simulation] …" lines.
 */
import { describe, expect, it } from 'vitest';
import { criticalValue } from './estimate.js';
import { fiellerContains, fiellerSet } from './fieller.js';
import { bayesianNormal } from './bayesian.js';
import { compareMean } from './means.js';
import { compareConversion } from './proportions.js';
import { sequentialComparison } from './sequential.js';
import { type Random, binomial, mulberry32, normal } from './testing/random.js';
import type { ArmMoments, Estimate, SufficientStats } from './types.js';
import { DEFAULT_TUNING_PARAMETER } from './sequential.js';

const ALPHA = 0.05;
const RUNS = 4000;
const UNITS = 200;
const CONVERSION_RATE = 0.1;
const BUY_RATE = 0.2;
/**
 * Order values: lognormal with median e^3.5 ≈ 33 and σ = 1 (mean ≈ 55, sd ≈ 72): a long right tail, so
 * revenue per unit (80 % zeros) has skewness ≈ 9. Heavier tails make Welch conservative, not lean: over
 * 40,000 A/A runs (seed 7) σ = 0.8, 1.0, 1.2, 1.5 gave 4.75 %, 4.51 %, 4.13 %, 3.44 %, "worse" and
 * "better" balanced at each.
 */
const LOG_MEAN = 3.5;
const LOG_SD = 1;

function report(label: string, value: string): void {
  console.info(`[headline simulation] ${label}: ${value}`);
}
const pct = (x: number) => `${(100 * x).toFixed(2)} %`;

/** {n, Σy, Σy²} of n units of which Binomial(n, 0.2) buy once, for a lognormal order value times `scale`. */
function revenueStats(random: Random, n: number, scale = 1): SufficientStats {
  const buyers = binomial(random, n, BUY_RATE);
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < buyers; i++) {
    const value = scale * Math.exp(LOG_MEAN + LOG_SD * normal(random));
    sum += value;
    sumSquares += value * value;
  }
  return { n, sum, sumSquares };
}

const addStats = (a: SufficientStats, b: SufficientStats): SufficientStats => ({ n: a.n + b.n, sum: a.sum + b.sum, sumSquares: a.sumSquares + b.sumSquares });
const conversionStats = (random: Random, n: number, p: number): SufficientStats => {
  const x = binomial(random, n, p);
  return { n, sum: x, sumSquares: x };
};

/** The headline comparison, as the calculator and the results compute it. */
function headline(metric: 'conversion' | 'revenue', a: SufficientStats, b: SufficientStats) {
  if (metric === 'conversion') {
    const f = compareConversion({ n: a.n, conversions: a.sum }, { n: b.n, conversions: b.sum }, { alpha: ALPHA });
    return { absolute: f.absoluteDifference, lift: f.relativeLift, moments: f.moments, df: undefined };
  }
  const f = compareMean(a, b, { alpha: ALPHA });
  return { absolute: f.absoluteDifference, lift: f.relativeLift, moments: f.moments, df: f.welch.df ?? undefined };
}

interface Tally {
  worse: number;
  better: number;
}

function aaRun(metric: 'conversion' | 'revenue', seed: number): Tally {
  const random = mulberry32(seed);
  const draw = () => (metric === 'conversion' ? conversionStats(random, UNITS, CONVERSION_RATE) : revenueStats(random, UNITS));
  const tally = { worse: 0, better: 0 };
  for (let i = 0; i < RUNS; i++) {
    const { absolute } = headline(metric, draw(), draw());
    if (absolute.pValue !== null && absolute.pValue < ALPHA) {
      if (absolute.estimate! < 0) tally.worse++;
      else tally.better++;
    }
  }
  return tally;
}

describe('A/A: 4,000 comparisons of 200 vs 200 units, headline = absolute difference', () => {
  it.each([
    ['conversion', 101],
    ['revenue', 102],
  ] as const)('%s: false-positive rate in [4 %, 6 %], worse and better within 3 SE', (metric, seed) => {
    const { worse, better } = aaRun(metric, seed);
    const rate = (worse + better) / RUNS;
    report(`A/A ${metric} false-positive rate`, `${pct(rate)} (${worse} worse, ${better} better; |W − B| = ${Math.abs(worse - better)}, 3 SE = ${(3 * Math.sqrt(worse + better)).toFixed(1)})`);
    expect(rate).toBeGreaterThanOrEqual(0.04);
    expect(rate).toBeLessThanOrEqual(0.06);
    expect(Math.abs(worse - better)).toBeLessThanOrEqual(3 * Math.sqrt(worse + better));
  });
});

describe('daily peeking over 14 looks with the defaults (sequential, N* = 5,000), A/A', () => {
  // 50 units per arm and day: 700 per arm at the last look; and, for conversions (cheap to draw), 200 per
  // arm and day, so the total sample reaches N* where the sequence is tightest. A test "stops" at the
  // first look whose always-valid p-value is below alpha. The fixed-horizon p-value under the same
  // peeking is reported for contrast (the issue measured 19 % and 27 %).
  it.each([
    ['conversion', 50, 201],
    ['revenue', 50, 202],
    ['conversion', 200, 203],
  ] as const)('%s, %i units per arm and day: stops at most 5.5 % of A/A tests', (metric, daily, seed) => {
    const random = mulberry32(seed);
    let sequentialStops = 0;
    let naiveStops = 0;
    for (let run = 0; run < RUNS; run++) {
      let a: SufficientStats = { n: 0, sum: 0, sumSquares: 0 };
      let b: SufficientStats = { n: 0, sum: 0, sumSquares: 0 };
      let stopped = false;
      let naive = false;
      for (let day = 0; day < 14; day++) {
        const draw = () => (metric === 'conversion' ? conversionStats(random, daily, CONVERSION_RATE) : revenueStats(random, daily));
        a = addStats(a, draw());
        b = addStats(b, draw());
        const h = headline(metric, a, b);
        const seq = sequentialComparison(h.absolute, h.moments, a.n + b.n, { alpha: ALPHA, tuningParameter: DEFAULT_TUNING_PARAMETER });
        if (seq.absoluteDifference.pValue !== null && seq.absoluteDifference.pValue < ALPHA) stopped = true;
        if (h.absolute.pValue !== null && h.absolute.pValue < ALPHA) naive = true;
      }
      if (stopped) sequentialStops++;
      if (naive) naiveStops++;
    }
    report(`peeking ${metric} (${daily}/arm/day), sequential (default)`, pct(sequentialStops / RUNS));
    report(`peeking ${metric} (${daily}/arm/day), fixed horizon (for contrast)`, pct(naiveStops / RUNS));
    expect(sequentialStops / RUNS).toBeLessThanOrEqual(0.055);
    expect(naiveStops / RUNS).toBeGreaterThan(0.055);
  });
});

/** Whether the Fieller set for μ_B/μ_A excludes θ = 1 (a lift of 0) at the headline's quantile. */
function fiellerExcludesZero(moments: ArmMoments, absolute: Estimate, df: number | undefined): boolean {
  const q = criticalValue(ALPHA, df);
  return !fiellerContains(fiellerSet(moments.meanA, moments.varianceOfMeanA, moments.meanB, moments.varianceOfMeanB, q), 1);
}

/** Whether the reported interval (null = unbounded end) contains x. */
const covers = (ci: [number | null, number | null], x: number) => (ci[0] === null || ci[0] <= x) && (ci[1] === null || x <= ci[1]);

/** Whether the reported lift figures put x in the confidence set: the interval, less the `excludes` gap of a two-ray set. */
const inReportedSet = (lift: { ci: [number | null, number | null] | null; excludes?: [number, number] }, x: number) =>
  lift.ci !== null && covers(lift.ci, x) && !(lift.excludes && lift.excludes[0] < x && x < lift.excludes[1]);

describe("Fieller's lift interval", () => {
  it.each([
    // metric, control draw, variant draw, true lift, units per arm, seed
    ['conversion 0.10 → 0.11', 'conversion', 0.1, 0.11, 0.1, 4000, 301],
    ['conversion 0.02 → 0.025 (small counts)', 'conversion', 0.02, 0.025, 0.25, 2000, 302],
    ['skewed revenue, order values × 1.1', 'revenue', 1, 1.1, 0.1, 2000, 303],
  ] as const)('covers the true lift 93.5–96.5 %: %s', (_, metric, control, variant, truth, n, seed) => {
    const random = mulberry32(seed);
    let covered = 0;
    let bounded = 0;
    for (let i = 0; i < RUNS; i++) {
      const a = metric === 'conversion' ? conversionStats(random, n, control) : revenueStats(random, n, control);
      const b = metric === 'conversion' ? conversionStats(random, n, variant) : revenueStats(random, n, variant);
      const { lift } = headline(metric, a, b);
      if (lift.ci === null) continue; // counted as a miss: no interval
      if (lift.ci[0] !== null && lift.ci[1] !== null) bounded++;
      if (covers(lift.ci, truth)) covered++;
    }
    report(`Fieller coverage, ${_}`, `${pct(covered / RUNS)} (${bounded} of ${RUNS} bounded)`);
    expect(covered / RUNS).toBeGreaterThanOrEqual(0.935);
    expect(covered / RUNS).toBeLessThanOrEqual(0.965);
  });

  it('excludes a lift of 0 exactly when the absolute-difference test rejects: every defined one of 16,000 comparisons', () => {
    // Small and large arms, conversion and revenue, null and real effects: bounded, unbounded and
    // exclusive Fieller sets all occur (tiny arms make the control indistinguishable from 0).
    const random = mulberry32(304);
    let agree = 0;
    let rejections = 0;
    let total = 0;
    let unboundedSets = 0;
    let reportedAgree = 0;
    let reported = 0;
    for (let i = 0; i < RUNS; i++) {
      for (const metric of ['conversion', 'revenue'] as const) {
        for (const n of [8, 300]) {
          const effect = random() < 0.5 ? 1 : 1.5;
          const a = metric === 'conversion' ? conversionStats(random, n, 0.1) : revenueStats(random, n);
          const b = metric === 'conversion' ? conversionStats(random, n, 0.1 * effect) : revenueStats(random, n, effect);
          const h = headline(metric, a, b);
          if (h.absolute.pValue === null || h.moments === null) continue;
          total++;
          const rejects = h.absolute.pValue < ALPHA;
          if (rejects) rejections++;
          const excludes = fiellerExcludesZero(h.moments, h.absolute, h.df);
          if (excludes === rejects) agree++;
          // The reported figures (ci, and the gap of a two-ray set) agree too wherever a lift is defined.
          if (h.lift.ci === null || h.lift.ci[0] === null || h.lift.ci[1] === null) unboundedSets++;
          if (h.lift.ci !== null) {
            reported++;
            if (!inReportedSet(h.lift, 0) === rejects) reportedAgree++;
          }
        }
      }
    }
    report(
      'Fieller exclusion of 0 vs test rejection',
      `${agree} of ${total} agree (${rejections} rejections, ${unboundedSets} unbounded or undefined intervals); as reported (ci + excludes): ${reportedAgree} of ${reported}`,
    );
    expect(total).toBeGreaterThan(15000);
    expect(agree).toBe(total);
    expect(reportedAgree).toBe(reported);
  });
});

describe('revenue chance to beat control under A/A: no lean either', () => {
  // The normal-approximation chance to beat control was Φ(lift/SE_lift) on the delta-method lift, whose
  // SE shrinks when the variant's mean comes out low: "95 % chance to lose" came up far more often
  // than "95 % chance to win". On the absolute difference it is Φ(d/SE_d), symmetric under A/A.
  it('P(chance > 95 %) and P(chance < 5 %) within 3 SE of each other over 4,000 skewed-revenue A/A runs; the credible interval agrees with the test', () => {
    const random = mulberry32(401);
    let high = 0;
    let low = 0;
    let disagreements = 0;
    for (let i = 0; i < RUNS; i++) {
      const h = headline('revenue', revenueStats(random, UNITS), revenueStats(random, UNITS));
      const bayes = bayesianNormal(h.absolute, h.lift, { alpha: ALPHA });
      // The credible interval of the lift is Fieller's: it excludes 0 exactly when the headline rejects.
      const ci = bayes.credibleInterval;
      if (ci !== null && (ci[0] > 0 || ci[1] < 0) !== (h.absolute.pValue! < ALPHA)) disagreements++;
      const chance = bayes.chanceToBeatControl;
      if (chance === null) continue;
      if (chance > 0.95) high++;
      else if (chance < 0.05) low++;
    }
    report('A/A revenue chance to beat > 95 % vs < 5 %', `${high} vs ${low} of ${RUNS}`);
    expect(disagreements).toBe(0);
    expect(Math.abs(high - low)).toBeLessThanOrEqual(3 * Math.sqrt(high + low));
    // Each tail is about 5 % when the posterior is calibrated (Welch is slightly conservative here).
    expect((high + low) / RUNS).toBeGreaterThan(0.06);
    expect((high + low) / RUNS).toBeLessThan(0.14);
  });
});
