/**
 * design.md §12 / issue 15, must show: the event store unreachable for 30 s → POST /sdk/events keeps
 * answering 202 (no 5xx), and every acknowledged item is stored exactly once after it returns. Here the
 * event store is ClickHouse (EVENT_STORE=clickhouse, two shards) behind the project's TCP proxies (one
 * per shard's HTTP port, cut together), with INGEST_QUEUE on a 3-node JetStream cluster and its writer
 * retrying the batch it holds. (The PostgreSQL event store's variant: queue/ingest-queue.test.ts.)
 */
import { openAsBlob } from 'node:fs';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { type DatabaseHandle, connect } from '../db/connect.js';
import { createEventsHarness, event, exposure } from '../events/test-support.js';
import { type TcpProxy, startTcpProxy } from '../events/tcp-proxy.js';
import { createMemoryLogger } from '../http/logger.js';
import { type IngestStream, openIngestStream, streamDepth } from '../queue/ingest-stream.js';
import { createQueuePublisher } from '../queue/queue-publisher.js';
import { startQueueWriter } from '../queue/queue-writer.js';
import { type NatsCluster, startNatsCluster } from '../queue/test-support.js';
import { type ClickHouseStore, chSql, openClickHouse, selectEveryShard } from './connection.js';
import { type ClickHouseEventStore, openClickHouseEventStore } from './event-store.js';
import { type ClickHouseCluster, describeQueueIntoClickHouse, startClickHouse } from './test-support.js';

const OUTAGE_MS = 30_000;
const NAME = `the ClickHouse event store unreachable for ${OUTAGE_MS / 1000} s behind INGEST_QUEUE`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeQueueIntoClickHouse(NAME, () => {
  const logger = createMemoryLogger();
  let nats: NatsCluster;
  let clickhouse: ClickHouseCluster;
  let handle: DatabaseHandle;
  let proxies: TcpProxy[];
  let store: ClickHouseEventStore;
  /** Straight to the shards (not through the proxies): what the test reads to check. */
  let direct: ClickHouseStore;
  let stream: IngestStream;

  beforeAll(async () => {
    [nats, clickhouse, handle] = await Promise.all([startNatsCluster(), startClickHouse(), connect({ dataDir: 'memory://', loadDataDir: await openAsBlob(inject('pgliteTemplate')) })]);
    proxies = await Promise.all(clickhouse.urls.map((url) => startTcpProxy({ host: '127.0.0.1', port: Number(new URL(url).port) })));
    store = await openClickHouseEventStore({ urls: proxies.map((p) => `http://127.0.0.1:${p.port}`), cluster: clickhouse.cluster }, handle.db);
    direct = openClickHouse({ urls: clickhouse.urls, cluster: clickhouse.cluster });
    stream = await openIngestStream({ servers: nats.servers, stream: 'tp-ch-outage', logger, ackWaitMs: 1500 });
  }, 180_000);
  afterAll(async () => {
    await stream?.close().catch(() => {});
    await store?.close();
    await direct?.close();
    for (const proxy of proxies ?? []) await proxy.close().catch(() => {});
    await handle?.close();
    await Promise.all([nats?.stop(), clickhouse?.stop()]);
  }, 120_000);

  it('answers 202 throughout, the writer keeps its batch (nothing dead-lettered), and every acknowledged item is stored exactly once after it returns', async () => {
    const h = await createEventsHarness(handle.db, { ingest: createQueuePublisher(stream) });
    const writer = startQueueWriter({ stream, db: handle.db, store, logger });
    const counts = async (prefix: string) => {
      const rows = await selectEveryShard<{ events: string; eventRows: string; items: string }>(
        direct,
        chSql`SELECT (SELECT uniqExact(event_id) FROM tp_events WHERE event_id LIKE ${`${prefix}%`}) AS events,
                (SELECT count() FROM tp_events WHERE event_id LIKE ${`${prefix}%`}) AS eventRows,
                (SELECT count() FROM tp_exposure_items WHERE item_id LIKE ${`${prefix}%`}) AS items`,
      );
      const sum = (k: 'events' | 'eventRows' | 'items') => rows.reduce((s, r) => s + Number(r[k]), 0);
      return { events: sum('events'), eventRows: sum('eventRows'), items: sum('items') };
    };
    const batch = (b: string) => [...Array.from({ length: 5 }, (_, i) => event(`o-${b}-e${i}`, `o-u-${b}-${i}`)), ...Array.from({ length: 5 }, (_, i) => exposure(`o-${b}-x${i}`, `o-u-${b}-${i}`))];
    try {
      expect((await h.send({ items: batch('warm') })).status).toBe(202);
      for (let i = 0; (await counts('o-warm')).items < 5; i++) {
        if (i > 1200) throw new Error('the warm-up batch was not stored');
        await sleep(50);
      }

      for (const proxy of proxies) proxy.cut();
      const started = Date.now();
      const statuses = new Map<number, number>();
      let sent = 0;
      for (let b = 0; Date.now() - started < OUTAGE_MS; b++) {
        // Some batches sent twice, like an SDK that did not see the first answer: duplicates, not doubles.
        for (let copy = 0; copy < (b % 5 === 0 ? 2 : 1); copy++) {
          const res = await h.send({ items: batch(String(b)) });
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }
        sent++;
        await sleep(250);
      }
      expect([...statuses.keys()]).toEqual([202]);
      expect(sent).toBeGreaterThan(20);
      expect((await counts('o-0-')).items).toBe(0); // nothing reached ClickHouse during the outage
      for (const proxy of proxies) proxy.restore();

      for (let i = 0; (await streamDepth(stream))?.pending !== 0; i++) {
        if (i > 2400) throw new Error('the writer did not empty the stream after the outage');
        await sleep(50);
      }
      expect(await streamDepth(stream)).toEqual({ pending: 0, dead: 0 });
      // Exactly once: every acknowledged event and exposure item, one row each.
      expect(await counts('o-')).toEqual({ events: (sent + 1) * 5, eventRows: (sent + 1) * 5, items: (sent + 1) * 5 });
    } finally {
      for (const proxy of proxies) proxy.restore();
      await writer.stop();
    }
  }, 240_000);
});
