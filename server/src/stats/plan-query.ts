/** The sample-size calculator's answer, kept apart from analyze.ts to keep both short. */
import { durationDays, sampleSizePerVariant } from './planning.js';
import type { SampleSizeQuery, SampleSizeResponse } from './schemas.js';

/**
 * { perVariant, total, variantRate, deltaAbsolute } exactly as design.md §6
 * shows, plus alphaPerComparison when there are more than 2 variants (the
 * Bonferroni level planned for), durationDays when dailyUnits is given, and a
 * reason when no size can be given.
 */
export function planFromQuery(query: SampleSizeQuery): SampleSizeResponse {
  const plan = sampleSizePerVariant(query);
  const answer: SampleSizeResponse = {
    perVariant: plan.perVariant,
    total: plan.total,
    variantRate: plan.variantRate,
    deltaAbsolute: plan.deltaAbsolute,
  };
  if (query.variants > 2) answer.alphaPerComparison = plan.alphaPerComparison;
  if (query.dailyUnits !== undefined) {
    answer.durationDays = plan.total === null ? null : durationDays(plan.total, query.dailyUnits);
  }
  if (plan.reason !== undefined) answer.reason = plan.reason;
  return answer;
}
