/**
 * What results figures mean, for the results view, the list and the funnel overview (pure). The
 * digits come from components/format.ts; this file decides which figure and which words a metric or a
 * comparison gets.
 */
import type { Decision, ExperimentResults, MetricResult, VariantComparison } from '../api/results-types.js';
import { DASH, type LiftInterval, type Measure, formatAmount, formatPercent, percent, percentagePoints, signedPercent } from '../components/format.js';

type MetricShape = Pick<MetricResult, 'type'> & Measure;

const isRate = (metric: Pick<MetricResult, 'type'>) => metric.type === 'conversion' || metric.type === 'funnel';

/** The measure of a metric's values: rates are percentages; revenue and ratio metrics carry their unit or currency. */
export function measureOf(metric: MetricShape): Measure {
  return isRate(metric) ? {} : { unit: metric.unit ?? null, currency: metric.currency ?? null };
}

/** The per-variant value: a rate for conversion and funnel metrics, an amount per unit or a ratio otherwise. */
export function metricValue(metric: MetricShape, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return isRate(metric) ? percent(value, 2) : formatAmount(value, measureOf(metric));
}

export function valueLabel(metric: MetricShape): string {
  if (isRate(metric)) return 'Rate';
  const per = metric.type === 'revenue' ? 'Mean per unit' : 'Ratio';
  return metric.currency ? `${per} (${metric.currency})` : metric.unit ? `${per} (${metric.unit})` : per;
}

/** Expected loss is in the metric's units: percentage points for rates, money or units otherwise. */
export function expectedLoss(metric: MetricShape, loss: number | null | undefined): string {
  if (loss === null || loss === undefined || !Number.isFinite(loss)) return DASH;
  if (isRate(metric)) return percentagePoints(loss);
  return formatAmount(loss, measureOf(metric));
}

export const VERDICT_LABEL: Record<VariantComparison['verdict'], string> = {
  good: 'Better',
  bad: 'Worse',
  inconclusive: 'Inconclusive',
};

export function confidenceLevel(alpha: number): string {
  return `${Math.round((1 - alpha) * 1000) / 10}%`;
}

// ---- The one interval of a lift --------------------------------------------------------------------

/**
 * The interval and p-values that decide `significant` (design.md §5): the confidence sequence and its
 * always-valid p-values when sequential testing is on, the fixed-horizon interval otherwise. The main
 * tables, the lists and the overview show this one; the others go to the details.
 */
export function decidingLift(c: VariantComparison): { estimate: number | null; ci: LiftInterval | null; pValue: number | null; adjustedPValue: number | null; sequential: boolean } {
  if (c.sequential) return { estimate: c.relativeLift.estimate, ci: c.sequential.relativeLift.ci, pValue: c.sequential.relativeLift.pValue, adjustedPValue: c.sequential.adjustedPValue, sequential: true };
  return { estimate: c.relativeLift.estimate, ci: c.relativeLift.ci, pValue: c.pValue, adjustedPValue: c.adjustedPValue, sequential: false };
}

/** "95% confidence sequence" or "95% interval": what the lift column's interval is. */
export function intervalName(level: string, sequential: boolean): string {
  return sequential ? `${level} confidence sequence` : `${level} confidence interval`;
}

// ---- Too little data ------------------------------------------------------------------------------

/**
 * The one rule for "too little data": the decision's minimum-sample check (design.md §8: every arm
 * ≥ 100 units, and ≥ 10 converted for a conversion primary metric). While it fails, Bayesian figures
 * (chance to beat control, expected loss) swing to extremes on a handful of units and are not shown;
 * the reason says what is missing. Returns that reason, or null when there is enough data.
 */
export function tooLittleData(decision: Pick<Decision, 'checks'>): string | null {
  const check = decision.checks.find((c) => c.name === 'minimum-sample');
  if (!check || check.ok) return null;
  return check.detail.replace(/^too little data:\s*/, '');
}

/** While collecting, nothing may read as a finding: verdict badges say "Collecting" instead. */
export const isCollecting = (decision: Pick<Decision, 'status'>): boolean => decision.status === 'collecting';

// ---- Guardrails -----------------------------------------------------------------------------------

export const GUARDRAIL_LABEL = { ok: 'Not harmed', harmed: 'Harmed', inconclusive: 'Not yet shown safe' } as const;

/**
 * A guardrail's status with its margin: "Not harmed: lift −0.4%, margin −2%". The margin is the
 * harm tolerated, in the harmful direction (a drop for a higher-is-better metric).
 */
export function guardrailText(metric: Pick<MetricResult, 'direction'>, c: VariantComparison): string | null {
  if (!c.guardrail) return null;
  const margin = `${metric.direction === 'increase' ? '\u2212' : '+'}${formatPercent(c.guardrail.margin, 1)}`;
  return `${GUARDRAIL_LABEL[c.guardrail.status]}: lift ${signedPercent(c.relativeLift.estimate)}, margin ${margin}`;
}

// ---- Headline -------------------------------------------------------------------------------------

/** The headline: the primary metric's first treatment (the one with the smallest adjusted p when several). */
export function headline(results: Pick<ExperimentResults, 'metrics'>): { metric: MetricResult; variant: string; comparison: VariantComparison } | null {
  const metric = results.metrics.find((m) => m.role === 'primary') ?? results.metrics[0];
  if (!metric) return null;
  const treatments = metric.variants.filter((v) => v.comparison);
  if (treatments.length === 0) return null;
  const best = [...treatments].sort((a, b) => (decidingLift(a.comparison!).adjustedPValue ?? 1) - (decidingLift(b.comparison!).adjustedPValue ?? 1))[0]!;
  return { metric, variant: best.key, comparison: best.comparison! };
}
