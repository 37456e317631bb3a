/**
 * Always-valid inference for continuous monitoring: asymptotic confidence
 * sequences (Waudby-Smith, Ramdas et al., "Time-uniform central limit theory
 * and asymptotic confidence sequences", Annals of Statistics, 2023), in the
 * parameterisation GrowthBook documents (docs.growthbook.io, "Sequential
 * testing"), as pinned by design.md §5.
 */
import { finiteOrNull } from './distributions.js';
import { fiellerLift } from './fieller.js';
import type { ArmMoments, Estimate, OpenInterval } from './types.js';

export const DEFAULT_TUNING_PARAMETER = 5000;

export interface SequentialOptions {
  alpha?: number;
  /** N*, the total sample size at which the sequence is tightest. Default 5000. */
  tuningParameter?: number;
}

export interface SequentialResult {
  ci: [number, number] | null;
  pValue: number | null;
  halfWidth: number | null;
}

/** ρ = √((−2 ln α + ln(−2 ln α + 1)) / N*). */
export function sequentialRho(alpha: number, tuningParameter: number): number {
  const m = -2 * Math.log(alpha);
  return Math.sqrt((m + Math.log(m + 1)) / tuningParameter);
}

/**
 * Confidence sequence and always-valid p-value around a fixed-horizon estimate.
 * With N = n_A + n_B total units so far:
 *   half-width = SE·√N·√( 2(Nρ² + 1)/(N²ρ²) · ln(√(Nρ² + 1)/α) ),
 *   E = exp(ρ²·N·z²/(2(Nρ² + 1))) / √(Nρ² + 1),  z = estimate/SE,
 *   p = min(1, 1/E), computed on the log scale so that E never overflows.
 * The interval excludes 0 exactly when p < α. SE·√N is the per-unit standard
 * deviation the theory scales by; it applies to any asymptotically normal
 * estimate (absolute difference or delta-method relative lift).
 */
export function sequentialInterval(
  estimate: Estimate,
  totalUnits: number,
  options: SequentialOptions = {},
): SequentialResult {
  const alpha = options.alpha !== undefined && options.alpha > 0 && options.alpha < 1 ? options.alpha : 0.05;
  const tuning = options.tuningParameter !== undefined && options.tuningParameter > 0 ? options.tuningParameter : DEFAULT_TUNING_PARAMETER;
  const { estimate: value, se } = estimate;
  if (value === null || se === null || !(se > 0) || !(totalUnits > 0)) return { ci: null, pValue: null, halfWidth: null };
  const n = totalUnits;
  const rho2 = sequentialRho(alpha, tuning) ** 2;
  const nRho2 = n * rho2;
  const halfWidth =
    se * Math.sqrt(n) * Math.sqrt(((2 * (nRho2 + 1)) / (n * n * rho2)) * Math.log(Math.sqrt(nRho2 + 1) / alpha));
  const z = value / se;
  const logE = (nRho2 * z * z) / (2 * (nRho2 + 1)) - 0.5 * Math.log(nRho2 + 1);
  const pValue = Math.min(1, Math.exp(-logE));
  const hw = finiteOrNull(halfWidth);
  return {
    ci: hw === null ? null : [value - hw, value + hw],
    pValue: finiteOrNull(pValue),
    halfWidth: hw,
  };
}

/** The sequential figures of one comparison: the headline (absolute difference) and the lift's interval. */
export interface SequentialComparison {
  absoluteDifference: { ci: [number, number] | null; pValue: number | null };
  /** Fieller's interval with the sequence's radius; pValue is the absolute difference's (the test it inverts). */
  relativeLift: { ci: OpenInterval | null; pValue: number | null; excludes?: [number, number]; reason?: string };
}

/**
 * Confidence sequence on the absolute difference (design.md §5: the headline test), and the relative
 * lift's interval as the Fieller inversion with the same radius: the sequence's half-width divided by
 * the SE plays the role of the quantile, so the lift interval excludes 0 exactly when the always-valid
 * p-value is below alpha.
 */
export function sequentialComparison(
  absolute: Estimate,
  moments: ArmMoments | null,
  totalUnits: number,
  options: SequentialOptions = {},
): SequentialComparison {
  const abs = sequentialInterval(absolute, totalUnits, options);
  const absoluteDifference = { ci: abs.ci, pValue: abs.pValue };
  if (abs.halfWidth === null || absolute.se === null || !(absolute.se > 0) || moments === null) {
    return { absoluteDifference, relativeLift: { ci: null, pValue: abs.pValue, reason: 'no sampling variance: no interval' } };
  }
  const lift = fiellerLift(moments.meanA, moments.varianceOfMeanA, moments.meanB, moments.varianceOfMeanB, abs.halfWidth / absolute.se);
  return {
    absoluteDifference,
    relativeLift: { ci: lift.ci, pValue: abs.pValue, ...(lift.excludes && { excludes: lift.excludes }), ...(lift.reason !== undefined && { reason: lift.reason }) },
  };
}
