/**
 * Variant-versus-control statistics for one metric, from per-variant sufficient statistics.
 * Pure: every figure comes from the stats module (design.md §5); this file only chooses the right
 * comparison for the metric type and adds the headline fields (adjusted p-value, sequential figures,
 * direction-aware verdict).
 */
import {
  type ArmMoments,
  type BayesianResult,
  type Correction,
  type Estimate,
  type RelativeLift,
  type SequentialComparison,
  adjustPValues,
  bayesianConversion,
  bayesianNormal,
  compareConversion,
  compareCupedMoments,
  compareMeanSummaries,
  compareRatio,
  sequentialComparison,
  summarizeMoments,
} from '../stats/index.js';
import type { MetricDefinition } from './definitions.js';
import { DEFAULT_GUARDRAIL_MARGIN, type GuardrailCheck, guardrailCheck } from './guardrail.js';
import { type MetricStats, cupedMomentsOf, ratioStatsOf } from './sufficient-stats.js';

export interface AnalysisSettings {
  alpha: number;
  correction: Correction;
  sequential: { tuningParameter: number } | null;
}

export type Verdict = 'good' | 'bad' | 'inconclusive';

/** The comparison of one variant with the control (absent on the control itself). */
export interface VariantComparison {
  /** The headline test: Wald (conversion), Welch (revenue) or delta method (ratio) on m_B − m_A. */
  absoluteDifference: Estimate;
  /** (m_B − m_A)/|m_A| with Fieller's interval; the delta-method figures under `deltaMethod`. */
  relativeLift: RelativeLift;
  /** The absolute difference's p-value (design.md §5 headline), fixed horizon. */
  pValue: number | null;
  /**
   * Adjusted within the metric's family (Holm or BH, experiment.correction): the primary metric's k − 1
   * comparisons; the secondary metrics' variants × metrics; a guardrail is a family of one.
   */
  adjustedPValue: number | null;
  /**
   * Adjusted p-value below alpha (the adjusted always-valid p-value when sequential testing is on);
   * false before the planned sample of a fixed-horizon experiment.
   */
  significant: boolean;
  /** P(variant > control). */
  chanceToBeatControl: number | null;
  /** P(variant better than control in the metric's good direction). */
  chanceToWin: number | null;
  /** Expected loss of shipping the variant, in the metric's units, in its good direction. */
  expectedLoss: number | null;
  credibleInterval: [number, number] | null;
  /** Significant and in the metric's good direction → good; significant the other way → bad. */
  verdict: Verdict;
  pooledZTest?: { z: number | null; pValue: number | null };
  welch?: { t: number | null; df: number | null };
  /** The confidence sequence of the absolute difference (headline) and the lift's Fieller interval with its radius. */
  sequential?: SequentialComparison & { adjustedPValue: number | null };
  /** Guardrail metrics: the one-sided non-inferiority test against the metric's margin. */
  guardrail?: GuardrailCheck;
  cuped?: CupedFigures | null;
  reason?: string;
}

export interface CupedFigures {
  theta: number;
  /** 1 − Var(adjusted difference)/Var(raw difference). */
  varianceReduction: number | null;
  absoluteDifference: Estimate;
  relativeLift: RelativeLift;
  /** The adjusted absolute difference's p-value. */
  pValue: number | null;
}

export interface VariantMetric {
  key: string;
  units: number;
  /** Units with at least one counted event (ratio: a positive denominator). */
  converted: number;
  /** Conversion rate, mean per unit (revenue) or ratio of sums. */
  value: number | null;
  /** Per-unit standard deviation (n − 1) for revenue; absent otherwise. */
  sd?: number | null;
  comparison?: VariantComparison;
}

interface RawComparison {
  absoluteDifference: Estimate;
  relativeLift: RelativeLift;
  moments: ArmMoments | null;
  /** Welch df for revenue; undefined for the normal reference (conversion, ratio). */
  df?: number | undefined;
  bayes: BayesianResult;
  lossBayes: BayesianResult;
  extra: Pick<VariantComparison, 'pooledZTest' | 'welch' | 'cuped'>;
  reason?: string | undefined;
}

const negate = (e: Estimate): Estimate => ({
  estimate: e.estimate === null ? null : -e.estimate,
  se: e.se,
  ci: e.ci === null ? null : [-e.ci[1], -e.ci[0]],
  pValue: e.pValue,
});
const negateLift = (e: Pick<Estimate, 'estimate' | 'se'>) => ({ estimate: e.estimate === null ? null : -e.estimate, se: e.se });

/** CUPED when pre-exposure data exist in the two arms together; null otherwise. */
function cupedFigures(control: MetricStats & { n: number }, variant: MetricStats & { n: number }, alpha: number): CupedFigures | null {
  if (control.covariateUnits + variant.covariateUnits === 0) return null;
  const result = compareCupedMoments(cupedMomentsOf(control), cupedMomentsOf(variant), { alpha });
  return {
    theta: result.theta,
    varianceReduction: result.varianceReduction,
    absoluteDifference: result.absoluteDifference,
    relativeLift: result.relativeLift,
    pValue: result.absoluteDifference.pValue,
  };
}

const NO_BAYES: BayesianResult = { chanceToBeatControl: null, expectedLoss: null, credibleInterval: null };

/** Means and ratios: the normal-approximation Bayesian figures, and the loss in the metric's good direction. */
function normalBayes(metric: MetricDefinition, f: { absoluteDifference: Estimate; relativeLift: RelativeLift }, alpha: number): Pick<RawComparison, 'bayes' | 'lossBayes'> {
  const bayes = bayesianNormal(f.absoluteDifference, f.relativeLift, { alpha });
  const lossBayes = metric.direction === 'decrease' ? bayesianNormal(negate(f.absoluteDifference), negateLift(f.relativeLift), { alpha }) : bayes;
  return { bayes, lossBayes };
}

function rawComparison(
  metric: MetricDefinition,
  a: MetricStats & { n: number },
  b: MetricStats & { n: number },
  alpha: number,
  withBayes: boolean,
): RawComparison {
  const options = { alpha };
  if (metric.type === 'conversion' || metric.type === 'funnel') {
    const ca = { n: a.n, conversions: a.sum };
    const cb = { n: b.n, conversions: b.sum };
    const f = compareConversion(ca, cb, options);
    const cuped = metric.type === 'conversion' ? { cuped: cupedFigures(a, b, alpha) } : {};
    const bayes = withBayes ? bayesianConversion(ca, cb, options) : NO_BAYES;
    return {
      absoluteDifference: f.absoluteDifference,
      relativeLift: f.relativeLift,
      moments: f.moments,
      bayes,
      // For a metric where lower is better the loss of shipping B is E[max(p_B − p_A, 0)]: swap the arms.
      lossBayes: withBayes && metric.direction === 'decrease' ? bayesianConversion(cb, ca, { ...options, credibleInterval: false }) : bayes,
      extra: { pooledZTest: f.pooledZTest, ...cuped },
      reason: f.reason,
    };
  }
  if (metric.type === 'revenue') {
    const f = compareMeanSummaries(summarizeMoments(a), summarizeMoments(b), options);
    return {
      absoluteDifference: f.absoluteDifference,
      relativeLift: f.relativeLift,
      moments: f.moments,
      df: f.welch.df ?? undefined,
      ...(withBayes ? normalBayes(metric, f, alpha) : { bayes: NO_BAYES, lossBayes: NO_BAYES }),
      extra: { welch: f.welch, cuped: cupedFigures(a, b, alpha) },
      reason: f.reason,
    };
  }
  const f = compareRatio(ratioStatsOf(a), ratioStatsOf(b), options);
  return {
    absoluteDifference: f.absoluteDifference,
    relativeLift: f.relativeLift,
    moments: f.moments,
    ...(withBayes ? normalBayes(metric, f, alpha) : { bayes: NO_BAYES, lossBayes: NO_BAYES }),
    extra: {},
    reason: f.reason,
  };
}

/** The per-unit value of a variant: rate, mean or ratio of sums; null without units. */
export function metricValue(metric: MetricDefinition, s: MetricStats & { n: number }): number | null {
  if (s.n <= 0) return null;
  if (metric.type === 'ratio') return s.denSum === 0 ? null : s.sum / s.denSum;
  return s.sum / s.n;
}

/** Significant and in the metric's good direction → good; the other way → bad. The sign is the absolute difference's. */
export function verdictOf(direction: MetricDefinition['direction'], significant: boolean, absolute: Estimate): Verdict {
  const sign = absolute.estimate;
  if (!significant || sign === null || sign === 0) return 'inconclusive';
  return (sign > 0) === (direction === 'increase') ? 'good' : 'bad';
}

/**
 * Every variant of one metric, the first being the control. Headline p-value = the absolute
 * difference's; adjusted across the k − 1 comparisons (the primary metric's family; `families.ts`
 * re-adjusts the secondary metrics together); with sequential testing the always-valid p-values are
 * adjusted the same way and decide `significant`. A guardrail metric also gets its non-inferiority check.
 */
export function compareVariants(
  metric: MetricDefinition,
  variants: readonly { key: string; stats: MetricStats & { n: number } }[],
  settings: AnalysisSettings,
  { bayesian = true }: { bayesian?: boolean } = {},
): VariantMetric[] {
  const [control, ...others] = variants;
  if (!control) return [];
  const { alpha, correction, sequential } = settings;
  const raws = others.map((v) => rawComparison(metric, control.stats, v.stats, alpha, bayesian));
  const adjusted = adjustPValues(raws.map((r) => r.absoluteDifference.pValue), correction);
  const totalOf = (i: number) => control.stats.n + (others[i]?.stats.n ?? 0);
  const sequentialFigures = sequential
    ? raws.map((r, i) => sequentialComparison(r.absoluteDifference, r.moments, totalOf(i), { alpha, tuningParameter: sequential.tuningParameter }))
    : null;
  const sequentialAdjusted = sequentialFigures ? adjustPValues(sequentialFigures.map((s) => s.absoluteDifference.pValue), correction) : null;

  const describe = (v: { key: string; stats: MetricStats & { n: number } }): VariantMetric => {
    const result: VariantMetric = { key: v.key, units: v.stats.n, converted: v.stats.converted, value: metricValue(metric, v.stats) };
    if (metric.type === 'revenue') result.sd = v.stats.n > 1 ? Math.sqrt(summarizeMoments(v.stats).variance) : null;
    return result;
  };
  return [
    describe(control),
    ...others.map((v, i) => {
      const raw = raws[i]!;
      const adjustedPValue = adjusted[i] ?? null;
      let significant = adjustedPValue !== null && adjustedPValue < alpha;
      const comparison: VariantComparison = {
        absoluteDifference: raw.absoluteDifference,
        relativeLift: raw.relativeLift,
        pValue: raw.absoluteDifference.pValue,
        adjustedPValue,
        significant,
        chanceToBeatControl: raw.bayes.chanceToBeatControl,
        chanceToWin:
          raw.bayes.chanceToBeatControl === null ? null : metric.direction === 'increase' ? raw.bayes.chanceToBeatControl : 1 - raw.bayes.chanceToBeatControl,
        expectedLoss: raw.lossBayes.expectedLoss,
        credibleInterval: raw.bayes.credibleInterval,
        verdict: 'inconclusive',
        ...raw.extra,
      };
      const figures = sequentialFigures?.[i];
      if (figures && sequentialAdjusted) {
        const sequentialAdjustedPValue = sequentialAdjusted[i] ?? null;
        comparison.sequential = { ...figures, adjustedPValue: sequentialAdjustedPValue };
        significant = sequentialAdjustedPValue !== null && sequentialAdjustedPValue < alpha;
        comparison.significant = significant;
      }
      comparison.verdict = verdictOf(metric.direction, significant, raw.absoluteDifference);
      if (metric.role === 'guardrail') {
        // A guardrail is in no family (families.ts): its harm is judged on its own, unadjusted p-value.
        const own = figures ? figures.absoluteDifference.pValue : raw.absoluteDifference.pValue;
        comparison.guardrail = guardrailCheck(raw.absoluteDifference, raw.moments, {
          direction: metric.direction,
          margin: metric.guardrailMargin ?? DEFAULT_GUARDRAIL_MARGIN,
          alpha,
          df: raw.df,
          significant: own !== null && own < alpha,
          sequential: sequential ? { tuningParameter: sequential.tuningParameter, totalUnits: totalOf(i) } : null,
        });
      }
      const reason = raw.reason ?? raw.bayes.reason;
      if (reason !== undefined) comparison.reason = reason;
      return { ...describe(v), comparison };
    }),
  ];
}
