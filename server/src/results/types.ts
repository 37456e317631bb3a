/** The shape of GET /api/experiments/:key/results (JSON). Undefined figures are null, never NaN. */
import type { VariantMetric } from './compare.js';
import type { DailyPoint } from './daily.js';
import type { Decision } from './decision.js';
import type { MetricRole, MetricType } from './definitions.js';
import type { FunnelStep } from './funnel.js';
import type { Progress } from './progress.js';
import type { SrmReport } from './srm.js';

export interface MetricResult {
  key: string;
  name: string;
  type: MetricType;
  role: MetricRole;
  direction: 'increase' | 'decrease';
  attributionHours: number | null;
  /**
   * What the values count ("items") and the ISO 4217 currency of money ("EUR"); null when the metric
   * has none. Always set by this version; absent in a snapshot stored before metrics had units.
   */
  unit?: string | null;
  currency?: string | null;
  /** The family its p-values are adjusted in: primary (k − 1 comparisons), secondary (variants × secondary metrics), guardrail (none). */
  family: 'primary' | 'secondary' | 'guardrail';
  /** Secondary metrics: exploratory findings, not the experiment's decision. */
  exploratory?: true;
  variants: VariantMetric[];
  /** Funnel metrics only. */
  steps?: FunnelStep[];
  reason?: string;
}

export interface SegmentValueResult {
  /** The attribute value; null for 'other' (outside the top values) and 'none' (attribute missing). */
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

/** What results are computed for: the experiment as the assembly needs it. */
export interface ExperimentInfo {
  key: string;
  name: string;
  status: string;
  startedAt: string | null;
  stoppedAt: string | null;
  alpha: number;
  correction: 'holm' | 'bh';
  sequential: { tuningParameter: number } | null;
  phase: number | null;
  minimumDetectableEffect: number | null;
  /** Days the experiment must run before its results may decide (design.md §8). */
  minimumDays: number;
  variants: { key: string; name: string; weight: number }[];
}

export interface ExperimentResults {
  /** The experiment's settings that shape the figures (its variants are listed with their units below). */
  experiment: Omit<ExperimentInfo, 'minimumDetectableEffect' | 'variants'>;
  computedAt: string;
  /** Events count when they occurred in [from, to): the running period (null before the start). */
  period: { from: string | null; to: string };
  cupedLookbackDays: number;
  variants: { key: string; name: string; weight: number; units: number }[];
  exposures: { units: number; analysedUnits: number; multipleExposures: number; multipleExposureShare: number | null };
  srm: SrmReport;
  metrics: MetricResult[];
  progress: Progress;
  daily: { metric: string | null; days: DailyPoint[] };
  segments?: SegmentResults;
  /** What to do (design.md §8): status, recommended variant, reasons and the checks behind them. */
  decision: Decision;
  /** Why some figures are missing or need care. */
  reasons: string[];
}
