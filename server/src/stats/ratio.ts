/**
 * Ratio metrics such as average order value = Σ revenue / Σ orders, where the
 * unit of randomisation (the visitor) is not the unit of analysis (the order).
 */
import { finiteOrNull } from './distributions.js';
import { intervalEstimate, relativeLiftFigures, resolveAlpha } from './estimate.js';
import { EMPTY_ESTIMATE, EMPTY_RELATIVE_LIFT } from './types.js';
import type { ArmMoments, CompareOptions, Estimate, RelativeLift } from './types.js';

/**
 * Per-variant sufficient statistics of a ratio metric: per unit i a numerator
 * yᵢ (revenue) and a denominator xᵢ (orders).
 * sum = Σy, sumSquares = Σy², denSum = Σx, denSumSquares = Σx², sumProducts = Σxy.
 */
export interface RatioStats {
  n: number;
  sum: number;
  sumSquares: number;
  denSum: number;
  denSumSquares: number;
  sumProducts: number;
}

/** A ratio estimate R = Σy/Σx with the delta-method variance of R̂. */
export interface RatioEstimate {
  ratio: number | null;
  variance: number | null;
}

export interface RatioComparison {
  controlRatio: number | null;
  variantRatio: number | null;
  /** R_B − R_A, delta-method SE, normal interval and p-value: the headline test. */
  absoluteDifference: Estimate;
  /** R_B/R_A − 1 with Fieller's interval from the same variances and z; delta-method figures under `deltaMethod`. */
  relativeLift: RelativeLift;
  /** The ratios and their variances the figures come from; null when undefined. */
  moments: ArmMoments | null;
  reason?: string;
}

/**
 * R̂ = ȳ/x̄ and, by the delta method on the bivariate mean (ȳ, x̄),
 *   Var(R̂) ≈ (s_y² − 2R·s_xy + R²·s_x²) / (n·x̄²),
 * with sample (n − 1) variances and covariance. Equivalent to
 * (1/n)(s_y²/μ_x² − 2μ_y s_xy/μ_x³ + μ_y² s_x²/μ_x⁴).
 * Reference: Deng, Knoblich & Lu (2018), "Applying the Delta Method in Metric
 * Analytics", KDD, eq. (3). Assumes units independent (not orders) and n large.
 */
export function ratioEstimate(stats: RatioStats): RatioEstimate {
  if (stats.n < 2 || stats.denSum === 0) return { ratio: stats.denSum === 0 ? null : stats.sum / stats.denSum, variance: null };
  const n = stats.n;
  const meanY = stats.sum / n;
  const meanX = stats.denSum / n;
  const varY = (stats.sumSquares - n * meanY * meanY) / (n - 1);
  const varX = (stats.denSumSquares - n * meanX * meanX) / (n - 1);
  const covXY = (stats.sumProducts - n * meanX * meanY) / (n - 1);
  const ratio = meanY / meanX;
  const variance = Math.max(0, (varY - 2 * ratio * covXY + ratio * ratio * varX) / (n * meanX * meanX));
  return { ratio: finiteOrNull(ratio), variance: finiteOrNull(variance) };
}

/**
 * Compare ratio metrics between arms (independent arms, normal reference):
 *   d = R_B − R_A, Var(d) = Var(R̂_A) + Var(R̂_B);
 *   lift = R_B/R_A − 1 by Fieller on (R̂_A, Var(R̂_A)) and (R̂_B, Var(R̂_B)); its delta-method
 *   variance Var(R̂_B)/R_A² + R_B²·Var(R̂_A)/R_A⁴ is reported under `deltaMethod`.
 */
export function compareRatio(control: RatioStats, variant: RatioStats, options: CompareOptions = {}): RatioComparison {
  const alpha = resolveAlpha(options.alpha);
  const a = ratioEstimate(control);
  const b = ratioEstimate(variant);
  const empty = (reason: string): RatioComparison => ({
    controlRatio: a.ratio,
    variantRatio: b.ratio,
    absoluteDifference: EMPTY_ESTIMATE,
    relativeLift: EMPTY_RELATIVE_LIFT,
    moments: null,
    reason,
  });
  if (a.ratio === null || a.variance === null) return empty('control has fewer than 2 units or a zero denominator');
  if (b.ratio === null || b.variance === null) return empty('variant has fewer than 2 units or a zero denominator');
  const se = Math.sqrt(a.variance + b.variance);
  const absoluteDifference = intervalEstimate(b.ratio - a.ratio, se, alpha);
  if (a.ratio === 0) {
    return {
      ...empty('control ratio is 0: relative lift is undefined'),
      absoluteDifference,
      relativeLift: { ...EMPTY_RELATIVE_LIFT, pValue: absoluteDifference.pValue, reason: 'control ratio is 0: relative lift is undefined' },
      moments: { meanA: a.ratio, varianceOfMeanA: a.variance, meanB: b.ratio, varianceOfMeanB: b.variance },
    };
  }
  const result: RatioComparison = {
    controlRatio: a.ratio,
    variantRatio: b.ratio,
    absoluteDifference,
    relativeLift: relativeLiftFigures(a.ratio, a.variance, b.ratio, b.variance, absoluteDifference, alpha),
    moments: { meanA: a.ratio, varianceOfMeanA: a.variance, meanB: b.ratio, varianceOfMeanB: b.variance },
  };
  if (!(se > 0)) result.reason = 'zero variance in both arms: no test is possible';
  return result;
}
