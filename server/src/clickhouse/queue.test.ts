/**
 * INGEST_QUEUE with EVENT_STORE=clickhouse (design.md §12): the JetStream writers store into ClickHouse
 * through the same EventStore as direct ingestion; identify links go to the catalog. The catalog is
 * PGlite here (the writer runs in this process, as a server's own writers do).
 */
import { openAsBlob } from 'node:fs';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { type DatabaseHandle, connect } from '../db/connect.js';
import { at, createEventsHarness, event, exposure } from '../events/test-support.js';
import { createMemoryLogger } from '../http/logger.js';
import { type IngestStream, openIngestStream, streamDepth } from '../queue/ingest-stream.js';
import { createQueuePublisher } from '../queue/queue-publisher.js';
import { startQueueWriter } from '../queue/queue-writer.js';
import { type NatsCluster, startNatsCluster } from '../queue/test-support.js';
import { selectEveryShard } from './connection.js';
import { type ClickHouseEventStore, openClickHouseEventStore } from './event-store.js';
import { type ClickHouseCluster, describeQueueIntoClickHouse, startClickHouse } from './test-support.js';

const NAME = 'JetStream writers into the ClickHouse event store (INGEST_QUEUE + EVENT_STORE=clickhouse)';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeQueueIntoClickHouse(NAME, () => {
  const logger = createMemoryLogger();
  let nats: NatsCluster;
  let clickhouse: ClickHouseCluster;
  let handle: DatabaseHandle;
  let store: ClickHouseEventStore;
  let stream: IngestStream;

  beforeAll(async () => {
    [nats, clickhouse, handle] = await Promise.all([startNatsCluster(), startClickHouse(), connect({ dataDir: 'memory://', loadDataDir: await openAsBlob(inject('pgliteTemplate')) })]);
    store = await openClickHouseEventStore({ urls: clickhouse.urls, cluster: clickhouse.cluster }, handle.db);
    stream = await openIngestStream({ servers: nats.servers, stream: 'tp-ch', logger });
  }, 180_000);
  afterAll(async () => {
    await stream?.close().catch(() => {});
    await store?.close();
    await handle?.close();
    await Promise.all([nats?.stop(), clickhouse?.stop()]);
  }, 120_000);

  it('stores queued events, exposures (first wins, another variant flagged) and links once, nothing in the PostgreSQL event tables', async () => {
    const h = await createEventsHarness(handle.db, { ingest: createQueuePublisher(stream) });
    const items = [
      ...Array.from({ length: 20 }, (_, i) => event(`q-e${i}`, `q-u${i % 7}`, 'purchase', { value: i + 0.5 })),
      ...Array.from({ length: 7 }, (_, i) => exposure(`q-x${i}`, `q-u${i}`, i % 2 ? 'urgent' : 'control')),
      exposure('q-x-again', 'q-u0', 'control', { timestamp: at(1000) }),
      exposure('q-x-other', 'q-u1', 'control', { timestamp: at(2000) }),
      { id: 'q-i0', type: 'identify', unitId: 'q-u2', anonymousId: 'q-anon', timestamp: at() },
    ];
    expect(await (await h.send({ items })).json()).toEqual({ accepted: items.length, duplicates: 0, rejected: [] });
    const writer = startQueueWriter({ stream, db: handle.db, store, logger });
    try {
      for (let i = 0; (await streamDepth(stream))?.pending !== 0; i++) {
        if (i > 1200) throw new Error('the writer did not empty the stream');
        await sleep(50);
      }
      // A retried request after the writer stored it: the stream's duplicate window, then the store's ids.
      expect(await (await h.send({ items })).json()).toEqual({ accepted: 0, duplicates: items.length, rejected: [] });
    } finally {
      await writer.stop();
    }
    const [counts] = await Promise.all([
      selectEveryShard<{ events: string; items: string }>(store.clickhouse, `SELECT (SELECT uniqExact(event_id) FROM tp_events WHERE event_id LIKE 'q-%') AS events, (SELECT count() FROM tp_exposure_items WHERE item_id LIKE 'q-%') AS items`),
    ]);
    expect(counts!.reduce((s, r) => s + Number(r.events), 0)).toBe(20);
    expect(counts!.reduce((s, r) => s + Number(r.items), 0)).toBe(9);
    // Each shard holds whole units.
    const perShard = await Promise.all(store.clickhouse.shards.map((shard) => shard.query({ query: "SELECT DISTINCT unit_id FROM tp_exposure_items WHERE item_id LIKE 'q-%'", format: 'JSONEachRow' }).then((r) => r.json<{ unit_id: string }>())));
    expect(perShard.flat().map((r) => r.unit_id).sort()).toEqual(['q-u0', 'q-u1', 'q-u2', 'q-u3', 'q-u4', 'q-u5', 'q-u6']);
    // The counted exposures: q-u1 was seen in two variants.
    const experimentId = (await handle.db.selectFrom('experiments').select('id').where('key', '=', 'checkout-cta-copy').executeTakeFirstOrThrow()).id;
    const days = await store.reads(handle.db).exposureDayStats(experimentId, []);
    expect(days.reduce((s, d) => s + d.units, 0)).toBe(6);
    expect(days.reduce((s, d) => s + d.multiple, 0)).toBe(1);
    // Links in the catalog; the PostgreSQL event tables untouched.
    expect(await handle.db.selectFrom('unit_aliases').select(['alias_id', 'unit_id']).where('item_id', '=', 'q-i0').execute()).toEqual([{ alias_id: 'q-anon', unit_id: 'q-u2' }]);
    expect(await handle.db.selectFrom('events').select('event_id').where('event_id', 'like', 'q-%').execute()).toEqual([]);
    expect(await handle.db.selectFrom('exposures').select('unit_id').where('unit_id', 'like', 'q-%').execute()).toEqual([]);
  }, 240_000);
});
