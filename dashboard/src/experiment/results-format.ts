/** Formatting of results figures (pure; shared by the results view, the list and the funnel overview). */
import type { ExperimentResults, MetricResult, VariantComparison } from '../api/results-types.js';

export const DASH = '—';

/** A signed percentage: +16.7%, −2.1%. */
export function signedPercent(share: number | null | undefined, digits = 1): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return DASH;
  const text = `${Math.abs(share * 100).toFixed(digits)}%`;
  return share > 0 ? `+${text}` : share < 0 ? `−${text}` : text;
}

export function percent(share: number | null | undefined, digits = 1): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return DASH;
  return `${(share * 100).toFixed(digits)}%`;
}

/** An interval of a lift; a null end is unbounded (Fieller's interval when the control's mean cannot be told from 0). */
export type LiftInterval = readonly [number | null, number | null];

/** [+0.9%, +32.4%]; an unbounded end reads −∞ or +∞. */
export function interval(ci: LiftInterval | null | undefined, digits = 1): string {
  if (!ci) return DASH;
  const [low, high] = ci;
  return `[${low === null ? '−∞' : signedPercent(low, digits)}, ${high === null ? '+∞' : signedPercent(high, digits)}]`;
}

export function pValue(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return DASH;
  if (p < 0.0001) return '< 0.0001';
  return p < 0.01 ? p.toFixed(4) : p.toFixed(3);
}

function number(x: number, digits = 2): string {
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** "p = 0.038", "p < 0.0001" */
export function pText(p: number | null | undefined): string {
  const text = pValue(p);
  return text.startsWith('<') ? `p ${text}` : `p = ${text}`;
}

/** The per-variant value: a rate for conversion and funnel metrics, a mean per unit or a ratio otherwise. */
export function metricValue(metric: Pick<MetricResult, 'type'>, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return metric.type === 'conversion' || metric.type === 'funnel' ? percent(value, 2) : number(value);
}

export function valueLabel(metric: Pick<MetricResult, 'type'>): string {
  return metric.type === 'conversion' || metric.type === 'funnel' ? 'Rate' : metric.type === 'revenue' ? 'Mean per unit' : 'Ratio';
}

/** Expected loss is in the metric's units: percentage points for rates. */
export function expectedLoss(metric: Pick<MetricResult, 'type'>, loss: number | null | undefined): string {
  if (loss === null || loss === undefined || !Number.isFinite(loss)) return DASH;
  if (metric.type === 'conversion' || metric.type === 'funnel') return `${(loss * 100).toFixed(3)} pp`;
  return loss.toPrecision(3);
}

export const VERDICT_LABEL: Record<VariantComparison['verdict'], string> = {
  good: 'Better',
  bad: 'Worse',
  inconclusive: 'Inconclusive',
};

export function confidenceLevel(alpha: number): string {
  return `${Math.round((1 - alpha) * 1000) / 10}%`;
}

/** The headline: the primary metric's first treatment (the one with the smallest adjusted p when several). */
export function headline(results: Pick<ExperimentResults, 'metrics'>): { metric: MetricResult; variant: string; comparison: VariantComparison } | null {
  const metric = results.metrics.find((m) => m.role === 'primary') ?? results.metrics[0];
  if (!metric) return null;
  const treatments = metric.variants.filter((v) => v.comparison);
  if (treatments.length === 0) return null;
  const best = [...treatments].sort((a, b) => (a.comparison!.adjustedPValue ?? 1) - (b.comparison!.adjustedPValue ?? 1))[0]!;
  return { metric, variant: best.key, comparison: best.comparison! };
}
