import { describe, expect, it } from 'vitest';
import type { VariantComparison, Verdict } from './compare.js';
import { type DecisionInput, decide, verdictHold } from './decision.js';
import type { MetricResult } from './types.js';

interface Arm {
  key: string;
  units?: number;
  converted?: number;
  verdict?: Verdict;
  estimate?: number;
  /** The relative lift's interval (the sequence's when sequential). */
  ci?: [number | null, number | null];
  guardrail?: 'ok' | 'harmed' | 'inconclusive';
}

function comparison(arm: Arm): VariantComparison {
  const estimate = { estimate: arm.estimate ?? 0, se: 0.01, ci: null, pValue: 0.5 };
  const ci = arm.ci ?? [-0.5, 0.5];
  return {
    absoluteDifference: estimate,
    relativeLift: { ...estimate, ci, deltaMethod: { se: 0.01, ci: null, pValue: 0.5 } },
    pValue: 0.5,
    adjustedPValue: 0.5,
    significant: arm.verdict !== undefined && arm.verdict !== 'inconclusive',
    chanceToBeatControl: null,
    chanceToWin: null,
    expectedLoss: null,
    credibleInterval: null,
    verdict: arm.verdict ?? 'inconclusive',
    sequential: { absoluteDifference: { ci: null, pValue: 0.5 }, relativeLift: { ci, pValue: 0.5 }, adjustedPValue: 0.5 },
    ...(arm.guardrail && { guardrail: { margin: 0.02, status: arm.guardrail, pValue: 0.5 } }),
  } as VariantComparison;
}

function metric(arms: Arm[], extra: Partial<MetricResult> = {}): MetricResult {
  return {
    key: 'purchase',
    name: 'Purchase',
    type: 'conversion',
    role: 'primary',
    direction: 'increase',
    attributionHours: 72,
    family: 'primary',
    variants: arms.map((arm, i) => ({
      key: arm.key,
      units: arm.units ?? 1000,
      converted: arm.converted ?? 100,
      value: 0.1,
      ...(i > 0 && { comparison: comparison(arm) }),
    })),
    ...extra,
  };
}

function input(overrides: Partial<DecisionInput> = {}): DecisionInput {
  return {
    primary: metric([{ key: 'control' }, { key: 'b' }]),
    guardrails: [],
    srm: { mismatch: false, pValue: 0.6 },
    exposures: { units: 2000, multipleExposures: 0, multipleExposureShare: 0 },
    daysElapsed: 8,
    minimumDays: 7,
    sequential: true,
    plannedSampleHold: null,
    minimumDetectableEffect: 0.05,
    ...overrides,
  };
}

const check = (d: ReturnType<typeof decide>, name: string) => d.checks.find((c) => c.name === name)!;

describe('decide', () => {
  it('lists the six checks of design §8 in order', () => {
    expect(decide(input()).checks.map((c) => c.name)).toEqual(['minimum-sample', 'minimum-days', 'planned-sample', 'srm', 'multiple-exposures', 'guardrails']);
  });

  it('collects while an arm has fewer than 100 units or a conversion arm fewer than 10 converted', () => {
    const few = decide(input({ primary: metric([{ key: 'control', units: 99 }, { key: 'b', verdict: 'good', estimate: 0.02 }]) }));
    expect(few.status).toBe('collecting');
    expect(few.recommendedVariant).toBeNull();
    expect(check(few, 'minimum-sample')).toMatchObject({ ok: false });
    expect(check(few, 'minimum-sample').detail).toContain('"control" has 99 units of 100');
    const rare = decide(input({ primary: metric([{ key: 'control' }, { key: 'b', converted: 9 }]) }));
    expect(rare.status).toBe('collecting');
    expect(check(rare, 'minimum-sample').detail).toContain('"b" has 9 converted of 10');
    // Revenue counts units only.
    const revenue = decide(input({ primary: metric([{ key: 'control', converted: 0 }, { key: 'b', converted: 0 }], { type: 'revenue' }) }));
    expect(check(revenue, 'minimum-sample').ok).toBe(true);
    // Exactly at the thresholds: enough.
    expect(check(decide(input({ primary: metric([{ key: 'control', units: 100, converted: 10 }, { key: 'b', units: 100, converted: 10 }]) })), 'minimum-sample').ok).toBe(true);
  });

  it('collects before minimumDays, whatever the significance', () => {
    const early = decide(input({ daysElapsed: 6.9, primary: metric([{ key: 'control' }, { key: 'b', verdict: 'good', estimate: 0.02 }]) }));
    expect(early.status).toBe('collecting');
    expect(early.reasons.join(' ')).toContain('minimum-days: ran 6.9 days of the 7 required');
    expect(decide(input({ daysElapsed: 3, minimumDays: 0 })).checks[1]!.ok).toBe(true);
    expect(decide(input({ daysElapsed: null })).status).toBe('collecting');
  });

  it('the planned sample holds a fixed horizon only', () => {
    const hold = 'fixed horizon: planned sample not reached (40 %)';
    const fixed = decide(input({ sequential: false, plannedSampleHold: hold }));
    expect(fixed.status).toBe('collecting');
    expect(check(fixed, 'planned-sample')).toEqual({ name: 'planned-sample', ok: false, detail: hold });
    expect(check(decide(input({ sequential: true })), 'planned-sample').ok).toBe(true);
  });

  it('collects on a sample-ratio mismatch and on 1 % or more multiple exposures', () => {
    expect(decide(input({ srm: { mismatch: true, pValue: 1e-6 } })).status).toBe('collecting');
    expect(decide(input({ exposures: { units: 1000, multipleExposures: 10, multipleExposureShare: 0.01 } })).status).toBe('collecting');
    expect(decide(input({ exposures: { units: 1000, multipleExposures: 9, multipleExposureShare: 0.009 } })).status).not.toBe('collecting');
  });

  it('ships the variant with the largest significant difference in the good direction', () => {
    const primary = metric([{ key: 'control' }, { key: 'small', verdict: 'good', estimate: 0.01 }, { key: 'big', verdict: 'good', estimate: 0.03 }, { key: 'null' }]);
    const d = decide(input({ primary }));
    expect(d).toMatchObject({ status: 'ship', recommendedVariant: 'big' });
    expect(d.checks.every((c) => c.ok)).toBe(true);
    // Lower is better: the most negative difference wins.
    const down = metric([{ key: 'control' }, { key: 'small', verdict: 'good', estimate: -0.01 }, { key: 'big', verdict: 'good', estimate: -0.03 }], { direction: 'decrease' });
    expect(decide(input({ primary: down })).recommendedVariant).toBe('big');
  });

  it('rolls back when every variant is significantly worse, recommending the control', () => {
    const primary = metric([{ key: 'control' }, { key: 'b', verdict: 'bad', estimate: -0.02 }, { key: 'c', verdict: 'bad', estimate: -0.01 }]);
    expect(decide(input({ primary }))).toMatchObject({ status: 'roll-back', recommendedVariant: 'control' });
    // One worse, one inconclusive: not a roll-back.
    const mixed = metric([{ key: 'control' }, { key: 'b', verdict: 'bad', estimate: -0.02 }, { key: 'c' }]);
    expect(decide(input({ primary: mixed })).status).toBe('keep-running');
  });

  it('rolls back on a harmed guardrail once the data are trustworthy, without waiting for the week', () => {
    const guard = metric([{ key: 'control' }, { key: 'b', guardrail: 'harmed' }], { key: 'refunds', name: 'Refunds', role: 'guardrail', family: 'guardrail' });
    const winning = metric([{ key: 'control' }, { key: 'b', verdict: 'good', estimate: 0.02 }]);
    const d = decide(input({ primary: winning, guardrails: [guard], daysElapsed: 3 }));
    expect(d).toMatchObject({ status: 'roll-back', recommendedVariant: 'control' });
    expect(check(d, 'guardrails')).toEqual({ name: 'guardrails', ok: false, detail: '"Refunds" is harmed by "b"' });
    // On untrustworthy data (sample-ratio mismatch) a harmed guardrail is only one more failed check.
    expect(decide(input({ guardrails: [guard], srm: { mismatch: true, pValue: 1e-5 } })).status).toBe('collecting');
    const fine = metric([{ key: 'control' }, { key: 'b', guardrail: 'inconclusive' }], { role: 'guardrail', family: 'guardrail' });
    expect(check(decide(input({ guardrails: [fine] })), 'guardrails').ok).toBe(true);
  });

  it('sequential: no difference once every interval excludes the MDE, keep running while one allows it', () => {
    const narrow = metric([{ key: 'control' }, { key: 'b', ci: [-0.04, 0.049] }, { key: 'c', ci: [-0.01, 0.02] }]);
    expect(decide(input({ primary: narrow }))).toMatchObject({ status: 'no-difference', recommendedVariant: null });
    const touching = metric([{ key: 'control' }, { key: 'b', ci: [-0.04, 0.05] }, { key: 'c', ci: [-0.01, 0.02] }]);
    const d = decide(input({ primary: touching }));
    expect(d.status).toBe('keep-running');
    expect(d.reasons[0]).toContain('"b"');
    const unbounded = metric([{ key: 'control' }, { key: 'b', ci: [null, null] }]);
    expect(decide(input({ primary: unbounded })).status).toBe('keep-running');
    // Without an MDE there is no effect size to rule out.
    expect(decide(input({ primary: narrow, minimumDetectableEffect: null })).status).toBe('keep-running');
  });

  it('fixed horizon: no difference once the plan is reached without a better variant', () => {
    expect(decide(input({ sequential: false, plannedSampleHold: null })).status).toBe('no-difference');
  });

  it('without a primary metric it keeps collecting', () => {
    const d = decide(input({ primary: null }));
    expect(d.status).toBe('collecting');
    expect(d.reasons[0]).toContain('no primary metric');
  });

  it('verdictHold: the failing checks other than guardrails, as the comparisons\' reason', () => {
    expect(verdictHold(decide(input()))).toBeNull();
    const early = decide(input({ daysElapsed: 2, sequential: false, plannedSampleHold: 'fixed horizon: planned sample not reached (10 %)' }));
    expect(verdictHold(early)).toBe('collecting: minimum-days (ran 2.0 days of the 7 required (weekdays and weekends sell differently)); planned-sample (fixed horizon: planned sample not reached (10 %))');
    // The planned-sample hold is already in the document: not repeated.
    expect(verdictHold(early, ['planned-sample'])).toBe('collecting: minimum-days (ran 2.0 days of the 7 required (weekdays and weekends sell differently))');
    const guard = metric([{ key: 'control' }, { key: 'b', guardrail: 'harmed' }], { role: 'guardrail', family: 'guardrail' });
    // A harmed guardrail alone (an immediate roll-back) holds nothing.
    expect(verdictHold(decide(input({ guardrails: [guard] })))).toBeNull();
  });
});
