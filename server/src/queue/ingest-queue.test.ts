import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db/connect.js';
import { at, countEvents, countExposures, createEventsHarness, event, exposure } from '../events/test-support.js';
import { createMemoryLogger } from '../http/logger.js';
import { type TestDatabase, createTestDatabase } from '../reliability/postgres-support.js';
import { registry, watchIngestStream } from '../telemetry/metrics.js';
import { type IngestStream, openIngestStream, streamDepth } from './ingest-stream.js';
import { createQueuePublisher } from './queue-publisher.js';
import { MAX_DELIVERIES, startQueueWriter } from './queue-writer.js';
import { type NatsCluster, describeJetStream, startNatsCluster } from './test-support.js';

/** Fault tests start processes and wait out elections and ack waits: on a loaded 2-core machine they took up to 30 s. */
const FAULT_TEST_TIMEOUT_MS = 120_000;
/** design.md §12 / issue 15: the event store unreachable this long must not cost a 5xx nor an item. */
const OUTAGE_MS = 30_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function waitUntil(what: string, condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A batch of `n` events and `n` exposures (each exposure a unit of its own), ids prefixed. */
const batchOf = (prefix: string, n: number) => ({
  events: Array.from({ length: n }, (_, i) => `${prefix}-e${i}`),
  exposures: Array.from({ length: n }, (_, i) => `${prefix}-x${i}`),
});
const itemsOf = (b: { events: string[]; exposures: string[] }) => [
  ...b.events.map((id) => event(id, `u-${id}`)),
  ...b.exposures.map((id, i) => exposure(id, `u-${id}`, i % 2 ? 'urgent' : 'control')),
];

describeJetStream('ingestion through JetStream (INGEST_QUEUE)', () => {
  const logger = createMemoryLogger();
  let cluster: NatsCluster;
  let testDb: TestDatabase;
  let db: DatabaseHandle;
  const opened: IngestStream[] = [];
  const open = async (name: string, ackWaitMs?: number) => {
    const stream = await openIngestStream({ servers: cluster.servers, stream: name, logger, ...(ackWaitMs && { ackWaitMs }) });
    opened.push(stream);
    return stream;
  };

  beforeAll(async () => {
    [cluster, testDb] = await Promise.all([startNatsCluster(), createTestDatabase()]);
    db = await testDb.open();
  });
  afterAll(async () => {
    for (const stream of opened) await stream.close().catch(() => {});
    await testDb?.drop();
    await cluster?.stop();
  });

  it('answers 202 once the stream holds the items (a retry is a duplicate), reports its depth on /metrics, and a writer stores each item once', async () => {
    const stream = await open('tp-basic');
    const h = await createEventsHarness(db.db, { ingest: createQueuePublisher(stream) });
    const ids = batchOf('basic', 3);
    const first = await h.send({ items: itemsOf(ids) });
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ accepted: 6, duplicates: 0, rejected: [] });
    const retry = await h.send({ items: itemsOf(ids) });
    expect(await retry.json()).toEqual({ accepted: 0, duplicates: 6, rejected: [] });
    // Nothing is in the database yet: no writer runs.
    expect(await countEvents(db.db, ids.events)).toBe(0);
    const unwatch = watchIngestStream({ depth: () => streamDepth(stream) });
    try {
      expect(await registry.metrics()).toContain('touchpoint_ingest_stream_items{state="pending"} 6');
    } finally {
      unwatch();
    }

    // identify links travel the stream too (issue 14).
    const link = { id: 'basic-i0', type: 'identify', unitId: 'acct-basic', anonymousId: 'anon-basic', timestamp: at() };
    expect(await (await h.send({ items: [link] })).json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });

    const writer = startQueueWriter({ stream, db: db.db, logger });
    await waitUntil('the items stored', async () => (await streamDepth(stream))?.pending === 0);
    await writer.stop();
    expect(await countEvents(db.db, ids.events)).toBe(3);
    expect(await countExposures(db.db, ids.exposures)).toBe(3);
    expect(await db.db.selectFrom('unit_aliases').select(['alias_id', 'unit_id']).where('item_id', '=', 'basic-i0').execute()).toEqual([{ alias_id: 'anon-basic', unit_id: 'acct-basic' }]);
  });

  it(`dead-letters an item that does not decode at once, and one the database refuses after ${MAX_DELIVERIES} deliveries; the rest is stored`, async () => {
    const stream = await open('tp-poison');
    await stream.js.publish(stream.subject, new TextEncoder().encode('{"k":"e","id":'), { msgID: 'poison-json' });
    // Well-formed, but its experiment does not exist: the store refuses it (foreign key) every time.
    const orphan = { k: 'x', id: 'poison-fk', x: 987_654, u: 'u-1', vi: 0, t: new Date().toISOString(), a: null, r: new Date().toISOString() };
    await stream.js.publish(stream.subject, new TextEncoder().encode(JSON.stringify(orphan)), { msgID: 'poison-fk' });
    const h = await createEventsHarness(db.db, { ingest: createQueuePublisher(stream) });
    const ids = batchOf('poison', 5);
    expect((await h.send({ items: itemsOf(ids) })).status).toBe(202);

    const writer = startQueueWriter({ stream, db: db.db, logger });
    await waitUntil('the stream emptied', async () => (await streamDepth(stream))?.pending === 0);
    await writer.stop();
    expect(await streamDepth(stream)).toEqual({ pending: 0, dead: 2 });
    expect(await countEvents(db.db, ids.events)).toBe(5);
    expect(await countExposures(db.db, ids.exposures)).toBe(5);
    const dead = await stream.jsm.streams.getMessage(stream.deadStream, { seq: 2 });
    expect(dead.header.get('Touchpoint-Deliveries')).toBe(String(MAX_DELIVERIES));
  });

  it('the stream leader killed mid-load: every item acknowledged with 202 is stored exactly once', async () => {
    const stream = await open('tp-leader');
    const h = await createEventsHarness(db.db, { ingest: createQueuePublisher(stream) });
    const writer = startQueueWriter({ stream, db: db.db, logger });
    const CLIENTS = 4;
    const BATCHES = 30;
    const acked: Array<{ events: string[]; exposures: string[] }> = [];
    const statuses: number[] = [];
    let sent = 0;
    let killed: number | undefined;
    const client = async (c: number) => {
      for (let b = 0; b < BATCHES; b++) {
        const ids = batchOf(`lead-${c}-${b}`, 10);
        // Like the SDK: the same ids again until 202.
        for (let attempt = 0; ; attempt++) {
          const res = await h.send({ items: itemsOf(ids) });
          statuses.push(res.status);
          if (res.status === 202) break;
          expect(res.status).toBe(503);
          if (attempt > 20) throw new Error('never acknowledged');
          await sleep(200);
        }
        acked.push(ids);
        sent++;
      }
    };
    const killer = (async () => {
      await waitUntil('a quarter of the load', async () => sent >= (CLIENTS * BATCHES) / 4);
      const leader = (await stream.jsm.streams.info(stream.stream)).cluster?.leader;
      killed = Number(leader?.replace(/^n/, ''));
      await cluster.kill(killed);
    })();
    await Promise.all([killer, ...Array.from({ length: CLIENTS }, (_, c) => client(c))]);
    expect(killed).toBeGreaterThanOrEqual(1);
    const events = acked.flatMap((b) => b.events);
    const exposures = acked.flatMap((b) => b.exposures);
    await waitUntil('every acknowledged item stored', async () => (await countEvents(db.db, events)) === events.length && (await countExposures(db.db, exposures)) === exposures.length);
    await writer.stop();
    // Exactly once: event ids are unique by key, and each exposed unit has one row whose first item is ours.
    const rows = await db.db.selectFrom('exposures').select(['unit_id', 'first_item_id']).where('unit_id', 'like', 'u-lead-%').execute();
    expect(rows.length).toBe(exposures.length);
    expect(new Set(rows.map((r) => r.first_item_id)).size).toBe(exposures.length);
    expect(await countEvents(db.db, events)).toBe(CLIENTS * BATCHES * 10);
    await cluster.restart(killed!);
  }, FAULT_TEST_TIMEOUT_MS);

  it(`the event store unreachable for ${OUTAGE_MS / 1000} s (refused, then silent): /sdk/events answers 202 throughout, the writer keeps its batch (nothing dead-lettered), and every acknowledged item is stored exactly once after it returns`, async () => {
    const stream = await open('tp-dbdown', 1500);
    const { handle, proxy } = await testDb.openProxied({ statementTimeoutMs: 1000 });
    const h = await createEventsHarness(handle.db, { ingest: createQueuePublisher(stream) });
    const writer = startQueueWriter({ stream, db: handle.db, logger });
    const warm = batchOf('down-warm', 2);
    expect((await h.send({ items: itemsOf(warm) })).status).toBe(202);
    await waitUntil('the first batch stored', async () => (await countEvents(db.db, warm.events)) === 2);

    // Half the outage refused (connections reset), half a silent partition (only deadlines notice):
    // far longer than the ack wait, so a writer that let its batch lapse would see it redelivered.
    proxy.cut();
    const started = Date.now();
    const acked: Array<{ events: string[]; exposures: string[] }> = [];
    const statuses = new Map<number, number>();
    let silent = false;
    for (let b = 0; Date.now() - started < OUTAGE_MS; b++) {
      if (!silent && Date.now() - started >= OUTAGE_MS / 2) {
        proxy.restore();
        proxy.blackHole();
        silent = true;
      }
      // Some batches sent twice, like an SDK that did not see the first answer: duplicates, not doubles.
      const ids = batchOf(`down-${b}`, 5);
      for (let copy = 0; copy < (b % 5 === 0 ? 2 : 1); copy++) {
        const res = await h.send({ items: itemsOf(ids) });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
      acked.push(ids);
      await sleep(250);
    }
    expect(silent).toBe(true);
    expect([...statuses.keys()]).toEqual([202]);
    expect(acked.length).toBeGreaterThan(20);
    expect(await countEvents(db.db, acked[0]!.events)).toBe(0);
    proxy.restore();
    const events = acked.flatMap((b) => b.events);
    const exposures = acked.flatMap((b) => b.exposures);
    await waitUntil('everything stored', async () => (await countEvents(db.db, events)) === events.length && (await countExposures(db.db, exposures)) === exposures.length);
    await writer.stop();
    expect(await streamDepth(stream)).toEqual({ pending: 0, dead: 0 });
    // Exactly once: one row per event id (unique, counted above) and per exposed unit, its first item ours.
    const rows = await db.db.selectFrom('exposures').select(['unit_id', 'first_item_id']).where('unit_id', 'like', 'u-down-%').execute();
    expect(rows.length).toBe(exposures.length + warm.exposures.length);
    expect(new Set(rows.map((r) => r.first_item_id))).toEqual(new Set([...exposures, ...warm.exposures]));
    const eventRows = await db.db.selectFrom('events').select('event_id').where('unit_id', 'like', 'u-down-%').execute();
    expect(eventRows.length).toBe(events.length + warm.events.length);
  }, FAULT_TEST_TIMEOUT_MS + OUTAGE_MS);

  it('a writer process killed mid-batch: another writer stores the rest; nothing lost or doubled', async () => {
    const stream = await open('tp-worker', 2000);
    const h = await createEventsHarness(db.db, { ingest: createQueuePublisher(stream) });
    const all: Array<{ events: string[]; exposures: string[] }> = [];
    for (let b = 0; b < 16; b++) {
      const ids = batchOf(`work-${b}`, 250);
      expect((await h.send({ items: itemsOf(ids) })).status).toBe(202);
      all.push(ids);
    }
    const events = all.flatMap((b) => b.events);
    const exposures = all.flatMap((b) => b.exposures);
    const env = { INGEST_QUEUE: cluster.servers.join(','), INGEST_STREAM: 'tp-worker', INGEST_ACK_WAIT_SECONDS: '2', INGEST_QUEUE_WRITERS: '1', DATABASE_URL: testDb.url };

    const first = startWorker(env);
    await waitUntil('the first batch committed', async () => (await countEvents(db.db, events)) > 0);
    first.kill('SIGKILL');
    const storedWhenKilled = await countEvents(db.db, events);
    expect(storedWhenKilled).toBeLessThan(events.length);

    const second = startWorker(env);
    try {
      await waitUntil('every item stored', async () => (await countEvents(db.db, events)) === events.length && (await countExposures(db.db, exposures)) === exposures.length);
      expect((await streamDepth(stream))?.pending).toBe(0);
    } finally {
      second.kill('SIGTERM');
    }
  }, FAULT_TEST_TIMEOUT_MS);
});

const serverDir = path.resolve(import.meta.dirname, '../..');
/** `npm run worker -w server` as a child process (tsx, the real entry point). */
function startWorker(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', 'src/queue/worker-cli.ts'], { cwd: serverDir, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: 'ignore' });
  return child;
}
