/**
 * Conversion metrics: a unit converts (1) or not (0).
 * Conventions of design.md §5: per-unit variance p(1 − p) without the
 * n/(n − 1) factor, comparisons are variant − control, tests two-sided, exact
 * normal quantiles.
 */
import { finiteOrNull, normalTwoSidedP } from './distributions.js';
import { intervalEstimate, relativeLiftFigures, resolveAlpha } from './estimate.js';
import { EMPTY_ESTIMATE, EMPTY_RELATIVE_LIFT } from './types.js';
import type { ArmMoments, CompareOptions, Estimate, RelativeLift, SufficientStats } from './types.js';

/** Units and conversions of one variant. */
export interface ConversionCounts {
  n: number;
  conversions: number;
}

export interface ConversionComparison {
  controlRate: number | null;
  variantRate: number | null;
  /** p_B − p_A, unpooled (Wald) SE √(p_A(1−p_A)/n_A + p_B(1−p_B)/n_B), normal interval and p-value: the headline test. */
  absoluteDifference: Estimate;
  /** (p_B − p_A)/p_A with Fieller's interval at z₁₋α/₂; delta-method figures under `deltaMethod`. */
  relativeLift: RelativeLift;
  /** The rates and the variances of the rates the figures come from; null without units. */
  moments: ArmMoments | null;
  /** Pooled two-proportion z-test without continuity correction. */
  pooledZTest: { z: number | null; pValue: number | null };
  /** Why some figures are null; absent when everything is defined. */
  reason?: string;
}

/** Conversion counts from sufficient statistics (sum = number of converted units). */
export function countsFromStats(stats: SufficientStats): ConversionCounts {
  return { n: stats.n, conversions: stats.sum };
}

/** Conversion rate conversions/n, or null for zero units. */
export function conversionRate(counts: ConversionCounts): number | null {
  return counts.n > 0 ? counts.conversions / counts.n : null;
}

/** Per-unit Bernoulli variance p(1 − p) (design.md §5: no n/(n − 1) factor). */
export function bernoulliVariance(rate: number): number {
  return rate * (1 - rate);
}

/**
 * Pooled two-proportion z-test (no continuity correction):
 *   p̄ = (x_A + x_B)/(n_A + n_B),  z = (p_B − p_A)/√(p̄(1 − p̄)(1/n_A + 1/n_B)),
 *   p = 2Φ(−|z|).
 * Equals R's prop.test(c(x_B, x_A), c(n_B, n_A), correct = FALSE): X² = z².
 * Assumes independent units and large counts. null when both arms are all 0 or all 1.
 */
export function pooledZTest(control: ConversionCounts, variant: ConversionCounts): { z: number | null; pValue: number | null } {
  if (control.n <= 0 || variant.n <= 0) return { z: null, pValue: null };
  const pooled = (control.conversions + variant.conversions) / (control.n + variant.n);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / control.n + 1 / variant.n));
  if (!(se > 0)) return { z: null, pValue: null };
  const z = (variant.conversions / variant.n - control.conversions / control.n) / se;
  return { z: finiteOrNull(z), pValue: finiteOrNull(normalTwoSidedP(z)) };
}

/**
 * Compare a variant's conversion rate with the control's.
 *
 * Absolute difference d = p_B − p_A with SE = √(p_A(1−p_A)/n_A + p_B(1−p_B)/n_B),
 * interval d ± z₁₋α/₂·SE and p = 2Φ(−|d/SE|) (Wald; e.g. Agresti, Categorical
 * Data Analysis, 3rd ed., §1.4 and §2.2.3).
 * Relative lift (p_B − p_A)/p_A with Fieller's interval from the same variances
 * and z (`relativeLiftFigures`).
 * One arm at rate 0 or 1 has no variance, but the other arm's still gives the
 * unpooled SE: 0/2000 against 30/2000 is a defined, significant test.
 * Assumes independent units; the normal approximation wants at least a handful
 * of conversions and non-conversions per arm.
 */
export function compareConversion(
  control: ConversionCounts,
  variant: ConversionCounts,
  options: CompareOptions = {},
): ConversionComparison {
  const alpha = resolveAlpha(options.alpha);
  const rateA = conversionRate(control);
  const rateB = conversionRate(variant);
  if (rateA === null || rateB === null) {
    return {
      controlRate: rateA,
      variantRate: rateB,
      absoluteDifference: EMPTY_ESTIMATE,
      relativeLift: EMPTY_RELATIVE_LIFT,
      moments: null,
      pooledZTest: { z: null, pValue: null },
      reason: rateA === null ? 'control has no units' : 'variant has no units',
    };
  }
  const varianceOfMeanA = bernoulliVariance(rateA) / control.n;
  const varianceOfMeanB = bernoulliVariance(rateB) / variant.n;
  const absoluteDifference = intervalEstimate(rateB - rateA, Math.sqrt(varianceOfMeanA + varianceOfMeanB), alpha);
  const relativeLift = relativeLiftFigures(rateA, varianceOfMeanA, rateB, varianceOfMeanB, absoluteDifference, alpha);
  const result: ConversionComparison = {
    controlRate: rateA,
    variantRate: rateB,
    absoluteDifference,
    relativeLift,
    moments: { meanA: rateA, varianceOfMeanA, meanB: rateB, varianceOfMeanB },
    pooledZTest: pooledZTest(control, variant),
  };
  const reason = conversionReason(rateA, rateB);
  if (reason !== undefined) result.reason = reason;
  return result;
}

/** Explain which degenerate case left figures undefined. */
function conversionReason(rateA: number, rateB: number): string | undefined {
  const degenerateA = rateA === 0 || rateA === 1;
  const degenerateB = rateB === 0 || rateB === 1;
  if (rateA === 0 && rateB === 0) return 'no conversions in either arm: no variance to test';
  if (rateA === 1 && rateB === 1) return 'every unit converted in both arms: no variance to test';
  if (degenerateA && degenerateB) return 'both arms have rate 0 or 1: no variance to test';
  if (rateA === 0) return 'control rate is 0: relative lift is undefined';
  if (degenerateA) return 'every control unit converted: the SE comes from the variant alone';
  if (degenerateB) return `variant rate is ${rateB}: the SE comes from the control alone`;
  return undefined;
}
