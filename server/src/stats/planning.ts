/**
 * Planning: how many units an experiment on a conversion metric needs, what it
 * can detect with a given sample, and how long that takes.
 */
import { normalQuantile } from './distributions.js';

export type MdeType = 'relative' | 'absolute';

export interface SampleSizeInput {
  /** Control conversion rate p, in (0, 1). */
  baseline: number;
  /** Minimum detectable effect: absolute δ, or relative (δ = p·mde). Positive. */
  mde: number;
  mdeType?: MdeType;
  alpha?: number;
  power?: number;
  /** Number of arms including the control, ≥ 2. */
  variants?: number;
}

export interface SampleSizeResult {
  perVariant: number | null;
  total: number | null;
  variantRate: number | null;
  deltaAbsolute: number | null;
  /** Significance level each comparison is planned at: alpha/(variants − 1) (Bonferroni). */
  alphaPerComparison: number;
  reason?: string;
}

/**
 * Unrounded units per arm to detect δ at two-sided level α with power 1 − β:
 *   n = (z₁₋α/₂·√(2p(1−p)) + z₁₋β·√(p(1−p) + (p+δ)(1−p−δ)))² / δ²,
 * the formula of Evan Miller's sample size calculator (design.md §5): the
 * first term is the null SD of the difference (both arms at p), the second its
 * SD under the alternative. Equal allocation, independent units.
 * Caveat, measured in simulation.test.ts: for an increase the null term uses
 * p(1 − p) rather than the pooled p̄(1 − p̄) that the z-test actually sees, so
 * the realised power of the pooled z-test at this n is about 77.5% for a
 * nominal 80% (baseline 0.2, δ = 0.05; and baseline 0.05, +20%). We keep the
 * formula because design.md §6 pins its answer (1031) and it is what users
 * compare with.
 */
export function rawSampleSize(baseline: number, delta: number, alpha: number, power: number): number {
  const q = baseline * (1 - baseline);
  const variantRate = baseline + delta;
  const zAlpha = normalQuantile(1 - alpha / 2);
  const zPower = normalQuantile(power);
  const root = zAlpha * Math.sqrt(2 * q) + zPower * Math.sqrt(q + variantRate * (1 - variantRate));
  return (root * root) / (delta * delta);
}

/**
 * Sample size per variant, rounded up, and in total for `variants` arms.
 *
 * More than two arms: each of the k − 1 variants is compared with the control
 * and the p-values are Holm-adjusted (design.md §5). We plan every comparison at
 * alpha/(k − 1) (Bonferroni), which is what Holm applies to the smallest
 * p-value, so the planned power holds for each comparison whatever the others
 * show. With k = 2 this is plain alpha and Evan Miller's number.
 *
 * Example (test: "design.md §6"): baseline 0.2, mde 0.05 absolute, alpha 0.05,
 * power 0.8, 2 variants → 1031 per variant, 2062 in total.
 */
export function sampleSizePerVariant(input: SampleSizeInput): SampleSizeResult {
  const { baseline, mde } = input;
  const alpha = input.alpha ?? 0.05;
  const power = input.power ?? 0.8;
  const variants = input.variants ?? 2;
  const alphaPerComparison = alpha / Math.max(1, variants - 1);
  const delta = (input.mdeType ?? 'relative') === 'relative' ? baseline * mde : mde;
  const variantRate = baseline + delta;
  const none = (reason: string): SampleSizeResult => ({
    perVariant: null,
    total: null,
    variantRate: Number.isFinite(variantRate) ? variantRate : null,
    deltaAbsolute: Number.isFinite(delta) ? delta : null,
    alphaPerComparison,
    reason,
  });
  if (!(baseline > 0 && baseline < 1)) return none('baseline must be strictly between 0 and 1');
  if (!(delta > 0)) return none('the minimum detectable effect must be positive');
  if (!(variantRate < 1)) return none('baseline plus the effect must stay below a rate of 1');
  if (!(alpha > 0 && alpha < 1) || !(power > 0 && power < 1)) return none('alpha and power must be in (0, 1)');
  if (!Number.isInteger(variants) || variants < 2) return none('at least 2 variants are needed');
  const raw = rawSampleSize(baseline, delta, alphaPerComparison, power);
  // Subtract a hair before rounding up so that 1000.0000000000002 from
  // floating-point noise does not become 1001.
  const perVariant = Math.max(1, Math.ceil(raw - 1e-9));
  if (!Number.isFinite(perVariant)) return none('the effect is too small to plan for');
  return { perVariant, total: perVariant * variants, variantRate, deltaAbsolute: delta, alphaPerComparison };
}

export interface DetectableEffectResult {
  deltaAbsolute: number | null;
  relative: number | null;
  variantRate: number | null;
  reason?: string;
}

/**
 * Smallest absolute increase δ detectable with `perVariant` units per arm: the
 * δ in (0, 1 − p) where rawSampleSize(p, δ) = perVariant (Bonferroni alpha as in
 * `sampleSizePerVariant`), found by bisection to 1e-12 since the formula has no
 * closed-form inverse in δ. rawSampleSize decreases in δ over the range (the
 * δ² denominator dominates), so the root is unique.
 */
export function detectableEffect(input: {
  baseline: number;
  perVariant: number;
  alpha?: number;
  power?: number;
  variants?: number;
}): DetectableEffectResult {
  const { baseline, perVariant } = input;
  const alpha = (input.alpha ?? 0.05) / Math.max(1, (input.variants ?? 2) - 1);
  const power = input.power ?? 0.8;
  const none = (reason: string): DetectableEffectResult => ({ deltaAbsolute: null, relative: null, variantRate: null, reason });
  if (!(baseline > 0 && baseline < 1)) return none('baseline must be strictly between 0 and 1');
  if (!(perVariant > 0)) return none('no units');
  let low = 0;
  let high = 1 - baseline;
  if (rawSampleSize(baseline, high * (1 - 1e-12), alpha, power) > perVariant) {
    return none('too few units to detect any increase below a rate of 1');
  }
  for (let i = 0; i < 200 && high - low > 1e-12; i++) {
    const mid = (low + high) / 2;
    if (rawSampleSize(baseline, mid, alpha, power) > perVariant) low = mid;
    else high = mid;
  }
  return { deltaAbsolute: high, relative: high / baseline, variantRate: baseline + high };
}

/**
 * Days needed to reach `totalUnits` at `dailyUnits` units a day entering the
 * experiment (all arms together), rounded up; null without traffic.
 */
export function durationDays(totalUnits: number, dailyUnits: number): number | null {
  if (!(dailyUnits > 0) || !(totalUnits >= 0) || !Number.isFinite(totalUnits / dailyUnits)) return null;
  return Math.ceil(totalUnits / dailyUnits - 1e-9);
}
