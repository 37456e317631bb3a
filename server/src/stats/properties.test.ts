/** Property tests (fast-check): invariants over the whole input space. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adjustPValues } from './adjust.js';
import { analyze } from './analyze.js';
import { bayesianConversion } from './bayesian.js';
import { compareMeanSummaries } from './means.js';
import { compareConversion } from './proportions.js';
import { analyzeRequestSchema } from './schemas.js';
import { sequentialInterval } from './sequential.js';
import { srmTest } from './srm.js';

const counts = fc
  .tuple(fc.integer({ min: 0, max: 10_000_000 }), fc.double({ min: 0, max: 1, noNaN: true }))
  .map(([n, share]) => ({ n, conversions: Math.min(n, Math.round(n * share)) }));
const smallCounts = fc
  .tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }))
  .map(([n, x]) => ({ n, conversions: Math.min(n, x) }));
const anyCounts = fc.oneof(counts, smallCounts);
const summary = fc.record({
  n: fc.integer({ min: 0, max: 1_000_000 }),
  mean: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  variance: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e8, noNaN: true })),
});
const alpha = fc.double({ min: 0.001, max: 0.5, noNaN: true });

/** Every number reachable in a value is finite (null is fine). */
function allFinite(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(allFinite);
  if (value !== null && typeof value === 'object') return Object.values(value).every(allFinite);
  return true;
}

const inUnit = (p: number | null | undefined) => p === null || p === undefined || (p >= 0 && p <= 1);

describe('properties of conversion comparisons', () => {
  it('p-values in [0, 1]; no NaN or Infinity anywhere', () => {
    fc.assert(
      fc.property(anyCounts, anyCounts, alpha, (a, b, level) => {
        const result = compareConversion(a, b, { alpha: level });
        const bayes = bayesianConversion(a, b, { alpha: level });
        expect(allFinite(result)).toBe(true);
        expect(allFinite(bayes)).toBe(true);
        expect(inUnit(result.absoluteDifference.pValue)).toBe(true);
        expect(inUnit(result.relativeLift.pValue)).toBe(true);
        expect(inUnit(result.pooledZTest.pValue)).toBe(true);
        expect(inUnit(bayes.chanceToBeatControl)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('intervals contain the estimate', () => {
    fc.assert(
      fc.property(anyCounts, anyCounts, alpha, (a, b, level) => {
        const result = compareConversion(a, b, { alpha: level });
        for (const e of [result.absoluteDifference, result.relativeLift, { estimate: result.relativeLift.estimate, ci: result.relativeLift.deltaMethod.ci }]) {
          if (e.ci === null) continue;
          // A null end of Fieller's interval is unbounded.
          if (e.ci[0] !== null) expect(e.ci[0]).toBeLessThanOrEqual(e.estimate! + 1e-12);
          if (e.ci[1] !== null) expect(e.ci[1]).toBeGreaterThanOrEqual(e.estimate! - 1e-12);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('swapping arms mirrors the absolute difference, z and chance to beat', () => {
    fc.assert(
      fc.property(counts, counts, (a, b) => {
        const forward = compareConversion(a, b);
        const backward = compareConversion(b, a);
        if (forward.absoluteDifference.estimate === null) return;
        expect(backward.absoluteDifference.estimate!).toBeCloseTo(-forward.absoluteDifference.estimate, 12);
        if (forward.absoluteDifference.pValue !== null) {
          expect(backward.absoluteDifference.pValue!).toBeCloseTo(forward.absoluteDifference.pValue, 12);
          expect(backward.absoluteDifference.ci![0]).toBeCloseTo(-forward.absoluteDifference.ci![1], 12);
        }
        if (forward.pooledZTest.z !== null) expect(backward.pooledZTest.z!).toBeCloseTo(-forward.pooledZTest.z, 9);
        const bf = bayesianConversion(a, b).chanceToBeatControl;
        const bb = bayesianConversion(b, a).chanceToBeatControl;
        if (bf !== null && bb !== null) expect(bf + bb).toBeCloseTo(1, 9);
      }),
      { numRuns: 200 },
    );
  });
});

describe('properties of mean comparisons', () => {
  it('finite everywhere, p-values in [0, 1], intervals contain the estimate, swapping mirrors', () => {
    fc.assert(
      fc.property(summary, summary, alpha, (a, b, level) => {
        const result = compareMeanSummaries(a, b, { alpha: level });
        expect(allFinite(result)).toBe(true);
        expect(inUnit(result.absoluteDifference.pValue)).toBe(true);
        expect(inUnit(result.relativeLift.pValue)).toBe(true);
        const e = result.absoluteDifference;
        if (e.ci !== null) {
          expect(e.ci[0]).toBeLessThanOrEqual(e.estimate!);
          expect(e.ci[1]).toBeGreaterThanOrEqual(e.estimate!);
        }
        const mirrored = compareMeanSummaries(b, a, { alpha: level });
        if (e.pValue !== null) {
          expect(mirrored.absoluteDifference.pValue!).toBeCloseTo(e.pValue, 9);
          expect(mirrored.welch.t!).toBeCloseTo(-result.welch.t!, 9);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('properties of adjustments, SRM and sequential', () => {
  it('adjusted p-values are in [0, 1], never below the raw ones, and keep the order', () => {
    const pValues = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 20 });
    fc.assert(
      fc.property(pValues, fc.constantFrom('holm' as const, 'bh' as const), (ps, method) => {
        const adjusted = adjustPValues(ps, method);
        ps.forEach((p, i) => {
          const q = adjusted[i]!;
          expect(q).toBeGreaterThanOrEqual(p);
          expect(q).toBeLessThanOrEqual(1);
          ps.forEach((other, j) => {
            if (p < other) expect(q).toBeLessThanOrEqual(adjusted[j]!);
          });
        });
      }),
    );
  });

  it('SRM p-value in [0, 1] and finite statistics', () => {
    const arms = fc.array(fc.tuple(fc.integer({ min: 0, max: 1e9 }), fc.double({ min: 0, max: 1e6, noNaN: true })), { maxLength: 8 });
    fc.assert(
      fc.property(arms, (rows) => {
        const result = srmTest(rows.map((r) => r[0]), rows.map((r) => r[1]));
        expect(allFinite(result)).toBe(true);
        expect(inUnit(result.pValue)).toBe(true);
      }),
    );
  });

  it('sequential interval contains the estimate, p-value in [0, 1], finite', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.integer({ min: 0, max: 1e9 }),
        alpha,
        fc.double({ min: 1, max: 1e7, noNaN: true }),
        (estimate, se, n, level, tuning) => {
          const result = sequentialInterval({ estimate, se, ci: null, pValue: null }, n, { alpha: level, tuningParameter: tuning });
          expect(allFinite(result)).toBe(true);
          expect(inUnit(result.pValue)).toBe(true);
          if (result.ci !== null) {
            expect(result.ci[0]).toBeLessThanOrEqual(estimate);
            expect(result.ci[1]).toBeGreaterThanOrEqual(estimate);
          }
        },
      ),
    );
  });
});

describe('properties of analyze', () => {
  it('any valid conversion body gives a JSON-safe answer', () => {
    const variant = fc
      .tuple(fc.integer({ min: 0, max: 1e9 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 10, noNaN: true }))
      .map(([units, share, weight]) => ({ units, conversions: Math.floor(units * share), weight }));
    fc.assert(
      fc.property(fc.array(variant, { minLength: 1, maxLength: 5 }), fc.boolean(), (variants, sequential) => {
        const body = {
          metric: 'conversion',
          ...(sequential ? { sequential: {} } : {}),
          variants: variants.map((v, i) => ({ key: `v${i}`, ...v, weight: i === 0 ? v.weight + 0.1 : v.weight })),
        };
        const answer = analyze(analyzeRequestSchema.parse(body));
        expect(allFinite(answer)).toBe(true);
        expect(JSON.parse(JSON.stringify(answer))).toEqual(answer);
      }),
      { numRuns: 150 },
    );
  });

  it('any valid revenue body gives a JSON-safe answer', () => {
    const variant = fc.record({
      units: fc.integer({ min: 0, max: 1e9 }),
      mean: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
      sd: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e6, noNaN: true })),
    });
    fc.assert(
      fc.property(fc.array(variant, { minLength: 1, maxLength: 5 }), (variants) => {
        const body = { metric: 'revenue', correction: 'bh', variants: variants.map((v, i) => ({ key: `v${i}`, ...v })) };
        const answer = analyze(analyzeRequestSchema.parse(body));
        expect(allFinite(answer)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
