/**
 * The core property of the incremental refresh: after any sequence of traffic, erasures and clock
 * moves, an incremental refresh gives exactly the document a full computation gives at the same
 * `now` (everything but the `snapshot` meta). Random sequences (fast-check, the repo's pinned seed)
 * go through POST /sdk/events and DELETE /api/units/:unitId, so `received_at` is what ingestion
 * writes. Identify links between the units (chains, second accounts, links after the events) are
 * part of the traffic: a link changes which events count for which unit. Values are multiples of 1/4, some offset by 1e9 ('deposit': the case where raw Σy² would
 * lose the variance): a unit's several events then add up exactly in float8 whatever order the plan
 * reads them in (the per-day moments are exact numerics anyway), so the comparison can be exact.
 */
import fc from 'fast-check';
import { type Kysely, sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import type { Database } from '../db/schema.js';
import { MAX_AGE_MS, MAX_FUTURE_SKEW_MS } from '../events/classify.js';
import { getExperiment } from '../experiments/repository.js';
import { describeEachEngine } from '../test/engines.js';
import type { Harness } from '../test/harness.js';
import { computeResults } from './compute.js';
import { refreshSnapshot } from './service.js';
import { type Clock, DAY, HOUR, type SdkItem, documentOf, resultsHarness, sendItems, startedExperiment } from './test-support.js';

const MINUTE = 60_000;
const UNITS = 8;
const NAMES = ['view', 'add_to_cart', 'purchase', 'deposit'] as const;

/** Two experiments on the same traffic: one with finite attribution windows only, one with open ones. */
const METRICS = [
  { key: 'eq-revenue', name: 'Revenue', type: 'revenue', eventName: 'purchase', attributionHours: 24 },
  { key: 'eq-aov', name: 'AOV', type: 'ratio', numerator: { eventName: 'purchase', aggregate: 'sum' }, denominator: { eventName: 'purchase', aggregate: 'count' }, attributionHours: 48 },
  { key: 'eq-funnel', name: 'Funnel', type: 'funnel', steps: ['view', 'add_to_cart', 'purchase'], attributionHours: 12 },
  { key: 'eq-revenue-open', name: 'Revenue to the end', type: 'revenue', eventName: 'purchase', attributionHours: null },
  { key: 'eq-cart-ratio', name: 'Carts per view', type: 'ratio', numerator: { eventName: 'add_to_cart', aggregate: 'count' }, denominator: { eventName: 'view', aggregate: 'count' }, attributionHours: null },
  { key: 'eq-cart', name: 'Add to cart', type: 'conversion', eventName: 'add_to_cart', attributionHours: 6 },
  { key: 'eq-deposit', name: 'Deposits near 1e9', type: 'revenue', eventName: 'deposit', attributionHours: 24 },
  { key: 'eq-deposit-open', name: 'Deposits near 1e9 to the end', type: 'revenue', eventName: 'deposit', attributionHours: null },
];
const EXPERIMENTS = {
  finite: { primaryMetric: 'purchase', secondaryMetrics: ['eq-revenue', 'eq-aov', 'eq-deposit'], guardrailMetrics: ['eq-funnel', 'eq-cart'] },
  open: { primaryMetric: 'eq-funnel', secondaryMetrics: ['eq-revenue-open', 'eq-cart-ratio', 'purchase', 'eq-deposit-open'] },
};

/** The value an event of each name carries, from a number of quarters. */
const VALUES: Partial<Record<(typeof NAMES)[number], (quarters: number) => number>> = {
  purchase: (quarters) => quarters / 4,
  deposit: (quarters) => 1e9 + quarters / 4,
};

type Traffic =
  | { type: 'exposure'; unit: number; variant: 0 | 1; offsetMs: number }
  | { type: 'event'; unit: number; name: (typeof NAMES)[number]; quarters: number; offsetMs: number }
  | { type: 'identify'; unit: number; toNext: number; offsetMs: number };
/** `lagMs`: time between receiving the items and the refresh (a refresh rarely runs at the same instant). */
type Step = { kind: 'traffic'; items: Traffic[]; lagMs: number } | { kind: 'erase'; unit: number; then: Traffic[]; lagMs: number } | { kind: 'advance'; ms: number };

/** Item timestamps relative to now: days late (inside the 7-day bound), just now, or a little ahead. */
const offset = fc.oneof(
  fc.integer({ min: -(MAX_AGE_MS - HOUR), max: 0 }),
  fc.integer({ min: -30 * MINUTE, max: 0 }),
  fc.integer({ min: 0, max: MAX_FUTURE_SKEW_MS - 1000 }),
);
const unit = fc.integer({ min: 0, max: UNITS - 1 });
const traffic: fc.Arbitrary<Traffic> = fc.oneof(
  fc.record({ type: fc.constant('exposure' as const), unit, variant: fc.constantFrom(0 as const, 1 as const), offsetMs: offset }),
  fc.record({ type: fc.constant('event' as const), unit, name: fc.constantFrom(...NAMES), quarters: fc.integer({ min: 1, max: 400 }), offsetMs: offset }),
  // unit → account (unit + 1 + toNext) mod UNITS: never itself
  fc.record({ type: fc.constant('identify' as const), unit, toNext: fc.integer({ min: 0, max: UNITS - 2 }), offsetMs: offset }),
);
const lagMs = fc.oneof(fc.constant(0), fc.integer({ min: 1000, max: 4 * MINUTE }));
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('traffic' as const), items: fc.array(traffic, { minLength: 1, maxLength: 6 }), lagMs }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('erase' as const), unit, then: fc.array(traffic, { maxLength: 2 }), lagMs }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.oneof(fc.integer({ min: MINUTE, max: 20 * MINUTE }), fc.integer({ min: HOUR, max: 30 * HOUR })) }),
  },
);

describeEachEngine('results: an incremental refresh equals a full computation', (getDb) => {
  let h: Harness;
  let clock: Clock;
  let db: Kysely<Database>;
  let run = 0;
  let itemId = 0;
  const tally = { full: 0, incremental: 0, keptDays: 0, recomputedDays: 0 };

  beforeAll(async () => {
    db = getDb().db;
    ({ h, clock } = await resultsHarness(db));
    for (const metric of METRICS) expect((await h.call('POST', '/api/metrics', metric)).status).toBe(201);
  });

  /** Incremental refresh (never reconciled by time) vs a full computation, at the clock's now. */
  async function check(key: string): Promise<void> {
    const experiment = await getExperiment(db, key);
    const served = await refreshSnapshot(db, experiment, { top: 10 }, clock.now, undefined, { reconcileMs: Number.POSITIVE_INFINITY });
    const full = await computeResults(db, experiment, { now: clock.now });
    expect(documentOf(served)).toEqual(documentOf(full));
    const report = served.snapshot.refresh!;
    tally[report.mode]++;
    if (report.mode === 'incremental') {
      const { rows } = await sql<{ days: number }>`
        select count(distinct (exposed_at at time zone 'UTC')::date) as days from exposures where experiment_id = ${experiment.id}`.execute(db);
      tally.recomputedDays += report.daysRecomputed;
      tally.keptDays += Math.max(0, Number(rows[0]!.days) - report.daysRecomputed);
    }
  }

  it('for random traffic, late and future events, flips, identify links, erasures and clock moves', { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 3, maxLength: 10 }), async (steps) => {
        run++;
        const keys = { finite: `eq-${run}-finite`, open: `eq-${run}-open` };
        const unitId = (i: number) => `eq-${run}-u${i}`;
        const toItems = (items: Traffic[]): SdkItem[] =>
          items.flatMap((t): SdkItem[] => {
            const timestamp = new Date(clock.now.getTime() + t.offsetMs).toISOString();
            if (t.type === 'identify') {
              return [{ id: `eq-i${++itemId}`, type: 'identify', unitId: unitId((t.unit + 1 + t.toNext) % UNITS), anonymousId: unitId(t.unit), timestamp }];
            }
            if (t.type === 'event') {
              const value = VALUES[t.name]?.(t.quarters);
              return [{ id: `eq-i${++itemId}`, type: 'event', unitId: unitId(t.unit), name: t.name, timestamp, ...(value !== undefined && { value }) }];
            }
            const variantKey = t.variant === 0 ? 'control' : 'urgent';
            return Object.values(keys).map((experimentKey) => ({ id: `eq-i${++itemId}`, type: 'exposure', unitId: unitId(t.unit), experimentKey, variantKey, timestamp }));
          });

        for (const [name, overrides] of Object.entries(EXPERIMENTS)) await startedExperiment(h, db, keys[name as keyof typeof keys], { experiment: overrides });
        for (const key of Object.values(keys)) await check(key);
        for (const s of steps) {
          if (s.kind === 'advance') clock.now = new Date(clock.now.getTime() + s.ms);
          else {
            if (s.kind === 'erase') expect((await h.call('DELETE', `/api/units/${unitId(s.unit)}`)).status).toBe(200);
            await sendItems(h, toItems(s.kind === 'erase' ? s.then : s.items));
            clock.now = new Date(clock.now.getTime() + s.lagMs);
          }
          for (const key of Object.values(keys)) await check(key);
        }
        // Leave the next run a clock past this one's windows of "now".
        clock.now = new Date(clock.now.getTime() + DAY);
      }),
      { numRuns: 25 },
    );
    // The runs took the incremental path (the first refresh of each experiment is the only full one),
    // and it both kept days and recomputed some.
    expect(tally.full).toBe(2 * run);
    expect(tally.incremental).toBeGreaterThan(4 * run);
    expect(tally.keptDays).toBeGreaterThan(0);
    expect(tally.recomputedDays).toBeGreaterThan(0);
  });
});
