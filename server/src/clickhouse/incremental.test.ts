/**
 * The incremental refresh on ClickHouse (EVENT_STORE=clickhouse) reads the exposure side of the days
 * that can have changed only (refresh-queries.ts exposureDaysTouchedClickHouse), and still gives the
 * document a full computation gives (1e-9). Each step below is one thing that moves a day's exposures
 * — a late first exposure, a flip to several variants, an erasure, a late identify link, an erased
 * unit's very item sent again — or moves none; after each, the touched days must be exactly the days
 * the rule names, the refresh must recompute exactly the days whose exposures changed, and the
 * document must equal a full computation at the same `now`. A rule that forgot a case leaves a day's
 * stored rows stale: the documents then differ.
 */
import { openAsBlob } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { type DatabaseHandle, connect } from '../db/connect.js';
import { getExperiment } from '../experiments/repository.js';
import { computeResults } from '../results/compute.js';
import { RECEIVE_MARGIN_MS } from '../results/incremental.js';
import { refreshSnapshot } from '../results/service.js';
import { type Clock, DAY, HOUR, T0, type SdkItem, documentOf, sendItems, startedExperiment } from '../results/test-support.js';
import { type Harness, createHarness, seedCatalog } from '../test/harness.js';
import { type ClickHouseStore, openClickHouse, selectRows } from './connection.js';
import { type ClickHouseEventStore, clickhouseEventStore } from './event-store.js';
import { syncLinks } from './links.js';
import { migrateClickHouse } from './migrations.js';
import { exposureDaysTouchedClickHouse } from './refresh-queries.js';
import { type ClickHouseCluster, describeClickHouse, differences, startClickHouse } from './test-support.js';

const MINUTE = 60_000;
const dayOf = (offsetDays: number) => new Date(T0.getTime() + offsetDays * DAY).toISOString().slice(0, 10);

describeClickHouse('incremental refresh on ClickHouse: only the touched days, the full computation\'s document', () => {
  let cluster: ClickHouseCluster;
  let store: ClickHouseStore;
  let handle: DatabaseHandle;
  let events: ClickHouseEventStore;
  let h: Harness;
  let clock: Clock;

  beforeAll(async () => {
    [cluster, handle] = await Promise.all([startClickHouse(), connect({ dataDir: 'memory://', loadDataDir: await openAsBlob(inject('pgliteTemplate')) })]);
    store = openClickHouse({ urls: cluster.urls, cluster: cluster.cluster });
    await migrateClickHouse(store);
    events = clickhouseEventStore(store, handle.db);
    // The app on the ClickHouse store: /sdk/events and DELETE /api/units write to the shards at the clock's time.
    clock = { now: T0 };
    h = await createHarness(handle.db, { now: () => clock.now, events });
    await seedCatalog(h);
  }, 300_000);
  afterAll(async () => {
    await store?.close();
    await handle?.close();
    await cluster?.stop();
  });

  it('late exposures, a flip to several variants, an erasure, a late link, a retried item: touched days only, documents equal', { timeout: 600_000 }, async () => {
    const db = handle.db;
    const key = 'ch-incremental';
    await startedExperiment(h, db, key, {
      metrics: [
        { key: 'chi-revenue', name: 'Revenue', type: 'revenue', eventName: 'purchase', attributionHours: 72 },
        { key: 'chi-funnel', name: 'Funnel', type: 'funnel', steps: ['view', 'add_to_cart', 'purchase'] },
      ],
      experiment: { secondaryMetrics: ['chi-revenue', 'chi-funnel'] },
    });
    const experiment = await getExperiment(db, key);
    const reads = events.reads(db);
    let id = 0;
    const exposure = (unitId: string, variantKey: 'control' | 'urgent', at: number, itemId = `x-${++id}`): SdkItem => ({ id: itemId, type: 'exposure', unitId, experimentKey: key, variantKey, timestamp: new Date(at).toISOString() });
    const event = (unitId: string, name: string, at: number, value?: number): SdkItem => ({ id: `e-${++id}`, type: 'event', unitId, name, timestamp: new Date(at).toISOString(), ...(value !== undefined && { value }) });

    // Four and a half days of traffic, sent at once at the end (received then: late by up to four days).
    clock.now = new Date(T0.getTime() + 4 * DAY + 12 * HOUR);
    const traffic: SdkItem[] = [];
    const exposedAt = (u: number) => T0.getTime() + (u % 5) * DAY + HOUR + u * MINUTE;
    for (let u = 0; u < 40; u++) {
      const unitId = `u${u}`;
      const t = exposedAt(u);
      traffic.push(exposure(unitId, u % 2 ? 'urgent' : 'control', t));
      if (u % 3 === 0 && u % 5 < 4) traffic.push(exposure(unitId, u % 2 ? 'urgent' : 'control', t + DAY)); // seen again the next day
      if (u % 2 === 0) traffic.push(event(unitId, 'view', t + MINUTE));
      if (u % 3 !== 1) traffic.push(event(unitId, 'add_to_cart', t + 2 * MINUTE));
      if (u % 4 !== 3) traffic.push(event(unitId, 'purchase', t + 3 * MINUTE, 10 + u));
    }
    // Two ids that a late link (below) makes one unit: the anonymous one exposed first (day 0), the account on day 3.
    traffic.push(exposure('anon-a', 'urgent', T0.getTime() + 2 * HOUR), event('anon-a', 'purchase', T0.getTime() + 3 * HOUR, 99));
    traffic.push(exposure('acct-b', 'control', T0.getTime() + 3 * DAY + 2 * HOUR), event('acct-b', 'view', T0.getTime() + 3 * DAY + 3 * HOUR));
    const erasedItem = exposure('u7', 'urgent', exposedAt(7)); // u7: day 2 (and seen again on day 3)
    traffic.push(erasedItem, exposure('u7', 'urgent', exposedAt(7) + DAY));
    await sendItems(h, traffic);
    clock.now = new Date(clock.now.getTime() + RECEIVE_MARGIN_MS + 5 * MINUTE);

    let watermark = clock.now;
    const first = await refreshSnapshot(db, experiment, { top: 10 }, clock.now, undefined, { events: reads });
    expect(first.snapshot.refresh).toEqual({ mode: 'full', daysRecomputed: 5 });

    /** Advance the clock, apply `change`, and check the touched days, the days recomputed and the document. */
    const step = async (what: string, change: () => Promise<void>, expected: { touched: string[]; recomputed: number }) => {
      clock.now = new Date(clock.now.getTime() + 30 * MINUTE);
      await change();
      // Past the receive margin: the next step's refresh no longer reads this step's items as new.
      clock.now = new Date(clock.now.getTime() + RECEIVE_MARGIN_MS + 5 * MINUTE);
      const since = new Date(watermark.getTime() - RECEIVE_MARGIN_MS);
      expect(await exposureDaysTouchedClickHouse(store, { experimentId: experiment.id, since }, await syncLinks(store, db)), what).toEqual(expected.touched);
      const served = await refreshSnapshot(db, experiment, { top: 10 }, clock.now, undefined, { events: reads, reconcileMs: Number.POSITIVE_INFINITY });
      watermark = clock.now;
      expect(served.snapshot.refresh, what).toEqual({ mode: 'incremental', daysRecomputed: expected.recomputed });
      const full = await computeResults(db, experiment, { now: clock.now, events: reads });
      expect(differences(documentOf(served), documentOf(full)), what).toEqual([]);
      return served;
    };

    // A late first exposure (received now, exposed on day 1): that day only.
    const late = await step('late exposure', () => sendItems(h, [exposure('late-1', 'urgent', T0.getTime() + DAY + 5 * HOUR)]), { touched: [dayOf(1)], recomputed: 1 });
    expect(late.exposures.units).toBe(first.exposures.units + 1);

    // u6 (control, first exposed on day 1) seen now in the other variant: the new item's day (4) and the unit's day (1) are
    // touched; only day 1's exposures changed (the unit leaves it for the multiple-variant count).
    const flipped = await step('flip to several variants', () => sendItems(h, [exposure('u6', 'urgent', clock.now.getTime() - MINUTE)]), { touched: [dayOf(1), dayOf(4)], recomputed: 1 });
    expect(flipped.exposures.multipleExposures).toBe(late.exposures.multipleExposures + 1);

    // Erasure of u7: no item received, the days of its erased items noted (2 and 3); its first exposure was on day 2.
    const erased = await step('erasure', async () => void expect((await h.call('DELETE', '/api/units/u7')).status).toBe(200), { touched: [dayOf(2), dayOf(3)], recomputed: 1 });
    expect(erased.exposures.units).toBe(flipped.exposures.units - 1);
    const noted = await Promise.all(store.shards.map((shard) => selectRows<{ n: string }>(shard, 'SELECT count() AS n FROM tp_erased_exposure_days')));
    expect(noted.reduce((sum, [row]) => sum + Number(row!.n), 0)).toBe(2);

    // A late link: anon-a (day 0, urgent) and acct-b (day 3, control) become one unit, under the account, first exposed on
    // day 0, in both variants: each id's own day is touched, and both days change.
    const linked = await step('late link', () => sendItems(h, [{ id: `i-${++id}`, type: 'identify', unitId: 'acct-b', anonymousId: 'anon-a', timestamp: clock.now.toISOString() }]), { touched: [dayOf(0), dayOf(3)], recomputed: 2 });
    expect(linked.exposures.multipleExposures).toBe(erased.exposures.multipleExposures + 1);

    // Nothing new: nothing touched, nothing recomputed.
    await step('nothing new', async () => {}, { touched: [], recomputed: 0 });

    // A late event alone: no exposure day touched; its unit's day recomputed by the events' rule (b).
    const lateEvent = await step('late event', () => sendItems(h, [event('u3', 'purchase', exposedAt(3) + HOUR, 7)]), { touched: [], recomputed: 1 });

    // The erased unit's very item sent again (an SDK retry after the erasure): stored anew, with a new receive time.
    const back = await step('erased item again', () => sendItems(h, [erasedItem]), { touched: [dayOf(2)], recomputed: 1 });
    expect(back.exposures.units).toBe(lateEvent.exposures.units + 1);
  });
  it('random traffic (late and new exposures, other variants, links, erasures, clock moves): every incremental refresh equals a full computation', { timeout: 600_000 }, async () => {
    const db = handle.db;
    const reads = events.reads(db);
    const UNITS = 6;
    type Traffic =
      | { type: 'exposure'; unit: number; variant: 0 | 1; offsetMs: number }
      | { type: 'event'; unit: number; name: 'view' | 'purchase'; offsetMs: number }
      | { type: 'identify'; unit: number; toNext: number };
    type Step = { kind: 'traffic'; items: Traffic[] } | { kind: 'erase'; unit: number } | { kind: 'advance'; ms: number };
    // Up to three days late, or about now; lags shorter and longer than the receive margin.
    const offsetMs = fc.oneof(fc.integer({ min: -3 * DAY, max: 0 }), fc.integer({ min: -20 * MINUTE, max: 0 }));
    const unit = fc.integer({ min: 0, max: UNITS - 1 });
    const traffic: fc.Arbitrary<Traffic> = fc.oneof(
      { weight: 3, arbitrary: fc.record({ type: fc.constant('exposure' as const), unit, variant: fc.constantFrom(0 as const, 1 as const), offsetMs }) },
      { weight: 2, arbitrary: fc.record({ type: fc.constant('event' as const), unit, name: fc.constantFrom('view' as const, 'purchase' as const), offsetMs }) },
      { weight: 1, arbitrary: fc.record({ type: fc.constant('identify' as const), unit, toNext: fc.integer({ min: 0, max: UNITS - 2 }) }) },
    );
    const step: fc.Arbitrary<Step> = fc.oneof(
      { weight: 5, arbitrary: fc.record({ kind: fc.constant('traffic' as const), items: fc.array(traffic, { minLength: 1, maxLength: 5 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('erase' as const), unit }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.oneof(fc.integer({ min: MINUTE, max: 20 * MINUTE }), fc.integer({ min: HOUR, max: 20 * HOUR })) }) },
    );
    let run = 0;
    let id = 0;
    const tally = { incremental: 0, touched: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 3, maxLength: 8 }), async (steps) => {
        run++;
        const key = `chr-${run}`;
        const unitId = (u: number) => `chr-${run}-u${u}`;
        await startedExperiment(h, db, key);
        const experiment = await getExperiment(db, key);
        let watermark: Date | null = null;
        const check = async () => {
          clock.now = new Date(clock.now.getTime() + 1000);
          if (watermark) {
            const since = new Date(watermark.getTime() - RECEIVE_MARGIN_MS);
            tally.touched += (await exposureDaysTouchedClickHouse(store, { experimentId: experiment.id, since }, await syncLinks(store, db))).length;
          }
          const served = await refreshSnapshot(db, experiment, { top: 10 }, clock.now, undefined, { events: reads, reconcileMs: Number.POSITIVE_INFINITY });
          watermark = clock.now;
          if (served.snapshot.refresh?.mode === 'incremental') tally.incremental++;
          const full = await computeResults(db, experiment, { now: clock.now, events: reads });
          expect(differences(documentOf(served), documentOf(full))).toEqual([]);
        };
        await check();
        for (const s of steps) {
          if (s.kind === 'advance') clock.now = new Date(clock.now.getTime() + s.ms);
          else if (s.kind === 'erase') expect((await h.call('DELETE', `/api/units/${unitId(s.unit)}`)).status).toBe(200);
          else {
            await sendItems(h, s.items.map((t): SdkItem => {
              if (t.type === 'identify') return { id: `chr-${++id}`, type: 'identify', unitId: unitId((t.unit + 1 + t.toNext) % UNITS), anonymousId: unitId(t.unit), timestamp: clock.now.toISOString() };
              const timestamp = new Date(clock.now.getTime() + t.offsetMs).toISOString();
              if (t.type === 'event') return { id: `chr-${++id}`, type: 'event', unitId: unitId(t.unit), name: t.name, timestamp, ...(t.name === 'purchase' && { value: 5 }) };
              return { id: `chr-${++id}`, type: 'exposure', unitId: unitId(t.unit), experimentKey: key, variantKey: t.variant ? 'urgent' : 'control', timestamp };
            }));
          }
          await check();
        }
        clock.now = new Date(clock.now.getTime() + DAY);
      }),
      // No shrinking: each candidate replays a whole sequence on the shards (minutes); the failing sequence is printed as is.
      { numRuns: 8, endOnFailure: true },
    );
    // The runs took the incremental path and read some days (each run's first refresh is its full one).
    expect(tally.incremental).toBeGreaterThan(3 * run);
    expect(tally.touched).toBeGreaterThan(0);
  });
});
