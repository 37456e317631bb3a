/**
 * Progress toward the sample size the primary metric needs to detect the experiment's minimum
 * detectable effect (relative), at experiment.alpha and power 0.8, from the control's observed
 * baseline; and the days still needed at the traffic observed so far.
 */
import { durationDays, normalQuantile, sampleSizePerVariant } from '../stats/index.js';
import type { MetricType } from './definitions.js';

export const PLANNED_POWER = 0.8;
const DAY_MS = 86_400_000;

export interface Progress {
  metric: string | null;
  minimumDetectableEffect: number | null;
  power: number;
  baseline: number | null;
  requiredPerVariant: number | null;
  requiredTotal: number | null;
  /** Share of the required units reached by the least-filled arm, capped at 1. */
  progress: number | null;
  daysElapsed: number | null;
  dailyUnits: number | null;
  daysRemaining: number | null;
  reason?: string;
}

/**
 * Revenue: the two-sample normal formula n = 2(z₁₋α/2 + z₁₋β)²·σ²/δ² with σ² the control's per-unit
 * variance and δ = mde·|mean_A|; alpha is split over the k − 1 comparisons as sampleSizePerVariant does.
 */
function meanSampleSize(mean: number, variance: number, mde: number, alpha: number, variants: number): number | null {
  const delta = Math.abs(mean) * mde;
  if (!(delta > 0) || !(variance > 0)) return null;
  const a = alpha / Math.max(1, variants - 1);
  const z = normalQuantile(1 - a / 2) + normalQuantile(PLANNED_POWER);
  const n = Math.ceil((2 * z * z * variance) / (delta * delta) - 1e-9);
  return Number.isFinite(n) ? Math.max(1, n) : null;
}

/** Days of observed traffic needed before the daily rate and the remaining duration are projected. */
const MIN_PROJECTION_DAYS = 1;

export function progressToward(input: {
  metric: { key: string; type: MetricType } | null;
  minimumDetectableEffect: number | null;
  alpha: number;
  /** Units per variant, control first, and the control's mean and per-unit variance. */
  units: number[];
  controlMean: number | null;
  controlVariance: number | null;
  startedAt: Date | null;
  end: Date;
}): Progress {
  const { metric, minimumDetectableEffect: mde, alpha, units } = input;
  const elapsedMs = input.startedAt ? input.end.getTime() - input.startedAt.getTime() : null;
  const daysElapsed = elapsedMs !== null && elapsedMs > 0 ? elapsedMs / DAY_MS : null;
  // Minutes of traffic extrapolated to a day give absurd rates (and miss daily cycles): project only
  // once a full day has been observed.
  const projectable = daysElapsed !== null && daysElapsed >= MIN_PROJECTION_DAYS;
  const total = units.reduce((s, n) => s + n, 0);
  const base: Progress = {
    metric: metric?.key ?? null,
    minimumDetectableEffect: mde,
    power: PLANNED_POWER,
    baseline: input.controlMean,
    requiredPerVariant: null,
    requiredTotal: null,
    progress: null,
    daysElapsed,
    dailyUnits: projectable ? total / daysElapsed : null,
    daysRemaining: null,
  };
  if (!metric) return { ...base, reason: 'the experiment has no primary metric' };
  if (mde === null) return { ...base, reason: 'the experiment has no minimumDetectableEffect' };
  let required: number | null;
  let reason: string | undefined;
  if (metric.type === 'conversion' || metric.type === 'funnel') {
    if (input.controlMean === null) return { ...base, reason: 'the control has no units yet: no baseline' };
    const plan = sampleSizePerVariant({ baseline: input.controlMean, mde, mdeType: 'relative', alpha, power: PLANNED_POWER, variants: units.length });
    required = plan.perVariant;
    reason = plan.reason;
  } else if (metric.type === 'revenue') {
    required = input.controlMean === null || input.controlVariance === null ? null : meanSampleSize(input.controlMean, input.controlVariance, mde, alpha, units.length);
    if (required === null) reason = 'the control has no mean or no variance yet: no baseline';
  } else {
    return { ...base, reason: 'sample-size planning is not available for ratio metrics' };
  }
  if (required === null) return { ...base, reason: reason ?? 'the sample size is undefined' };
  const progress = Math.min(1, Math.min(...units) / required);
  let daysRemaining: number | null = null;
  if (projectable) {
    // Each arm fills at its own observed rate; the slowest arm decides.
    const perArm = units.map((n) => (n >= required ? 0 : durationDays(required - n, n / daysElapsed)));
    daysRemaining = perArm.some((d) => d === null) ? null : Math.max(0, ...(perArm as number[]));
  }
  return {
    ...base,
    requiredPerVariant: required,
    requiredTotal: required * units.length,
    progress,
    daysRemaining,
    ...(daysRemaining === null && progress < 1
      ? { reason: projectable ? 'no traffic observed yet to project the duration' : 'less than a day of traffic: too early to project the duration' }
      : {}),
  };
}
