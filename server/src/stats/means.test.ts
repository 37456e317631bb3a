import { describe, expect, it } from 'vitest';
import { compareMean, compareMeanSummaries, summarize } from './means.js';

// R 4.2.2. Data drawn in R with set.seed(42), in this order:
//   list(rexp(200, 1/20), rexp(220, 1/22)); list(rnorm(50, 10, 3), rnorm(60, 11, 5));
//   list(rlnorm(1000, 2, 1), rlnorm(900, 2.05, 1.1)); list(rpois(30, 4), rpois(12, 6));
//   list(c(0,0,0,12.5,0,40,0,0,7,0), c(0,19.9,0,0,0,0,55,0,0,0,3));
//   list(rgamma(5000, 0.1, 0.01), rgamma(5000, 0.1, 0.0095)); list(rnorm(3, 100, 1), rnorm(4, 98, 6));
//   list(runif(400, -5, 5), runif(300, -4, 6))
// then for control a and variant b: c(length(a), sum(a), sum(a^2)) and
//   r <- t.test(b, a, var.equal = FALSE); r$statistic, r$parameter, r$p.value, r$conf.int
const welchReference = [
  { a: [200, 4631.4161201898214, 237528.45335654201], b: [220, 4990.4839467049669, 194461.22239035025], t: -0.21241449679065344, df: 368.09750085264426, p: 0.83190125254287217, ci: [-4.8524454703506477, 3.9063201475884903] },
  { a: [50, 485.96383648700163, 5207.2709966401362], b: [60, 634.95325104283563, 8698.760986259942], t: 0.99239953472652109, df: 93.939648428085903, p: 0.32355204504461599, ci: [-0.86392204419657503, 2.5904769528110316] },
  { a: [1000, 12809.52655536675, 431575.88302887516], b: [900, 13156.279571736481, 550208.16106940038], t: 2.1462338186814245, df: 1742.2954064701275, p: 0.031992075959811309, ci: [0.15581542593235889, 3.4613082894152081] },
  { a: [30, 114, 498], b: [12, 86, 744], t: 3.2986654895402694, df: 12.730838245255848, p: 0.0059104827005584054, ci: [1.1570143762168612, 5.5763189571164729] },
  { a: [10, 59.5, 1805.25], b: [11, 77.900000000000006, 3430.0099999999998], t: 0.17404059157443788, df: 18.370771010428658, p: 0.86373710016926131, ci: [-12.511127937696637, 14.774764301333001] },
  { a: [5000, 51183.935968952625, 5824909.0920869634], b: [5000, 54786.095811290768, 6553654.9362693168], t: 1.0736439215188134, df: 9964.5150883525184, p: 0.28300830289986495, ci: [-0.59489448037266868, 2.0357584173079273] },
  { a: [3, 299.85689435679797, 29972.478249979595], b: [4, 386.02689515787921, 37354.078058304251], t: -1.1814040995312576, df: 3.1304429791175603, p: 0.31935787543803579, ci: [-12.512197032336141, 5.621048373410428] },
  { a: [400, -3.0258352658711374, 3335.5870010073841], b: [300, 315.71288796141744, 2709.2453410225162], t: 4.8685247107725669, df: 652.47839735924026, p: 1.4119069202319635e-6, ci: [0.63243833571107222, 1.4874434270277328] },
];

const stats = ([n, sum, sumSquares]: number[]) => ({ n: n!, sum: sum!, sumSquares: sumSquares! });

describe("Welch's t-test on sufficient statistics (reference: R t.test, var.equal = FALSE)", () => {
  it.each(welchReference.map((row, i) => [i + 1, row] as const))('R data set %i', (_, row) => {
    const result = compareMean(stats(row.a), stats(row.b));
    // Sums of squares lose a few digits to cancellation, hence 1e-8 rather than 1e-10.
    expect(result.welch.t!).toBeCloseTo(row.t, 8);
    expect(result.welch.df!).toBeCloseTo(row.df, 6);
    expect(result.absoluteDifference.pValue!).toBeCloseTo(row.p, 9);
    expect(result.absoluteDifference.ci![0]).toBeCloseTo(row.ci[0]!, 8);
    expect(result.absoluteDifference.ci![1]).toBeCloseTo(row.ci[1]!, 8);
  });
});

// scipy 1.10.1: stats.ttest_ind_from_stats(mB, sB, nB, mA, sA, nA, equal_var=False) → (t, p)
const scipyReference: [number, number, number, number, number, number, number, number][] = [
  [10, 5, 1000, 10.5, 5.5, 1000, 2.127178149057585, 0.03352857425281847],
  [42.5, 80, 12000, 44.1, 85, 11800, 1.4948561785175127, 0.13496531952965946],
  [3.2, 1.1, 25, 2.7, 0.6, 40, -2.0869596778242054, 0.04468171939349802],
];

describe("Welch's t-test on mean and sd (reference: scipy ttest_ind_from_stats)", () => {
  it.each(scipyReference)('%f±%f (n=%i) vs %f±%f (n=%i)', (mA, sA, nA, mB, sB, nB, t, p) => {
    const result = compareMeanSummaries({ n: nA, mean: mA, variance: sA * sA }, { n: nB, mean: mB, variance: sB * sB });
    expect(result.welch.t!).toBeCloseTo(t, 10);
    expect(result.absoluteDifference.pValue!).toBeCloseTo(p, 10);
  });
});

// R 4.2.2 with msm 1.7, same set.seed(42) data sets 1–3 as above:
//   df <- t.test(b, a)$parameter; se <- msm::deltamethod(~ (x2 - x1)/x1, c(mean(a), mean(b)),
//     diag(c(var(a)/length(a), var(b)/length(b)))); est <- (mean(b) - mean(a))/mean(a)
//   c(se, est - qt(.975, df)*se, est + qt(.975, df)*se, 2*pt(-abs(est/se), df))
const liftReference = [
  { a: [200, 4631.4161201898214, 237528.45335654201], b: [220, 4990.4839467049669, 194461.22239035025], se: 0.094880422191205946, ci: [-0.20700408978010262, 0.16614724175741277], p: 0.8296471755827951 },
  { a: [50, 485.96383648700163, 5207.2709966401362], b: [60, 634.95325104283563, 8698.760986259942], se: 0.091643571138623772, ci: [-0.093140820686601331, 0.2707831449689595], p: 0.33493305018605368 },
  { a: [1000, 12809.52655536675, 431575.88302887516], b: [900, 13156.279571736481, 550208.16106940038], se: 0.069432847410713525, ci: [0.0050083305381702359, 0.27736929674674432], p: 0.042157500158968804 },
];

describe('relative lift of means, delta method with Student t at the Welch df (reference: R msm::deltamethod + qt)', () => {
  it.each(liftReference.map((row, i) => [i + 1, row] as const))('R data set %i', (_, row) => {
    const { relativeLift } = compareMean(stats(row.a), stats(row.b));
    const delta = relativeLift.deltaMethod;
    expect(delta.se!).toBeCloseTo(row.se, 9);
    expect(delta.ci![0]).toBeCloseTo(row.ci[0]!, 8);
    expect(delta.ci![1]).toBeCloseTo(row.ci[1]!, 8);
    expect(delta.pValue!).toBeCloseTo(row.p, 9);
  });
});

describe('summaries and degenerate mean input', () => {
  it('sample variance uses n − 1: values 2, 4, 4, 4, 5, 5, 7, 9 have s² = 32/7', () => {
    const values = [2, 4, 4, 4, 5, 5, 7, 9];
    const summary = summarize({ n: 8, sum: 40, sumSquares: values.reduce((s, v) => s + v * v, 0) });
    expect(summary.mean).toBe(5);
    expect(summary.variance).toBeCloseTo(32 / 7, 14);
  });

  it('zero variance in both arms: estimate kept, no test, a reason', () => {
    const result = compareMean({ n: 10, sum: 50, sumSquares: 250 }, { n: 10, sum: 60, sumSquares: 360 });
    expect(result.absoluteDifference.estimate).toBe(1);
    expect(result.absoluteDifference.pValue).toBeNull();
    expect(result.welch).toEqual({ t: null, df: null });
    expect(result.reason).toMatch(/zero variance/);
  });

  it('control mean 0: lift undefined, absolute difference tested', () => {
    const result = compareMean({ n: 4, sum: 0, sumSquares: 8 }, { n: 4, sum: 4, sumSquares: 10 });
    expect(result.relativeLift.estimate).toBeNull();
    expect(result.absoluteDifference.pValue).not.toBeNull();
    expect(result.reason).toMatch(/control mean is 0/);
  });

  it('one unit in an arm: no variance estimate, a reason', () => {
    const result = compareMean({ n: 1, sum: 5, sumSquares: 25 }, { n: 10, sum: 60, sumSquares: 400 });
    expect(result.absoluteDifference.pValue).toBeNull();
    expect(result.reason).toMatch(/at least 2 units/);
  });
});
