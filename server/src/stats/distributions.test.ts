import { describe, expect, it } from 'vitest';
import { logBeta, regularizedBeta, regularizedBetaUpper } from './distributions.js';

// Reference values: mpmath 1.3.0 at 30 digits (mp.log(mp.beta(a, b)), mp.betainc(a, b, x0, x1, regularized=True)).
describe('ln B(a, b) at large arguments', () => {
  it('keeps ~1e-15 relative accuracy where summing three ln Γ loses 1e-8 absolute', () => {
    // ln B(1, n) = −ln n exactly.
    for (const n of [20, 3_202_932, 1e7, 1e9]) expect(Math.abs(logBeta(1, n) + Math.log(n))).toBeLessThan(2e-15 * Math.log(n));
    expect(Math.abs(logBeta(27918, 51637) - -51557.1047768065759628425792634)).toBeLessThan(1e-10);
    expect(Math.abs(logBeta(0.5, 5e6) - -7.14010926727448715228268202166)).toBeLessThan(1e-14);
    expect(logBeta(3, 4)).toBeCloseTo(Math.log(1 / 60), 14); // B(3, 4) = 2!·3!/6! = 1/60
  });
});

describe('upper incomplete-beta tail', () => {
  it('is accurate where x is tiny and the tail steep (1 − x is never formed)', () => {
    // I_x(1, b) = 1 − (1 − x)^b, so the upper tail is exp(b·log1p(−x)); mpmath agrees.
    const b = 3_202_932;
    expect(Math.abs(regularizedBetaUpper(5e-10, 1, b) - 0.99839981566200396671683393623)).toBeLessThan(1e-15);
    expect(Math.abs(regularizedBetaUpper(5e-10, 1, b) - Math.exp(b * Math.log1p(-5e-10)))).toBeLessThan(1e-15);
  });

  it('is tiny where the lower tail is near 1, and the two tails add up to 1', () => {
    expect(Math.abs(regularizedBetaUpper(0.999, 2, 5) / (6 * 0.001 ** 5 - 5 * 0.001 ** 6) - 1)).toBeLessThan(1e-13); // 1 − I_x(2,5) = Σ_{j<2} C(6,j) x^j (1−x)^(6−j)
    for (const [x, a, b] of [[0.3, 2, 5], [0.01, 50, 4000], [0.7, 1e5, 4e4], [1e-3, 5, 2]] as const) {
      expect(regularizedBeta(x, a, b) + regularizedBetaUpper(x, a, b)).toBeCloseTo(1, 14);
    }
    expect(Math.abs(regularizedBeta(1e-3, 5, 2) - 5.995e-15)).toBeLessThan(1e-27);
  });
});
