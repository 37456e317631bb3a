/**
 * Funnel metrics: units reaching each step in order, step-to-step and overall conversion per variant,
 * and per step the comparison of the overall rate (units reaching the step / exposed units) with the
 * control's. The funnel's headline is its last step's overall conversion.
 */
import { adjustPValues, compareConversion } from '../stats/index.js';
import type { AnalysisSettings } from './compare.js';
import type { Estimate } from '../stats/index.js';

export interface FunnelStepVariant {
  key: string;
  /** Units that reached this step (and every step before it, in order). */
  units: number;
  /** Share of the units at the previous step (of exposed units for step 1); null without units. */
  rateFromPrevious: number | null;
  /** Share of the exposed units. */
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

const share = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

export function funnelSteps(
  steps: readonly string[],
  variants: readonly { key: string; units: number; reached: number[] }[],
  settings: AnalysisSettings,
): FunnelStep[] {
  const [control, ...others] = variants;
  return steps.map((eventName, k) => {
    const reachedOf = (v: { units: number; reached: number[] }) => v.reached[k] ?? 0;
    const previousOf = (v: { units: number; reached: number[] }) => (k === 0 ? v.units : (v.reached[k - 1] ?? 0));
    const comparisons = control
      ? others.map((v) => compareConversion({ n: control.units, conversions: reachedOf(control) }, { n: v.units, conversions: reachedOf(v) }, { alpha: settings.alpha }))
      : [];
    const adjusted = adjustPValues(comparisons.map((c) => c.relativeLift.pValue), settings.correction);
    return {
      step: k + 1,
      eventName,
      variants: variants.map((v, i): FunnelStepVariant => {
        const row: FunnelStepVariant = {
          key: v.key,
          units: reachedOf(v),
          rateFromPrevious: share(reachedOf(v), previousOf(v)),
          rateOverall: share(reachedOf(v), v.units),
        };
        const c = i > 0 ? comparisons[i - 1] : undefined;
        if (c) {
          const adjustedPValue = adjusted[i - 1] ?? null;
          row.comparison = {
            absoluteDifference: c.absoluteDifference,
            relativeLift: c.relativeLift,
            pValue: c.relativeLift.pValue,
            adjustedPValue,
            significant: adjustedPValue !== null && adjustedPValue < settings.alpha,
            ...(c.reason !== undefined && { reason: c.reason }),
          };
        }
        return row;
      }),
    };
  });
}
