/**
 * Numerically stable moments. A variance from raw sums, (Σy² − (Σy)²/n)/(n − 1), subtracts two
 * numbers of size n·ȳ²: with revenue near 1e9 and a spread of 100 the 16 digits of a double are
 * spent on ȳ² and the SD comes out 104.35 instead of 98.57. Here a sample is carried as
 * (n, Σy, M2 = Σ(y − ȳ)²) — the centred second moment never grows with the mean — and partial
 * samples (per day, per variant) are pooled with the updating formula of
 * Chan, Golub & LeVeque, "Updating formulae and a pairwise algorithm for computing sample
 * variances", COMPSTAT 1982 / Stanford report STAN-CS-79-773 (1979), eq. 2.1:
 *   M2 = M2_a + M2_b + δ²·n_a·n_b/n,  δ = ȳ_b − ȳ_a,  n = n_a + n_b,
 * and for two variables the co-moment C = Σ(x − x̄)(y − ȳ) the same way with δx·δy.
 */
import { compareMeanSummaries } from './means.js';
import type { MeanComparison } from './means.js';
import { cupedAdjust } from './cuped.js';
import type { RatioEstimate } from './ratio.js';
import type { CompareOptions, MeanSummary, SufficientStats } from './types.js';

/** One sample: size, sum and centred second moment M2 = Σ(y − ȳ)². */
export interface Moments {
  n: number;
  sum: number;
  m2: number;
}

/** Two variables over the same units: both moments and the co-moment C = Σ(x − x̄)(y − ȳ). */
export interface CoMoments {
  n: number;
  sumX: number;
  sumY: number;
  m2X: number;
  m2Y: number;
  comoment: number;
}

/**
 * The cross term of Chan et al.'s update for two partial samples: δx·δy·n_a·n_b/n with δ the
 * difference of the partial means (b − a). 0 when either part is empty. M2 is the case x = y.
 */
export function pooledCrossTerm(a: { n: number; sumX: number; sumY: number }, b: { n: number; sumX: number; sumY: number }): number {
  if (a.n <= 0 || b.n <= 0) return 0;
  const deltaX = b.sumX / b.n - a.sumX / a.n;
  const deltaY = b.sumY / b.n - a.sumY / a.n;
  return (deltaX * deltaY * a.n * b.n) / (a.n + b.n);
}

/** The moments of the union of two samples (Chan et al. 1979, eq. 2.1). */
export function combineMoments(a: Moments, b: Moments): Moments {
  const cross = pooledCrossTerm({ n: a.n, sumX: a.sum, sumY: a.sum }, { n: b.n, sumX: b.sum, sumY: b.sum });
  return { n: a.n + b.n, sum: a.sum + b.sum, m2: a.m2 + b.m2 + cross };
}

/** The co-moments of the union of two samples of pairs (x, y). */
export function combineCoMoments(a: CoMoments, b: CoMoments): CoMoments {
  const x = (s: CoMoments) => ({ n: s.n, sumX: s.sumX, sumY: s.sumX });
  const y = (s: CoMoments) => ({ n: s.n, sumX: s.sumY, sumY: s.sumY });
  return {
    n: a.n + b.n,
    sumX: a.sumX + b.sumX,
    sumY: a.sumY + b.sumY,
    m2X: a.m2X + b.m2X + pooledCrossTerm(x(a), x(b)),
    m2Y: a.m2Y + b.m2Y + pooledCrossTerm(y(a), y(b)),
    comoment: a.comoment + b.comoment + pooledCrossTerm(a, b),
  };
}

/** Two-pass moments of raw values: the mean first, then Σ(y − ȳ)². The reference the tests compare with. */
export function momentsOf(values: readonly number[]): Moments {
  const n = values.length;
  const sum = values.reduce((s, v) => s + v, 0);
  if (n === 0) return { n: 0, sum: 0, m2: 0 };
  const mean = sum / n;
  return { n, sum, m2: values.reduce((s, v) => s + (v - mean) * (v - mean), 0) };
}

/**
 * Mean and sample variance M2/(n − 1) — `summarize` without the cancellation. The variance is 0
 * when n < 2 (callers check n), and never negative (a rounding of M2 below 0 is clamped).
 */
export function summarizeMoments(m: Moments): MeanSummary {
  if (m.n <= 0) return { n: 0, mean: 0, variance: 0 };
  return { n: m.n, mean: m.sum / m.n, variance: m.n > 1 ? Math.max(0, m.m2) / (m.n - 1) : 0 };
}

/**
 * Raw sums about a reference k, Σ(y − k) and Σ(y − k)², rebuilt from the moments: the input of the
 * functions that take (n, sum, sumSquares). With k near the mean the rebuilt sum of squares adds
 * only n·(ȳ − k)² to M2, so a variance computed from it keeps its precision; the mean it gives is
 * ȳ − k (add k back).
 */
export function sumsAbout(m: Moments, k: number): SufficientStats {
  const shifted = m.sum - m.n * k;
  return { n: m.n, sum: shifted, sumSquares: Math.max(0, m.m2) + (m.n > 0 ? (shifted * shifted) / m.n : 0) };
}

/** CUPED input as moments: y the metric, x the pre-exposure covariate. */
export type CupedMoments = CoMoments;

/**
 * `compareCuped` on moments: `cupedAdjust` (pooled θ, design.md §5) on sums about the pooled
 * means of y and x — θ, the variances and the covariances do not depend on the reference, the
 * adjusted means move by the reference of y, which is added back — then Welch on the adjusted arms.
 */
export function compareCupedMoments(
  control: CupedMoments,
  variant: CupedMoments,
  options: CompareOptions = {},
): MeanComparison & { theta: number; varianceReduction: number | null } {
  const n = control.n + variant.n;
  const referenceY = n > 0 ? (control.sumY + variant.sumY) / n : 0;
  const referenceX = n > 0 ? (control.sumX + variant.sumX) / n : 0;
  const shifted = (s: CupedMoments) => {
    const y = sumsAbout({ n: s.n, sum: s.sumY, m2: s.m2Y }, referenceY);
    const x = sumsAbout({ n: s.n, sum: s.sumX, m2: s.m2X }, referenceX);
    // Σ(x − kx)(y − ky) = C + (Σ(x − kx))(Σ(y − ky))/n.
    const products = s.comoment + (s.n > 0 ? (x.sum * y.sum) / s.n : 0);
    return { n: s.n, sum: y.sum, sumSquares: y.sumSquares, covariateSum: x.sum, covariateSumSquares: x.sumSquares, sumProducts: products };
  };
  const adjustment = cupedAdjust(shifted(control), shifted(variant));
  const unshift = (s: MeanSummary): MeanSummary => ({ ...s, mean: s.mean + referenceY });
  return {
    ...compareMeanSummaries(unshift(adjustment.control), unshift(adjustment.variant), options),
    theta: adjustment.theta,
    varianceReduction: adjustment.varianceReduction,
  };
}

/**
 * `ratioEstimate` on moments (x the per-unit denominator, y the numerator): R̂ = Σy/Σx and the
 * delta-method variance (Deng, Knoblich & Lu 2018, eq. 3)
 *   Var(R̂) ≈ (s_y² − 2R·s_xy + R²·s_x²)/(n·x̄²)
 * with s² = M2/(n − 1) and s_xy = C/(n − 1): no raw Σy², so a numerator near 1e9 keeps its precision.
 * The numerator is Σ(y − R·x)²/(n − 1), the variance of the residual (ȳ − R·x̄ = 0).
 */
export function ratioEstimateFromMoments(m: CoMoments): RatioEstimate {
  const ratio = m.sumX === 0 ? null : m.sumY / m.sumX;
  if (ratio === null || m.n < 2) return { ratio, variance: null };
  const meanX = m.sumX / m.n;
  const residual = (m.m2Y - 2 * ratio * m.comoment + ratio * ratio * m.m2X) / (m.n - 1);
  const variance = Math.max(0, residual) / (m.n * meanX * meanX);
  return { ratio: Number.isFinite(ratio) ? ratio : null, variance: Number.isFinite(variance) ? variance : null };
}
