/**
 * Per-variant sufficient statistics as the SQL aggregation returns them, one row per variant and
 * group (a UTC day, or a segment value). Rows of disjoint units pool (counts and sums add, centred
 * moments by Chan et al.'s update), so totals, cumulative days and "other" segments come from the
 * rows, never a second scan.
 */
import { type CupedMoments, type Moments, type RatioStats, pooledCrossTerm } from '../stats/index.js';

/**
 * Sufficient statistics of one metric for one set of units (whose count is the row's `units`).
 * Second moments are centred — M2 = Σ(y − ȳ)², co-moments Σ(x − x̄)(y − ȳ) — never raw Σy²: raw
 * sums lose the variance to cancellation when the mean is large against the spread (revenue near
 * 1e9 with an SD of 100). The SQL computes each row's moments exactly (numeric), and rows pool by
 * Chan et al.'s update (stats/moments.ts).
 */
export interface MetricStats {
  /** Units with at least one counted event (for a ratio: a positive denominator). */
  converted: number;
  /** Σy of the per-unit value y. */
  sum: number;
  /** Σ(y − ȳ)². */
  m2: number;
  /** Ratio metrics: the per-unit denominator x: Σx, Σ(x − x̄)², Σ(x − x̄)(y − ȳ). */
  denSum: number;
  denM2: number;
  denComoment: number;
  /** CUPED: the pre-exposure covariate c: Σc, Σ(c − c̄)², Σ(c − c̄)(y − ȳ). */
  covariateSum: number;
  covariateM2: number;
  covariateComoment: number;
  /** Units with a non-zero covariate, to tell whether pre-exposure data exist at all. */
  covariateUnits: number;
}

/** The statistics of one metric with their number of units. */
export type Stats = MetricStats & { n: number };

/** One aggregated row: a variant within a group, every simple metric at once. */
export interface GroupRow {
  variantIndex: number;
  /** Day 'YYYY-MM-DD' (UTC) or segment value; null for units without the attribute. */
  group: string | null;
  /** 'other' collects segment values outside the top N. */
  groupKind: 'value' | 'other' | 'none';
  units: number;
  metrics: MetricStats[];
}

/** Funnel rows: units reaching each step in order. */
export interface FunnelRow {
  variantIndex: number;
  group: string | null;
  groupKind: 'value' | 'other' | 'none';
  units: number;
  reached: number[];
}

export const emptyMetricStats = (): MetricStats => ({
  converted: 0,
  sum: 0,
  m2: 0,
  denSum: 0,
  denM2: 0,
  denComoment: 0,
  covariateSum: 0,
  covariateM2: 0,
  covariateComoment: 0,
  covariateUnits: 0,
});

/**
 * The statistics of the union of two disjoint sets of units: counts and sums add, centred moments
 * pool by Chan et al.'s update (each adds δ_x·δ_y·n_a·n_b/n, δ the difference of the two parts' means).
 */
export function addMetricStats(a: Stats, b: Stats): Stats {
  const part = (s: Stats, x: number, y: number) => ({ n: s.n, sumX: x, sumY: y });
  const cross = (x: (s: Stats) => number, y: (s: Stats) => number) => pooledCrossTerm(part(a, x(a), y(a)), part(b, x(b), y(b)));
  const y = (s: Stats) => s.sum;
  const d = (s: Stats) => s.denSum;
  const c = (s: Stats) => s.covariateSum;
  return {
    n: a.n + b.n,
    converted: a.converted + b.converted,
    sum: a.sum + b.sum,
    m2: a.m2 + b.m2 + cross(y, y),
    denSum: a.denSum + b.denSum,
    denM2: a.denM2 + b.denM2 + cross(d, d),
    denComoment: a.denComoment + b.denComoment + cross(d, y),
    covariateSum: a.covariateSum + b.covariateSum,
    covariateM2: a.covariateM2 + b.covariateM2 + cross(c, c),
    covariateComoment: a.covariateComoment + b.covariateComoment + cross(c, y),
    covariateUnits: a.covariateUnits + b.covariateUnits,
  };
}

/** Revenue-style moments of y, for `summarizeMoments`. */
export const momentsOfStats = (s: Stats): Moments => ({ n: s.n, sum: s.sum, m2: s.m2 });

/** CUPED input: y the metric, x the pre-exposure covariate. */
export const cupedMomentsOf = (s: Stats): CupedMoments => ({
  n: s.n,
  sumX: s.covariateSum,
  sumY: s.sum,
  m2X: s.covariateM2,
  m2Y: s.m2,
  comoment: s.covariateComoment,
});

/**
 * Ratio input as raw sums (Σy², Σx², Σxy rebuilt from the moments), the form `compareRatio` takes.
 * Rebuilding adds n·ȳ² back, so a ratio's variance keeps the one-pass precision limit: fine for
 * orders and order values, not for per-unit numerators near 1e9 with a small spread.
 */
export function ratioStatsOf(s: Stats): RatioStats {
  const square = (sum: number) => (s.n > 0 ? (sum * sum) / s.n : 0);
  return {
    n: s.n,
    sum: s.sum,
    sumSquares: s.m2 + square(s.sum),
    denSum: s.denSum,
    denSumSquares: s.denM2 + square(s.denSum),
    sumProducts: s.denComoment + (s.n > 0 ? (s.sum * s.denSum) / s.n : 0),
  };
}

/** Per variant: units and the stats of each metric, summed over the given rows. */
export interface VariantTotals {
  units: number;
  metrics: MetricStats[];
}

export function totalsByVariant(rows: readonly GroupRow[], variantCount: number, metricCount: number): VariantTotals[] {
  const totals: VariantTotals[] = Array.from({ length: variantCount }, () => ({
    units: 0,
    metrics: Array.from({ length: metricCount }, emptyMetricStats),
  }));
  for (const row of rows) {
    const total = totals[row.variantIndex];
    if (!total) continue; // an exposure for a variant that no longer exists is ignored
    // Pooled in the rows' order: callers sort the rows (sortDayRows), so any two computations over
    // the same rows give the same bits.
    total.metrics = total.metrics.map((m, i) => {
      const { n: _n, ...pooled } = addMetricStats({ ...m, n: total.units }, { ...(row.metrics[i] ?? emptyMetricStats()), n: row.units });
      return pooled;
    });
    total.units += row.units;
  }
  return totals;
}

export function funnelTotalsByVariant(rows: readonly FunnelRow[], variantCount: number, steps: number): { units: number; reached: number[] }[] {
  const totals = Array.from({ length: variantCount }, () => ({ units: 0, reached: Array<number>(steps).fill(0) }));
  for (const row of rows) {
    const total = totals[row.variantIndex];
    if (!total) continue;
    total.units += row.units;
    total.reached = total.reached.map((r, i) => r + (row.reached[i] ?? 0));
  }
  return totals;
}
