import { describe, expect, it } from 'vitest';
import { compareConversion, pooledZTest } from './proportions.js';

// Each row: control conversions, control units, variant conversions, variant units, then reference figures.

// R 4.2.2: r <- prop.test(c(xB, xA), c(nB, nA), correct = FALSE); c(r$statistic, r$p.value)
// (X-squared of the 2×2 test equals z² of the pooled two-proportion z-test).
const pooledReference: [number, number, number, number, number, number][] = [
  [500, 10000, 560, 10000, 3.5863003327289755, 0.058257806033515963],
  [120, 2400, 150, 2500, 2.3518118550515954, 0.12513748721580589],
  [30, 1000, 45, 1000, 3.116883116883117, 0.077484865132644451],
  [2000, 50000, 2150, 50000, 5.6564285310255107, 0.017391502521771653],
  [5, 100, 15, 100, 5.5555555555555554, 0.018422125454099048],
  [480, 1000, 520, 1000, 3.2000000000000002, 0.073638270120302773],
  [990, 1000, 980, 1000, 3.3840947546531273, 0.065828318375190764],
  [1, 20, 7, 25, 4.0211148648648649, 0.044934001242598755],
  [12500, 500000, 12250, 500000, 2.5893386570136121, 0.10758524903529254],
];

// statsmodels 0.13.5 (Python 3.11):
//   confint_proportions_2indep(xB, nB, xA, nA, method='wald', compare='diff', alpha=0.05)  → ci
//   test_proportions_2indep(xB, nB, xA, nA, method='wald', compare='diff')               → z, p
const waldReference: [number, number, number, number, number, number, number, number][] = [
  [500, 10000, 560, 10000, -0.00020922034622822532, 0.012209220346228223, 1.8939227876465645, 0.05823525931136175],
  [120, 2400, 150, 2500, -0.0027550846131166144, 0.022755084613116604, 1.5366138634035693, 0.12438789561747009],
  [30, 1000, 45, 1000, -0.001639505536569566, 0.031639505536569565, 1.766846959694084, 0.07725386181673846],
  [2000, 50000, 2150, 50000, 0.000527786859330128, 0.005472213140669863, 2.3783919990114395, 0.017388329819219776],
  [5, 100, 15, 100, 0.018008824034444273, 0.1819911759655557, 2.390457218668787, 0.01682740948275685],
  [480, 1000, 520, 1000, -0.003791052091614615, 0.08379105209161469, 1.7902871850985838, 0.07340775532354289],
  [990, 1000, 980, 1000, -0.020645329267358386, 0.0006453292673583681, -1.8411492357966477, 0.06559969214707174],
  [1, 20, 7, 25, 0.029747687580827215, 0.43025231241917283, 2.251118656251044, 0.024378023097242598],
  [12500, 500000, 12250, 500000, -0.001109008151348246, 0.0001090081513482452, -1.6091442948678214, 0.10758479360101017],
];

// R 4.2.2 with msm 1.7 (independent symbolic delta method):
//   se <- msm::deltamethod(~ (x2 - x1)/x1, c(pA, pB), diag(c(pA*(1-pA)/nA, pB*(1-pB)/nB)))
//   est <- (pB - pA)/pA; c(se, est - qnorm(0.975)*se, est + qnorm(0.975)*se, 2*pnorm(-abs(est/se)))
const liftReference: [number, number, number, number, number, number, number, number][] = [
  [500, 10000, 560, 10000, 0.067066534128430999, -0.011447991459651141, 0.25144799145965108, 0.073571673123995665],
  [120, 2400, 150, 2500, 0.14291256067959876, -0.080103471870408671, 0.48010347187040847, 0.1616759495640524],
  [30, 1000, 45, 1000, 0.34713109915419565, -0.18036445225602571, 1.1803644522560257, 0.1497604830837953],
  [2000, 50000, 2150, 50000, 0.032696903523116674, 0.010915246688710412, 0.13908475331128936, 0.021802265901333252],
  [5, 100, 15, 100, 1.4899664425751338, -0.9202805656205284, 4.9202805656205282, 0.17949481837303055],
  [480, 1000, 520, 1000, 0.048525718648675061, -0.011775327541993341, 0.17844199420866017, 0.085923932876043649],
  [990, 1000, 980, 1000, 0.0054677179236807408, -0.020817540309048484, 0.0006155201070282626, 0.064690566314164047],
  [1, 20, 7, 25, 5.7460943257137718, -6.6621379301689556, 15.862137930168956, 0.42339581598672438],
  [12500, 500000, 12250, 500000, 0.012304080623923106, -0.04411555488576642, 0.0041155548857663808, 0.10406096175120937],
];

describe('pooled two-proportion z-test (reference: R prop.test, correct = FALSE)', () => {
  it.each(pooledReference)('%i/%i vs %i/%i', (xA, nA, xB, nB, chiSquare, p) => {
    const result = pooledZTest({ n: nA, conversions: xA }, { n: nB, conversions: xB });
    expect(result.z! ** 2).toBeCloseTo(chiSquare, 9);
    expect(Math.sign(result.z!)).toBe(Math.sign(xB / nB - xA / nA));
    expect(result.pValue!).toBeCloseTo(p, 10);
  });
});

describe('absolute difference, unpooled Wald (reference: statsmodels 0.13.5)', () => {
  it.each(waldReference)('%i/%i vs %i/%i', (xA, nA, xB, nB, low, high, z, p) => {
    const { absoluteDifference } = compareConversion({ n: nA, conversions: xA }, { n: nB, conversions: xB });
    expect(absoluteDifference.estimate!).toBeCloseTo(xB / nB - xA / nA, 14);
    expect(absoluteDifference.ci![0]).toBeCloseTo(low, 10);
    expect(absoluteDifference.ci![1]).toBeCloseTo(high, 10);
    expect(absoluteDifference.estimate! / absoluteDifference.se!).toBeCloseTo(z, 9);
    expect(absoluteDifference.pValue!).toBeCloseTo(p, 10);
  });

  it('matches design.md §6: 500/10000 vs 560/10000 gives d = 0.006', () => {
    const result = compareConversion({ n: 10000, conversions: 500 }, { n: 10000, conversions: 560 });
    expect(result.controlRate).toBe(0.05);
    expect(result.variantRate).toBe(0.056);
    expect(result.absoluteDifference.estimate!).toBeCloseTo(0.006, 15);
  });
});

describe('relative lift, delta method under relativeLift.deltaMethod (reference: R msm::deltamethod)', () => {
  it.each(liftReference)('%i/%i vs %i/%i', (xA, nA, xB, nB, se, low, high, p) => {
    const { relativeLift } = compareConversion({ n: nA, conversions: xA }, { n: nB, conversions: xB });
    const delta = relativeLift.deltaMethod;
    expect(relativeLift.se!).toBeCloseTo(se, 10);
    expect(delta.se!).toBeCloseTo(se, 10);
    expect(delta.ci![0]).toBeCloseTo(low, 9);
    expect(delta.ci![1]).toBeCloseTo(high, 9);
    expect(delta.pValue!).toBeCloseTo(p, 10);
  });

  it('uses the exact quantile, not 1.96: half-width / SE = 1.959963984540054', () => {
    const delta = compareConversion({ n: 10000, conversions: 500 }, { n: 10000, conversions: 560 }).relativeLift.deltaMethod;
    const halfWidth = (delta.ci![1] - delta.ci![0]) / 2;
    expect(halfWidth / delta.se!).toBeCloseTo(1.959963984540054, 12);
  });

  it('narrows at alpha 0.1 with qnorm(0.95) = 1.6448536269514722 (R 4.2.2)', () => {
    const { relativeLift } = compareConversion({ n: 10000, conversions: 500 }, { n: 10000, conversions: 560 }, { alpha: 0.1 });
    expect((relativeLift.deltaMethod.ci![1] - relativeLift.estimate!) / relativeLift.deltaMethod.se!).toBeCloseTo(1.6448536269514722, 12);
  });

  it("the lift's p-value is the absolute difference's (Fieller inverts that test), not the delta method's", () => {
    const result = compareConversion({ n: 10000, conversions: 500 }, { n: 10000, conversions: 560 });
    expect(result.relativeLift.pValue).toBe(result.absoluteDifference.pValue);
    expect(result.relativeLift.pValue).not.toBe(result.relativeLift.deltaMethod.pValue);
  });
});

describe('degenerate conversion input', () => {
  it('zero units in an arm: every figure null, with a reason', () => {
    const result = compareConversion({ n: 0, conversions: 0 }, { n: 100, conversions: 5 });
    expect(result.controlRate).toBeNull();
    expect(result.absoluteDifference.pValue).toBeNull();
    expect(result.reason).toMatch(/no units/);
  });

  it('no conversions in either arm: difference 0, no p-value, a reason', () => {
    const result = compareConversion({ n: 1000, conversions: 0 }, { n: 1000, conversions: 0 });
    expect(result.absoluteDifference.estimate).toBe(0);
    expect(result.absoluteDifference.pValue).toBeNull();
    expect(result.relativeLift.estimate).toBeNull();
    expect(result.pooledZTest).toEqual({ z: null, pValue: null });
    expect(result.reason).toMatch(/no conversions/);
  });

  it('everyone converted in both arms', () => {
    const result = compareConversion({ n: 50, conversions: 50 }, { n: 80, conversions: 80 });
    expect(result.relativeLift.estimate).toBe(0);
    expect(result.relativeLift.pValue).toBeNull();
    expect(result.reason).toMatch(/every unit converted/);
  });

  it('control rate 0 but variant converts: absolute test defined, lift undefined', () => {
    const result = compareConversion({ n: 1000, conversions: 0 }, { n: 1000, conversions: 9 });
    expect(result.absoluteDifference.pValue).not.toBeNull();
    expect(result.relativeLift.estimate).toBeNull();
    expect(result.relativeLift.ci).toBeNull();
    expect(result.reason).toMatch(/control rate is 0/);
  });

  // Issue 10: a broken variant (0 conversions) was never flagged, because the headline was the
  // delta-method lift, whose SE is 0 when the variant's rate is 0.
  it('0/2000 against 30/2000 is significant: the unpooled SE comes from the arm that varies (z ≈ −5.5)', () => {
    const result = compareConversion({ n: 2000, conversions: 30 }, { n: 2000, conversions: 0 });
    const d = result.absoluteDifference;
    // SE = √(0.015·0.985/2000) = 0.0027181…, z = −0.015/SE = −5.5188 (unpooled; python3: -0.015/math.sqrt(0.015*0.985/2000)); pooled z = −5.4979.
    expect(d.se!).toBeCloseTo(Math.sqrt((0.015 * 0.985) / 2000), 15);
    expect(d.estimate! / d.se!).toBeCloseTo(-5.518773, 5);
    expect(d.pValue!).toBeLessThan(1e-7);
    expect(result.pooledZTest.z!).toBeCloseTo(-5.497881, 5);
    expect(result.relativeLift.estimate).toBe(-1);
    // Fieller: the variant's rate is 0 with no variance, so the lift interval is [−1, upper] with upper < 0.
    expect(result.relativeLift.ci![0]).toBeCloseTo(-1, 12);
    expect(result.relativeLift.ci![1]!).toBeLessThan(0);
    expect(result.reason).toMatch(/SE comes from the control/);
  });

  it('control rate 0 against 30/2000 is significant too (the lift is undefined)', () => {
    const result = compareConversion({ n: 2000, conversions: 0 }, { n: 2000, conversions: 30 });
    expect(result.absoluteDifference.pValue!).toBeLessThan(1e-7);
    expect(result.relativeLift.estimate).toBeNull();
    expect(result.relativeLift.pValue).toBe(result.absoluteDifference.pValue);
  });

  it('all converted in the control against 1990/2000: defined test from the variant alone', () => {
    const result = compareConversion({ n: 2000, conversions: 2000 }, { n: 2000, conversions: 1990 });
    expect(result.absoluteDifference.se!).toBeCloseTo(Math.sqrt((0.995 * 0.005) / 2000), 15);
    expect(result.absoluteDifference.pValue!).toBeGreaterThan(0);
    expect(result.reason).toMatch(/every control unit converted/);
  });

  it('one unit per arm: defined figures or nulls with a reason, never NaN', () => {
    for (const [xa, xb] of [[0, 1], [1, 0], [1, 1], [0, 0]] as const) {
      const result = compareConversion({ n: 1, conversions: xa }, { n: 1, conversions: xb });
      expect(JSON.stringify(result)).not.toMatch(/NaN|Infinity/);
      if (result.absoluteDifference.pValue === null) expect(result.reason).toBeDefined();
    }
    const lopsided = compareConversion({ n: 1, conversions: 0 }, { n: 2000, conversions: 30 });
    expect(lopsided.absoluteDifference.pValue).not.toBeNull();
  });
});
