/**
 * Bayesian summaries. Conversions: Beta(1, 1) prior, so after x conversions in
 * n units the posterior is Beta(x + 1, n − x + 1). Means (revenue): a normal
 * approximation to the posterior of the relative lift under a flat prior.
 */
import { liftCredibleInterval } from './beta-ratio.js';
import { logGammaDifference, normalCdf, normalPdf, normalQuantile } from './distributions.js';
import { resolveAlpha } from './estimate.js';
import type { ConversionCounts } from './proportions.js';
import type { Estimate, RelativeLift } from './types.js';

/** Above this many terms the exact sum gives way to the normal approximation (see `probabilityBetaGreater`). */
export const EXACT_SUM_TERM_LIMIT = 1_000_000;

export interface BetaPosterior {
  alpha: number;
  beta: number;
}

export interface BayesianResult {
  /** P(variant > control) under the posterior. */
  chanceToBeatControl: number | null;
  /** E[max(control − variant, 0)]: the expected absolute loss of shipping the variant. */
  expectedLoss: number | null;
  /** Equal-tailed 1 − alpha credible interval for the relative lift (exact for conversions, normal for means). */
  credibleInterval: [number, number] | null;
  reason?: string;
}

/** Posterior Beta(x + 1, n − x + 1) under the uniform Beta(1, 1) prior. */
export function betaPosterior(counts: ConversionCounts): BetaPosterior {
  return { alpha: counts.conversions + 1, beta: counts.n - counts.conversions + 1 };
}

/**
 * P(X₂ > X₁) for X₁ ~ Beta(a₁, b₁), X₂ ~ Beta(a₂, b₂), a₂ a positive integer:
 *   Σ_{i=0}^{a₂−1} B(a₁+i, b₁+b₂) / ((b₂+i)·B(1+i, b₂)·B(a₁, b₁))
 * (Evan Miller, "Formulas for Bayesian A/B Testing", 2015, the first formula;
 * derivation in Cook, "Exact calculation of beta inequalities", 2005).
 * Term 0 is B(a₁, b₁+b₂)/B(a₁, b₁) (as B(1, b₂) = 1/b₂) and consecutive terms have the ratio
 *   (a₁+i)(b₂+i) / ((a₁+b₁+b₂+i)(i+1)),
 * so the sum costs one log-beta and a₂ multiplications. The terms are multiplied in linear space
 * (a log and an exp per term cost several times as much) relative to a scale kept on the log scale:
 * the running term is rescaled whenever it grows past 2^600, so nothing overflows, and only terms
 * below 2^-1000 of the largest so far can underflow, too small to change a double sum.
 */
const RESCALE_ABOVE = 2 ** 600;
const LOG_RESCALE = Math.log(RESCALE_ABOVE);

function sumBetaGreater(a1: number, b1: number, a2: number, b2: number): number {
  // ln[B(a₁, b₁+b₂)/B(a₁, b₁)] = ln Γ(b₁+b₂) + ln Γ(a₁+b₁) − ln Γ(b₁) − ln Γ(a₁+b₁+b₂), grouped in
  // pairs that differ by the smaller of a₁ and b₂, each pair computed without cancellation: the
  // brackets are then of the size of the answer, so huge counts keep ~1e-13 accuracy.
  const logFirst =
    a1 <= b2
      ? logGammaDifference(a1 + b1, b1) - logGammaDifference(a1 + b1 + b2, b1 + b2)
      : logGammaDifference(b1 + b2, b1) - logGammaDifference(a1 + b1 + b2, a1 + b1);
  // The term and the total are in units of e^scale.
  let scale = logFirst;
  let term = 1;
  let total = 0;
  for (let i = 0; i < a2; i++) {
    total += term;
    term *= ((a1 + i) * (b2 + i)) / ((a1 + b1 + b2 + i) * (i + 1));
    if (term > RESCALE_ABOVE) {
      term /= RESCALE_ABOVE;
      total /= RESCALE_ABOVE;
      scale += LOG_RESCALE;
    }
  }
  // e^scale underflows below e^-745 even where the product would not: then combine on the log scale.
  return scale > -700 ? total * Math.exp(scale) : total > 0 ? Math.exp(scale + Math.log(total)) : 0;
}

/**
 * P(p_B > p_A) for independent p_A ~ Beta(αA, βA), p_B ~ Beta(αB, βB) with
 * integer parameters (as the Beta(1,1) prior with counts gives).
 *
 * The sum above can run over any of the four parameters: over αB directly; over
 * αA as 1 − P(p_A > p_B); over βA or βB by the reflection 1 − p ~ Beta(β, α)
 * (p_B > p_A ⇔ 1 − p_A > 1 − p_B). We pick the smallest, so conversion rates of
 * a few percent cost a few thousand terms even with millions of units.
 *
 * Only when even the smallest parameter exceeds EXACT_SUM_TERM_LIMIT (10⁶
 * conversions and 10⁶ non-conversions in both arms) we use the normal
 * approximation Φ((μ_B − μ_A)/√(σ_A² + σ_B²)) on the Beta means and variances:
 * each posterior's skewness is then below 2/√10⁶ = 0.002, and the tests show
 * the approximation within 1e-4 of the exact sum already at 2·10⁵.
 */
export function probabilityBetaGreater(a: BetaPosterior, b: BetaPosterior): number {
  const smallest = Math.min(a.alpha, a.beta, b.alpha, b.beta);
  if (smallest > EXACT_SUM_TERM_LIMIT) return normalApproximationGreater(a, b);
  let p: number;
  if (smallest === b.alpha) p = sumBetaGreater(a.alpha, a.beta, b.alpha, b.beta);
  else if (smallest === a.alpha) p = 1 - sumBetaGreater(b.alpha, b.beta, a.alpha, a.beta);
  // 1 − p_A ~ Beta(βA, αA) exceeds 1 − p_B ~ Beta(βB, αB): sum over βA.
  else if (smallest === a.beta) p = sumBetaGreater(b.beta, b.alpha, a.beta, a.alpha);
  else p = 1 - sumBetaGreater(a.beta, a.alpha, b.beta, b.alpha);
  return Math.min(1, Math.max(0, p));
}

/** Normal approximation to P(p_B > p_A) from Beta means and variances. */
export function normalApproximationGreater(a: BetaPosterior, b: BetaPosterior): number {
  const moments = (d: BetaPosterior) => {
    const s = d.alpha + d.beta;
    return { mean: d.alpha / s, variance: (d.alpha * d.beta) / (s * s * (s + 1)) };
  };
  const ma = moments(a);
  const mb = moments(b);
  return normalCdf((mb.mean - ma.mean) / Math.sqrt(ma.variance + mb.variance));
}

/**
 * Expected loss of choosing B, E[max(p_A − p_B, 0)], exactly:
 *   E[p_A·1{p_A > p_B}] − E[p_B·1{p_A > p_B}]
 *   = μ_A·P(Beta(αA+1, βA) > p_B) − μ_B·P(p_A > Beta(αB+1, βB)),
 * because x·Beta(α, β) density = μ·Beta(α+1, β) density (size-biasing). Both
 * probabilities come from `probabilityBetaGreater`, so the loss is as exact as
 * the closed form (Chris Stucchio, "Bayesian A/B Testing at VWO", 2015, §4,
 * states the same identity). Clamped at 0 against rounding.
 */
export function expectedLossBeta(a: BetaPosterior, b: BetaPosterior): number {
  const meanA = a.alpha / (a.alpha + a.beta);
  const meanB = b.alpha / (b.alpha + b.beta);
  const aWins = probabilityBetaGreater(b, { alpha: a.alpha + 1, beta: a.beta });
  const aBeatsBoosted = probabilityBetaGreater({ alpha: b.alpha + 1, beta: b.beta }, a);
  return Math.max(0, meanA * aWins - meanB * aBeatsBoosted);
}

/**
 * Bayesian comparison of conversion rates under Beta(1, 1) priors: chance to beat control and
 * expected loss in closed form (above); the equal-tailed credible interval for the relative lift
 * p_B/p_A − 1 from the exact posterior of the ratio (beta-ratio.ts), which is skewed and never
 * reaches below −100 %. `credibleInterval: false` skips the interval where only the other figures
 * are read.
 */
export function bayesianConversion(
  control: ConversionCounts,
  variant: ConversionCounts,
  options: { alpha?: number; credibleInterval?: boolean } = {},
): BayesianResult {
  if (control.n <= 0 || variant.n <= 0) {
    return { chanceToBeatControl: null, expectedLoss: null, credibleInterval: null, reason: 'an arm has no units' };
  }
  const alpha = resolveAlpha(options.alpha);
  const a = betaPosterior(control);
  const b = betaPosterior(variant);
  return {
    chanceToBeatControl: probabilityBetaGreater(a, b),
    expectedLoss: expectedLossBeta(a, b),
    credibleInterval: options.credibleInterval === false ? null : liftCredibleInterval(a, b, alpha),
  };
}

/**
 * Bayesian summary for mean metrics from the frequentist estimates, with a flat
 * prior and a normal posterior (the normal approximation design.md §5 names):
 * chance to beat control = Φ(d/SE_d) on the absolute difference D ~ N(d, s²) — not on
 * the delta-method lift, whose SE shrinks when the variant's mean comes out low and so
 * leans towards "worse" on skewed revenue (docs/decisions/0001); expected loss on the absolute
 * difference D ~ N(d, s²): E[max(−D, 0)] = s·φ(d/s) − d·Φ(−d/s), in the metric's
 * units; credible interval = the lift's Fieller interval when given (else its normal interval).
 */
export function bayesianNormal(absolute: Estimate, relative: Estimate | RelativeLift | Pick<Estimate, 'estimate' | 'se'>, options: { alpha?: number } = {}): BayesianResult {
  const alpha = resolveAlpha(options.alpha);
  const { estimate: d, se: s } = absolute;
  if (d === null || s === null || !(s > 0)) {
    return { chanceToBeatControl: null, expectedLoss: null, credibleInterval: null, reason: 'no sampling variance' };
  }
  const expectedLoss = Math.max(0, s * normalPdf(d / s) - d * normalCdf(-d / s));
  const chanceToBeatControl = normalCdf(d / s);
  const { estimate: l, se: ls } = relative;
  if (l === null || ls === null || !(ls > 0)) {
    return { chanceToBeatControl, expectedLoss, credibleInterval: null };
  }
  // The lift's interval: Fieller's when the comparison gives it (a flat prior on both means makes it the
  // credible set of their ratio, and it agrees with the headline test); a symmetric interval around the
  // delta-method lift would lean like its p-value did. Unbounded Fieller sets give no interval.
  if ('deltaMethod' in relative) {
    const ci = relative.ci;
    const bounded = ci !== null && ci[0] !== null && ci[1] !== null && relative.excludes === undefined;
    return bounded
      ? { chanceToBeatControl, expectedLoss, credibleInterval: [ci[0]!, ci[1]!] }
      : { chanceToBeatControl, expectedLoss, credibleInterval: null, reason: relative.reason ?? 'the lift has no bounded interval' };
  }
  const z = normalQuantile(1 - alpha / 2);
  return { chanceToBeatControl, expectedLoss, credibleInterval: [l - z * ls, l + z * ls] };
}
