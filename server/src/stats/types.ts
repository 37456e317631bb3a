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

/** An interval whose ends may be unbounded (null): the Fieller interval of a relative lift. */
export type OpenInterval = [number | null, number | null];

/**
 * The relative lift (m_B − m_A)/|m_A| (design.md §5). `ci` is Fieller's interval from the same variances
 * and quantile as the absolute difference, so it excludes 0 exactly when that test rejects; `pValue` is
 * therefore the absolute difference's. `se` is the delta-method SE (a scale for the normal-approximation
 * Bayesian figures); the delta-method interval and p-value are kept under `deltaMethod` for comparison
 * with GrowthBook, but decide nothing.
 */
export interface RelativeLift {
  estimate: number | null;
  se: number | null;
  ci: OpenInterval | null;
  pValue: number | null;
  /** Only for a two-ray Fieller set (ci [null, null]): the gap of lifts it excludes. */
  excludes?: [number, number];
  /** Why the interval is unbounded or undefined; absent for an ordinary bounded interval. */
  reason?: string;
  deltaMethod: { se: number | null; ci: [number, number] | null; pValue: number | null };
}

/**
 * The two arms' estimates and the variances of those estimates (v = s²/n): what the absolute
 * difference, Fieller's interval and the sequential figures are all built from.
 */
export interface ArmMoments {
  meanA: number;
  varianceOfMeanA: number;
  meanB: number;
  varianceOfMeanB: number;
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

/** A relative lift that could not be computed, with every figure null. */
export const EMPTY_RELATIVE_LIFT: RelativeLift = Object.freeze({
  estimate: null,
  se: null,
  ci: null,
  pValue: null,
  deltaMethod: Object.freeze({ se: null, ci: null, pValue: null }),
}) as RelativeLift;
