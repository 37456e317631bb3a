/**
 * design.md §12 / issue 15: the same traffic gives the same results document on PostgreSQL (PGlite here)
 * and on ClickHouse (two shards, rows routed by unit id through Distributed tables). The traffic has
 * what production has: retried batches, late events (sent after newer ones), several exposures of one
 * unit (the same variant again, or another: the multiple-variants flag), events before the exposure
 * (CUPED), outside the attribution window and after the stop, large revenue with a small spread, and
 * erased units. Figures must agree to 1e-9 (relative, or absolute below 1).
 */
import { openAsBlob } from 'node:fs';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { type DatabaseHandle, connect } from '../db/connect.js';
import type { EventRow, ExposureRow } from '../events/classify.js';
import { storeBatches } from '../events/repository.js';
import { getExperiment } from '../experiments/repository.js';
import { computeResults } from '../results/compute.js';
import { DAY, HOUR, T0, documentOf, resultsHarness, seededRandom, startedExperiment } from '../results/test-support.js';
import { eraseUnit } from '../units/repository.js';
import { type ClickHouseStore, openClickHouse } from './connection.js';
import { migrateClickHouse } from './migrations.js';
import { clickhouseEventQueries } from './results-queries.js';
import { eraseUnitClickHouse, storeBatchesClickHouse } from './store.js';
import { type ClickHouseCluster, describeClickHouse, differences, startClickHouse } from './test-support.js';


describeClickHouse('results on ClickHouse equal results on PostgreSQL', () => {
  let cluster: ClickHouseCluster;
  let store: ClickHouseStore;
  let handle: DatabaseHandle;

  beforeAll(async () => {
    [cluster, handle] = await Promise.all([startClickHouse(), connect({ dataDir: 'memory://', loadDataDir: await openAsBlob(inject('pgliteTemplate')) })]);
    store = openClickHouse({ urls: cluster.urls, cluster: cluster.cluster });
    expect(await migrateClickHouse(store)).toEqual(['0001_events_and_exposures', '0002_events_sorted_by_name', '0003_erased_exposure_days', '0004_identity_links']);
    expect(await migrateClickHouse(store)).toEqual([]);
  });
  afterAll(async () => {
    await store?.close();
    await handle?.close();
    await cluster?.stop();
  });

  it('the same generated traffic (retries, late events, multiple exposures, erasures) gives the same document, figures to 1e-9', async () => {
    const db = handle.db;
    const { h, clock } = await resultsHarness(db);
    const experimentId = await startedExperiment(h, db, 'ch-equivalence', {
      metrics: [
        { key: 'order-revenue', name: 'Revenue', type: 'revenue', eventName: 'purchase', attributionHours: 72 },
        { key: 'aov', name: 'Average order value', type: 'ratio', numerator: { eventName: 'purchase', aggregate: 'sum' }, denominator: { eventName: 'purchase', aggregate: 'count' } },
        { key: 'shop-funnel', name: 'Shop funnel', type: 'funnel', steps: ['view', 'add_to_cart', 'purchase'] },
        { key: 'cart', name: 'Add to cart', type: 'conversion', eventName: 'add_to_cart', attributionHours: 24 },
      ],
      experiment: {
        variants: [
          { key: 'control', name: 'A', weight: 0.4 },
          { key: 'b', name: 'B', weight: 0.3 },
          { key: 'c', name: 'C', weight: 0.3 },
        ],
        primaryMetric: 'purchase',
        secondaryMetrics: ['order-revenue', 'aov', 'shop-funnel', 'cart'],
      },
    });

    const random = seededRandom(15);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    type Item = { kind: 'x'; row: ExposureRow } | { kind: 'e'; row: EventRow };
    const items: Item[] = [];
    let id = 0;
    const UNITS = 600;
    for (let u = 0; u < UNITS; u++) {
      const unitId = `unit-${u}`;
      const variant = random() < 0.4 ? 0 : random() < 0.5 ? 1 : 2;
      const exposedMs = T0.getTime() + Math.floor(random() * 4 * DAY);
      const exposure = (variantIndex: number, at: number): Item => ({ kind: 'x', row: { itemId: `x-${++id}`, experimentId, unitId, variantIndex, exposedAt: new Date(at), attributes: { device: pick(['mobile', 'desktop']) } } });
      items.push(exposure(variant, exposedMs));
      if (random() < 0.2) items.push(exposure(variant, exposedMs + Math.floor(random() * DAY))); // seen again
      if (random() < 0.06) items.push(exposure((variant + 1) % 3, exposedMs + Math.floor(random() * DAY))); // another variant
      const event = (name: string, at: number, value: number | null = null): Item => ({ kind: 'e', row: { eventId: `e-${++id}`, unitId, name, value, occurredAt: new Date(at), attributes: null } });
      if (random() < 0.3) items.push(event('purchase', exposedMs - Math.floor(random() * 20 * DAY), 20 + random() * 50)); // before exposure (CUPED), some past 14 days
      let t = exposedMs + Math.floor(random() * 2 * HOUR);
      if (random() < 0.7) items.push(event('view', t));
      t += Math.floor(random() * 30 * HOUR);
      if (random() < 0.35 + variant * 0.05) items.push(event('add_to_cart', t));
      t += Math.floor(random() * 60 * HOUR);
      if (random() < 0.25 + variant * 0.03) {
        // Large revenue with a small spread: the variance must survive the mean.
        items.push(event('purchase', t, 1e6 + Math.round(random() * 10_000) / 100));
        if (random() < 0.3) items.push(event('purchase', t + Math.floor(random() * 100 * HOUR), 30 + random() * 5)); // maybe past 72 h
      }
      if (random() < 0.1) items.push(event('purchase', exposedMs + 6 * DAY, 10)); // after the results' end
      // A visitor never exposed (events only): counts nowhere, on either engine.
      if (random() < 0.15) items.push({ kind: 'e', row: { eventId: `e-${++id}`, unitId: `anon-${u}`, name: pick(['view', 'add_to_cart', 'purchase']), value: 5, occurredAt: new Date(exposedMs + HOUR), attributes: null } });
    }
    // Arrival order: mostly in time, with late events (a tenth of the items arrive in the last batches).
    const late = items.filter(() => random() < 0.1);
    const onTime = items.filter((item) => !late.includes(item)).sort((a, b) => timeOf(a) - timeOf(b));
    const arrival = [...onTime, ...late];
    const batches: Item[][] = [];
    for (let i = 0; i < arrival.length; i += 40) batches.push(arrival.slice(i, i + 40));

    const write = async (batch: Item[], receivedAt: Date) => {
      const part = { events: batch.flatMap((i) => (i.kind === 'e' ? [i.row] : [])), exposures: batch.flatMap((i) => (i.kind === 'x' ? [i.row] : [])), receivedAt };
      const [pg, ch] = await Promise.all([storeBatches(db, [part]), storeBatchesClickHouse(store, [part])]);
      // Every item counted once, as accepted or duplicate (a repeated later exposure is "accepted" on
      // PostgreSQL, which keeps no id for it, and a duplicate on ClickHouse, which keeps every item).
      expect(ch[0]!.accepted + ch[0]!.duplicates).toBe(batch.length);
      return { pg: pg[0]!, ch: ch[0]! };
    };
    let retried = 0;
    for (const [i, batch] of batches.entries()) {
      const receivedAt = new Date(T0.getTime() + i * 60_000);
      await write(batch, receivedAt);
      // A retried batch (the SDK did not see the 202): every event is a duplicate on both.
      if (random() < 0.1) {
        retried++;
        const again = await write(batch, new Date(receivedAt.getTime() + 5000));
        expect(again.ch.accepted).toBe(0);
      }
    }
    expect(retried).toBeGreaterThan(3);
    for (const unitId of ['unit-3', 'unit-50', 'unit-51', 'unit-400']) {
      await eraseUnit(db, { keyId: null, requestId: 'test' }, unitId);
      await eraseUnitClickHouse(store, unitId);
    }

    clock.now = new Date(T0.getTime() + 5 * DAY);
    const experiment = await getExperiment(db, 'ch-equivalence');
    const onPostgres = documentOf(await computeResults(db, experiment, { now: clock.now }));
    const onClickHouse = documentOf(await computeResults(db, experiment, { now: clock.now, events: clickhouseEventQueries(store) }));
    expect(differences(onPostgres, onClickHouse)).toEqual([]);
    // Units are grouped by a 64-bit hash of their id (results-queries.ts UnitKey); with a hash that
    // puts ~90 ids under each value (exposed units with each other and with never-exposed visitors),
    // the collision check must send every pass back to grouping by id: still the same document.
    const weak = documentOf(await computeResults(db, experiment, { now: clock.now, events: clickhouseEventQueries(store, undefined, { unitHash: 'cityHash64(unit_id) % 8' }) }));
    expect(differences(onPostgres, weak)).toEqual([]);
    // The traffic did exercise what it claims to.
    const doc = onPostgres as { exposures: { multipleExposures: number; units: number }; metrics: unknown[] };
    expect(doc.exposures.multipleExposures).toBeGreaterThan(10);
    expect(doc.exposures.units).toBe(UNITS - 4);
    expect(doc.metrics).toHaveLength(5);
  });
});

describeClickHouse('ClickHouse event store: hostile unit ids and erasure', () => {
  let cluster: ClickHouseCluster;
  let store: ClickHouseStore;
  beforeAll(async () => {
    cluster = await startClickHouse();
    store = openClickHouse({ urls: [cluster.urls[0]!] });
    await migrateClickHouse(store);
  });
  afterAll(async () => {
    await store?.close();
    await cluster?.stop();
  });

  it('stores and erases a unit whose id is built to break SQL, leaving the others; a retry is a duplicate', async () => {
    const hostile = "o'neil\\'); DROP TABLE tp_events; --\n";
    const part = (unitId: string, n: string) => ({
      events: [{ eventId: `ev-${n}`, unitId, name: "pur'chase", value: 1.5, occurredAt: new Date(T0), attributes: { note: "it's" } }],
      exposures: [{ itemId: `it-${n}`, experimentId: 7, unitId, variantIndex: 1, exposedAt: new Date(T0), attributes: null }],
      receivedAt: new Date(T0),
    });
    expect(await storeBatchesClickHouse(store, [part(hostile, '1'), part('plain', '2')])).toEqual([{ accepted: 2, duplicates: 0 }, { accepted: 2, duplicates: 0 }]);
    expect(await storeBatchesClickHouse(store, [part(hostile, '1')])).toEqual([{ accepted: 0, duplicates: 2 }]);
    const units = async () => (await store.shards[0]!.query({ query: 'SELECT unit_id FROM tp_events ORDER BY unit_id', format: 'JSONEachRow' }).then((r) => r.json<{ unit_id: string }>())).map((r) => r.unit_id);
    expect(await units()).toEqual([hostile, 'plain'].sort());
    await eraseUnitClickHouse(store, hostile);
    expect(await units()).toEqual(['plain']);
  });
});

const timeOf = (item: { kind: 'x' | 'e'; row: ExposureRow | EventRow }) => (item.kind === 'x' ? (item.row as ExposureRow).exposedAt : (item.row as EventRow).occurredAt).getTime();
