/**
 * The shape of GET /api/experiments/:key/results (mirrors server/src/results/types.ts and the
 * section types it imports). Undefined figures are null, never NaN.
 */
export interface Estimate {
  estimate: number | null;
  se: number | null;
  ci: [number, number] | null;
  pValue: number | null;
}

export type Verdict = 'good' | 'bad' | 'inconclusive';

export interface CupedFigures {
  theta: number;
  varianceReduction: number | null;
  absoluteDifference: Estimate;
  relativeLift: Estimate;
  pValue: number | null;
}

export interface VariantComparison {
  absoluteDifference: Estimate;
  relativeLift: Estimate;
  pValue: number | null;
  adjustedPValue: number | null;
  significant: boolean;
  chanceToBeatControl: number | null;
  chanceToWin: number | null;
  expectedLoss: number | null;
  credibleInterval: [number, number] | null;
  verdict: Verdict;
  pooledZTest?: { z: number | null; pValue: number | null };
  welch?: { t: number | null; df: number | null };
  sequential?: {
    absoluteDifference: { ci: [number, number] | null; pValue: number | null };
    relativeLift: { ci: [number, number] | null; pValue: number | null };
    adjustedPValue: number | null;
  };
  cuped?: CupedFigures | null;
  reason?: string;
}

export interface VariantMetric {
  key: string;
  units: number;
  converted: number;
  value: number | null;
  sd?: number | null;
  comparison?: VariantComparison;
}

export interface FunnelStepVariant {
  key: string;
  units: number;
  rateFromPrevious: number | null;
  rateOverall: number | null;
  comparison?: {
    absoluteDifference: Estimate;
    relativeLift: Estimate;
    pValue: number | null;
    adjustedPValue: number | null;
    significant: boolean;
    reason?: string;
  };
}

export interface FunnelStep {
  step: number;
  eventName: string;
  variants: FunnelStepVariant[];
}

export interface MetricResult {
  key: string;
  name: string;
  type: 'conversion' | 'revenue' | 'ratio' | 'funnel';
  role: 'primary' | 'secondary' | 'guardrail';
  direction: 'increase' | 'decrease';
  attributionHours: number | null;
  variants: VariantMetric[];
  steps?: FunnelStep[];
  reason?: string;
}

export interface SegmentValueResult {
  value: string | null;
  kind: 'value' | 'other' | 'none';
  units: number;
  variants: VariantMetric[];
}

export interface SegmentResults {
  attribute: string;
  metric: string;
  top: number;
  values: SegmentValueResult[];
}

export interface PhaseSrm {
  phase: number | null;
  startedAt: string | null;
  endedAt: string | null;
  coverage: number | null;
  weights: number[];
  units: number[];
  chiSquare: number | null;
  df: number | null;
  pValue: number | null;
  mismatch: boolean;
  reason?: string;
}

export interface SrmReport {
  mismatch: boolean;
  chiSquare: number | null;
  df: number | null;
  pValue: number | null;
  threshold: number;
  phases: PhaseSrm[];
  unitsOutsidePhases: number;
  reason?: string;
}

export interface Progress {
  metric: string | null;
  minimumDetectableEffect: number | null;
  power: number;
  baseline: number | null;
  requiredPerVariant: number | null;
  requiredTotal: number | null;
  progress: number | null;
  daysElapsed: number | null;
  dailyUnits: number | null;
  daysRemaining: number | null;
  reason?: string;
}

export interface DailyPoint {
  date: string;
  variants: {
    key: string;
    units: number;
    value: number | null;
    lift?: { estimate: number | null; ci: [number, number] | null; pValue: number | null };
  }[];
}

export interface ExperimentResults {
  experiment: {
    key: string;
    name: string;
    status: string;
    startedAt: string | null;
    stoppedAt: string | null;
    alpha: number;
    correction: 'holm' | 'bh';
    sequential: { tuningParameter: number } | null;
    phase: number | null;
  };
  computedAt: string;
  period: { from: string | null; to: string };
  cupedLookbackDays: number;
  variants: { key: string; name: string; weight: number; units: number }[];
  exposures: { units: number; analysedUnits: number; multipleExposures: number; multipleExposureShare: number | null };
  srm: SrmReport;
  metrics: MetricResult[];
  progress: Progress;
  daily: { metric: string | null; days: DailyPoint[] };
  segments?: SegmentResults;
  reasons: string[];
  snapshot?: { computedAt: string; source: 'snapshot' | 'computed'; ageSeconds: number; durationMs: number };
}
