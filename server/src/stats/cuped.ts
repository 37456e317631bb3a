/**
 * CUPED: variance reduction with a pre-exposure covariate (Deng, Xu, Kohavi &
 * Walker, "Improving the Sensitivity of Online Controlled Experiments by
 * Utilizing Pre-Experiment Data", WSDM 2013). Here the covariate is each unit's
 * value of the same metric before its first exposure.
 */
import { compareMeanSummaries } from './means.js';
import type { MeanComparison } from './means.js';
import type { CompareOptions, MeanSummary } from './types.js';

/**
 * Per-variant sufficient statistics with the covariate x (pre-exposure value):
 * sum = Σy, sumSquares = Σy², covariateSum = Σx, covariateSumSquares = Σx², sumProducts = Σxy.
 */
export interface CupedStats {
  n: number;
  sum: number;
  sumSquares: number;
  covariateSum: number;
  covariateSumSquares: number;
  sumProducts: number;
}

export interface CupedAdjustment {
  /** θ = Cov(x, y)/Var(x) over both arms pooled; 0 when the covariate has no variance. */
  theta: number;
  control: MeanSummary;
  variant: MeanSummary;
  /** 1 − Var(adjusted difference)/Var(unadjusted difference), in [0, 1) when θ helps; null if undefined. */
  varianceReduction: number | null;
}

function centredMoments(n: number, sumY: number, sumYY: number, sumX: number, sumXX: number, sumXY: number) {
  const meanY = sumY / n;
  const meanX = sumX / n;
  return {
    meanY,
    meanX,
    varY: Math.max(0, (sumYY - n * meanY * meanY) / (n - 1)),
    varX: Math.max(0, (sumXX - n * meanX * meanX) / (n - 1)),
    covXY: (sumXY - n * meanX * meanY) / (n - 1),
  };
}

/**
 * Adjust both arms with one pooled θ:
 *   θ = s_xy/s_x² over all units of both arms (pooled, so the same correction
 *       applies to each arm and the estimator stays unbiased: x is pre-exposure,
 *       hence independent of the assignment),
 *   ȳ_adj = ȳ − θ(x̄ − x̄_pooled),
 *   s²_adj = s_y² − 2θ·s_xy + θ²·s_x²   (per arm, its own moments).
 * The adjusted summaries then go through the usual Welch comparison.
 * Needs n ≥ 2 per arm; otherwise θ = 0 and the data pass through unchanged.
 */
export function cupedAdjust(control: CupedStats, variant: CupedStats): CupedAdjustment {
  const passThrough = (stats: CupedStats): MeanSummary => {
    if (stats.n < 2) return { n: Math.max(0, stats.n), mean: stats.n > 0 ? stats.sum / stats.n : 0, variance: 0 };
    const m = centredMoments(stats.n, stats.sum, stats.sumSquares, stats.covariateSum, stats.covariateSumSquares, stats.sumProducts);
    return { n: stats.n, mean: m.meanY, variance: m.varY };
  };
  if (control.n < 2 || variant.n < 2) {
    return { theta: 0, control: passThrough(control), variant: passThrough(variant), varianceReduction: null };
  }
  const n = control.n + variant.n;
  const pooled = centredMoments(
    n,
    control.sum + variant.sum,
    control.sumSquares + variant.sumSquares,
    control.covariateSum + variant.covariateSum,
    control.covariateSumSquares + variant.covariateSumSquares,
    control.sumProducts + variant.sumProducts,
  );
  const theta = pooled.varX > 0 ? pooled.covXY / pooled.varX : 0;
  const adjust = (stats: CupedStats): { raw: MeanSummary; adjusted: MeanSummary } => {
    const m = centredMoments(stats.n, stats.sum, stats.sumSquares, stats.covariateSum, stats.covariateSumSquares, stats.sumProducts);
    return {
      raw: { n: stats.n, mean: m.meanY, variance: m.varY },
      adjusted: {
        n: stats.n,
        mean: m.meanY - theta * (m.meanX - pooled.meanX),
        variance: Math.max(0, m.varY - 2 * theta * m.covXY + theta * theta * m.varX),
      },
    };
  };
  const a = adjust(control);
  const b = adjust(variant);
  const rawVariance = a.raw.variance / a.raw.n + b.raw.variance / b.raw.n;
  const adjustedVariance = a.adjusted.variance / a.adjusted.n + b.adjusted.variance / b.adjusted.n;
  const varianceReduction = rawVariance > 0 ? 1 - adjustedVariance / rawVariance : null;
  return { theta, control: a.adjusted, variant: b.adjusted, varianceReduction };
}

/** Welch comparison of CUPED-adjusted arms, with θ and the variance reduction achieved. */
export function compareCuped(
  control: CupedStats,
  variant: CupedStats,
  options: CompareOptions = {},
): MeanComparison & { theta: number; varianceReduction: number | null } {
  const adjustment = cupedAdjust(control, variant);
  return {
    ...compareMeanSummaries(adjustment.control, adjustment.variant, options),
    theta: adjustment.theta,
    varianceReduction: adjustment.varianceReduction,
  };
}
