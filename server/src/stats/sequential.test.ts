import { describe, expect, it } from 'vitest';
import { fiellerSet } from './fieller.js';
import { sequentialComparison, sequentialInterval, sequentialRho } from './sequential.js';

// R 4.2.2, the asymptotic confidence sequence of Waudby-Smith et al. (2023) with the
// conjugate-mixture margin as written in the authors' R package drconfseq
// (std_conjmix_margin) and the ρ of GrowthBook's sequential-testing documentation:
//   margin <- function(t, rho2, alpha) sqrt(2*(t*rho2 + 1)*log(sqrt(t*rho2 + 1)/alpha)/(t^2*rho2))
//   rho2 <- (-2*log(a) + log(-2*log(a) + 1))/Nstar; hw <- se*sqrt(N)*margin(N, rho2, a); z <- est/se
//   E <- exp(rho2*N*z^2/(2*(N*rho2 + 1)))/sqrt(N*rho2 + 1); c(est - hw, est + hw, min(1, 1/E))
// Row: estimate, SE, N, alpha, N*, lower, upper, always-valid p.
const reference: [number, number, number, number, number, number, number, number][] = [
  [0.006, 0.003168027777655998, 20000, 0.05, 5000, -0.0039067844711045043, 0.015906784471104503, 1],
  [0.12, 0.067066534128430999, 20000, 0.05, 5000, -0.089724707441149881, 0.3297247074411499, 1],
  [0.01, 0.004, 1000, 0.05, 5000, -0.0034555509031311219, 0.023455550903131124, 0.23648964805459155],
  [0.01, 0.004, 1e6, 0.05, 5000, -0.0046261458647392263, 0.024626145864739227, 1],
  [-0.3, 0.1, 500, 0.1, 1000, -0.58174206288601094, -0.018257937113989042, 0.066794788940386096],
  [2.5, 1.2, 80000, 0.01, 20000, -1.8839451817872428, 6.8839451817872428, 0.82070595578833527],
  [0.05, 0.02, 5000, 0.05, 5000, -0.010704179807525069, 0.11070417980752507, 0.18632844543982796],
  [0, 0.01, 3000, 0.05, 5000, -0.030608388365049043, 0.030608388365049043, 1],
  [0.2, 0.03, 12345, 0.2, 100, 0.10708819854170941, 0.2929118014582906, 5.5719537760436512e-9],
];

describe('asymptotic confidence sequences (reference: drconfseq margin in R)', () => {
  it.each(reference)('est=%f se=%f N=%i α=%f N*=%i', (estimate, se, n, alpha, tuning, low, high, p) => {
    const result = sequentialInterval({ estimate, se, ci: null, pValue: null }, n, { alpha, tuningParameter: tuning });
    expect(result.ci![0]).toBeCloseTo(low, 12);
    expect(result.ci![1]).toBeCloseTo(high, 12);
    expect(result.pValue!).toBeCloseTo(p, 12);
    // The interval excludes 0 exactly when the always-valid p-value is below alpha.
    expect(result.ci![0] > 0 || result.ci![1] < 0).toBe(result.pValue! < alpha);
  });

  it('ρ for α = 0.05, N* = 5000 (R 4.2.2: sqrt((-2*log(0.05) + log(-2*log(0.05) + 1))/5000) = 0.0274…)', () => {
    expect(sequentialRho(0.05, 5000)).toBeCloseTo(Math.sqrt((-2 * Math.log(0.05) + Math.log(-2 * Math.log(0.05) + 1)) / 5000), 15);
  });

  it('is wider than the fixed-horizon interval', () => {
    const result = sequentialInterval({ estimate: 0.006, se: 0.003168, ci: null, pValue: null }, 20000);
    expect(result.halfWidth!).toBeGreaterThan(1.959963984540054 * 0.003168);
  });

  it('no SE or no units: nulls', () => {
    expect(sequentialInterval({ estimate: 0.1, se: 0, ci: null, pValue: null }, 100)).toEqual({ ci: null, pValue: null, halfWidth: null });
    expect(sequentialInterval({ estimate: null, se: null, ci: null, pValue: null }, 100).pValue).toBeNull();
    expect(sequentialInterval({ estimate: 0.1, se: 0.01, ci: null, pValue: null }, 0).pValue).toBeNull();
  });

  it('huge z does not overflow: p-value underflows to 0, not NaN', () => {
    const result = sequentialInterval({ estimate: 1, se: 1e-6, ci: null, pValue: null }, 1e9);
    expect(result.pValue).toBe(0);
  });
});

describe('sequentialComparison: the headline sequence on the absolute difference, the lift by Fieller with its radius', () => {
  it('500/10000 vs 560/10000 at N* = 5000: the absolute row of the R reference above, and a lift interval from the same radius', () => {
    const moments = { meanA: 0.05, varianceOfMeanA: (0.05 * 0.95) / 10000, meanB: 0.056, varianceOfMeanB: (0.056 * 0.944) / 10000 };
    const se = Math.sqrt(moments.varianceOfMeanA + moments.varianceOfMeanB);
    const result = sequentialComparison({ estimate: 0.006, se, ci: null, pValue: null }, moments, 20000, { alpha: 0.05, tuningParameter: 5000 });
    expect(result.absoluteDifference.ci![0]).toBeCloseTo(-0.0039067844711045043, 12);
    expect(result.absoluteDifference.ci![1]).toBeCloseTo(0.015906784471104503, 12);
    expect(result.absoluteDifference.pValue).toBe(1);
    // Fieller with q = half-width / SE: the θ where |m_B − θ·m_A| = radius·√(v_B + θ²v_A)/SE.
    const q = (0.015906784471104503 - 0.006) / se;
    const set = fiellerSet(moments.meanA, moments.varianceOfMeanA, moments.meanB, moments.varianceOfMeanB, q);
    expect(result.relativeLift.ci).toEqual([set.lower! - 1, set.upper! - 1]);
    expect(result.relativeLift.pValue).toBe(1);
  });

  it('the lift interval excludes 0 exactly when the always-valid p-value is below alpha', () => {
    for (const xB of [500, 560, 600, 640, 700, 400, 430]) {
      const rate = xB / 10000;
      const moments = { meanA: 0.05, varianceOfMeanA: (0.05 * 0.95) / 10000, meanB: rate, varianceOfMeanB: (rate * (1 - rate)) / 10000 };
      const se = Math.sqrt(moments.varianceOfMeanA + moments.varianceOfMeanB);
      const result = sequentialComparison({ estimate: rate - 0.05, se, ci: null, pValue: null }, moments, 20000);
      const [low, high] = result.relativeLift.ci!;
      expect(low! > 0 || high! < 0).toBe(result.absoluteDifference.pValue! < 0.05);
    }
  });

  it('no variance or no moments: no lift interval, with a reason', () => {
    const result = sequentialComparison({ estimate: 0, se: 0, ci: null, pValue: null }, null, 100);
    expect(result).toEqual({ absoluteDifference: { ci: null, pValue: null }, relativeLift: { ci: null, pValue: null, reason: 'no sampling variance: no interval' } });
  });
});
