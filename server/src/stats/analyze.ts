/**
 * The calculator behind POST /api/stats/analyze and GET /api/stats/sample-size
 * (design.md §6): pure functions from a validated request to the answer. The
 * route only validates with the schemas in ./schemas.ts and returns JSON.
 */
import { adjustPValues } from './adjust.js';
import { bayesianConversion, bayesianNormal } from './bayesian.js';
import type { BayesianResult } from './bayesian.js';
import { compareMeanSummaries } from './means.js';
import { planFromQuery } from './plan-query.js';
import { compareConversion } from './proportions.js';
import type {
  AnalyzeRequest,
  AnalyzeResponse,
  ConversionVariantResult,
  RevenueVariantResult,
  SampleSizeQuery,
  SampleSizeResponse,
} from './schemas.js';
import { sequentialComparison } from './sequential.js';
import { srmTest } from './srm.js';
import type { ArmMoments, Estimate, RelativeLift } from './types.js';

type Comparison = {
  absoluteDifference: Estimate;
  relativeLift: RelativeLift;
  moments: ArmMoments | null;
  bayes: BayesianResult;
  totalUnits: number;
  reason?: string | undefined;
};

type ComparisonFields = Omit<ConversionVariantResult, 'key' | 'units' | 'conversions' | 'rate' | 'pooledZTest'>;

/**
 * Headline figures shared by both metrics (design.md §5): p-value = the absolute difference's (Wald
 * or Welch), never the relative lift's; adjustedPValue across the k − 1 comparisons (Holm or BH);
 * significant when the adjusted p-value is below alpha — the adjusted always-valid p-value of the
 * absolute difference when sequential testing is on, since that is the one that survives peeking.
 */
function headline(comparisons: Comparison[], request: AnalyzeRequest): ComparisonFields[] {
  const { alpha, correction, sequential } = request;
  const adjusted = adjustPValues(comparisons.map((c) => c.absoluteDifference.pValue), correction);
  const sequentialFigures = sequential
    ? comparisons.map((c) => sequentialComparison(c.absoluteDifference, c.moments, c.totalUnits, { alpha, tuningParameter: sequential.tuningParameter }))
    : undefined;
  const sequentialAdjusted = sequentialFigures ? adjustPValues(sequentialFigures.map((s) => s.absoluteDifference.pValue), correction) : undefined;
  return comparisons.map((c, i) => {
    const adjustedPValue = adjusted[i] ?? null;
    const fields: ComparisonFields = {
      absoluteDifference: c.absoluteDifference,
      relativeLift: c.relativeLift,
      pValue: c.absoluteDifference.pValue,
      adjustedPValue,
      significant: adjustedPValue !== null && adjustedPValue < alpha,
      chanceToBeatControl: c.bayes.chanceToBeatControl,
      expectedLoss: c.bayes.expectedLoss,
      credibleInterval: c.bayes.credibleInterval,
    };
    const figures = sequentialFigures?.[i];
    if (figures && sequentialAdjusted) {
      const sequentialAdjustedPValue = sequentialAdjusted[i] ?? null;
      fields.sequential = { ...figures, adjustedPValue: sequentialAdjustedPValue };
      fields.significant = sequentialAdjustedPValue !== null && sequentialAdjustedPValue < alpha;
    }
    const reason = c.reason ?? c.bayes.reason;
    if (reason !== undefined) fields.reason = reason;
    return fields;
  });
}

function srmFor(variants: readonly { units: number; weight?: number | undefined }[]) {
  const weights = variants.map((v) => v.weight);
  if (weights.some((w) => w === undefined)) return undefined;
  return srmTest(
    variants.map((v) => v.units),
    weights.map((w) => w ?? 0),
  );
}

/** Answer POST /api/stats/analyze for a validated body. Every comparison is variant − control (the first variant). */
export function analyze(request: AnalyzeRequest): AnalyzeResponse {
  const base = {
    alpha: request.alpha,
    correction: request.correction,
    ...(request.sequential ? { sequential: { tuningParameter: request.sequential.tuningParameter } } : {}),
  };
  const srm = srmFor(request.variants);
  const tail = {
    ...(srm ? { srm } : {}),
    ...(request.variants.length < 2 ? { reason: 'only one variant: nothing to compare' } : {}),
  };
  const options = { alpha: request.alpha };

  if (request.metric === 'conversion') {
    const [control, ...others] = request.variants;
    if (control === undefined) return { metric: 'conversion', ...base, variants: [], ...tail };
    const a = { n: control.units, conversions: control.conversions };
    const frequentist = others.map((v) => compareConversion(a, { n: v.units, conversions: v.conversions }, options));
    const comparisons = others.map((v, i): Comparison => {
      const f = frequentist[i]!;
      return {
        absoluteDifference: f.absoluteDifference,
        relativeLift: f.relativeLift,
        moments: f.moments,
        bayes: bayesianConversion(a, { n: v.units, conversions: v.conversions }, options),
        totalUnits: control.units + v.units,
        reason: f.reason,
      };
    });
    const fields = headline(comparisons, request);
    const rate = (v: { units: number; conversions: number }) => (v.units > 0 ? v.conversions / v.units : null);
    const variants: ConversionVariantResult[] = [
      { key: control.key, units: control.units, conversions: control.conversions, rate: rate(control) },
      ...others.map((v, i) => ({
        key: v.key,
        units: v.units,
        conversions: v.conversions,
        rate: rate(v),
        pooledZTest: frequentist[i]!.pooledZTest,
        ...fields[i],
      })),
    ];
    return { metric: 'conversion', ...base, variants, ...tail };
  }

  const [control, ...others] = request.variants;
  if (control === undefined) return { metric: 'revenue', ...base, variants: [], ...tail };
  const summary = (v: { units: number; mean: number; sd: number }) => ({ n: v.units, mean: v.mean, variance: v.sd * v.sd });
  const frequentist = others.map((v) => compareMeanSummaries(summary(control), summary(v), options));
  const comparisons = frequentist.map((f, i): Comparison => ({
    absoluteDifference: f.absoluteDifference,
    relativeLift: f.relativeLift,
    moments: f.moments,
    bayes: bayesianNormal(f.absoluteDifference, f.relativeLift, options),
    totalUnits: control.units + (others[i]?.units ?? 0),
    reason: f.reason,
  }));
  const fields = headline(comparisons, request);
  const variants: RevenueVariantResult[] = [
    { key: control.key, units: control.units, mean: control.mean, sd: control.sd },
    ...others.map((v, i) => ({
      key: v.key,
      units: v.units,
      mean: v.mean,
      sd: v.sd,
      welch: frequentist[i]!.welch,
      ...fields[i],
    })),
  ];
  return { metric: 'revenue', ...base, variants, ...tail };
}

/** Answer GET /api/stats/sample-size for a validated query. */
export function sampleSize(query: SampleSizeQuery): SampleSizeResponse {
  return planFromQuery(query);
}
