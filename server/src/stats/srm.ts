/**
 * Sample ratio mismatch: are exposed units split the way the weights say?
 * A mismatch means assignment or logging is broken and the results cannot be
 * trusted, whatever they show.
 */
import { chiSquareSurvival } from './distributions.js';

/** p-value below which a mismatch is flagged (design.md §5). */
export const SRM_THRESHOLD = 0.001;

export interface SrmResult {
  chiSquare: number | null;
  df: number | null;
  pValue: number | null;
  mismatch: boolean;
  reason?: string;
}

/**
 * Pearson chi-square goodness of fit of observed unit counts against weights.
 *   Weights need not sum to 1 and are normalised; arms with weight 0 are left
 *   out (nothing is expected there, and design.md §5 says so).
 *   X² = Σ (O_i − E_i)²/E_i with E_i = N·w_i/Σw, df = k − 1,
 *   p = P(χ²_{k−1} ≥ X²); mismatch when p < 0.001.
 * Same as R's chisq.test(observed, p = weights, rescale.p = TRUE).
 * Undefined (nulls, no mismatch, a reason) with fewer than 2 weighted arms,
 * no units, or invalid weights.
 */
export function srmTest(observed: readonly number[], weights: readonly number[], threshold = SRM_THRESHOLD): SrmResult {
  const none = (reason: string): SrmResult => ({ chiSquare: null, df: null, pValue: null, mismatch: false, reason });
  if (observed.length !== weights.length) return none('one weight is needed per arm');
  if (weights.some((w) => !(w >= 0) || !Number.isFinite(w))) return none('weights must be finite and non-negative');
  const arms = observed.map((count, i) => ({ count, weight: weights[i] ?? 0 })).filter((arm) => arm.weight > 0);
  if (arms.length < 2) return none('fewer than 2 arms with a positive weight');
  const total = arms.reduce((sum, arm) => sum + arm.count, 0);
  if (!(total > 0)) return none('no units exposed yet');
  const weightSum = arms.reduce((sum, arm) => sum + arm.weight, 0);
  let chiSquare = 0;
  for (const arm of arms) {
    const expected = (total * arm.weight) / weightSum;
    chiSquare += (arm.count - expected) ** 2 / expected;
  }
  const df = arms.length - 1;
  const pValue = chiSquareSurvival(chiSquare, df);
  if (!Number.isFinite(chiSquare) || !Number.isFinite(pValue)) return none('weights too small to give an expected count');
  return { chiSquare, df, pValue, mismatch: pValue < threshold };
}
