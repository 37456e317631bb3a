/**
 * Funnel metrics: units reaching each step in order, step-to-step and overall conversion per variant,
 * and per step the comparison of the overall rate (units reaching the step / exposed units) with the
 * control's. The funnel's headline is its last step's overall conversion.
 *
 * The steps are descriptive (intervals and unadjusted p-values, no significance claim) unless the
 * funnel is the primary metric: a funnel of four steps on a secondary metric would otherwise add four
 * unplanned tests per variant, and a "significant" step drop is then mostly noise (design.md §5).
 * When the funnel is primary, its steps form one family (variants × steps), Holm or BH.
 */
import { adjustPValues, compareConversion, sequentialComparison } from '../stats/index.js';
import type { AnalysisSettings } from './compare.js';
import type { Estimate, RelativeLift } from '../stats/index.js';

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
    relativeLift: RelativeLift;
    /** The absolute difference's p-value (always valid when sequential testing is on), unadjusted. */
    pValue: number | null;
    /** Primary funnels only: adjusted across variants × steps. */
    adjustedPValue?: number | null;
    /** Primary funnels only; a descriptive step makes no significance claim. */
    significant?: boolean;
    /** True on the steps of a funnel that is not the primary metric. */
    descriptive?: true;
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
  { inference }: { inference: boolean },
): FunnelStep[] {
  const [control, ...others] = variants;
  const reachedOf = (v: { units: number; reached: number[] }, k: number) => v.reached[k] ?? 0;
  const compared = steps.map((_, k) =>
    control
      ? others.map((v) => {
          const c = compareConversion({ n: control.units, conversions: reachedOf(control, k) }, { n: v.units, conversions: reachedOf(v, k) }, { alpha: settings.alpha });
          const p = settings.sequential
            ? sequentialComparison(c.absoluteDifference, c.moments, control.units + v.units, { alpha: settings.alpha, tuningParameter: settings.sequential.tuningParameter }).absoluteDifference.pValue
            : c.absoluteDifference.pValue;
          return { c, p };
        })
      : [],
  );
  // One family over every step and variant (flattened step by step), only when the funnel is primary.
  const adjustedFlat = inference ? adjustPValues(compared.flat().map((x) => x.p), settings.correction) : [];
  const perStep = others.length;
  return steps.map((eventName, k) => {
    const previousOf = (v: { units: number; reached: number[] }) => (k === 0 ? v.units : (v.reached[k - 1] ?? 0));
    return {
      step: k + 1,
      eventName,
      variants: variants.map((v, i): FunnelStepVariant => {
        const row: FunnelStepVariant = {
          key: v.key,
          units: reachedOf(v, k),
          rateFromPrevious: share(reachedOf(v, k), previousOf(v)),
          rateOverall: share(reachedOf(v, k), v.units),
        };
        const x = i > 0 ? compared[k]?.[i - 1] : undefined;
        if (x) {
          const { c, p } = x;
          const base = { absoluteDifference: c.absoluteDifference, relativeLift: c.relativeLift, pValue: p };
          if (inference) {
            const adjustedPValue = adjustedFlat[k * perStep + i - 1] ?? null;
            row.comparison = { ...base, adjustedPValue, significant: adjustedPValue !== null && adjustedPValue < settings.alpha };
          } else {
            row.comparison = { ...base, descriptive: true };
          }
          if (c.reason !== undefined) row.comparison.reason = c.reason;
        }
        return row;
      }),
    };
  });
}
