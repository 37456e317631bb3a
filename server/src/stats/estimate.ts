/**
 * Building blocks shared by every comparison: turn (estimate, SE) into an
 * interval and a p-value under a normal or Student t reference distribution,
 * and the delta-method relative lift.
 */
import {
  finiteOrNull,
  normalQuantile,
  normalTwoSidedP,
  studentTQuantile,
  studentTTwoSidedP,
} from './distributions.js';
import { fiellerLift } from './fieller.js';
import { EMPTY_ESTIMATE, EMPTY_RELATIVE_LIFT } from './types.js';
import type { Estimate, RelativeLift } from './types.js';

/** The two-sided critical value: the 1 − alpha/2 quantile of N(0,1), or of Student t with df (finite) degrees of freedom. */
export function criticalValue(alpha: number, df?: number): number {
  return df !== undefined && Number.isFinite(df) ? studentTQuantile(1 - alpha / 2, df) : normalQuantile(1 - alpha / 2);
}

/**
 * Interval estimate ± q·SE and two-sided p-value for H0: effect = 0, where q is
 * the 1 − alpha/2 quantile of N(0,1) (df omitted or infinite) or of Student t
 * with df degrees of freedom (may be fractional, e.g. Welch–Satterthwaite).
 * Returns nulls when SE is zero or not finite: with no sampling variance there
 * is no interval and no test to speak of.
 */
export function intervalEstimate(estimate: number, se: number, alpha: number, df?: number): Estimate {
  if (!Number.isFinite(estimate)) return EMPTY_ESTIMATE;
  if (!(se > 0) || !Number.isFinite(se)) {
    return { estimate, se: finiteOrNull(se), ci: null, pValue: null };
  }
  const useT = df !== undefined && Number.isFinite(df);
  const q = criticalValue(alpha, df);
  const statistic = estimate / se;
  const pValue = useT ? studentTTwoSidedP(statistic, df) : normalTwoSidedP(statistic);
  return { estimate, se, ci: [estimate - q * se, estimate + q * se], pValue };
}

/**
 * Relative lift L = (m_B − m_A)/|m_A| and its delta-method variance
 *   Var(L) ≈ Var(m̂_B)/m_A² + m_B²·Var(m̂_A)/m_A⁴
 * (first-order Taylor expansion of m_B/m_A around the true means, the two arms
 * independent; design.md §5). Var(m̂) is the variance of the arm's mean
 * estimator, i.e. v/n for a per-unit variance v.
 * Reference: Deng, Knoblich & Lu (2018), "Applying the Delta Method in Metric
 * Analytics", KDD, §3.
 * Returns null when the control mean is 0 (the lift is undefined).
 */
export function relativeLiftMoments(
  meanA: number,
  varianceOfMeanA: number,
  meanB: number,
  varianceOfMeanB: number,
): { estimate: number; se: number } | null {
  if (meanA === 0 || !Number.isFinite(meanA)) return null;
  const a2 = meanA * meanA;
  const variance = varianceOfMeanB / a2 + (meanB * meanB * varianceOfMeanA) / (a2 * a2);
  const estimate = (meanB - meanA) / Math.abs(meanA);
  const se = Math.sqrt(variance);
  if (!Number.isFinite(estimate) || !Number.isFinite(se)) return null;
  return { estimate, se };
}

/**
 * The relative lift of design.md §5 from the arm means and the variances of the means: the estimate
 * (m_B − m_A)/|m_A|, Fieller's interval at the absolute difference's quantile (z, or t at the Welch df),
 * the absolute difference's p-value (the test Fieller's set inverts at a lift of 0), and the
 * delta-method figures under `deltaMethod`.
 */
export function relativeLiftFigures(
  meanA: number,
  varianceOfMeanA: number,
  meanB: number,
  varianceOfMeanB: number,
  absolute: Estimate,
  alpha: number,
  df?: number,
): RelativeLift {
  const moments = relativeLiftMoments(meanA, varianceOfMeanA, meanB, varianceOfMeanB);
  if (moments === null) return { ...EMPTY_RELATIVE_LIFT, pValue: absolute.pValue, reason: 'control mean is 0: relative lift is undefined' };
  const delta = intervalEstimate(moments.estimate, moments.se, alpha, df);
  const deltaMethod = { se: delta.se, ci: delta.ci, pValue: delta.pValue };
  const base = { estimate: moments.estimate, se: finiteOrNull(moments.se), pValue: absolute.pValue, deltaMethod };
  if (!(absolute.se !== null && absolute.se > 0)) return { ...base, ci: null, reason: 'no sampling variance: no interval' };
  const fieller = fiellerLift(meanA, varianceOfMeanA, meanB, varianceOfMeanB, criticalValue(alpha, df));
  return { ...base, ci: fieller.ci, ...(fieller.excludes && { excludes: fieller.excludes }), ...(fieller.reason !== undefined && { reason: fieller.reason }) };
}

/** Clamp to the valid alpha range and fall back to the default. */
export function resolveAlpha(alpha: number | undefined): number {
  if (alpha === undefined || !(alpha > 0 && alpha < 1)) return 0.05;
  return alpha;
}
