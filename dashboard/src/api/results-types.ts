/**
 * The shape of GET /api/experiments/:key/results, taken from the server's own declarations so the
 * dashboard cannot drift from what the endpoint returns. Type-only: nothing of the server is bundled.
 * Undefined figures are null, never NaN.
 */
export type { Estimate } from '../../../server/src/stats/types';
export type { CupedFigures, Verdict, VariantComparison, VariantMetric } from '../../../server/src/results/compare';
export type { FunnelStep, FunnelStepVariant } from '../../../server/src/results/funnel';
export type { PhaseSrm, SrmReport } from '../../../server/src/results/srm';
export type { Progress } from '../../../server/src/results/progress';
export type { Decision, DecisionCheck, DecisionStatus } from '../../../server/src/results/decision';
export type { DailyPoint } from '../../../server/src/results/daily';
export type { MetricResult, SegmentResults, SegmentValueResult } from '../../../server/src/results/types';
/** What the endpoint serves: the computed results plus where they came from (snapshot or fresh). */
export type { ServedResults as ExperimentResults, SnapshotInfo } from '../../../server/src/results/service';
/** One row of GET /api/results/summary: a running experiment's stored headline, or null before its first snapshot. */
export type { ResultsSummary } from '../../../server/src/results/summary';
