import { describe, expect, it } from 'vitest';
import { sequentialInterval, sequentialRho } from './sequential.js';

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
