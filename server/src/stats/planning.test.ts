import { describe, expect, it } from 'vitest';
import { detectableEffect, durationDays, rawSampleSize, sampleSizePerVariant } from './planning.js';

// Evan Miller's formula (evanmiller.org/ab-testing/sample-size.html) evaluated in R 4.2.2:
//   n <- (qnorm(1-a/2)*sqrt(2*p*(1-p)) + qnorm(pw)*sqrt(p*(1-p)+(p+d)*(1-p-d)))^2/d^2; ceiling(n)
// Row: baseline p, absolute δ, alpha, power, unrounded n, ceiling.
const reference: [number, number, number, number, number, number][] = [
  [0.2, 0.05, 0.05, 0.8, 1030.2192831104594, 1031],
  [0.1, 0.01, 0.05, 0.8, 14312.856241916566, 14313],
  [0.03, 0.003, 0.05, 0.8, 51486.456308041947, 51487],
  [0.05, 0.01, 0.01, 0.9, 14568.806936921617, 14569],
  [0.5, 0.05, 0.05, 0.8, 1567.4160061574555, 1568],
  [0.02, 0.002, 0.1, 0.8, 61583.539308814732, 61584],
  [0.8, 0.1, 0.05, 0.95, 372.93398318159569, 373],
  [0.25, 0.025, 0.025, 0.8, 5752.0427351329545, 5753],
  [0.15, 0.03, 0.05, 0.5, 1088.4133325300018, 1089],
];

describe('sample size per variant (reference: Evan Miller formula in R)', () => {
  it.each(reference)('p=%f δ=%f α=%f power=%f', (p, d, alpha, power, raw, rounded) => {
    expect(rawSampleSize(p, d, alpha, power)).toBeCloseTo(raw, 7);
    const result = sampleSizePerVariant({ baseline: p, mde: d, mdeType: 'absolute', alpha, power });
    expect(result.perVariant).toBe(rounded);
    expect(result.total).toBe(2 * rounded);
  });

  it('design.md §6 / Evan Miller: baseline 0.2, mde 0.05 absolute → 1031 per variant', () => {
    const result = sampleSizePerVariant({ baseline: 0.2, mde: 0.05, mdeType: 'absolute', alpha: 0.05, power: 0.8, variants: 2 });
    expect(result).toMatchObject({ perVariant: 1031, total: 2062, variantRate: 0.25, deltaAbsolute: 0.05 });
  });

  it('relative mde: δ = p·mde (0.2 × 25% = 0.05 absolute gives the same 1031)', () => {
    const result = sampleSizePerVariant({ baseline: 0.2, mde: 0.25, mdeType: 'relative' });
    expect(result.perVariant).toBe(1031);
    expect(result.deltaAbsolute).toBeCloseTo(0.05, 15);
  });

  // R 4.2.2: the formula above with a = 0.05/2 gives 1244.7591991314441 → 1245.
  it('more than 2 variants: Bonferroni alpha/(k − 1) → 1245 per variant for 3 arms', () => {
    const result = sampleSizePerVariant({ baseline: 0.2, mde: 0.05, mdeType: 'absolute', variants: 3 });
    expect(result.alphaPerComparison).toBeCloseTo(0.025, 15);
    expect(rawSampleSize(0.2, 0.05, 0.025, 0.8)).toBeCloseTo(1244.7591991314441, 7);
    expect(result.perVariant).toBe(1245);
    expect(result.total).toBe(3 * result.perVariant!);
  });

  it('undefined plans give nulls and a reason', () => {
    expect(sampleSizePerVariant({ baseline: 0.9, mde: 0.2, mdeType: 'absolute' }).reason).toMatch(/below a rate of 1/);
    expect(sampleSizePerVariant({ baseline: 0, mde: 0.1 }).perVariant).toBeNull();
    expect(sampleSizePerVariant({ baseline: 0.1, mde: 0 }).perVariant).toBeNull();
  });
});

describe('detectable effect and duration', () => {
  it('inverts the sample size: 1031 per variant at p = 0.2 detects δ just under 0.05', () => {
    const result = detectableEffect({ baseline: 0.2, perVariant: 1031 });
    expect(result.deltaAbsolute!).toBeLessThan(0.05);
    expect(result.deltaAbsolute!).toBeGreaterThan(0.0499);
    expect(rawSampleSize(0.2, result.deltaAbsolute!, 0.05, 0.8)).toBeCloseTo(1031, 6);
    expect(result.relative!).toBeCloseTo(result.deltaAbsolute! / 0.2, 14);
  });

  it('round trip over the reference table', () => {
    for (const [p, d, alpha, power, raw] of reference) {
      const result = detectableEffect({ baseline: p, perVariant: raw, alpha, power });
      expect(result.deltaAbsolute!).toBeCloseTo(d, 9);
    }
  });

  it('too few units: null with a reason', () => {
    expect(detectableEffect({ baseline: 0.5, perVariant: 1 }).reason).toMatch(/too few/);
  });

  it('duration rounds up and needs traffic', () => {
    expect(durationDays(2062, 500)).toBe(5);
    expect(durationDays(2000, 500)).toBe(4);
    expect(durationDays(2000, 0)).toBeNull();
  });
});
