/**
 * The conversion credible interval Touchpoint used before stats/beta-ratio.ts: the delta method on the
 * Beta posteriors' means and variances, μ_B/μ_A − 1 ± z·√(σ_B²/μ_A² + μ_B²σ_A²/μ_A⁴). Kept only as the
 * baseline the simulation test and `npm run bench:stats` compare the exact interval with.
 * Test-only: never imported by the module itself.
 */
import type { BetaPosterior } from '../bayesian.js';
import { normalQuantile } from '../distributions.js';

export function deltaMethodLiftInterval(a: BetaPosterior, b: BetaPosterior, alpha: number): [number, number] {
  const sa = a.alpha + a.beta;
  const sb = b.alpha + b.beta;
  const meanA = a.alpha / sa;
  const meanB = b.alpha / sb;
  const varA = (a.alpha * a.beta) / (sa * sa * (sa + 1));
  const varB = (b.alpha * b.beta) / (sb * sb * (sb + 1));
  const se = Math.sqrt(varB / meanA ** 2 + (meanB ** 2 * varA) / meanA ** 4);
  const z = normalQuantile(1 - alpha / 2);
  return [meanB / meanA - 1 - z * se, meanB / meanA - 1 + z * se];
}
