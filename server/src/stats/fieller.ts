/**
 * Fieller's confidence set for the ratio of two independent means, and the relative-lift interval
 * built from it (design.md §5).
 *
 * Why Fieller and not the delta method: the set {θ : |m_B − θ·m_A| ≤ q·√(v_B + θ²·v_A)} inverts the very
 * test of the absolute difference at θ = 1 (m_B − m_A over √(v_A + v_B)), so the lift interval excludes 0
 * exactly when the headline test rejects, with the same variances and the same quantile. The delta
 * method's interval is symmetric around the estimate and its SE shrinks with the variant's mean, which
 * makes its errors lean towards "worse".
 * Reference: Fieller, E. C. (1954), "Some problems in interval estimation", JRSS B 16(2):175–185; the
 * quadratic and its three cases as in Franz, V. H. (2007), "Ratios: a short guide to confidence limits
 * and proper use", arXiv:0710.2024, §3.
 */

/**
 * The confidence set of θ = μ_B/μ_A. Solving (m_B − θm_A)² ≤ q²(v_B + θ²v_A) is the quadratic
 *   a·θ² + b·θ + c ≤ 0,  a = m_A² − q²v_A,  b = −2m_A·m_B,  c = m_B² − q²v_B.
 * - `bounded`: a > 0 (the control mean is distinguishable from 0 at this level) → [lower, upper].
 * - `exclusive`: a < 0 with real roots → (−∞, lower] ∪ [upper, +∞).
 * - `unbounded`: every θ (a < 0 and no real roots, or a = 0 with the inequality always holding).
 * - `ray`: a = 0 exactly → one half-line, (−∞, upper] or [lower, +∞) (the other end null).
 * - `empty`: no θ (m_A = 0 known without error and m_B ≠ 0 significantly): the ratio is infinite.
 */
export type FiellerSet =
  | { kind: 'bounded' | 'exclusive'; lower: number; upper: number }
  | { kind: 'ray'; lower: number | null; upper: number | null }
  | { kind: 'unbounded' | 'empty'; lower: null; upper: null };

/**
 * Fieller's set for μ_B/μ_A from the arm means, the variances of the means (v = s²/n) and the
 * quantile q (z for conversions, the Welch t quantile for revenue, or the confidence sequence's
 * radius divided by the SE of the difference).
 */
export function fiellerSet(meanA: number, varianceOfMeanA: number, meanB: number, varianceOfMeanB: number, q: number): FiellerSet {
  const q2 = q * q;
  const a = meanA * meanA - q2 * varianceOfMeanA;
  const b = -2 * meanA * meanB;
  const c = meanB * meanB - q2 * varianceOfMeanB;
  if (a === 0) {
    if (b === 0) return c <= 0 ? { kind: 'unbounded', lower: null, upper: null } : { kind: 'empty', lower: null, upper: null };
    const root = -c / b;
    return b > 0 ? { kind: 'ray', lower: null, upper: root } : { kind: 'ray', lower: root, upper: null };
  }
  // b² − 4ac written as 4q²(m_A²v_B + m_B²v_A − q²v_A·v_B): no cancellation between two large squares.
  const quarterDiscriminant = q2 * (meanA * meanA * varianceOfMeanB + meanB * meanB * varianceOfMeanA - q2 * varianceOfMeanA * varianceOfMeanB);
  if (quarterDiscriminant < 0) {
    // a > 0 cannot get here (the discriminant is then v_B·a + m_B²·v_A ≥ 0); a < 0 holds for every θ.
    return { kind: 'unbounded', lower: null, upper: null };
  }
  const half = -b / 2;
  const root = Math.sqrt(quarterDiscriminant);
  // The stable pair of roots: the larger-magnitude one directly, the other from the product c/a.
  const big = half + (half >= 0 ? root : -root);
  const r1 = big / a;
  const r2 = big !== 0 ? c / big : half / a;
  const lower = Math.min(r1, r2);
  const upper = Math.max(r1, r2);
  return { kind: a > 0 ? 'bounded' : 'exclusive', lower, upper };
}

/** Whether θ lies in the set (the test of μ_B = θ·μ_A at this quantile does not reject). */
export function fiellerContains(set: FiellerSet, theta: number): boolean {
  switch (set.kind) {
    case 'bounded':
      return theta >= set.lower && theta <= set.upper;
    case 'exclusive':
      return theta <= set.lower || theta >= set.upper;
    case 'ray':
      return (set.lower === null || theta >= set.lower) && (set.upper === null || theta <= set.upper);
    case 'unbounded':
      return true;
    case 'empty':
      return false;
  }
}

/** A lift interval whose ends may be unbounded (null). */
export type LiftInterval = [number | null, number | null];

export interface FiellerLift {
  /** [lower, upper] of the relative lift; a null end is unbounded; null when no interval is defined. */
  ci: LiftInterval | null;
  /**
   * Only when the set is two rays (ci [null, null]): the gap (lo, hi) of lifts the set excludes; every
   * lift outside it is in the set. 0 inside the gap means the test rejects.
   */
  excludes?: [number, number];
  /** Why an end is unbounded or the interval undefined; absent for an ordinary bounded interval. */
  reason?: string;
}

/**
 * The relative lift (m_B − m_A)/|m_A| as an interval: Fieller's set for θ = μ_B/μ_A shifted by −1 (and
 * mirrored when the control mean is negative, since the lift is then 1 − θ).
 * An `exclusive` set (two rays) cannot be written as one interval: it is reported as unbounded on both
 * ends, with the excluded gap in `excludes` (and in the reason).
 */
export function fiellerLift(meanA: number, varianceOfMeanA: number, meanB: number, varianceOfMeanB: number, q: number): FiellerLift {
  if (!(q > 0) || !Number.isFinite(q) || !Number.isFinite(meanA) || !Number.isFinite(meanB)) {
    return { ci: null, reason: 'no quantile or estimate: the interval is undefined' };
  }
  if (meanA === 0) return { ci: null, reason: 'control mean is 0: relative lift is undefined' };
  const set = fiellerSet(meanA, varianceOfMeanA, meanB, varianceOfMeanB, q);
  const sign = meanA > 0 ? 1 : -1;
  const toLift = (theta: number | null) => (theta === null ? null : sign * (theta - 1));
  const ordered = (lo: number | null, hi: number | null): LiftInterval => (sign > 0 ? [toLift(lo), toLift(hi)] : [toLift(hi), toLift(lo)]);
  const percent = (x: number) => `${(100 * x).toPrecision(3)} %`;
  switch (set.kind) {
    case 'bounded':
      return { ci: ordered(set.lower, set.upper) };
    case 'ray':
      return { ci: ordered(set.lower, set.upper), reason: 'control mean is exactly at the edge of being distinguishable from 0: one end of the lift interval is unbounded' };
    case 'exclusive': {
      const [lo, hi] = ordered(set.lower, set.upper) as [number, number];
      return {
        ci: [null, null],
        excludes: [Math.min(lo, hi), Math.max(lo, hi)],
        reason: `control mean is not distinguishable from 0: the lift's confidence set is unbounded (everything outside ${percent(Math.min(lo, hi))} to ${percent(Math.max(lo, hi))})`,
      };
    }
    case 'unbounded':
      return { ci: [null, null], reason: 'control mean is not distinguishable from 0: the lift interval is unbounded' };
    case 'empty':
      return { ci: null, reason: 'control mean is 0 without sampling variance: relative lift is infinite' };
  }
}
