/**
 * Touchpoint statistics: pure functions on sufficient statistics, no I/O.
 * Conventions (sign, sidedness, variances, quantiles) are design.md §5.
 */
export { analyze, sampleSize } from './analyze.js';
export { adjustPValues } from './adjust.js';
export type { Correction } from './adjust.js';
export {
  EXACT_SUM_TERM_LIMIT,
  bayesianConversion,
  bayesianNormal,
  betaPosterior,
  expectedLossBeta,
  normalApproximationGreater,
  probabilityBetaGreater,
} from './bayesian.js';
export type { BayesianResult, BetaPosterior } from './bayesian.js';
export { compareCuped, cupedAdjust } from './cuped.js';
export type { CupedAdjustment, CupedStats } from './cuped.js';
export {
  chiSquareSurvival,
  normalCdf,
  normalQuantile,
  studentTCdf,
  studentTQuantile,
  studentTTwoSidedP,
} from './distributions.js';
export { criticalValue, intervalEstimate, relativeLiftFigures, relativeLiftMoments } from './estimate.js';
export { fiellerContains, fiellerLift, fiellerSet } from './fieller.js';
export type { FiellerLift, FiellerSet } from './fieller.js';
export { compareMean, compareMeanSummaries, summarize, welchDegreesOfFreedom } from './means.js';
export type { MeanComparison } from './means.js';
export { combineCoMoments, combineMoments, compareCupedMoments, momentsOf, pooledCrossTerm, ratioEstimateFromMoments, summarizeMoments, sumsAbout } from './moments.js';
export type { CoMoments, CupedMoments, Moments } from './moments.js';
export { detectableEffect, durationDays, rawSampleSize, sampleSizePerVariant } from './planning.js';
export type { DetectableEffectResult, MdeType, SampleSizeInput, SampleSizeResult } from './planning.js';
export { bernoulliVariance, compareConversion, conversionRate, countsFromStats, pooledZTest } from './proportions.js';
export type { ConversionComparison, ConversionCounts } from './proportions.js';
export { compareRatio, ratioEstimate } from './ratio.js';
export type { RatioComparison, RatioEstimate, RatioStats } from './ratio.js';
export * from './schemas.js';
export { DEFAULT_TUNING_PARAMETER, sequentialComparison, sequentialInterval, sequentialRho } from './sequential.js';
export type { SequentialComparison, SequentialOptions, SequentialResult } from './sequential.js';
export { SRM_THRESHOLD, srmTest } from './srm.js';
export type { SrmResult } from './srm.js';
export { EMPTY_RELATIVE_LIFT } from './types.js';
export type { ArmMoments, CompareOptions, Estimate, MeanSummary, OpenInterval, RelativeLift, SufficientStats } from './types.js';
