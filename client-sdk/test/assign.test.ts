import { describe, expect, it, vi } from 'vitest';
import { assignVariant } from '../src/index.js';
import type { SdkExperiment } from '../src/index.js';

const exp = (extra: Partial<SdkExperiment> = {}): SdkExperiment => ({
  key: 'cta-color',
  variants: [{ key: 'control', weight: 0.5, payload: { label: 'Buy' } }, { key: 'green', weight: 0.5, payload: { label: 'Buy now' } }],
  ...extra,
});

describe('assignVariant', () => {
  it('returns the variant key, index and payload; the salt defaults to the key', () => {
    expect(assignVariant(exp(), 'user-1')).toEqual({ variantKey: 'green', variantIndex: 1, payload: { label: 'Buy now' } });
    expect(assignVariant(exp({ salt: '' }), 'user-1')).toEqual(assignVariant(exp({ salt: 'cta-color' }), 'user-1'));
  });

  it('a payload-less variant gives payload null', () => {
    expect(assignVariant({ key: 'cta-color', variants: [{ key: 'a', weight: 0.5 }, { key: 'b', weight: 0.5 }] }, 'user-3')?.payload).toBeNull();
  });

  it('an empty or missing unit id is not in the experiment', () => {
    expect(assignVariant(exp(), '')).toBeNull();
    expect(assignVariant(exp(), undefined as unknown as string)).toBeNull();
    expect(assignVariant(exp(), 42 as unknown as string)).toBeNull();
  });

  it('applies targeting', () => {
    const e = exp({ targeting: { attribute: 'country', op: 'in', value: ['FR', 'BE'] } });
    expect(assignVariant(e, 'user-1', { country: 'FR' })?.variantIndex).toBe(1);
    expect(assignVariant(e, 'user-1', { country: 'DE' })).toBeNull();
    expect(assignVariant(e, 'user-1')).toBeNull();
  });

  it('bad weights fall back to an equal split with one warning per experiment', () => {
    const warn = vi.fn();
    const e = exp({ variants: [{ key: 'a', weight: Number.NaN }, { key: 'b', weight: -1 }] });
    const counts = [0, 0];
    for (let i = 0; i < 1000; i++) counts[assignVariant(e, `u${i}`, undefined, warn)!.variantIndex]!++;
    expect(counts[0]! > 400 && counts[1]! > 400).toBe(true);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/bad weights/);
  });

  it('weights that do not sum to 1 are normalised', () => {
    const warn = vi.fn();
    const scaled = exp({ variants: [{ key: 'a', weight: 1 }, { key: 'b', weight: 1 }] });
    for (let i = 0; i < 200; i++) {
      expect(assignVariant(scaled, `u${i}`, undefined, warn)?.variantKey).toBe(assignVariant(exp(), `u${i}`)?.variantKey === 'control' ? 'a' : 'b');
    }
    expect(warn.mock.calls[0]![0]).toMatch(/normalised, sum 2/);
  });

  it('coverage is clamped; non-numbers mean 1', () => {
    const warn = vi.fn();
    expect(assignVariant(exp({ coverage: -3 }), 'user-1', undefined, warn)).toBeNull();
    expect(assignVariant(exp({ coverage: 7 }), 'user-1', undefined, warn)?.variantIndex).toBe(1);
    expect(assignVariant(exp({ coverage: 'x' as unknown as number }), 'user-1', undefined, warn)?.variantIndex).toBe(1);
    expect(warn).toHaveBeenCalledTimes(3);
  });

  it('malformed namespaces, variants or targeting exclude the unit without throwing', () => {
    const warn = vi.fn();
    expect(assignVariant(exp({ namespace: { id: 'x', range: [0.8, 0.2] } }), 'user-1', undefined, warn)).toBeNull();
    expect(assignVariant(exp({ variants: [] }), 'user-1', undefined, warn)).toBeNull();
    expect(assignVariant(exp({ targeting: { attribute: 'a', op: 'bogus' } as never }), 'user-1', {}, warn)).toBeNull();
    expect(assignVariant(null as unknown as SdkExperiment, 'user-1', undefined, warn)).toBeNull();
    expect(warn).toHaveBeenCalledTimes(3);
  });

  it('a weight-0 variant never gets a unit', () => {
    const e = exp({ variants: [{ key: 'a', weight: 0 }, { key: 'b', weight: 1 }] });
    for (let i = 0; i < 1000; i++) expect(assignVariant(e, `u${i}`)?.variantKey).toBe('b');
  });
});
