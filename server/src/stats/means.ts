/**
 * Mean metrics such as revenue per exposed unit: Welch's t-test with
 * Welch–Satterthwaite degrees of freedom, and the delta-method relative lift
 * with Student t at the same df (design.md §5).
 */
import { intervalEstimate, relativeLiftFigures, relativeLiftMoments, resolveAlpha } from './estimate.js';
import { EMPTY_ESTIMATE, EMPTY_RELATIVE_LIFT } from './types.js';
import type { ArmMoments, CompareOptions, Estimate, MeanSummary, RelativeLift, SufficientStats } from './types.js';

export interface MeanComparison {
  controlMean: number | null;
  variantMean: number | null;
  /** m_B − m_A with Welch SE, t interval and p-value at the Welch df. */
  absoluteDifference: Estimate;
  /** (m_B − m_A)/|m_A| with Fieller's interval at the Welch t quantile; delta-method figures under `deltaMethod`. */
  relativeLift: RelativeLift;
  /** The means and the variances of the means the figures come from; null when undefined. */
  moments: ArmMoments | null;
  welch: { t: number | null; df: number | null };
  reason?: string;
}

/**
 * Mean and sample variance from sufficient statistics:
 *   m = Σy/n,  s² = (Σy² − n·m²)/(n − 1).
 * The subtraction can go slightly negative by rounding when every value is
 * equal, so it is clamped at 0. Variance is NaN-free: 0 when n < 2 (callers
 * check n before relying on it).
 */
export function summarize(stats: SufficientStats): MeanSummary {
  if (stats.n <= 0) return { n: 0, mean: 0, variance: 0 };
  const mean = stats.sum / stats.n;
  const variance = stats.n > 1 ? Math.max(0, (stats.sumSquares - stats.n * mean * mean) / (stats.n - 1)) : 0;
  return { n: stats.n, mean, variance };
}

/**
 * Welch–Satterthwaite degrees of freedom
 *   ν = (s_A²/n_A + s_B²/n_B)² / ((s_A²/n_A)²/(n_A − 1) + (s_B²/n_B)²/(n_B − 1)),
 * not rounded (Welch 1947, Biometrika 34:28–35; R's t.test(var.equal = FALSE)).
 */
export function welchDegreesOfFreedom(a: MeanSummary, b: MeanSummary): number {
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  // Written with the shares of each arm in the total variance, so that tiny
  // variances (squares underflowing to 0) cannot turn it into 0/0.
  const shareA = va / (va + vb);
  const shareB = vb / (va + vb);
  return 1 / ((shareA * shareA) / (a.n - 1) + (shareB * shareB) / (b.n - 1));
}

/**
 * Compare two arms summarised by mean and sample variance.
 *   d = m_B − m_A,  SE = √(s_A²/n_A + s_B²/n_B),  t = d/SE,  ν = Welch df,
 *   interval d ± t_{ν,1−α/2}·SE, p = 2·P(T_ν ≥ |t|).
 * Relative lift: Fieller's interval with Var(m̂) = s²/n and the same t quantile
 * (`relativeLiftFigures`). One arm without variance (an all-zero control) still
 * gets a test from the other arm's variance (ν = that arm's n − 1).
 * Assumes independent units and means close to normal (CLT); needs n ≥ 2 per arm.
 */
export function compareMeanSummaries(
  control: MeanSummary,
  variant: MeanSummary,
  options: CompareOptions = {},
): MeanComparison {
  const alpha = resolveAlpha(options.alpha);
  const controlMean = control.n > 0 ? control.mean : null;
  const variantMean = variant.n > 0 ? variant.mean : null;
  const empty = (reason: string): MeanComparison => ({
    controlMean,
    variantMean,
    absoluteDifference: EMPTY_ESTIMATE,
    relativeLift: EMPTY_RELATIVE_LIFT,
    moments: null,
    welch: { t: null, df: null },
    reason,
  });
  if (control.n <= 0) return empty('control has no units');
  if (variant.n <= 0) return empty('variant has no units');
  if (control.n < 2 || variant.n < 2) return empty('each arm needs at least 2 units to estimate a variance');
  const varianceOfMeanA = control.variance / control.n;
  const varianceOfMeanB = variant.variance / variant.n;
  const se = Math.sqrt(varianceOfMeanA + varianceOfMeanB);
  const difference = variant.mean - control.mean;
  if (!(se > 0)) {
    const result = empty('zero variance in both arms: no test is possible');
    result.absoluteDifference = { estimate: difference, se: 0, ci: null, pValue: null };
    const lift = relativeLiftMoments(control.mean, 0, variant.mean, 0);
    if (lift !== null) result.relativeLift = { ...EMPTY_RELATIVE_LIFT, estimate: lift.estimate, se: 0, deltaMethod: { se: 0, ci: null, pValue: null } };
    return result;
  }
  const df = welchDegreesOfFreedom(control, variant);
  const absoluteDifference = intervalEstimate(difference, se, alpha, df);
  const relativeLift = relativeLiftFigures(control.mean, varianceOfMeanA, variant.mean, varianceOfMeanB, absoluteDifference, alpha, df);
  const result: MeanComparison = {
    controlMean,
    variantMean,
    absoluteDifference,
    relativeLift,
    moments: { meanA: control.mean, varianceOfMeanA, meanB: variant.mean, varianceOfMeanB },
    welch: { t: difference / se, df },
  };
  if (relativeLift.estimate === null) result.reason = 'control mean is 0: relative lift is undefined';
  else if (control.variance === 0) result.reason = 'the control has no variance: the SE comes from the variant alone';
  else if (variant.variance === 0) result.reason = 'the variant has no variance: the SE comes from the control alone';
  return result;
}

/** `compareMeanSummaries` on SQL sufficient statistics {n, Σy, Σy²}. */
export function compareMean(
  control: SufficientStats,
  variant: SufficientStats,
  options: CompareOptions = {},
): MeanComparison {
  return compareMeanSummaries(summarize(control), summarize(variant), options);
}
