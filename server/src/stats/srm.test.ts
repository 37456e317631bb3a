import { describe, expect, it } from 'vitest';
import { srmTest } from './srm.js';

// R 4.2.2: r <- chisq.test(observed, p = weights, rescale.p = TRUE); c(r$statistic, r$p.value)
const reference: [number[], number[], number, number][] = [
  [[5000, 5000], [0.5, 0.5], 0, 1],
  [[5050, 4950], [1, 1], 1, 0.31731050786291415],
  [[10300, 9700], [0.5, 0.5], 18, 2.2090496998585445e-5],
  [[1000, 1000, 1080], [1, 1, 1], 4.1558441558441563, 0.12519007734096468],
  [[9000, 1100], [0.9, 0.1], 8.9108910891089117, 0.002834749080259393],
  [[4900, 2550, 2550], [2, 1, 1], 4, 0.1353352832366127],
  [[333, 350, 310, 370], [0.25, 0.25, 0.25, 0.25], 5.7131327953044755, 0.12643231722071163],
  [[50210, 49790], [0.5, 0.5], 1.764, 0.18412637278497954],
  [[100, 130], [3, 4], 0.036231884057970815, 0.84903742446912611],
];

describe('sample ratio mismatch, Pearson chi-square (reference: R chisq.test)', () => {
  it.each(reference)('%j against weights %j', (observed, weights, chiSquare, p) => {
    const result = srmTest(observed, weights);
    expect(result.chiSquare!).toBeCloseTo(chiSquare, 10);
    expect(result.df).toBe(observed.length - 1);
    expect(result.pValue!).toBeCloseTo(p, 12);
    expect(result.mismatch).toBe(p < 0.001);
  });

  it('flags 10300 vs 9700 on a 50/50 split (p = 2.2e-5 < 0.001)', () => {
    expect(srmTest([10300, 9700], [0.5, 0.5]).mismatch).toBe(true);
  });

  it('drops weight-0 arms: equals the test on the remaining arms', () => {
    const dropped = srmTest([5050, 17, 4950], [0.5, 0, 0.5]);
    expect(dropped.df).toBe(1);
    expect(dropped.pValue!).toBeCloseTo(0.31731050786291415, 12);
  });

  it('undefined cases give nulls and a reason, never a mismatch', () => {
    for (const [observed, weights] of [
      [[0, 0], [0.5, 0.5]],
      [[100], [1]],
      [[100, 50], [1, 0]],
      [[100, 50], [1]],
      [[100, 50], [1, -1]],
    ] as [number[], number[]][]) {
      const result = srmTest(observed, weights);
      expect(result.pValue).toBeNull();
      expect(result.mismatch).toBe(false);
      expect(result.reason).toBeDefined();
    }
  });
});
