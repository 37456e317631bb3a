/**
 * Seeded random draws for the simulation tests. Simulations draw sufficient
 * statistics directly (binomial counts, the sample mean and variance of normal
 * data) instead of individual units, so thousands of experiments stay cheap.
 * Test-only: never imported by the module itself.
 */

export type Random = () => number;

/** mulberry32: a small 32-bit PRNG with a full 2³² period; ample for tests. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal by Box–Muller (the cosine branch only; simplicity over speed). */
export function normal(random: Random): number {
  let u = random();
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/**
 * Binomial(n, p) exactly, by geometric waiting times between successes:
 * O(n·min(p, 1 − p)) expected work, fine for the counts we simulate.
 */
export function binomial(random: Random, n: number, p: number): number {
  if (p <= 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomial(random, n, 1 - p);
  const logQ = Math.log1p(-p);
  let count = 0;
  let position = 0;
  for (;;) {
    position += Math.floor(Math.log(1 - random()) / logQ) + 1;
    if (position > n) return count;
    count++;
  }
}

/** Gamma(shape, 1) by Marsaglia & Tsang (2000), boosted for shape < 1. */
export function gamma(random: Random, shape: number): number {
  if (shape < 1) return gamma(random, shape + 1) * random() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/**
 * Sufficient statistics {n, Σy, Σy²} of n iid N(μ, σ²) draws, drawn directly:
 * ȳ ~ N(μ, σ²/n) independent of (n − 1)s²/σ² ~ χ²_{n−1} = 2·Gamma((n − 1)/2).
 */
export function normalSufficientStats(random: Random, n: number, mean: number, sd: number) {
  const sampleMean = mean + (sd / Math.sqrt(n)) * normal(random);
  const sumOfSquaredDeviations = sd * sd * 2 * gamma(random, (n - 1) / 2);
  return { n, sum: n * sampleMean, sumSquares: sumOfSquaredDeviations + n * sampleMean * sampleMean };
}
