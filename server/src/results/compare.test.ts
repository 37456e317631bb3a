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
    // The headline is the absolute difference's test, not the delta-method lift's.
    expect(variant!.comparison!.pValue).toBe(expected.absoluteDifference.pValue);
    expect(variant!.comparison!.pValue).not.toBe(expected.relativeLift.deltaMethod.pValue);
    expect(variant!.comparison!.adjustedPValue).toBe(expected.absoluteDifference.pValue); // one comparison: unchanged
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

describe('compareVariants: degenerate arms and the sequential lift interval', () => {
  it('a broken variant (0/2000 against 30/2000) is significant and bad', () => {
    const [, variant] = compareVariants(metric(), [{ key: 'a', stats: conversions(2000, 30) }, { key: 'b', stats: conversions(2000, 0) }], settings);
    const c = variant!.comparison!;
    expect(c.pValue!).toBeLessThan(1e-7);
    expect(c.significant).toBe(true);
    expect(c.verdict).toBe('bad');
  });

  it('sequential: the lift interval is Fieller with the sequence radius, excluding 0 exactly when the always-valid p < alpha', () => {
    for (const x of [100, 135, 160, 200]) {
      const [, variant] = compareVariants(metric(), [{ key: 'a', stats: conversions(2000, 100) }, { key: 'b', stats: conversions(2000, x) }], { ...settings, sequential: { tuningParameter: 5000 } });
      const s = variant!.comparison!.sequential!;
      const [low, high] = s.relativeLift.ci!;
      expect(low! > 0 || high! < 0).toBe(s.absoluteDifference.pValue! < 0.05);
      expect(s.relativeLift.pValue).toBe(s.absoluteDifference.pValue);
      // Wider than the fixed-horizon Fieller interval.
      const fixed = variant!.comparison!.relativeLift.ci!;
      expect(low!).toBeLessThan(fixed[0]!);
      expect(high!).toBeGreaterThan(fixed[1]!);
    }
  });
});

describe('guardrail metrics: one-sided non-inferiority against the margin', () => {
  const guardrail = (overrides: Partial<MetricDefinition> = {}) => metric({ role: 'guardrail', ...overrides });
  const check = (m: MetricDefinition, a: number, b: number, n = 20000) =>
    compareVariants(m, [{ key: 'a', stats: conversions(n, a) }, { key: 'b', stats: conversions(n, b) }], settings)[1]!.comparison!.guardrail!;

  it('ok when the variant is shown not worse than the control by 2 % (default margin)', () => {
    // 0.50 vs 0.50 with 20,000 units per arm: the lower bound of the lift is about −1.9 %, above −2 %.
    const g = check(guardrail(), 10000, 10000, 40000);
    expect(g.margin).toBe(0.02);
    expect(g.status).toBe('ok');
    expect(g.pValue!).toBeLessThan(0.05);
  });

  it('harmed when significantly worse and not within the margin', () => {
    const g = check(guardrail(), 2000, 1800);
    expect(g.status).toBe('harmed');
  });

  it('inconclusive when the data cannot tell', () => {
    expect(check(guardrail(), 100, 100, 2000).status).toBe('inconclusive');
  });

  it('reads the direction: for a "decrease" metric a rise is the harm', () => {
    expect(check(guardrail({ direction: 'decrease' }), 1800, 2000).status).toBe('harmed');
    expect(check(guardrail({ direction: 'decrease' }), 2000, 1800).status).toBe('ok');
  });

  it('takes the metric margin when given, and p is one-sided: Φ(−T), T = (m_B − 0.95·m_A)/√(v_B + 0.95²·v_A)', () => {
    const g = check(guardrail({ guardrailMargin: 0.05 }), 2000, 2000);
    const [pa, pb, n] = [0.1, 0.1, 20000];
    const t = (pb - 0.95 * pa) / Math.sqrt((pb * (1 - pb)) / n + (0.95 * 0.95 * pa * (1 - pa)) / n);
    expect(g.margin).toBe(0.05);
    // Python 3: from statistics import NormalDist; NormalDist().cdf(-t) with the t above.
    expect(g.pValue!).toBeCloseTo(0.5 * (1 + erf(-t / Math.SQRT2)), 10);
    expect(g.status).toBe('ok');
  });

  it('no guardrail check on other roles', () => {
    const [, variant] = compareVariants(metric(), [{ key: 'a', stats: conversions(2000, 100) }, { key: 'b', stats: conversions(2000, 100) }], settings);
    expect(variant!.comparison!.guardrail).toBeUndefined();
  });
});

/** erf by its Maclaurin series (converges quickly for |x| < 3): an independent Φ for the check above. */
function erf(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
