import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_FUTURE_SKEW_MS } from '../events/classify.js';
import type { MetricDefinition } from './definitions.js';
import {
  type ExposureDayStats,
  RECEIVE_MARGIN_MS,
  REFRESH_STATE_VERSION,
  type RefreshState,
  changedDays,
  dayFingerprints,
  definitionsFingerprint,
  eventRelevance,
  mergeDayRows,
  mergeFunnelRows,
  parseRefreshState,
  planRefresh,
  unitsByPhaseOf,
} from './incremental.js';
import { type FunnelRow, type GroupRow, emptyMetricStats } from './sufficient-stats.js';

const metric = (overrides: Partial<MetricDefinition> = {}): MetricDefinition => ({
  key: 'purchase', name: 'Purchase', type: 'conversion', role: 'primary', eventName: 'purchase', steps: null,
  numerator: null, denominator: null, attributionHours: 72, direction: 'increase', ...overrides,
});
const definitions = {
  metrics: [metric()],
  updatedAt: '2026-11-02T00:00:00.000Z',
  startedAt: '2026-11-02T00:00:00.000Z',
  stoppedAt: null,
  variants: [{ key: 'control', weight: 0.5 }, { key: 'b', weight: 0.5 }],
};
const row = (day: string, variantIndex: number, units: number): GroupRow => ({
  variantIndex, group: day, groupKind: 'value', units, metrics: [{ ...emptyMetricStats(), converted: units, sum: units }],
});
const exposureDay = (day: string, variantIndex: number, units: number, unitHash = '7', multiple = 0, phase: number | null = 0): ExposureDayStats => ({
  day, variantIndex, phase, units, multiple, unitHash,
});

describe('incremental refresh: what to recompute', () => {
  it('the receive margin covers the future skew ingestion accepts, with room for slow commits', () => {
    expect(RECEIVE_MARGIN_MS).toBeGreaterThan(MAX_FUTURE_SKEW_MS);
    expect(RECEIVE_MARGIN_MS).toBe(10 * 60_000);
  });

  it('the definitions fingerprint changes with anything the rows depend on, and only then', () => {
    const base = definitionsFingerprint(definitions);
    expect(definitionsFingerprint({ ...definitions, metrics: [metric()] })).toBe(base);
    for (const changed of [
      { ...definitions, metrics: [metric({ attributionHours: 24 })] },
      { ...definitions, metrics: [metric({ eventName: 'checkout' })] },
      { ...definitions, metrics: [metric({ role: 'secondary' })] },
      { ...definitions, metrics: [metric(), metric({ key: 'revenue', type: 'revenue' })] },
      { ...definitions, updatedAt: '2026-11-03T00:00:00.000Z' },
      { ...definitions, stoppedAt: '2026-11-04T00:00:00.000Z' },
      { ...definitions, startedAt: null },
      { ...definitions, variants: [{ key: 'control', weight: 0.4 }, { key: 'b', weight: 0.6 }] },
    ]) {
      expect(definitionsFingerprint(changed)).not.toBe(base);
    }
  });

  it('a day changes when a count or the unit hash of one of its variants changes, appears or disappears', () => {
    const before = dayFingerprints([exposureDay('2026-11-02', 0, 3), exposureDay('2026-11-02', 1, 2), exposureDay('2026-11-03', 0, 1)]);
    expect(changedDays(before, dayFingerprints([exposureDay('2026-11-03', 0, 1), exposureDay('2026-11-02', 1, 2), exposureDay('2026-11-02', 0, 3)]))).toEqual([]);
    const cases: [ExposureDayStats[], string[]][] = [
      [[exposureDay('2026-11-02', 0, 2), exposureDay('2026-11-02', 1, 2), exposureDay('2026-11-03', 0, 1)], ['2026-11-02']], // erased
      [[exposureDay('2026-11-02', 0, 2, '7', 1), exposureDay('2026-11-02', 1, 2), exposureDay('2026-11-03', 0, 1)], ['2026-11-02']], // flipped
      [[exposureDay('2026-11-02', 0, 3), exposureDay('2026-11-02', 1, 2), exposureDay('2026-11-03', 0, 1, '-4')], ['2026-11-03']], // swapped unit
      [[exposureDay('2026-11-02', 0, 3), exposureDay('2026-11-02', 1, 2)], ['2026-11-03']], // day gone
      [[exposureDay('2026-11-01', 1, 1), exposureDay('2026-11-02', 0, 3), exposureDay('2026-11-02', 1, 2), exposureDay('2026-11-03', 0, 1)], ['2026-11-01']], // late
      [[exposureDay('2026-11-02', 0, 3), exposureDay('2026-11-03', 0, 1)], ['2026-11-02']], // variant gone
    ];
    for (const [after, changed] of cases) expect(changedDays(before, dayFingerprints(after))).toEqual(changed);
  });

  it('sums the scan over days into units per phase and variant (the SRM input)', () => {
    const rows = [
      exposureDay('2026-11-02', 0, 3, '1', 1, 0), exposureDay('2026-11-02', 0, 2, '2', 0, 1), exposureDay('2026-11-03', 0, 4, '3', 0, 1),
      exposureDay('2026-11-03', 1, 5, '4', 2, 1), exposureDay('2026-11-01', 1, 1, '5', 0, null),
    ];
    const sorted = unitsByPhaseOf(rows).sort((a, b) => (a.phase ?? -1) - (b.phase ?? -1) || a.variantIndex - b.variantIndex);
    expect(sorted).toEqual([
      { phase: null, variantIndex: 1, units: 1, multiple: 0 },
      { phase: 0, variantIndex: 0, units: 3, multiple: 1 },
      { phase: 1, variantIndex: 0, units: 6, multiple: 0 },
      { phase: 1, variantIndex: 1, units: 5, multiple: 2 },
    ]);
  });

  it('plans a full recompute without a usable state, after a definition change, before the start, on a clock going back, when reconciliation is due', () => {
    const now = new Date('2026-11-05T12:00:00Z');
    const state: RefreshState = {
      version: REFRESH_STATE_VERSION, definitions: 'd', watermark: '2026-11-05T11:59:00.000Z', fullAt: '2026-11-05T11:30:00.000Z',
      exposureDays: {}, dayRows: [], funnelDayRows: {},
    };
    const input = { definitions: 'd', now, started: true, reconcileMs: 3_600_000 };
    expect(planRefresh(state, input)).toEqual({ mode: 'incremental', receivedSince: new Date(Date.parse(state.watermark) - RECEIVE_MARGIN_MS) });
    expect(planRefresh(null, input).mode).toBe('full');
    expect(planRefresh({ ...state, version: REFRESH_STATE_VERSION + 1 }, input).mode).toBe('full');
    expect(planRefresh(state, { ...input, definitions: 'other' })).toMatchObject({ mode: 'full', reason: expect.stringMatching(/definitions/) });
    expect(planRefresh(state, { ...input, started: false }).mode).toBe('full');
    expect(planRefresh(state, { ...input, now: new Date('2026-11-05T11:58:00Z') }).mode).toBe('full');
    expect(planRefresh(state, { ...input, now: new Date('2026-11-05T12:29:59.999Z') }).mode).toBe('incremental');
    expect(planRefresh(state, { ...input, now: new Date('2026-11-05T12:30:00Z') })).toMatchObject({ mode: 'full', reason: 'reconciliation due' });
  });

  it('reads events from the CUPED lookback (when a metric has a covariate) to the longest attribution window', () => {
    expect(eventRelevance([metric(), metric({ type: 'revenue', attributionHours: 24 })])).toEqual({ lookbackDays: 14, horizonHours: 72 });
    expect(eventRelevance([metric({ type: 'funnel', steps: ['a', 'b'], attributionHours: 12 })])).toEqual({ lookbackDays: 0, horizonHours: 12 });
    expect(eventRelevance([metric({ type: 'ratio', attributionHours: 200 }), metric({ attributionHours: null })]).horizonHours).toBeNull();
  });
});

describe('incremental refresh: merging rows', () => {
  const days = ['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-04'];
  const rowsOf = (units: (number | null)[][]) =>
    units.flatMap((perVariant, d) => perVariant.flatMap((n, v) => (n === null ? [] : [row(days[d]!, v, n)])));

  it('keeps the days not recomputed, takes the fresh rows of the others, drops recomputed days without rows; one order', () => {
    const stored = rowsOf([[1, 2], [3, 4], [5, null], [null, null]]);
    const fresh = [row('2026-11-04', 1, 9), row('2026-11-02', 0, 30)];
    const merged = mergeDayRows(stored, fresh, new Set(['2026-11-02', '2026-11-03', '2026-11-04']));
    expect(merged.map((r) => [r.group, r.variantIndex, r.units])).toEqual([
      ['2026-11-01', 0, 1], ['2026-11-01', 1, 2], ['2026-11-02', 0, 30], ['2026-11-04', 1, 9],
    ]);
  });

  it('recomputing any superset of the changed days gives the rows a full computation gives', () => {
    const cell = fc.option(fc.integer({ min: 0, max: 50 }), { nil: null });
    const table = fc.array(fc.array(cell, { minLength: 2, maxLength: 2 }), { minLength: days.length, maxLength: days.length });
    fc.assert(
      fc.property(table, table, fc.subarray(days), (before, after, extra) => {
        const old = rowsOf(before);
        const truth = rowsOf(after);
        const changed = days.filter((_, d) => JSON.stringify(before[d]) !== JSON.stringify(after[d]));
        const dirty = new Set([...changed, ...extra]);
        const fresh = truth.filter((r) => dirty.has(r.group!)).reverse();
        expect(mergeDayRows(old, fresh, dirty)).toEqual(truth);
      }),
      { numRuns: 200 },
    );
  });

  it('merges each funnel, including one with no stored rows yet', () => {
    const f = (day: string, units: number): FunnelRow => ({ variantIndex: 0, group: day, groupKind: 'value', units, reached: [units] });
    const merged = mergeFunnelRows(['a', 'b'], { a: [f('2026-11-01', 1), f('2026-11-02', 2)] }, new Map([['a', [f('2026-11-02', 5)]]]), new Set(['2026-11-02']));
    expect(merged.get('a')!.map((r) => r.units)).toEqual([1, 5]);
    expect(merged.get('b')).toEqual([]);
  });

  it('parses a stored state only when it is complete and of this version', () => {
    const state = { version: REFRESH_STATE_VERSION, definitions: 'd', watermark: 'w', fullAt: 'f', exposureDays: {}, dayRows: [], funnelDayRows: {} };
    expect(parseRefreshState(state)).toEqual(state);
    expect(parseRefreshState(JSON.stringify(state))).toEqual(state);
    expect(parseRefreshState({ ...state, version: 0 })).toBeNull();
    expect(parseRefreshState({ ...state, dayRows: undefined })).toBeNull();
    expect(parseRefreshState(null)).toBeNull();
  });
});
