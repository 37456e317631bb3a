// Assignments per second over 1,000,000 distinct ids, same machine, same run:
//   - Touchpoint assignVariant (design.md §4: UTF-8 + MurmurHash3 + coverage ranges),
//   - GrowthBook's GrowthBookClient.runInlineExperiment (its many-users path, no tracking callback),
//   - the bare murmurhash3js x86.hash32 of the same id strings (the floor any murmur-based SDK pays).
// Each contender runs ROUNDS times over all ids after a warm-up; the best round is reported
// (least disturbed by GC and other processes). Run: npm run bench -w client-sdk
import { GrowthBookClient } from '@growthbook/growthbook';
import type { Experiment } from '@growthbook/growthbook';
import murmur from 'murmurhash3js';
import { assignVariant } from '../src/index.js';
import type { SdkExperiment } from '../src/index.js';

const N = 1_000_000;
const ROUNDS = 7;
const ids = Array.from({ length: N }, (_, i) => `visitor-${i.toString(36)}-${(i * 2654435761) >>> 0}`);

const experiment: SdkExperiment = {
  key: 'checkout-cta-copy',
  salt: 'checkout-cta-copy',
  variants: [{ key: 'control', weight: 0.5, payload: null }, { key: 'urgent', weight: 0.5, payload: null }],
  coverage: 1,
  namespace: null,
  targeting: null,
};

const gb = new GrowthBookClient({}); // no trackingCallback: tracking off
const gbExperiment: Experiment<string> = { key: 'checkout-cta-copy', variations: ['control', 'urgent'], weights: [0.5, 0.5], coverage: 1 };

type Contender = { name: string; run: (ids: string[]) => number };
// One loop per contender (not a shared loop calling a closure) so each call site stays
// monomorphic, as in a real page where one function is called over and over.
const contenders: Contender[] = [
  {
    name: 'touchpoint assignVariant',
    run: (xs) => {
      let sink = 0;
      for (let i = 0; i < xs.length; i++) sink += assignVariant(experiment, xs[i]!)?.variantIndex ?? -1;
      return sink;
    },
  },
  {
    name: 'growthbook runInlineExperiment',
    run: (xs) => {
      let sink = 0;
      for (let i = 0; i < xs.length; i++) sink += gb.runInlineExperiment(gbExperiment, { attributes: { id: xs[i]! } }).variationId;
      return sink;
    },
  },
  {
    name: 'bare murmurhash3js, ids',
    run: (xs) => {
      let sink = 0;
      for (let i = 0; i < xs.length; i++) sink += murmur.x86.hash32(xs[i]!) & 1;
      return sink;
    },
  },
  {
    // What the contract makes any SDK hash: salt + "." + id (design.md §4 step 2).
    name: 'bare murmurhash3js, salt.id',
    run: (xs) => {
      let sink = 0;
      for (let i = 0; i < xs.length; i++) sink += murmur.x86.hash32('checkout-cta-copy.' + xs[i]!) & 1;
      return sink;
    },
  },
];

// Rounds are interleaved (A B C D, A B C D, …) so that a burst of load on the machine hits every
// contender alike; the best round of each is kept.
const warm = ids.slice(0, 200_000);
for (const c of contenders) c.run(warm);
const best = new Map<string, number>(contenders.map((c) => [c.name, 0]));
const sinks = new Map<string, number>(contenders.map((c) => [c.name, 0]));
for (let r = 0; r < ROUNDS; r++) {
  for (const c of contenders) {
    const start = process.hrtime.bigint();
    const sink = c.run(ids);
    const rate = N / (Number(process.hrtime.bigint() - start) / 1e9);
    best.set(c.name, Math.max(best.get(c.name)!, rate));
    sinks.set(c.name, sinks.get(c.name)! + sink);
  }
}
for (const c of contenders) {
  console.log(`${c.name.padEnd(32)} ${(best.get(c.name)! / 1e6).toFixed(2).padStart(6)} M/s  (checksum ${sinks.get(c.name)})`);
}

const [ours, growthbook, bareIds, bareSalted] = contenders.map((c) => best.get(c.name)!) as [number, number, number, number];
console.log(`\nnode ${process.version}, ${N.toLocaleString('en')} distinct ids, best of ${ROUNDS} interleaved rounds`);
console.log(`touchpoint / growthbook           = ${(ours / growthbook).toFixed(2)}x  (target >= 4x)`);
console.log(`touchpoint / bare hash of the ids = ${((ours / bareIds) * 100).toFixed(1)}%  (target >= 70%)`);
console.log(`touchpoint / bare hash of salt.id = ${((ours / bareSalted) * 100).toFixed(1)}%  (the string design.md §4 hashes)`);
