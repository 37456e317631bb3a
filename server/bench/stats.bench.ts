/**
 * Cost of the Bayesian figures of one conversion comparison, in this process:
 *
 *   npm run bench:stats -w server
 *
 * The exact credible interval of the lift (stats/beta-ratio.ts: quadrature + root-finding) against the
 * baseline it replaced, the delta-method normal interval on the posterior moments, and against the
 * exact chance to beat control computed beside it. Counts span small and large experiments. No target:
 * the figure says what a results computation pays per variant and metric (and per segment value).
 */
import { performance } from 'node:perf_hooks';
import { betaPosterior, probabilityBetaGreater } from '../src/stats/index.js';
import type { BetaPosterior } from '../src/stats/index.js';
import { liftCredibleInterval } from '../src/stats/beta-ratio.js';
import { deltaMethodLiftInterval } from '../src/stats/testing/delta-interval.js';

const cases: [number, number, number, number][] = [
  [5, 100, 15, 100],
  [30, 1_000, 45, 1_000],
  [500, 10_000, 560, 10_000],
  [2_000, 50_000, 2_150, 50_000],
  [12_500, 500_000, 12_250, 500_000],
  [3, 1_000_000, 7, 999_000],
];
const pairs = cases.map(([xa, na, xb, nb]) => [betaPosterior({ n: na, conversions: xa }), betaPosterior({ n: nb, conversions: xb })] as const);

/** Median over rounds of the time per call, in ms. */
function time(label: string, fn: (a: BetaPosterior, b: BetaPosterior) => unknown, rounds = 7, reps = 40): number {
  const perCall: number[] = [];
  let sink = 0;
  for (let round = 0; round < rounds + 1; round++) {
    const started = performance.now();
    for (let r = 0; r < reps; r++) for (const [a, b] of pairs) sink += Number(Boolean(fn(a, b)));
    if (round > 0) perCall.push((performance.now() - started) / (reps * pairs.length)); // round 0 warms up
  }
  const median = [...perCall].sort((x, y) => x - y)[Math.floor(perCall.length / 2)]!;
  if (sink === 0) throw new Error(`${label}: no result`); // keeps the results alive
  process.stdout.write(`  ${label.padEnd(44)} ${median.toFixed(4)} ms per comparison\n`);
  return median;
}

process.stdout.write(`Bayesian figures of one conversion comparison (${cases.length} cases, 100 to 1,000,000 units per arm)\n`);
const exact = time('credible interval, exact (beta-ratio.ts)', (a, b) => liftCredibleInterval(a, b, 0.05));
const normal = time('credible interval, delta method (former)', (a, b) => deltaMethodLiftInterval(a, b, 0.05));
const chance = time('chance to beat control, exact sum', (a, b) => probabilityBetaGreater(a, b));
process.stdout.write(`exact interval / delta method: ${(exact / normal).toFixed(0)}×; exact interval / chance to beat: ${(exact / chance).toFixed(1)}×\n`);
process.stdout.write('command: npm run bench:stats -w server\n');
