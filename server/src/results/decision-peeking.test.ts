/**
 * The decision looked at every day (seeded simulation, no database): with sequential testing (the
 * default) an A/A experiment must rarely ever show `ship` or `roll-back`, however often someone looks —
 * the confidence sequence's guarantee carried through the decision — while a true lift is shipped.
 * Each run: 14 daily looks, 400 new units per arm and day, a 5 % conversion rate in the control.
 */
import { describe, expect, it } from 'vitest';
import { type AnalysisSettings, compareVariants } from './compare.js';
import { type DecisionStatus, decide } from './decision.js';
import type { MetricDefinition } from './definitions.js';
import { emptyMetricStats } from './sufficient-stats.js';
import { seededRandom } from './test-support.js';
import type { MetricResult } from './types.js';

const DAYS = 14;
const UNITS_PER_DAY = 400;
const BASE_RATE = 0.05;
const MDE = 0.3;
const settings: AnalysisSettings = { alpha: 0.05, correction: 'holm', sequential: { tuningParameter: 2 * DAYS * UNITS_PER_DAY } };
const definition: MetricDefinition = {
  key: 'purchase', name: 'Purchase', type: 'conversion', role: 'primary', eventName: 'purchase', steps: null, numerator: null, denominator: null,
  attributionHours: 72, direction: 'increase',
};
const conversions = (n: number, x: number) => ({ ...emptyMetricStats(), n, converted: x, sum: x, m2: n > 0 ? (x * (n - x)) / n : 0 });

/** The status at each daily look of one simulated experiment. */
function run(random: () => number, lift: number): DecisionStatus[] {
  const arms = [
    { key: 'control', rate: BASE_RATE, n: 0, x: 0 },
    { key: 'b', rate: BASE_RATE * (1 + lift), n: 0, x: 0 },
  ];
  const statuses: DecisionStatus[] = [];
  for (let day = 1; day <= DAYS; day++) {
    for (const arm of arms) {
      for (let i = 0; i < UNITS_PER_DAY; i++) if (random() < arm.rate) arm.x++;
      arm.n += UNITS_PER_DAY;
    }
    const primary: MetricResult = {
      key: 'purchase', name: 'Purchase', type: 'conversion', role: 'primary', direction: 'increase', attributionHours: 72, family: 'primary',
      variants: compareVariants(definition, arms.map((a) => ({ key: a.key, stats: conversions(a.n, a.x) })), settings, { bayesian: false }),
    };
    const decision = decide({
      primary,
      guardrails: [],
      srm: { mismatch: false, pValue: 0.5 },
      exposures: { units: arms[0]!.n + arms[1]!.n, multipleExposures: 0, multipleExposureShare: 0 },
      daysElapsed: day,
      minimumDays: 7,
      sequential: true,
      plannedSampleHold: null,
      minimumDetectableEffect: MDE,
    });
    statuses.push(decision.status);
  }
  return statuses;
}

function simulate(runs: number, lift: number, seed: number) {
  const random = seededRandom(seed);
  const ever = { ship: 0, 'roll-back': 0, 'no-difference': 0 };
  const final: Record<DecisionStatus, number> = { collecting: 0, 'keep-running': 0, ship: 0, 'roll-back': 0, 'no-difference': 0 };
  for (let r = 0; r < runs; r++) {
    const statuses = run(random, lift);
    for (const s of ['ship', 'roll-back', 'no-difference'] as const) if (statuses.includes(s)) ever[s]++;
    final[statuses[DAYS - 1]!]++;
    // Never a decision before the minimum of 7 days, whatever the data say.
    expect(statuses.slice(0, 6).every((s) => s === 'collecting')).toBe(true);
  }
  return { ever, final };
}

describe('decision under daily looks (sequential)', () => {
  it('A/A: shipped or rolled back at some look in at most alpha of the runs', () => {
    const runs = 1000;
    const { ever, final } = simulate(runs, 0, 11);
    // Measured with seed 11: 5 runs of 1,000 ever ship and 3 ever roll back (confidence sequences are
    // conservative at a finite horizon); their sum must stay under alpha = 5 %. At day 14, 441 runs say
    // no-difference (the ±30 % MDE ruled out) and 557 keep running.
    expect(ever.ship + ever['roll-back']).toBeLessThanOrEqual(0.05 * runs);
    expect(final['no-difference'] + final['keep-running']).toBeGreaterThanOrEqual(0.95 * runs);
    expect(final['no-difference']).toBeGreaterThan(0.2 * runs);
  });

  it('a true +30 % lift is shipped by day 14 in most runs, and never rolled back', () => {
    const runs = 300;
    const { ever, final } = simulate(runs, 0.3, 12);
    // Measured with seed 12: 197 of 300 ship at day 14 (209 at some look), 102 keep running, none roll back.
    expect(ever['roll-back']).toBe(0);
    expect(final.ship / runs).toBeGreaterThan(0.5);
  });
});
