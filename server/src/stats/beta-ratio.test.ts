import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { betaPosterior } from './bayesian.js';
import { betaRatioTails, gaussLegendre, liftCredibleInterval } from './beta-ratio.js';
import { gamma, mulberry32 } from './testing/random.js';

const posterior = (conversions: number, n: number) => betaPosterior({ n, conversions });

describe('Gauss–Legendre rule', () => {
  it('matches the 20-point table of Abramowitz & Stegun (Table 25.4) and integrates x³⁸ exactly', () => {
    const { nodes, weights } = gaussLegendre(20);
    // A&S 25.4, n = 20: the outermost and innermost positive nodes and their weights.
    expect(nodes[19]).toBeCloseTo(0.993128599185094924786, 15);
    expect(weights[19]).toBeCloseTo(0.017614007139152118312, 15);
    expect(nodes[10]).toBeCloseTo(0.076526521133497333755, 15);
    expect(weights[10]).toBeCloseTo(0.152753387130725850698, 15);
    expect(weights.reduce((s, w) => s + w, 0)).toBeCloseTo(2, 14);
    let integral = 0;
    nodes.forEach((x, i) => (integral += weights[i]! * x ** 38));
    expect(integral).toBeCloseTo(2 / 39, 14);
  });
});

describe('posterior of the ratio p_B/p_A, closed forms', () => {
  // Uniform/uniform (Beta(1,1) both: no data): P(U₂/U₁ ≤ r) = r/2 for r ≤ 1, 1 − 1/(2r) above
  // (the ratio of independent uniforms; e.g. Springer, The Algebra of Random Variables, 1979, §4).
  it('Beta(1,1)/Beta(1,1) is the ratio of two uniforms', () => {
    const { cdf, survival } = betaRatioTails({ alpha: 1, beta: 1 }, { alpha: 1, beta: 1 });
    for (const r of [0.01, 0.3, 0.999, 1, 1.001, 2.5, 40]) {
      expect(cdf(r)).toBeCloseTo(r <= 1 ? r / 2 : 1 - 1 / (2 * r), 13);
      expect(survival(r)).toBeCloseTo(r <= 1 ? 1 - r / 2 : 1 / (2 * r), 13);
    }
    // Quantiles 0.025 and 0.975 of the ratio are 0.05 and 20: the lift's interval is [−95 %, +1,900 %].
    const [lo, hi] = liftCredibleInterval({ alpha: 1, beta: 1 }, { alpha: 1, beta: 1 }, 0.05);
    expect(lo).toBeCloseTo(-0.95, 10);
    expect(hi).toBeCloseTo(19, 8);
  });

  // p_B ~ Beta(2,1) (density 2y) over a uniform p_A: P(p_B ≤ r·p_A) = ∫₀¹ min(rx, 1)² dx
  //   = r²/3 for r ≤ 1, 1 − 2/(3r) above. Here p_B is the narrower posterior, so this exercises the
  //   other shape of window than the uniform case.
  it('Beta(2,1) over Beta(1,1), and the reverse ratio', () => {
    const { cdf, survival } = betaRatioTails({ alpha: 1, beta: 1 }, { alpha: 2, beta: 1 });
    const exact = (r: number) => (r <= 1 ? (r * r) / 3 : 1 - 2 / (3 * r));
    for (const r of [0.05, 0.5, 1, 1.7, 12]) {
      expect(cdf(r)).toBeCloseTo(exact(r), 13);
      expect(survival(r)).toBeCloseTo(1 - exact(r), 13);
    }
    // p_A/p_B ≤ r ⇔ p_B/p_A ≥ 1/r.
    const reverse = betaRatioTails({ alpha: 2, beta: 1 }, { alpha: 1, beta: 1 });
    for (const r of [0.05, 0.5, 1, 1.7, 12]) expect(reverse.cdf(r)).toBeCloseTo(1 - exact(1 / r), 13);
  });
});

// Equal-tailed 95 % intervals (one at 90 %) for the lift p_B/p_A − 1 under Beta(1,1) priors, from two
// independent computations, each solving P(p_B ≤ r·p_A) = α/2 and 1 − α/2 for r:
//  - scipy 1.17.1: integrate.quad of beta.pdf(x)·special.betainc(aB, bB, min(r·x, 1)) (Boost's
//    incomplete beta) over 40 panels of A's central 1 − 2e-16, epsrel 1e-13; optimize.brentq on ln r.
//  - mpmath 1.3.0 at 30 digits (rows marked mp): mp.quad of the same integrand with the incomplete
//    beta as the binomial tail P(Bin(a + b − 1, x) ≥ a) (exact for integer parameters); findroot.
// [xA, nA, xB, nB, alpha, lower, upper, tolerance]
const reference: [number, number, number, number, number, number, number, number][] = [
  [5, 100, 15, 100, 0.05, 0.17095880752436824, 6.5930117754487867, 1e-11], // mp (betainc, small counts)
  [0, 10, 3, 10, 0.05, -0.20445323061651568, 143.73512561319533, 1e-11], // mp
  [1, 20, 7, 25, 0.05, -0.013709934659525277, 25.033053729712988, 1e-11], // mp
  [500, 10000, 560, 10000, 0.05, -0.0039781690618410559, 0.25940963559471419, 1e-10],
  [120, 2400, 150, 2500, 0.05, -0.049418353874384938, 0.51492189090406382, 1e-10],
  [2000, 50000, 2150, 50000, 0.05, 0.01279425513654338, 0.14102592465860228, 1e-10],
  [30, 1000, 45, 1000, 0.1, 0.025772853545325821, 1.1831751453965107, 1e-10],
  [990, 1000, 980, 1000, 0.05, -0.021450184567367768, 0.00078181736070698986, 1e-10],
  [12500, 500000, 12250, 500000, 0.05, -0.043820820455623605, 0.0044143041870174258, 1e-10],
  [3, 1_000_000, 7, 999_000, 0.05, -0.35932078515396999831, 7.1603302369222679436, 1e-11], // mp (binomial tail); scipy: −0.35932078515397498, 7.1603302369380968
];

describe('credible interval for the relative lift (references: mpmath, scipy)', () => {
  it.each(reference)('%i/%i vs %i/%i at alpha %f', (xA, nA, xB, nB, alpha, lower, upper, tolerance) => {
    const [lo, hi] = liftCredibleInterval(posterior(xA, nA), posterior(xB, nB), alpha);
    expect(Math.abs(lo - lower)).toBeLessThan(tolerance * Math.max(1, Math.abs(lower)));
    expect(Math.abs(hi - upper)).toBeLessThan(tolerance * Math.max(1, Math.abs(upper)));
  });

  it('holds the posterior probability it claims: Monte Carlo draws of the ratio fall below and above it 2.5 % of the time each', () => {
    // 400,000 seeded draws per case: the standard error of a 2.5 % share is 0.025 %, so ±0.12 % is
    // ±5 standard errors. Covers a skewed small-count case, a zero-conversion control and a large one.
    const random = mulberry32(20261123);
    const draw = (p: { alpha: number; beta: number }) => {
      const g = gamma(random, p.alpha);
      return g / (g + gamma(random, p.beta));
    };
    for (const [xA, nA, xB, nB] of [[3, 40, 9, 40], [0, 25, 2, 25], [900, 20000, 990, 20000]] as const) {
      const a = posterior(xA, nA);
      const b = posterior(xB, nB);
      const [lo, hi] = liftCredibleInterval(a, b, 0.05);
      let below = 0;
      let above = 0;
      const draws = 400_000;
      for (let i = 0; i < draws; i++) {
        const lift = draw(b) / draw(a) - 1;
        if (lift < lo) below++;
        else if (lift > hi) above++;
      }
      expect(Math.abs(below / draws - 0.025), `${xA}/${nA} vs ${xB}/${nB} below`).toBeLessThan(0.0012);
      expect(Math.abs(above / draws - 0.025), `${xA}/${nA} vs ${xB}/${nB} above`).toBeLessThan(0.0012);
    }
  });

  it('is skewed where the delta method is symmetric: never below −100 % at small counts', () => {
    // 0/10 vs 3/10: the normal approximation on the posterior moments gives a symmetric interval
    // whose lower end is far below −100 %; the exact one is bounded by −1 and long on the right.
    const [lo, hi] = liftCredibleInterval(posterior(0, 10), posterior(3, 10), 0.05);
    expect(lo).toBeGreaterThan(-1);
    expect(hi - 3).toBeGreaterThan(3 - lo);
  });
});

describe('credible interval properties', () => {
  const counts = fc.oneof(
    fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 })).map(([x, n]) => ({ conversions: Math.min(x, n), n })),
    fc
      .tuple(fc.integer({ min: 1, max: 5_000_000 }), fc.double({ min: 0, max: 1, noNaN: true }))
      .map(([n, share]) => ({ n, conversions: Math.round(n * share) })),
  );
  const alpha = fc.double({ min: 0.001, max: 0.5, noNaN: true });

  it('is ordered, finite and above −100 %; swapping the arms inverts the ratio (1 + lift ↦ 1/(1 + lift))', () => {
    fc.assert(
      fc.property(counts, counts, alpha, (ca, cb, level) => {
        const a = betaPosterior(ca);
        const b = betaPosterior(cb);
        const [lo, hi] = liftCredibleInterval(a, b, level);
        expect(Number.isFinite(lo) && Number.isFinite(hi)).toBe(true);
        expect(lo).toBeGreaterThan(-1);
        expect(lo).toBeLessThan(hi);
        const [rlo, rhi] = liftCredibleInterval(b, a, level);
        // The quantiles of 1/R are the reciprocals of the opposite quantiles of R. Relative 1e-8, plus
        // the absolute error a lift near −100 % carries (1 + lift then holds few significant digits).
        const same = (x: number, y: number) => Math.abs(x - y) <= 1e-8 * Math.max(x, y) + 4e-16;
        expect(same(1 + lo, 1 / (1 + rhi)), `${lo} vs 1/(1 + ${rhi})`).toBe(true);
        expect(same(1 + rlo, 1 / (1 + hi)), `${rlo} vs 1/(1 + ${hi})`).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('narrows as alpha grows (nested intervals)', () => {
    fc.assert(
      fc.property(counts, counts, (ca, cb) => {
        const a = betaPosterior(ca);
        const b = betaPosterior(cb);
        const wide = liftCredibleInterval(a, b, 0.01);
        const narrow = liftCredibleInterval(a, b, 0.2);
        expect(wide[0]).toBeLessThan(narrow[0]);
        expect(wide[1]).toBeGreaterThan(narrow[1]);
      }),
      { numRuns: 100 },
    );
  });
});
