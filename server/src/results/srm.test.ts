import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import type { Harness } from '../test/harness.js';
import { phaseAwareSrm } from './srm.js';
import { type Clock, DAY, T0, at, insertExposureSeries, results, resultsHarness, setPhases, startedExperiment } from './test-support.js';

describe('phaseAwareSrm (pure)', () => {
  const phase = (n: number, weights: number[]) => ({ phase: n, startedAt: at(n * DAY), endedAt: null, coverage: 1, weights });

  it('tests each phase against its own weights and adds the chi-squares', () => {
    const report = phaseAwareSrm(
      [phase(0, [0.9, 0.1]), phase(1, [0.5, 0.5])],
      [
        { phase: 0, variantIndex: 0, units: 900 },
        { phase: 0, variantIndex: 1, units: 100 },
        { phase: 1, variantIndex: 0, units: 2000 },
        { phase: 1, variantIndex: 1, units: 2000 },
      ],
      [0.5, 0.5],
    );
    expect(report.phases.map((p) => p.chiSquare)).toEqual([0, 0]);
    expect(report).toMatchObject({ mismatch: false, chiSquare: 0, df: 2, pValue: 1 });
  });

  it('reports units outside every phase and stays defined without units', () => {
    const report = phaseAwareSrm([phase(0, [0.5, 0.5])], [{ phase: null, variantIndex: 0, units: 7 }], [0.5, 0.5]);
    expect(report.unitsOutsidePhases).toBe(7);
    expect(report).toMatchObject({ mismatch: false, chiSquare: null, pValue: null });
    expect(report.reason).toBeTruthy();
  });

  it('falls back to the current weights when there is no phase', () => {
    const report = phaseAwareSrm([], [{ phase: null, variantIndex: 0, units: 450 }, { phase: null, variantIndex: 1, units: 550 }], [0.5, 0.5]);
    expect(report.phases[0]!.phase).toBeNull();
    expect(report.chiSquare).toBeCloseTo(10, 12);
  });
});

describeEachEngine('results: phase-aware SRM', (getDb) => {
  let h: Harness;
  let clock: Clock;
  beforeAll(async () => {
    ({ h, clock } = await resultsHarness(getDb().db));
  });

  it('a coverage ramp raises no alarm', async () => {
    const db = getDb().db;
    clock.now = T0;
    const id = await startedExperiment(h, db, 'ramp-test');
    await setPhases(db, id, [
      { startedAt: T0, endedAt: at(2 * DAY), coverage: 0.1, weights: [0.5, 0.5] },
      { startedAt: at(2 * DAY), endedAt: at(4 * DAY), coverage: 0.5, weights: [0.5, 0.5] },
      { startedAt: at(4 * DAY), endedAt: null, coverage: 1, weights: [0.5, 0.5] },
    ]);
    await insertExposureSeries(db, id, { prefix: 'ramp-a-', count: 400, controlPercent: 50, start: T0, spacingMs: 60_000 });
    await insertExposureSeries(db, id, { prefix: 'ramp-b-', count: 2000, controlPercent: 50, start: at(2 * DAY), spacingMs: 60_000 });
    await insertExposureSeries(db, id, { prefix: 'ramp-c-', count: 4000, controlPercent: 50, start: at(4 * DAY), spacingMs: 30_000 });
    clock.now = at(6 * DAY);
    const body = await results(h, 'ramp-test');
    expect(body.srm.mismatch).toBe(false);
    expect(body.srm.phases.map((p: any) => p.units)).toEqual([[200, 200], [1000, 1000], [2000, 2000]]);
    expect(body.srm.phases.map((p: any) => p.coverage)).toEqual([0.1, 0.5, 1]);
  });

  it('a weight change between phases raises no alarm, though the pooled split is far from the current weights', async () => {
    const db = getDb().db;
    clock.now = T0;
    const id = await startedExperiment(h, db, 'reweight-test');
    await setPhases(db, id, [
      { startedAt: T0, endedAt: at(DAY), coverage: 1, weights: [0.9, 0.1] },
      { startedAt: at(DAY), endedAt: null, coverage: 1, weights: [0.5, 0.5] },
    ]);
    await insertExposureSeries(db, id, { prefix: 'rw-a-', count: 2000, controlPercent: 90, start: T0, spacingMs: 30_000 });
    await insertExposureSeries(db, id, { prefix: 'rw-b-', count: 2000, controlPercent: 50, start: at(DAY), spacingMs: 30_000 });
    clock.now = at(3 * DAY);
    const body = await results(h, 'reweight-test');
    expect(body.variants.map((v: any) => v.units)).toEqual([2800, 1200]); // far from 50/50 …
    expect(body.srm.mismatch).toBe(false); // … as the phases said
  });

  it('a real 45/55 imbalance on a 50/50 split raises the alarm', async () => {
    const db = getDb().db;
    clock.now = T0;
    const id = await startedExperiment(h, db, 'imbalance-test');
    await insertExposureSeries(db, id, { prefix: 'im-', count: 4000, controlPercent: 45, start: at(60_000), spacingMs: 60_000 });
    clock.now = at(4 * DAY);
    const body = await results(h, 'imbalance-test');
    expect(body.variants.map((v: any) => v.units)).toEqual([1800, 2200]);
    expect(body.srm.mismatch).toBe(true);
    expect(body.srm.pValue).toBeLessThan(0.001);
    expect(body.reasons.join(' ')).toContain('sample ratio mismatch');
  });
});
