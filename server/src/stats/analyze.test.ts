import { describe, expect, it } from 'vitest';
import { analyze, sampleSize } from './analyze.js';
import { analyzeRequestSchema, analyzeResponseSchema, sampleSizeQuerySchema, sampleSizeResponseSchema } from './schemas.js';

const designBody = {
  metric: 'conversion',
  alpha: 0.05,
  correction: 'holm',
  sequential: { tuningParameter: 5000 },
  variants: [
    { key: 'control', units: 10000, conversions: 500, weight: 0.5 },
    { key: 'b', units: 10000, conversions: 560, weight: 0.5 },
  ],
};

describe('POST /api/stats/analyze (design.md §6)', () => {
  it('answers the §6 example with the contract fields and reference figures', () => {
    const answer = analyze(analyzeRequestSchema.parse(designBody));
    expect(analyzeResponseSchema.parse(answer)).toEqual(answer);
    expect(answer.variants[0]).toEqual({ key: 'control', units: 10000, conversions: 500, rate: 0.05 });
    const b = answer.variants[1]!;
    expect(b).toMatchObject({ key: 'b', units: 10000, rate: 0.056, significant: false });
    // R 4.2.2 prop.test(c(560, 500), c(10000, 10000), correct = FALSE)$p.value
    expect('pooledZTest' in b && b.pooledZTest!.pValue!).toBeCloseTo(0.058257806033515963, 12);
    // The headline is the absolute difference's Wald test (R reference in proportions.test.ts); the
    // delta-method lift p-value of msm::deltamethod stays under relativeLift.deltaMethod.
    expect(b.pValue!).toBeCloseTo(0.05823525931136175, 12);
    expect(b.relativeLift!.deltaMethod.pValue!).toBeCloseTo(0.073571673123995665, 12);
    expect(b.adjustedPValue).toBe(b.pValue);
    // R integrate reference (bayesian.test.ts)
    expect(b.chanceToBeatControl!).toBeCloseTo(0.97083766370625002, 9);
    expect(b.sequential!.relativeLift.pValue).toBe(1);
    expect(answer.srm).toEqual({ chiSquare: 0, df: 1, pValue: 1, mismatch: false });
  });

  it('adjusts across treatments with Holm by default and BH on request (R p.adjust)', () => {
    const variants = [
      { key: 'control', units: 10000, conversions: 500 },
      { key: 'b', units: 10000, conversions: 560 },
      { key: 'c', units: 10000, conversions: 590 },
    ];
    const holm = analyze(analyzeRequestSchema.parse({ metric: 'conversion', variants }));
    const bh = analyze(analyzeRequestSchema.parse({ metric: 'conversion', correction: 'benjamini-hochberg', variants }));
    expect(bh.correction).toBe('bh');
    const [pb, pc] = [holm.variants[1]!.pValue!, holm.variants[2]!.pValue!];
    expect(pc).toBeLessThan(pb);
    // p.adjust(c(pb, pc), "holm") = c(max(2*pc, pb), 2*pc) when 2*pc < pb … in general:
    expect(holm.variants[2]!.adjustedPValue!).toBeCloseTo(Math.min(1, 2 * pc), 14);
    expect(holm.variants[1]!.adjustedPValue!).toBeCloseTo(Math.min(1, Math.max(2 * pc, pb)), 14);
    expect(bh.variants[1]!.adjustedPValue!).toBeCloseTo(pb, 14);
    expect(bh.variants[2]!.adjustedPValue!).toBeCloseTo(Math.min(pb, 2 * pc), 14);
    expect(holm.srm).toBeUndefined();
  });

  it('revenue answers carry mean, sd and welch (scipy ttest_ind_from_stats reference)', () => {
    const answer = analyze(
      analyzeRequestSchema.parse({
        metric: 'revenue',
        variants: [
          { key: 'a', units: 1000, mean: 10, sd: 5, weight: 1 },
          { key: 'b', units: 1000, mean: 10.5, sd: 5.5, weight: 1 },
        ],
      }),
    );
    expect(analyzeResponseSchema.parse(answer)).toEqual(answer);
    const b = answer.variants[1]!;
    expect('welch' in b && b.welch!.t!).toBeCloseTo(2.127178149057585, 12);
    expect(b.absoluteDifference!.pValue!).toBeCloseTo(0.03352857425281847, 10);
    expect(b.pValue).toBe(b.absoluteDifference!.pValue);
    expect(answer.srm!.pValue).toBe(1);
  });

  it('degenerate input answers with reasons, never NaN', () => {
    const one = analyze(analyzeRequestSchema.parse({ metric: 'conversion', variants: [{ key: 'a', units: 10, conversions: 1 }] }));
    expect(one.reason).toMatch(/only one variant/);
    const zero = analyze(
      analyzeRequestSchema.parse({
        metric: 'conversion',
        variants: [
          { key: 'a', units: 0, conversions: 0 },
          { key: 'b', units: 0, conversions: 0 },
        ],
      }),
    );
    expect(zero.variants[1]).toMatchObject({ rate: null, pValue: null, adjustedPValue: null, significant: false });
    expect(zero.variants[1]!.reason).toBeDefined();
    const flat = analyze(
      analyzeRequestSchema.parse({
        metric: 'revenue',
        variants: [
          { key: 'a', units: 100, mean: 0, sd: 0 },
          { key: 'b', units: 100, mean: 0, sd: 0 },
        ],
      }),
    );
    expect(flat.variants[1]).toMatchObject({ pValue: null, significant: false });
    expect(JSON.stringify(flat)).not.toMatch(/NaN|Infinity/);
  });

  // Issue 10, first reproduction: the delta-method lift called this significant (sequential relative
  // p 6.4e-4) because its SE shrinks with the variant's low mean; the absolute difference's Welch test
  // gives p ≈ 0.070 (scipy.stats.ttest_ind_from_stats(1.18333, 8.31746, 171, 6.57965, 37.77171, 170,
  // equal_var=False) per the issue), and the always-valid p-value is larger still.
  it('issue 10: the skewed revenue request is no longer significant (Welch p ≈ 0.070)', () => {
    const answer = analyze(
      analyzeRequestSchema.parse({
        metric: 'revenue',
        sequential: { tuningParameter: 5000 },
        variants: [
          { key: 'control', units: 170, mean: 6.57964705882353, sd: 37.77171235610804 },
          { key: 'v1', units: 171, mean: 1.1833333333333333, sd: 8.317462636278107 },
        ],
      }),
    );
    expect(analyzeResponseSchema.parse(answer)).toEqual(answer);
    const v1 = answer.variants[1]!;
    expect(v1.pValue!).toBeCloseTo(0.070, 3);
    expect(v1.sequential!.absoluteDifference.pValue!).toBeGreaterThan(v1.pValue!);
    expect(v1.significant).toBe(false);
    // The delta-method figures that misled are still there, under their own name.
    expect(v1.relativeLift!.deltaMethod.pValue!).toBeLessThan(1e-3);
    // Fieller's interval contains 0, as the test does not reject.
    const [low, high] = v1.relativeLift!.ci!;
    expect(low === null || low < 0).toBe(true);
    expect(high === null || high > 0).toBe(true);
  });

  it('issue 10: 0/2000 against 30/2000 is significant, in both directions', () => {
    for (const [a, b] of [[30, 0], [0, 30]] as const) {
      const answer = analyze(
        analyzeRequestSchema.parse({ metric: 'conversion', variants: [{ key: 'control', units: 2000, conversions: a }, { key: 'b', units: 2000, conversions: b }] }),
      );
      expect(analyzeResponseSchema.parse(answer)).toEqual(answer);
      const v = answer.variants[1]!;
      expect(v.pValue!).toBeLessThan(1e-7);
      expect(v.significant).toBe(true);
      expect(JSON.stringify(answer)).not.toMatch(/NaN|Infinity/);
    }
  });

  it('an all-zero revenue control against a variant that sells gives a defined test (df = n_B − 1)', () => {
    const answer = analyze(
      analyzeRequestSchema.parse({
        metric: 'revenue',
        variants: [
          { key: 'control', units: 500, mean: 0, sd: 0 },
          { key: 'b', units: 500, mean: 2, sd: 10 },
        ],
      }),
    );
    const b = answer.variants[1]!;
    expect('welch' in b && b.welch!.df!).toBeCloseTo(499, 9);
    expect(b.pValue).not.toBeNull();
    expect(b.relativeLift!.estimate).toBeNull();
    expect(b.reason).toMatch(/control mean is 0/);
    expect(JSON.stringify(answer)).not.toMatch(/NaN|Infinity/);
  });
});

describe('analyze body validation', () => {
  const invalid: [string, unknown, string][] = [
    ['unknown field', { ...designBody, extra: true }, ''],
    ['conversions above units', { metric: 'conversion', variants: [{ key: 'a', units: 5, conversions: 6 }] }, 'variants.0.conversions'],
    ['fractional units', { metric: 'conversion', variants: [{ key: 'a', units: 5.5, conversions: 1 }] }, 'variants.0.units'],
    ['alpha above 0.5', { ...designBody, alpha: 0.7 }, 'alpha'],
    ['alpha 0', { ...designBody, alpha: 0 }, 'alpha'],
    ['unknown correction', { ...designBody, correction: 'bonferroni' }, 'correction'],
    ['no variants', { metric: 'conversion', variants: [] }, 'variants'],
    ['duplicate keys', { metric: 'conversion', variants: [{ key: 'a', units: 1, conversions: 0 }, { key: 'a', units: 1, conversions: 0 }] }, 'variants.1.key'],
    ['some weights only', { metric: 'conversion', variants: [{ key: 'a', units: 1, conversions: 0, weight: 1 }, { key: 'b', units: 1, conversions: 0 }] }, 'variants'],
    ['negative sd', { metric: 'revenue', variants: [{ key: 'a', units: 1, mean: 1, sd: -1 }] }, 'variants.0.sd'],
    ['revenue fields on conversion', { metric: 'conversion', variants: [{ key: 'a', units: 1, mean: 1, sd: 1 }] }, 'variants.0'],
    ['unknown metric', { metric: 'ratio', variants: [] }, 'metric'],
  ];
  it.each(invalid)('rejects %s, naming the field', (_, body, path) => {
    const result = analyzeRequestSchema.safeParse(body);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path.join('.'))).toContain(path);
  });
});

describe('GET /api/stats/sample-size (design.md §6)', () => {
  it('answers exactly the §6 example', () => {
    const query = sampleSizeQuerySchema.parse({ baseline: '0.2', mde: '0.05', mdeType: 'absolute', alpha: '0.05', power: '0.8', variants: '2' });
    const answer = sampleSize(query);
    expect(answer).toEqual({ perVariant: 1031, total: 2062, variantRate: 0.25, deltaAbsolute: 0.05 });
    expect(sampleSizeResponseSchema.parse(answer)).toEqual(answer);
  });

  it('adds the duration from daily traffic and the per-comparison alpha for more arms', () => {
    const answer = sampleSize(sampleSizeQuerySchema.parse({ baseline: '0.2', mde: '0.05', mdeType: 'absolute', variants: '3', dailyUnits: '1000' }));
    expect(answer).toMatchObject({ perVariant: 1245, total: 3735, alphaPerComparison: 0.025, durationDays: 4 });
  });

  it.each([
    ['missing baseline', { mde: '0.05' }, 'baseline'],
    ['baseline 1', { baseline: '1', mde: '0.05' }, 'baseline'],
    ['not a number', { baseline: 'abc', mde: '0.05' }, 'baseline'],
    ['empty mde', { baseline: '0.2', mde: '' }, 'mde'],
    ['effect past rate 1', { baseline: '0.9', mde: '0.2', mdeType: 'absolute' }, 'mde'],
    ['power 1', { baseline: '0.2', mde: '0.1', power: '1' }, 'power'],
    ['one variant', { baseline: '0.2', mde: '0.1', variants: '1' }, 'variants'],
    ['unknown parameter', { baseline: '0.2', mde: '0.1', foo: '1' }, ''],
  ])('rejects %s', (_, query, path) => {
    const result = sampleSizeQuerySchema.safeParse(query);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path.join('.'))).toContain(path);
  });
});
