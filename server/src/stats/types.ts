/** Shared shapes of the stats module. Every figure that can be undefined is `null`, never NaN. */

/**
 * Sufficient statistics of one variant for a per-unit metric, as SQL aggregates
 * give them: n = units, sum = Σ yᵢ, sumSquares = Σ yᵢ². For a conversion
 * metric yᵢ ∈ {0, 1}, so sum = sumSquares = conversions.
 */
export interface SufficientStats {
  n: number;
  sum: number;
  sumSquares: number;
}

/** A variant summarised by its mean and its sample variance (n − 1 denominator). */
export interface MeanSummary {
  n: number;
  mean: number;
  variance: number;
}

/** An estimate with its standard error, two-sided interval and p-value (null when undefined). */
export interface Estimate {
  estimate: number | null;
  se: number | null;
  ci: [number, number] | null;
  pValue: number | null;
}

/** Options shared by the comparisons. */
export interface CompareOptions {
  /** Two-sided significance level; the interval has coverage 1 − alpha. Default 0.05. */
  alpha?: number;
}

export const DEFAULT_ALPHA = 0.05;

/** An estimate that could not be computed, with every figure null. */
export const EMPTY_ESTIMATE: Estimate = Object.freeze({
  estimate: null,
  se: null,
  ci: null,
  pValue: null,
}) as Estimate;
