import { describe, expect, it } from 'vitest';
import { sampleSizePerVariant } from '../stats/index.js';
import { progressToward } from './progress.js';

const start = new Date('2026-11-01T00:00:00Z');
const end = new Date('2026-11-05T00:00:00Z');
const base = { alpha: 0.05, startedAt: start, end, controlVariance: null };

describe('progressToward', () => {
  it('plans a conversion metric from the control baseline and projects the days left', () => {
    const p = progressToward({ ...base, metric: { key: 'purchase', type: 'conversion' }, minimumDetectableEffect: 0.1, units: [4000, 2000], controlMean: 0.05 });
    const planned = sampleSizePerVariant({ baseline: 0.05, mde: 0.1, mdeType: 'relative', alpha: 0.05, power: 0.8 });
    expect(p.requiredPerVariant).toBe(planned.perVariant);
    expect(p.progress).toBeCloseTo(2000 / planned.perVariant!, 12);
    expect(p.daysElapsed).toBe(4);
    // The slower arm (500 a day) decides.
    expect(p.daysRemaining).toBe(Math.ceil((planned.perVariant! - 2000) / 500));
  });

  it('does not extrapolate minutes of traffic to a daily rate: projections wait for a full day', () => {
    const early = new Date(start.getTime() + 10 * 60 * 1000);
    const p = progressToward({ ...base, end: early, metric: { key: 'purchase', type: 'conversion' }, minimumDetectableEffect: 0.1, units: [300, 300], controlMean: 0.05 });
    expect(p.progress).toBeGreaterThan(0);
    expect(p.dailyUnits).toBeNull();
    expect(p.daysRemaining).toBeNull();
    expect(p.reason).toMatch(/less than a day/);
  });

  it('plans a revenue metric with the normal formula', () => {
    const p = progressToward({ ...base, metric: { key: 'revenue', type: 'revenue' }, minimumDetectableEffect: 0.1, units: [100, 100], controlMean: 5, controlVariance: 400 });
    // 2·(1.959964 + 0.841621)²·400 / 0.5² = 25116.4 → 25117 (R: ceiling(2*(qnorm(.975)+qnorm(.8))^2*400/.25))
    expect(p.requiredPerVariant).toBe(25117);
  });

  it('says why when it cannot plan', () => {
    expect(progressToward({ ...base, metric: null, minimumDetectableEffect: 0.1, units: [0, 0], controlMean: null }).reason).toMatch(/no primary metric/);
    expect(progressToward({ ...base, metric: { key: 'p', type: 'conversion' }, minimumDetectableEffect: null, units: [1, 1], controlMean: 0.1 }).reason).toMatch(/minimumDetectableEffect/);
    expect(progressToward({ ...base, metric: { key: 'p', type: 'conversion' }, minimumDetectableEffect: 0.1, units: [0, 0], controlMean: null }).reason).toMatch(/baseline/);
    expect(progressToward({ ...base, metric: { key: 'p', type: 'ratio' }, minimumDetectableEffect: 0.1, units: [9, 9], controlMean: 1 }).reason).toMatch(/ratio/);
  });
});
