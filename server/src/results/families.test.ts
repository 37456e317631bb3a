import { describe, expect, it } from 'vitest';
import { adjustPValues } from '../stats/index.js';
import { type AnalysisSettings, compareVariants } from './compare.js';
import type { MetricDefinition } from './definitions.js';
import { adjustSecondaryFamily, fixedHorizonHold, holdVerdicts, unadjustGuardrail } from './families.js';
import { funnelSteps } from './funnel.js';
import { emptyMetricStats } from './sufficient-stats.js';

const settings: AnalysisSettings = { alpha: 0.05, correction: 'holm', sequential: null };
const metric = (key: string, overrides: Partial<MetricDefinition> = {}): MetricDefinition => ({
  key, name: key, type: 'conversion', role: 'secondary', eventName: key, steps: null, numerator: null, denominator: null,
  attributionHours: 72, direction: 'increase', ...overrides,
});
const conversions = (n: number, x: number) => ({ ...emptyMetricStats(), n, converted: x, sum: x, sumSquares: x });
const arms = (...xs: number[]) => xs.map((x, i) => ({ key: `v${i}`, stats: conversions(10000, x) }));

describe('families of comparisons (design.md §5)', () => {
  it('secondary metrics are adjusted together: variants × metrics, Holm (R p.adjust)', () => {
    const secondary = [
      { direction: 'increase' as const, variants: compareVariants(metric('s1'), arms(500, 560, 505), settings) },
      { direction: 'increase' as const, variants: compareVariants(metric('s2'), arms(800, 870, 790), settings) },
    ];
    const raw = secondary.flatMap((m) => m.variants.slice(1).map((v) => v.comparison!.pValue));
    adjustSecondaryFamily(secondary, settings);
    const adjusted = secondary.flatMap((m) => m.variants.slice(1).map((v) => v.comparison!.adjustedPValue));
    expect(adjusted).toEqual(adjustPValues(raw, 'holm'));
    // 560 vs 500 has p ≈ 0.058 alone; in a family of four it is nowhere near significant.
    expect(secondary[0]!.variants[1]!.comparison!.significant).toBe(false);
  });

  it('with sequential testing the always-valid p-values are adjusted and decide', () => {
    const sequential = { ...settings, sequential: { tuningParameter: 5000 } };
    const secondary = [{ direction: 'increase' as const, variants: compareVariants(metric('s1'), arms(500, 700, 505), sequential) }];
    const raw = secondary[0]!.variants.slice(1).map((v) => v.comparison!.sequential!.absoluteDifference.pValue);
    adjustSecondaryFamily(secondary, sequential);
    expect(secondary[0]!.variants.slice(1).map((v) => v.comparison!.sequential!.adjustedPValue)).toEqual(adjustPValues(raw, 'holm'));
    expect(secondary[0]!.variants[1]!.comparison!.significant).toBe(true);
    expect(secondary[0]!.variants[1]!.comparison!.verdict).toBe('good');
  });

  it('a guardrail is a family of one', () => {
    const g = { direction: 'increase' as const, variants: compareVariants(metric('g', { role: 'guardrail' }), arms(500, 560, 600), settings) };
    unadjustGuardrail(g, settings);
    for (const v of g.variants.slice(1)) expect(v.comparison!.adjustedPValue).toBe(v.comparison!.pValue);
  });

  it('a fixed horizon holds the verdict until the planned sample is reached', () => {
    expect(fixedHorizonHold(settings, { progress: 0.5432, requiredPerVariant: 10000 })).toBe('fixed horizon: planned sample not reached (54 %)');
    expect(fixedHorizonHold(settings, { progress: 1, requiredPerVariant: 10000 })).toBeNull();
    expect(fixedHorizonHold(settings, { progress: null, requiredPerVariant: null, reason: 'the experiment has no minimumDetectableEffect' })).toBe(
      'fixed horizon without a planned sample (the experiment has no minimumDetectableEffect): set a minimumDetectableEffect, or turn sequential testing on, to get a verdict',
    );
    expect(fixedHorizonHold({ ...settings, sequential: { tuningParameter: 5000 } }, { progress: null, requiredPerVariant: null })).toBeNull();
    expect(fixedHorizonHold({ ...settings, sequential: { tuningParameter: 5000 } }, { progress: 0.2, requiredPerVariant: 10000 })).toBeNull();
    const variants = compareVariants(metric('p', { role: 'primary' }), arms(500, 700), settings);
    expect(variants[1]!.comparison!.significant).toBe(true);
    holdVerdicts(variants, 'fixed horizon: planned sample not reached (54 %)');
    expect(variants[1]!.comparison).toMatchObject({ significant: false, verdict: 'inconclusive', reason: 'fixed horizon: planned sample not reached (54 %)' });
  });
});

describe('funnel steps', () => {
  const variants = [
    { key: 'a', units: 10000, reached: [5000, 1000, 300] },
    { key: 'b', units: 10000, reached: [4800, 1000, 310] },
  ];
  it('are descriptive unless the funnel is the primary metric: no adjusted p, no significance claim', () => {
    const steps = funnelSteps(['view', 'cart', 'buy'], variants, settings, { inference: false });
    const c = steps[0]!.variants[1]!.comparison!;
    expect(c.pValue!).toBeLessThan(0.01); // a real-looking −4 % at step 1
    expect(c).toMatchObject({ descriptive: true });
    expect(c.significant).toBeUndefined();
    expect(c.adjustedPValue).toBeUndefined();
  });

  it('of a primary funnel form one family over variants × steps', () => {
    const steps = funnelSteps(['view', 'cart', 'buy'], variants, settings, { inference: true });
    const raw = steps.map((s) => s.variants[1]!.comparison!.pValue);
    expect(steps.map((s) => s.variants[1]!.comparison!.adjustedPValue)).toEqual(adjustPValues(raw, 'holm'));
    expect(steps[0]!.variants[1]!.comparison!.significant).toBe(true);
  });
});
