import { describe, expect, it } from 'vitest';
import {
  bayesianConversion,
  bayesianNormal,
  betaPosterior,
  expectedLossBeta,
  normalApproximationGreater,
  probabilityBetaGreater,
} from './bayesian.js';

// R 4.2.2, by numerical integration (an independent method from our closed form), with
// Beta(1,1) priors: aA <- xA + 1; bA <- nA - xA + 1; aB <- xB + 1; bB <- nB - xB + 1;
//   chance <- integrate(function(x) dbeta(x, aA, bA) * pbeta(x, aB, bB, lower.tail = FALSE),
//                       lo, hi, rel.tol = 1e-13, subdivisions = 2000L)$value
//   loss   <- integrate(function(x) dbeta(x, aA, bA) * (x * pbeta(x, aB, bB) - mB * pbeta(x, aB + 1, bB)),
//                       lo, hi, rel.tol = 1e-13, subdivisions = 2000L)$value
// where [lo, hi] = posterior mean of A ± 15 sd clipped to [0, 1] (the whole of [0, 1] for the
// three rows with n ≤ 50, whose tails reach past 15 sd), mB = aB/(aB + bB).
const reference: [number, number, number, number, number, number][] = [
  [500, 10000, 560, 10000, 0.97083766370625002, 3.567456999979057e-5],
  [120, 2400, 150, 2500, 0.93709235038098559, 0.00017882500649777912],
  [30, 1000, 45, 1000, 0.96062289771086762, 0.00013650784219355831],
  [2000, 50000, 2150, 50000, 0.99130257776229447, 3.6642651653285505e-6],
  [5, 100, 15, 100, 0.9903442111952887, 0.00014368542824915297],
  [480, 1000, 520, 1000, 0.96312199396244436, 0.00032850620796269909],
  [990, 1000, 980, 1000, 0.034295722510097888, 0.010056390247441219],
  [1, 20, 7, 25, 0.97363053788875409, 0.0012044023098680893],
  [12500, 500000, 12250, 500000, 0.053795196920060774, 0.00050706630063963691],
  [0, 50, 0, 50, 0.5, 0.0095220313666915645],
  [50, 50, 50, 50, 0.5, 0.0095220313666915541],
  [0, 10, 3, 10, 0.95488721804511301, 0.0031055900621118036],
];

describe('chance to beat control, exact closed form (reference: R integrate)', () => {
  it.each(reference)('%i/%i vs %i/%i', (xA, nA, xB, nB, chance, loss) => {
    const result = bayesianConversion({ n: nA, conversions: xA }, { n: nB, conversions: xB });
    expect(Math.abs(result.chanceToBeatControl! - chance)).toBeLessThan(1e-8);
    expect(Math.abs(result.expectedLoss! - loss)).toBeLessThan(1e-9);
  });

  it('Beta(1,11) vs Beta(4,8) is the rational 127/133 (Cook 2005, exact for integer parameters)', () => {
    expect(probabilityBetaGreater({ alpha: 1, beta: 11 }, { alpha: 4, beta: 8 })).toBeCloseTo(127 / 133, 14);
  });

  // Evan Miller's sum evaluated term by term in 40-digit arithmetic (mpmath 1.3.0:
  // Σ exp(ln B(a₁+i, b₁+b₂) − ln(b₂+i) − ln B(1+i, b₂) − ln B(a₁, b₁)), i < a₂).
  // The first case starts at a term of e^−9356 and rescales its running product many times.
  it.each([
    [{ alpha: 4600, beta: 45400 }, { alpha: 4670, beta: 45330 }, 0.77736172484367178109],
    [{ alpha: 120, beta: 880 }, { alpha: 150, beta: 850 }, 0.97544272614456782012],
    [{ alpha: 3, beta: 1_000_000 }, { alpha: 7, beta: 999_000 }, 0.91040172866065479524],
  ])('large counts: P(%o < %o) = %f to 1e-11 (mpmath, 40 digits)', (a, b, expected) => {
    expect(Math.abs(probabilityBetaGreater(a, b) - expected)).toBeLessThan(1e-11);
  });

  it('a probability far below 1e-300 comes out as 0 or a tiny positive number, never NaN', () => {
    const p = probabilityBetaGreater({ alpha: 900, beta: 100 }, { alpha: 100, beta: 900 });
    expect(p >= 0 && p < 1e-100).toBe(true);
    expect(probabilityBetaGreater({ alpha: 100, beta: 900 }, { alpha: 900, beta: 100 })).toBe(1);
  });

  it('all four summation orders agree (the sum picks the smallest parameter)', () => {
    const a = { alpha: 37, beta: 4000 };
    const b = { alpha: 4100, beta: 45 };
    // Reflection p → 1 − p swaps roles: P(p_B > p_A) = P(1 − p_A > 1 − p_B).
    const direct = probabilityBetaGreater(a, b);
    const reflected = probabilityBetaGreater({ alpha: b.beta, beta: b.alpha }, { alpha: a.beta, beta: a.alpha });
    expect(direct).toBeCloseTo(reflected, 12);
    expect(probabilityBetaGreater(a, b) + probabilityBetaGreater(b, a)).toBeCloseTo(1, 12);
  });

  it('the normal approximation used past 10⁶ terms is within 1e-4 of the exact sum already at 2·10⁵', () => {
    const a = betaPosterior({ n: 4_000_000, conversions: 200_000 });
    const b = betaPosterior({ n: 4_000_000, conversions: 200_900 });
    expect(Math.abs(normalApproximationGreater(a, b) - probabilityBetaGreater(a, b))).toBeLessThan(1e-4);
  });

  it('stays finite with tens of millions of units', () => {
    // Difference 2e-4, posterior sd of the difference √(2·0.25/5e7) = 1e-4: z = 2, Φ(2) = 0.97725.
    const result = bayesianConversion({ n: 50_000_000, conversions: 25_000_000 }, { n: 50_000_000, conversions: 25_010_000 });
    expect(result.chanceToBeatControl!).toBeCloseTo(0.97725, 4);
    expect(Number.isFinite(result.expectedLoss)).toBe(true);
  });

  it('expected loss equals the mean difference when the variant is surely worse', () => {
    const a = betaPosterior({ n: 10000, conversions: 3000 });
    const b = betaPosterior({ n: 10000, conversions: 1000 });
    expect(expectedLossBeta(a, b)).toBeCloseTo(3001 / 10002 - 1001 / 10002, 12);
  });
});

describe('Bayesian normal approximation for means', () => {
  it('D ~ N(0, 1): chance 0.5, loss φ(0) = 1/√(2π) = 0.3989422804014327 (any table of φ)', () => {
    const result = bayesianNormal(
      { estimate: 0, se: 1, ci: null, pValue: null },
      { estimate: 0, se: 0.1, ci: null, pValue: null },
    );
    expect(result.chanceToBeatControl).toBeCloseTo(0.5, 15);
    expect(result.expectedLoss!).toBeCloseTo(0.3989422804014327, 14);
  });

  it('lift 0.05 with SE 0.025: chance Φ(2) = 0.97724986805182079 (R 4.2.2: pnorm(2))', () => {
    const result = bayesianNormal(
      { estimate: 0.5, se: 0.25, ci: null, pValue: null },
      { estimate: 0.05, se: 0.025, ci: null, pValue: null },
    );
    expect(result.chanceToBeatControl!).toBeCloseTo(0.97724986805182079, 12);
    // R 4.2.2: 0.25*dnorm(2) - 0.5*pnorm(-2) = 0.0021226756542074097
    expect(result.expectedLoss!).toBeCloseTo(0.0021226756542074097, 14);
  });

  it('zero units: nulls with a reason', () => {
    const result = bayesianConversion({ n: 0, conversions: 0 }, { n: 10, conversions: 1 });
    expect(result.chanceToBeatControl).toBeNull();
    expect(result.reason).toBeDefined();
  });
});
