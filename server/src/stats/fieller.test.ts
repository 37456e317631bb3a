import { describe, expect, it } from 'vitest';
import { fiellerContains, fiellerLift, fiellerSet } from './fieller.js';
import { compareConversion } from './proportions.js';
import { compareMeanSummaries } from './means.js';
import { studentTQuantile } from './distributions.js';

const Z = 1.959963984540054;

// Independent reference: the roots of g(θ) = (m_B − θ·m_A)² − q²(v_B + θ²·v_A) found by scanning a grid
// and bisecting (no quadratic formula), in python3 with the standard library only (q for the normal case
// from statistics.NormalDist().inv_cdf(0.975)); the script, /tmp/fieller_ref.py at the time of writing:
//   def g(t): return (mB - t*mA)**2 - q*q*(vB + t*t*vA)
//   scan t over [-200, 200] in steps of 0.001; bisect each sign change 200 times
// Row: label, m_A, v_A, m_B, v_B, q, lower root, upper root, kind.
const reference: [string, number, number, number, number, number, number, number, 'bounded' | 'exclusive'][] = [
  ['conversion 500/10000 vs 560/10000', 0.05, (0.05 * 0.95) / 10000, 0.056, (0.056 * 0.944) / 10000, Z, 0.9960476451754159, 1.2604218103624292, 'bounded'],
  ['means 40 vs 42, sd 30, n 500, q = qt(0.975, 20) = 2.0859634472658364', 40, 900 / 500, 42, 900 / 500, 2.0859634472658364, 0.9533351421474325, 1.156995239385406, 'bounded'],
  ['control indistinguishable from 0: 0.5 ± 1 vs 10 ± 1', 0.5, 1, 10, 1, Z, -6.750589777643507, 3.966205910458502, 'exclusive'],
  ['negative means −3 vs −2', -3, 1, -2, 0.5, Z, 0.1885562076422007, 2.137682855474999, 'bounded'],
];

describe("Fieller's set for μ_B/μ_A (reference: python3 bisection on the pivotal quadratic)", () => {
  it.each(reference)('%s', (_, mA, vA, mB, vB, q, low, high, kind) => {
    const set = fiellerSet(mA, vA, mB, vB, q);
    expect(set.kind).toBe(kind);
    expect(set.lower!).toBeCloseTo(low, 11);
    expect(set.upper!).toBeCloseTo(high, 11);
  });

  // Franz (2007), "Ratios: a short guide to confidence limits and proper use", arXiv:0710.2024, eq. (8)
  // with zero covariance: with g = q²·v_A/m_A² and θ̂ = m_B/m_A,
  //   θ_{L,U} = [θ̂ ∓ (q/|m_A|)·√(v_B + θ̂²·v_A − g·v_B)] / (1 − g).
  it('agrees with the textbook closed form (Franz 2007, eq. 8) on bounded cases', () => {
    for (const [, mA, vA, mB, vB, q, , , kind] of reference) {
      if (kind !== 'bounded') continue;
      const g = (q * q * vA) / (mA * mA);
      const ratio = mB / mA;
      const root = (q / Math.abs(mA)) * Math.sqrt(vB + ratio * ratio * vA - g * vB);
      const set = fiellerSet(mA, vA, mB, vB, q);
      expect(set.lower!).toBeCloseTo((ratio - root) / (1 - g), 12);
      expect(set.upper!).toBeCloseTo((ratio + root) / (1 - g), 12);
    }
  });

  it('unbounded when no real root; empty when the control is exactly 0 and the variant significantly not; a ray at a = 0', () => {
    expect(fiellerSet(0.5, 1, 0.6, 1, Z).kind).toBe('unbounded');
    expect(fiellerSet(0, 0, 0.015, (0.015 * 0.985) / 2000, Z).kind).toBe('empty');
    expect(fiellerSet(0, 0, 0, 1, Z).kind).toBe('unbounded');
    // m_A² = q²·v_A exactly (q = 2, v_A = 1, m_A = 2): the quadratic is linear.
    const ray = fiellerSet(2, 1, 3, 1, 2);
    expect(ray.kind).toBe('ray');
    expect(fiellerContains(ray, 1e9)).toBe(true);
  });

  it('contains θ = 1 exactly when |m_B − m_A| ≤ q·√(v_A + v_B): the test of the difference', () => {
    for (const [, mA, vA, mB, vB, q] of reference) {
      const set = fiellerSet(mA, vA, mB, vB, q);
      expect(fiellerContains(set, 1)).toBe(Math.abs(mB - mA) <= q * Math.sqrt(vA + vB));
    }
  });
});

describe('the relative lift interval', () => {
  it('conversion: ci = Fieller set − 1, at z, beside the delta-method figures', () => {
    const { relativeLift } = compareConversion({ n: 10000, conversions: 500 }, { n: 10000, conversions: 560 });
    expect(relativeLift.estimate!).toBeCloseTo(0.12, 14);
    expect(relativeLift.ci![0]!).toBeCloseTo(0.9960476451754159 - 1, 11);
    expect(relativeLift.ci![1]!).toBeCloseTo(1.2604218103624292 - 1, 11);
    // Asymmetric around the estimate (longer on the upside), unlike the delta method's.
    expect(relativeLift.ci![1]! - 0.12).toBeGreaterThan(0.12 - relativeLift.ci![0]!);
    expect(relativeLift.reason).toBeUndefined();
  });

  it('revenue: the same Welch t quantile as the absolute difference', () => {
    const result = compareMeanSummaries({ n: 500, mean: 40, variance: 900 }, { n: 500, mean: 42, variance: 900 });
    const q = studentTQuantile(0.975, result.welch.df!);
    const set = fiellerSet(40, 900 / 500, 42, 900 / 500, q);
    expect(result.relativeLift.ci).toEqual([set.lower! - 1, set.upper! - 1]);
    // Both contain 0 / 1: the test does not reject.
    expect(result.absoluteDifference.pValue!).toBeGreaterThan(0.05);
  });

  it('negative control mean: the lift (m_B − m_A)/|m_A| = 1 − θ, its interval mirrored', () => {
    const lift = fiellerLift(-3, 1, -2, 0.5, Z);
    expect(lift.ci![0]!).toBeCloseTo(1 - 2.137682855474999, 11);
    expect(lift.ci![1]!).toBeCloseTo(1 - 0.1885562076422007, 11);
  });

  it('exclusive and unbounded sets give null ends with a reason; control 0 gives no interval', () => {
    const exclusive = fiellerLift(0.5, 1, 10, 1, Z);
    expect(exclusive.ci).toEqual([null, null]);
    expect(exclusive.excludes![0]).toBeCloseTo(-6.750589777643507 - 1, 11);
    expect(exclusive.excludes![1]).toBeCloseTo(3.966205910458502 - 1, 11);
    expect(exclusive.reason).toMatch(/not distinguishable from 0.*outside -775 % to 297 %/);
    const unbounded = fiellerLift(0.5, 1, 0.6, 1, Z);
    expect(unbounded.ci).toEqual([null, null]);
    expect(unbounded.reason).toMatch(/unbounded/);
    expect(fiellerLift(0, 0, 1, 1, Z)).toEqual({ ci: null, reason: 'control mean is 0: relative lift is undefined' });
  });

  it('1/2000 against 30/2000: significant, the control indistinguishable from 0, so two rays with the gap around 0', () => {
    const { relativeLift, absoluteDifference } = compareConversion({ n: 2000, conversions: 1 }, { n: 2000, conversions: 30 });
    expect(absoluteDifference.pValue!).toBeLessThan(0.05);
    expect(relativeLift.estimate!).toBeCloseTo(29, 12);
    expect(relativeLift.ci).toEqual([null, null]);
    const [lo, hi] = relativeLift.excludes!;
    expect(lo).toBeLessThan(0);
    expect(hi).toBeGreaterThan(0);
    expect(hi).toBeLessThan(29);
    expect(relativeLift.reason).toMatch(/not distinguishable from 0/);
  });

  it('the variant at 0 (0/2000 vs 30/2000): [−100 %, upper] with upper < 0, as the test rejects', () => {
    const { relativeLift, absoluteDifference } = compareConversion({ n: 2000, conversions: 30 }, { n: 2000, conversions: 0 });
    expect(absoluteDifference.pValue!).toBeLessThan(0.05);
    expect(relativeLift.ci![0]!).toBeCloseTo(-1, 12);
    expect(relativeLift.ci![1]!).toBeLessThan(0);
  });
});
