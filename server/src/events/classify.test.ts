import { describe, expect, it } from 'vitest';
import { MAX_AGE_MS, MAX_FUTURE_SKEW_MS, type ExperimentRef, parseItems, resolveExposures, compareExposureRows, timestampProblem } from './classify.js';

const now = new Date('2026-11-22T12:00:00Z');
const at = (offset: number) => new Date(now.getTime() + offset).toISOString();
const running: ExperimentRef = { id: 7, key: 'cta', status: 'running', archived: false, variants: ['control', 'blue'] };

describe('classify (pure)', () => {
  it('bounds timestamps relative to the receive time, edges included', () => {
    expect(timestampProblem(at(MAX_FUTURE_SKEW_MS), now)).toBeNull();
    expect(timestampProblem(at(MAX_FUTURE_SKEW_MS + 1), now)).toMatch(/future/);
    expect(timestampProblem(at(-MAX_AGE_MS), now)).toBeNull();
    expect(timestampProblem(at(-MAX_AGE_MS - 1), now)).toMatch(/older/);
  });

  it('splits a batch into exposures, events, rejections and in-batch duplicates, keeping indexes', () => {
    const batch = parseItems(
      [
        { id: 'a', type: 'event', unitId: 'u', name: 'purchase', value: 3, timestamp: at(0) },
        { id: 'a', type: 'event', unitId: 'u', name: 'purchase', value: 3, timestamp: at(0) },
        { id: 'b', type: 'exposure', unitId: 'u', experimentKey: 'cta', variantKey: 'blue', timestamp: at(0) },
        'nope',
        { id: 'c', type: 'event', unitId: 'u', name: 'purchase', timestamp: at(MAX_FUTURE_SKEW_MS + 1) },
      ],
      now,
    );
    expect(batch.events.map((e) => [e.index, e.item.id])).toEqual([[0, 'a']]);
    expect(batch.exposures.map((e) => [e.index, e.item.id])).toEqual([[2, 'b']]);
    expect(batch.duplicates).toBe(1);
    expect(batch.rejected).toEqual([
      { index: 3, id: null, reason: 'must be an object' },
      { index: 4, id: 'c', reason: expect.stringMatching(/^timestamp: /) },
    ]);
  });

  it('resolves variant indexes and names why an exposure cannot count', () => {
    const parsed = parseItems(
      ['control', 'blue', 'red'].map((variantKey, i) => ({ id: `x${i}`, type: 'exposure', unitId: 'u', experimentKey: 'cta', variantKey, timestamp: at(0) })),
      now,
    );
    const { rows, rejected } = resolveExposures(parsed.exposures, new Map([['cta', running]]));
    expect(rows.map((r) => [r.itemId, r.experimentId, r.variantIndex])).toEqual([['x0', 7, 0], ['x1', 7, 1]]);
    expect(rejected).toEqual([{ index: 2, id: 'x2', reason: 'variantKey: experiment "cta" has no variant "red"' }]);
    const paused = resolveExposures(parsed.exposures, new Map([['cta', { ...running, status: 'paused' }]]));
    expect(paused.rejected.map((r) => r.reason)).toEqual(Array(3).fill('experimentKey: experiment "cta" is paused; only running experiments take exposures'));
  });

  it('orders exposures by experiment, unit, time, then batch order (the first of a unit is the one that counts)', () => {
    const row = (itemId: string, experimentId: number, unitId: string, offset: number) =>
      ({ itemId, experimentId, unitId, variantIndex: 0, exposedAt: new Date(now.getTime() + offset), attributes: null });
    const sorted = [row('4', 2, 'a', 0), row('3', 1, 'b', 0), row('2', 1, 'a', 5), row('1', 1, 'a', 1), row('0', 1, 'a', 1)].sort(compareExposureRows);
    expect(sorted.map((r) => r.itemId)).toEqual(['1', '0', '2', '3', '4']);
  });
});
