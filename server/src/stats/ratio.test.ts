import { describe, expect, it } from 'vitest';
import { compareCuped, cupedAdjust } from './cuped.js';
import { compareRatio, ratioEstimate } from './ratio.js';

// R 4.2.2 with msm 1.7: average order value on simulated visitors,
//   set.seed(7); o <- rpois(500, 1.2); r <- ifelse(o > 0, rgamma(500, 2*o + 0.01, 0.05), 0)
//   o2 <- rpois(450, 1.3); r2 <- ifelse(o2 > 0, rgamma(450, 2*o2 + 0.01, 0.052), 0)
//   f <- function(y, x) c(length(y), sum(y), sum(y^2), sum(x), sum(x^2), sum(x*y), sum(y)/sum(x),
//        msm::deltamethod(~ x1/x2, c(mean(y), mean(x)), cov(cbind(y, x))/length(y)))
//   d <- b[7] - a[7]; se <- sqrt(a[8]^2 + b[8]^2); 2*pnorm(-abs(d/se))
const control = { n: 500, sum: 24780.260307436281, sumSquares: 2779111.7027844964, denSum: 606, denSumSquares: 1290, sumProducts: 52876.078002245988 };
const variant = { n: 450, sum: 21471.490095392815, sumSquares: 2304026.3758858186, denSum: 578, denSumSquares: 1388, sumProducts: 50749.535422784022 };

describe('ratio metrics by the delta method (reference: R msm::deltamethod with the sample covariance)', () => {
  it('ratio and its standard error per arm', () => {
    const a = ratioEstimate(control);
    const b = ratioEstimate(variant);
    expect(a.ratio!).toBeCloseTo(40.891518659135777, 10);
    expect(Math.sqrt(a.variance!)).toBeCloseTo(1.2919869702734499, 9);
    expect(b.ratio!).toBeCloseTo(37.147906739433935, 10);
    expect(Math.sqrt(b.variance!)).toBeCloseTo(1.1605146245315325, 9);
  });

  it('difference, SE and p-value', () => {
    const result = compareRatio(control, variant);
    expect(result.absoluteDifference.estimate!).toBeCloseTo(-3.7436119197018414, 10);
    expect(result.absoluteDifference.se!).toBeCloseTo(1.7366705286576185, 9);
    expect(result.absoluteDifference.pValue!).toBeCloseTo(0.031112890801006616, 9);
    expect(result.relativeLift.estimate!).toBeCloseTo(37.147906739433935 / 40.891518659135777 - 1, 12);
  });

  it('zero denominator or a single unit: nulls with a reason', () => {
    const empty = { n: 10, sum: 0, sumSquares: 0, denSum: 0, denSumSquares: 0, sumProducts: 0 };
    expect(compareRatio(empty, variant).reason).toMatch(/denominator/);
    expect(compareRatio({ ...control, n: 1 }, variant).absoluteDifference.pValue).toBeNull();
  });
});

describe('CUPED', () => {
  // Hand-checkable: in both arms y = x + e with x and e uncorrelated, so θ = 1 and the adjusted
  // variance is that of e. Arm A: x = (1, 2, 3, 4), e = (1, −1, −1, 1) → y = (2, 1, 2, 5).
  // Arm B: x = (2, 3, 4, 5), e = (1, −1, −1, 1) → y = (3, 2, 3, 6).
  const arm = (x: number[], y: number[]) => ({
    n: x.length,
    sum: y.reduce((s, v) => s + v, 0),
    sumSquares: y.reduce((s, v) => s + v * v, 0),
    covariateSum: x.reduce((s, v) => s + v, 0),
    covariateSumSquares: x.reduce((s, v) => s + v * v, 0),
    sumProducts: x.reduce((s, v, i) => s + v * y[i]!, 0),
  });
  const a = arm([1, 2, 3, 4], [2, 1, 2, 5]);
  const b = arm([2, 3, 4, 5], [3, 2, 3, 6]);

  it('pooled θ, adjusted means and variances', () => {
    const result = cupedAdjust(a, b);
    // Pooled over all 8 units: x = 1..5 with repeats, y = x + e; cov(x, e) over the pooled sample is 0.
    expect(result.theta).toBeCloseTo(1, 12);
    // Arm B is arm A shifted by 1 in both x and y: after adjustment the means coincide.
    expect(result.variant.mean - result.control.mean).toBeCloseTo(0, 12);
    // Var(e) = 4/3 with n − 1 = 3.
    expect(result.control.variance).toBeCloseTo(4 / 3, 12);
    expect(result.varianceReduction!).toBeGreaterThan(0);
  });

  it('a constant covariate gives θ = 0 and no change', () => {
    const flat = (y: number[]) => arm([1, 1, 1, 1], y);
    const result = compareCuped(flat([2, 1, 2, 5]), flat([3, 2, 3, 6]));
    expect(result.theta).toBe(0);
    expect(result.varianceReduction).toBeCloseTo(0, 12);
  });
});
