/**
 * Guardrail metrics (design.md §5): no family, no "significant" hunt — each is a one-sided
 * non-inferiority test of "the variant is not worse than the control by more than the margin"
 * (relative, default 2 %), in the metric's good direction.
 */
import { type ArmMoments, type Estimate, normalCdf, sequentialInterval, studentTCdf } from '../stats/index.js';
import type { MetricDefinition } from './definitions.js';

/** The relative margin a guardrail tolerates when its metric names none. */
export const DEFAULT_GUARDRAIL_MARGIN = 0.02;

export type GuardrailStatus = 'ok' | 'harmed' | 'inconclusive';

export interface GuardrailCheck {
  /** Relative margin: the variant may be worse than the control by at most this share. */
  margin: number;
  /** ok: non-inferior (the test rejects "worse by the margin or more"); harmed: significantly worse and not non-inferior. */
  status: GuardrailStatus;
  /** One-sided p-value of the non-inferiority test (always valid when sequential testing is on); null when undefined. */
  pValue: number | null;
  reason?: string;
}

export interface GuardrailOptions {
  direction: MetricDefinition['direction'];
  margin: number;
  alpha: number;
  /** Welch df for revenue (Student t); undefined for the normal reference. */
  df?: number | undefined;
  /** The headline test's verdict (already sequential-aware): a significant move in the bad direction is harm. */
  significant: boolean;
  sequential: { tuningParameter: number; totalUnits: number } | null;
}

/**
 * Non-inferiority of μ_B against f·μ_A, with f = 1 ∓ margin·sign(μ_A) chosen so that f·μ_A is the
 * control moved by the margin in the bad direction. The statistic is Fieller's, so the margin scales
 * with the uncertain control mean instead of being treated as known:
 *   T = ±(m_B − f·m_A)/√(v_B + f²·v_A)   (+ when higher is better),
 * one-sided p = P(Z > T) (Student t at the headline's Welch df for revenue). With sequential testing
 * the always-valid p-value of T replaces it (two-sided, hence conservative for one side).
 */
export function guardrailCheck(absolute: Estimate, moments: ArmMoments | null, options: GuardrailOptions): GuardrailCheck {
  const { margin, direction, alpha } = options;
  const inconclusive = (reason: string): GuardrailCheck => ({ margin, status: 'inconclusive', pValue: null, reason });
  if (moments === null || absolute.se === null || !(absolute.se > 0)) return inconclusive('no sampling variance: no non-inferiority test');
  const { meanA, varianceOfMeanA, meanB, varianceOfMeanB } = moments;
  if (meanA === 0) return inconclusive('control mean is 0: a relative margin is undefined');
  const good = direction === 'increase' ? 1 : -1;
  const f = 1 - good * margin * Math.sign(meanA);
  const t = (good * (meanB - f * meanA)) / Math.sqrt(varianceOfMeanB + f * f * varianceOfMeanA);
  if (!Number.isFinite(t)) return inconclusive('the non-inferiority statistic is undefined');
  let pValue: number;
  if (options.sequential) {
    const always = sequentialInterval({ estimate: t, se: 1, ci: null, pValue: null }, options.sequential.totalUnits, {
      alpha,
      tuningParameter: options.sequential.tuningParameter,
    }).pValue;
    pValue = t > 0 && always !== null ? always : 1;
  } else {
    const useT = options.df !== undefined && Number.isFinite(options.df);
    // P(X > t) as the lower tail at −t: no cancellation for large t.
    pValue = useT ? studentTCdf(-t, options.df as number) : normalCdf(-t);
  }
  const worse = absolute.estimate !== null && good * absolute.estimate < 0;
  const status: GuardrailStatus = pValue < alpha ? 'ok' : options.significant && worse ? 'harmed' : 'inconclusive';
  return { margin, status, pValue };
}
