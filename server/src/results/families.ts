/**
 * Which comparisons are adjusted together, and when a verdict may be given (design.md §5).
 *
 * - The primary metric is its own family: its k − 1 comparisons (done in compareVariants), so the power
 *   planned for it holds whatever else is measured.
 * - The secondary metrics form a second family, variants × secondary metrics, labelled exploratory: with
 *   four secondary metrics and two treatments, eight unadjusted tests would flag a false "significant"
 *   in a third of A/A experiments.
 * - A guardrail is in no family: a one-sided non-inferiority test against its margin (guardrail.ts).
 * - A fixed-horizon experiment gives no verdict before its planned sample: stopping at the first
 *   significant daily look is what inflates false positives (19 % over 14 looks instead of 5 %).
 * Pure: mutates only the document it is given, before it is returned.
 */
import { adjustPValues } from '../stats/index.js';
import { type AnalysisSettings, type VariantComparison, type VariantMetric, verdictOf } from './compare.js';
import type { MetricRole } from './definitions.js';
import type { Progress } from './progress.js';

/** The family a metric's comparisons are adjusted in: its role (a guardrail's family is itself). */
export type Family = MetricRole;

interface FamilyMember {
  direction: 'increase' | 'decrease';
  variants: VariantMetric[];
}

const comparisonsOf = (metrics: readonly FamilyMember[]) =>
  metrics.flatMap((m) => m.variants.flatMap((v) => (v.comparison ? [{ direction: m.direction, c: v.comparison }] : [])));

/** Adjust every comparison of the secondary metrics together (Holm or BH); `significant` and the verdict follow. */
export function adjustSecondaryFamily(secondary: readonly FamilyMember[], settings: AnalysisSettings): void {
  const members = comparisonsOf(secondary);
  const fixed = adjustPValues(members.map(({ c }) => c.pValue), settings.correction);
  const always = settings.sequential ? adjustPValues(members.map(({ c }) => c.sequential?.absoluteDifference.pValue ?? null), settings.correction) : null;
  members.forEach(({ direction, c }, i) => {
    c.adjustedPValue = fixed[i] ?? null;
    let deciding = c.adjustedPValue;
    if (always && c.sequential) {
      c.sequential.adjustedPValue = always[i] ?? null;
      deciding = c.sequential.adjustedPValue;
    }
    setSignificance(c, direction, deciding !== null && deciding < settings.alpha);
  });
}

/** A guardrail is a family of one: its adjusted p-values are its own. */
export function unadjustGuardrail(guardrail: FamilyMember, settings: AnalysisSettings): void {
  for (const { direction, c } of comparisonsOf([guardrail])) {
    c.adjustedPValue = c.pValue;
    let deciding = c.pValue;
    if (c.sequential) {
      c.sequential.adjustedPValue = c.sequential.absoluteDifference.pValue;
      deciding = c.sequential.adjustedPValue;
    }
    setSignificance(c, direction, deciding !== null && deciding < settings.alpha);
  }
}

function setSignificance(c: VariantComparison, direction: 'increase' | 'decrease', significant: boolean): void {
  c.significant = significant;
  c.verdict = verdictOf(direction, significant, c.absoluteDifference);
}

/**
 * Why a fixed-horizon experiment may not give a verdict yet: its planned sample (progress toward the
 * minimum detectable effect's sample size) is not reached — or there is no plan at all (no minimum
 * detectable effect, no baseline yet, a ratio metric): a fixed-horizon p-value read at whatever moment
 * someone looks is exactly the peeking the default sequential test exists to prevent, so without a
 * horizon there is no verdict. null when a verdict may be given: sequential testing is on (always
 * valid) or the plan is reached.
 */
export function fixedHorizonHold(settings: AnalysisSettings, progress: Pick<Progress, 'progress' | 'requiredPerVariant' | 'reason'>): string | null {
  if (settings.sequential !== null) return null;
  if (progress.progress === null || progress.requiredPerVariant === null) {
    const why = progress.reason ? ` (${progress.reason})` : '';
    return `fixed horizon without a planned sample${why}: set a minimumDetectableEffect, or turn sequential testing on, to get a verdict`;
  }
  if (progress.progress >= 1) return null;
  return `fixed horizon: planned sample not reached (${Math.floor(progress.progress * 100)} %)`;
}

/** Withhold the verdicts of these comparisons: not significant, inconclusive, with the reason. */
export function holdVerdicts(variants: readonly { comparison?: { significant?: boolean; verdict?: string; reason?: string } | undefined }[], reason: string): void {
  for (const v of variants) {
    const c = v.comparison;
    if (!c) continue;
    if (c.significant === undefined) continue; // descriptive: nothing claimed, nothing to hold
    c.significant = false;
    if (c.verdict !== undefined) c.verdict = 'inconclusive';
    c.reason = c.reason === undefined ? reason : `${reason}; ${c.reason}`;
  }
}
