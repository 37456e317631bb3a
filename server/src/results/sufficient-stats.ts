/**
 * Per-variant sufficient statistics as the SQL aggregation returns them, one row per variant and
 * group (a UTC day, or a segment value). They are additive, so totals, cumulative days and "other"
 * segments are sums of rows, never a second scan.
 */

/** Sufficient statistics of one metric for one set of units. */
export interface MetricStats {
  /** Units with at least one counted event (for a ratio: a positive denominator). */
  converted: number;
  sum: number;
  sumSquares: number;
  /** Ratio metrics: Σx, Σx², Σxy of the per-unit denominator x and numerator y. */
  denSum: number;
  denSumSquares: number;
  sumProducts: number;
  /** CUPED: Σc, Σc², Σyc of the pre-exposure covariate c. */
  covariateSum: number;
  covariateSumSquares: number;
  covariateProducts: number;
  /** Units with a non-zero covariate, to tell whether pre-exposure data exist at all. */
  covariateUnits: number;
}

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
  sumSquares: 0,
  denSum: 0,
  denSumSquares: 0,
  sumProducts: 0,
  covariateSum: 0,
  covariateSumSquares: 0,
  covariateProducts: 0,
  covariateUnits: 0,
});

export function addMetricStats(a: MetricStats, b: MetricStats): MetricStats {
  const out = emptyMetricStats();
  for (const key of Object.keys(out) as (keyof MetricStats)[]) out[key] = a[key] + b[key];
  return out;
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
    total.units += row.units;
    total.metrics = total.metrics.map((m, i) => addMetricStats(m, row.metrics[i] ?? emptyMetricStats()));
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
