/**
 * Phase-aware sample ratio mismatch. Within one phase coverage and weights are constant, so the
 * units exposed during it (by their first exposure) should split like that phase's weights; across
 * phases they need not (a weight change moves the expected split; a coverage ramp changes only the
 * volume). Each phase gets Pearson's chi-square against its own weights (srmTest), and the phases are
 * combined by adding the statistics and their degrees of freedom — independent chi-squares add — so
 * one overall flag keeps the 0.001 threshold of design.md §5.
 */
import { SRM_THRESHOLD, chiSquareSurvival, srmTest } from '../stats/index.js';
import type { Phase } from './definitions.js';

export interface PhaseSrm {
  /** null: the experiment has no phases yet, so the current weights apply to every unit. */
  phase: number | null;
  startedAt: string | null;
  endedAt: string | null;
  coverage: number | null;
  weights: number[];
  units: number[];
  chiSquare: number | null;
  df: number | null;
  pValue: number | null;
  mismatch: boolean;
  reason?: string;
}

export interface SrmReport {
  mismatch: boolean;
  chiSquare: number | null;
  df: number | null;
  pValue: number | null;
  threshold: number;
  phases: PhaseSrm[];
  /** Units whose first exposure falls outside every phase (not tested). */
  unitsOutsidePhases: number;
  reason?: string;
}

export function phaseAwareSrm(
  phases: readonly Phase[],
  counts: readonly { phase: number | null; variantIndex: number; units: number }[],
  currentWeights: readonly number[],
): SrmReport {
  const k = currentWeights.length;
  const unitsOf = (phase: number | null) => {
    const units = Array<number>(k).fill(0);
    for (const c of counts) if ((phase === null || c.phase === phase) && c.variantIndex < k) units[c.variantIndex]! += c.units;
    return units;
  };
  const tested: PhaseSrm[] = phases.length
    ? phases.map((p) => {
        const weights = p.weights.length === k ? p.weights : [...currentWeights];
        const units = unitsOf(p.phase);
        return { phase: p.phase, startedAt: p.startedAt.toISOString(), endedAt: p.endedAt?.toISOString() ?? null, coverage: p.coverage, weights, units, ...srmTest(units, weights) };
      })
    : [{ phase: null, startedAt: null, endedAt: null, coverage: null, weights: [...currentWeights], units: unitsOf(null), ...srmTest(unitsOf(null), currentWeights) }];
  const unitsOutsidePhases = phases.length ? counts.filter((c) => c.phase === null).reduce((s, c) => s + c.units, 0) : 0;
  const defined = tested.filter((p) => p.chiSquare !== null && p.df !== null);
  if (!defined.length) {
    return { mismatch: false, chiSquare: null, df: null, pValue: null, threshold: SRM_THRESHOLD, phases: tested, unitsOutsidePhases, reason: tested[0]?.reason ?? 'no units exposed yet' };
  }
  const chiSquare = defined.reduce((s, p) => s + p.chiSquare!, 0);
  const df = defined.reduce((s, p) => s + p.df!, 0);
  const pValue = chiSquareSurvival(chiSquare, df);
  return { mismatch: pValue < SRM_THRESHOLD, chiSquare, df, pValue, threshold: SRM_THRESHOLD, phases: tested, unitsOutsidePhases };
}
