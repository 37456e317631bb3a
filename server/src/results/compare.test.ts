import { describe, expect, it } from 'vitest';
import { bayesianConversion, compareConversion } from '../stats/index.js';
import { type AnalysisSettings, compareVariants } from './compare.js';
import type { MetricDefinition } from './definitions.js';
import { emptyMetricStats } from './sufficient-stats.js';

const settings: AnalysisSettings = { alpha: 0.05, correction: 'holm', sequential: null };
const metric = (overrides: Partial<MetricDefinition> = {}): MetricDefinition => ({
  key: 'm', name: 'M', type: 'conversion', role: 'primary', eventName: 'purchase', steps: null, numerator: null, denominator: null,
  attributionHours: 72, direction: 'increase', ...overrides,
});
const conversions = (n: number, x: number) => ({ ...emptyMetricStats(), n, converted: x, sum: x, m2: n > 0 ? (x * (n - x)) / n : 0 });

describe('compareVariants', () => {
  it('gives the stats module figures for a conversion metric', () => {
    const [control, variant] = compareVariants(metric(), [{ key: 'a', stats: conversions(10000, 500) }, { key: 'b', stats: conversions(10000, 600) }], settings);
    const expected = compareConversion({ n: 10000, conversions: 500 }, { n: 10000, conversions: 600 });
    expect(control!.comparison).toBeUndefined();
    expect(variant!.comparison!.relativeLift).toEqual(expected.relativeLift);
    expect(variant!.comparison!.pValue).toBe(expected.relativeLift.pValue);
    expect(variant!.comparison!.adjustedPValue).toBe(expected.relativeLift.pValue); // one comparison: unchanged
    expect(variant!.comparison!.verdict).toBe('good');
  });

  it('reads the direction: a significant increase of a "decrease" metric is bad', () => {
    const [, variant] = compareVariants(metric({ direction: 'decrease' }), [{ key: 'a', stats: conversions(10000, 500) }, { key: 'b', stats: conversions(10000, 600) }], settings);
    const c = variant!.comparison!;
    expect(c.verdict).toBe('bad');
    expect(c.chanceToWin).toBeCloseTo(1 - c.chanceToBeatControl!, 12);
    // Loss of shipping B when lower is better: E[max(p_B − p_A, 0)].
    expect(c.expectedLoss).toBeCloseTo(bayesianConversion({ n: 10000, conversions: 600 }, { n: 10000, conversions: 500 }).expectedLoss!, 12);
  });

  it('is defined on empty arms and zero variance', () => {
    const result = compareVariants(metric({ type: 'revenue' }), [{ key: 'a', stats: { ...emptyMetricStats(), n: 0 } }, { key: 'b', stats: { ...emptyMetricStats(), n: 5 } }], settings);
    expect(result[0]!.value).toBeNull();
    expect(result[1]!.comparison!.reason).toBe('control has no units');
    expect(result[1]!.comparison!.verdict).toBe('inconclusive');
    expect(JSON.stringify(result)).not.toMatch(/NaN|Infinity/);
  });

  it('adds sequential figures and decides significance with them', () => {
    const [, variant] = compareVariants(metric(), [{ key: 'a', stats: conversions(2000, 100) }, { key: 'b', stats: conversions(2000, 135) }], { ...settings, sequential: { tuningParameter: 5000 } });
    const c = variant!.comparison!;
    expect(c.pValue).toBeLessThan(0.05);
    expect(c.sequential!.adjustedPValue).toBeGreaterThan(0.05);
    expect(c.significant).toBe(false);
  });
});
