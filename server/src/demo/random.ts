/** Seeded randomness for the demo traffic: the same seed gives the same visitors on every run. */

export interface Random {
  /** Uniform in [0, 1). */
  (): number;
}

/** Mulberry32: small, fast, good enough for simulation (not for secrets). */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform in [min, max). */
export const uniform = (random: Random, min: number, max: number): number => min + (max - min) * random();

/** Standard normal by Box–Muller. */
export function normal(random: Random): number {
  const u = 1 - random(); // (0, 1]: log(0) never happens
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** One of `choices`, with probability proportional to `share`. */
export function pick<T extends { share: number }>(random: Random, choices: readonly T[]): T {
  const total = choices.reduce((sum, c) => sum + c.share, 0);
  let u = random() * total;
  for (const choice of choices) {
    u -= choice.share;
    if (u < 0) return choice;
  }
  return choices[choices.length - 1]!;
}
