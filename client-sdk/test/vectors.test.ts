import { describe, expect, it } from 'vitest';
import { assignVariant, bucket, evaluateCondition, hash } from '../src/index.js';
import type { Attributes, Condition, SdkExperiment } from '../src/index.js';
import { referenceHash } from './murmur-reference.js';
import vectors from './vectors.json';

interface AssignVector {
  experiment: SdkExperiment;
  unitId: string;
  attributes?: Attributes;
  expected: { variantIndex: number; variantKey: string } | null;
}

// The independent reading of design.md §4 (no normalisation or guards needed for well-formed input).
function referenceAssign(e: SdkExperiment, unitId: string) {
  if (unitId === '') return null;
  const b = (s: string) => referenceHash(s) / 2 ** 32;
  if (e.namespace) {
    const u = b(`${e.namespace.id}__${unitId}`);
    if (!(e.namespace.range[0] <= u && u < e.namespace.range[1])) return null;
  }
  const u = b(`${e.salt || e.key}.${unitId}`);
  let cumulative = 0;
  for (const [i, v] of e.variants!.entries()) {
    if (cumulative <= u && u < cumulative + (e.coverage ?? 1) * v.weight) return { variantIndex: i, variantKey: v.key };
    cumulative += v.weight;
  }
  return null;
}

describe('design.md §4 published vectors', () => {
  const cta: SdkExperiment = { key: 'cta-color', salt: 'cta-color', coverage: 1, variants: [{ key: 'a', weight: 0.5 }, { key: 'b', weight: 0.5 }] };
  const pdp: SdkExperiment = { key: 'pdp-gallery', salt: 'pdp-gallery', coverage: 0.5, variants: [{ key: 'a', weight: 0.9 }, { key: 'b', weight: 0.1 }] };

  it.each([
    ['user-1', 4171401059, 0.813415, 1],
    ['user-3', 727869179, 0.449911, 0],
    ['alice', 1280413405, 0.599859, 1],
  ])('%s', (unitId, h, b, index) => {
    expect(hash(unitId)).toBe(h);
    expect(bucket(`cta-color.${unitId}`)).toBeCloseTo(b, 6);
    expect(assignVariant(cta, unitId)?.variantIndex).toBe(index);
  });

  it('hello', () => expect(hash('hello')).toBe(613153351));

  it('pdp-gallery with coverage 0.5', () => {
    expect(assignVariant(pdp, 'user-1')?.variantIndex).toBe(0);
    expect(assignVariant(pdp, 'user-3')).toBeNull();
    expect(assignVariant(pdp, 'user-5')?.variantIndex).toBe(0);
  });
});

describe('test/vectors.json', () => {
  it('has the published vectors and non-ASCII, empty and long inputs', () => {
    const inputs = vectors.hash.map((v) => v.input);
    expect(inputs).toEqual(expect.arrayContaining(['user-1', '', 'café', '日本', '😀']));
    expect(inputs.some((s) => s.length >= 1000)).toBe(true);
    expect(vectors.hash.find((v) => v.input === 'user-1')?.hash).toBe(4171401059);
  });

  it.each(vectors.hash)('hash($input)', ({ input, hash: expected }) => {
    expect(hash(input)).toBe(expected);
    expect(referenceHash(input)).toBe(expected);
  });

  it.each(vectors.bucket)('bucket($input)', ({ input, bucket: expected }) => {
    expect(bucket(input)).toBe(expected);
    expect(referenceHash(input) / 2 ** 32).toBe(expected);
  });

  it(`${vectors.assign.length} assignments match the implementation and the reference`, () => {
    for (const v of vectors.assign as AssignVector[]) {
      const got = assignVariant(v.experiment, v.unitId, v.attributes, () => {});
      expect(got && { variantIndex: got.variantIndex, variantKey: got.variantKey }, JSON.stringify(v).slice(0, 120)).toEqual(v.expected);
      if (!v.attributes) expect(referenceAssign(v.experiment, v.unitId)).toEqual(v.expected);
    }
  });

  it('covers coverage < 1, namespaces, 2–5 variants and exclusions', () => {
    const assign = vectors.assign as AssignVector[];
    expect(assign.some((v) => (v.experiment.coverage ?? 1) < 1 && v.expected === null)).toBe(true);
    expect(assign.some((v) => v.experiment.namespace && v.expected === null)).toBe(true);
    expect(assign.some((v) => v.experiment.namespace && v.expected !== null)).toBe(true);
    for (const k of [2, 3, 4, 5]) expect(assign.some((v) => v.experiment.variants!.length === k)).toBe(true);
    expect(assign.some((v) => v.expected?.variantIndex === 4)).toBe(true);
  });

  it.each(vectors.targeting.map((v, i) => ({ ...v, i })))('targeting #$i', ({ condition, attributes, expected }) => {
    expect(evaluateCondition(condition as Condition, attributes as Attributes, () => {})).toBe(expected);
  });
});
