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
import { EMPTY_ESTIMATE } from './types.js';
import type { Estimate } from './types.js';

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
  const q = useT ? studentTQuantile(1 - alpha / 2, df) : normalQuantile(1 - alpha / 2);
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

/** Clamp to the valid alpha range and fall back to the default. */
export function resolveAlpha(alpha: number | undefined): number {
  if (alpha === undefined || !(alpha > 0 && alpha < 1)) return 0.05;
  return alpha;
}
