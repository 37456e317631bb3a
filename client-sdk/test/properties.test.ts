import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignVariant } from '../src/index.js';
import type { SdkExperiment } from '../src/index.js';

const N = 100_000;
// Chi-square critical values at p = 0.001 (R: qchisq(0.999, df)); a deterministic id set
// either passes or fails every run, so the tolerance is set for real defects, not noise.
const CRITICAL_0_001: Record<number, number> = { 1: 10.828, 2: 13.816, 3: 16.266, 4: 18.467 };

const experiment = (key: string, weights: number[], extra: Partial<SdkExperiment> = {}): SdkExperiment => ({
  key,
  variants: weights.map((weight, i) => ({ key: `v${i}`, weight })),
  ...extra,
});

function chiSquare(observed: number[], expected: number[]): number {
  return observed.reduce((sum, o, i) => sum + (o - expected[i]!) ** 2 / expected[i]!, 0);
}

describe('uniform split (chi-square over 100,000 ids)', () => {
  it.each([
    [[0.5, 0.5]],
    [[0.2, 0.3, 0.5]],
    [[0.25, 0.25, 0.25, 0.25]],
    [[0.1, 0.15, 0.2, 0.25, 0.3]],
  ])('weights %j', (weights) => {
    const e = experiment(`split-${weights.length}`, weights);
    const counts = weights.map(() => 0);
    for (let i = 0; i < N; i++) counts[assignVariant(e, `unit-${i}`)!.variantIndex]!++;
    const chi = chiSquare(counts, weights.map((w) => w * N));
    console.log(`weights ${JSON.stringify(weights)}: counts ${JSON.stringify(counts)}, chi-square ${chi.toFixed(2)}`);
    expect(chi).toBeLessThan(CRITICAL_0_001[weights.length - 1]!);
  });
});

describe('independence of two salts', () => {
  it('the contingency table of two 2-variant experiments shows no association', () => {
    const a = experiment('homepage-banner', [0.5, 0.5]);
    const b = experiment('checkout-button', [0.5, 0.5]);
    const table = [[0, 0], [0, 0]];
    for (let i = 0; i < N; i++) {
      table[assignVariant(a, `visitor-${i}`)!.variantIndex]![assignVariant(b, `visitor-${i}`)!.variantIndex]!++;
    }
    const rows = table.map((r) => r[0]! + r[1]!);
    const cols = [table[0]![0]! + table[1]![0]!, table[0]![1]! + table[1]![1]!];
    let chi = 0;
    for (let r = 0; r < 2; r++) for (let c = 0; c < 2; c++) {
      const expected = (rows[r]! * cols[c]!) / N;
      chi += (table[r]![c]! - expected) ** 2 / expected;
    }
    expect(chi).toBeLessThan(CRITICAL_0_001[1]!);
  });

  it('same key, different salts: agreement is about chance (fast-check over salts)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (s1, s2) => {
        fc.pre(s1 !== s2);
        let same = 0;
        for (let i = 0; i < 2000; i++) {
          same += +(assignVariant(experiment('x', [0.5, 0.5], { salt: s1 }), `u${i}`)!.variantIndex ===
            assignVariant(experiment('x', [0.5, 0.5], { salt: s2 }), `u${i}`)!.variantIndex);
        }
        // Binomial(2000, 0.5): mean 1000, sd 22.4; ±6 sd.
        return Math.abs(same - 1000) < 135;
      }),
      { numRuns: 30, seed: 42 },
    );
  });
});

describe('coverage ramp', () => {
  it('raising coverage never moves an assigned unit to another variant', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 2, maxLength: 5 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.string(), { minLength: 1, maxLength: 50 }),
        (raw, c1, c2, ids) => {
          const total = raw.reduce((a, b) => a + b, 0);
          const weights = raw.map((r) => r / total);
          const [low, high] = c1 < c2 ? [c1, c2] : [c2, c1];
          for (const id of ids) {
            const before = assignVariant(experiment('ramp', weights, { coverage: low }), id, undefined, () => {});
            const after = assignVariant(experiment('ramp', weights, { coverage: high }), id, undefined, () => {});
            if (before && after?.variantIndex !== before.variantIndex) return false;
          }
          return true;
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });

  it('a 10% → 50% → 100% ramp over 20,000 ids keeps every unit', () => {
    const seen = new Map<string, number>();
    for (const coverage of [0.1, 0.5, 1]) {
      const e = experiment('ramp-steps', [0.3, 0.7], { coverage });
      let included = 0;
      for (let i = 0; i < 20_000; i++) {
        const a = assignVariant(e, `id-${i}`);
        if (!a) continue;
        included++;
        const previous = seen.get(`id-${i}`);
        if (previous !== undefined) expect(a.variantIndex).toBe(previous);
        seen.set(`id-${i}`, a.variantIndex);
      }
      expect(Math.abs(included / 20_000 - coverage)).toBeLessThan(0.02);
    }
  });
});

describe('namespaces', () => {
  it('disjoint ranges never share a unit', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.string({ minLength: 1 }), fc.array(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 100 }), (split, id, units) => {
        const left = experiment('left', [0.5, 0.5], { namespace: { id, range: [0, split] } });
        const right = experiment('right', [0.2, 0.8], { namespace: { id, range: [split, 1] } });
        return units.every((u) => !(assignVariant(left, u) && assignVariant(right, u)));
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('a namespace range takes its share of traffic', () => {
    const e = experiment('ns-share', [0.5, 0.5], { namespace: { id: 'layer', range: [0.2, 0.5] } });
    let inside = 0;
    for (let i = 0; i < N; i++) if (assignVariant(e, `unit-${i}`)) inside++;
    expect(Math.abs(inside / N - 0.3)).toBeLessThan(0.01);
  });
});

describe('determinism', () => {
  it('same input, same answer', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ unit: 'grapheme' }), (key, id) => {
        const e = experiment(key || 'k', [0.4, 0.6]);
        return JSON.stringify(assignVariant(e, id)) === JSON.stringify(assignVariant(structuredClone(e), id));
      }),
      { seed: 3 },
    );
  });
});
