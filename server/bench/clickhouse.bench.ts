/**
 * Scale-out benchmarks of issue 15, ratios measured in one run (design.md §12):
 * 1. results cold (computeResults, no snapshot) on ClickHouse (two shards of scripts/engines/clickhouse.sh,
 *    rows routed by unit id) vs PostgreSQL, on the same generated traffic, documents checked equal to 1e-9;
 * 2. the incremental refresh on both (refreshSnapshot an hour later, after ~1 % new events: new units
 *    exposed in that hour with most of the new events, some of units exposed late in the two weeks), next
 *    to a full refresh of the same data, documents checked equal;
 * 3. ingestion over POST /sdk/events (in-process app, 8 clients, batches of 100) through the JetStream
 *    queue (INGEST_QUEUE, 3-node cluster of scripts/engines/nats-cluster.sh, one writer into PostgreSQL)
 *    vs direct to PostgreSQL.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:clickhouse -w server
 *
 * The traffic is a formula of the row number (multiplicative hashes modulo the ranges, integer
 * arithmetic both engines compute alike), generated inside each engine by SQL: no copy through Node.
 * Units: each exposed once at a time spread over 14 days; one in 7 exposed again (same variant), one in
 * 53 also exposed to the other variant (multiple variants: PostgreSQL's flag, ClickHouse's second item);
 * 10 % of the events belong to units never exposed. Events: page_view 50 %, add_to_cart 30 %, checkout
 * 10 %, purchase 10 % with a value, from 7 days before the start to the end.
 * Metrics: a conversion (primary) and revenue with CUPED, a 3-step funnel.
 * Options: BENCH_UNITS, BENCH_EVENTS (defaults 1,000,000 and 10,000,000), BENCH_RUNS (3, medians),
 * BENCH_ITEMS (ingestion, 100,000; 0 skips it), BENCH_QUERY_LOG=1 (where a cold computation's and the incremental refresh's
 * time goes, per query and shard). Needs clickhouse-server and nats-server (Debian packages).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import type { ClickHouseSettings } from '@clickhouse/client';
import pg from 'pg';
import { createApp } from '../src/app.js';
import { type ClickHouseStore, openClickHouse } from '../src/clickhouse/connection.js';
import { clickhouseEventStore } from '../src/clickhouse/event-store.js';
import { migrateClickHouse } from '../src/clickhouse/migrations.js';
import { connect } from '../src/db/connect.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { getExperiment } from '../src/experiments/repository.js';
import { createMemoryLogger } from '../src/http/logger.js';
import { createKey } from '../src/keys/repository.js';
import { openIngestStream, streamDepth } from '../src/queue/ingest-stream.js';
import { createQueuePublisher } from '../src/queue/queue-publisher.js';
import { startQueueWriter } from '../src/queue/queue-writer.js';
import { computeResults } from '../src/results/compute.js';
import { refreshSnapshot } from '../src/results/service.js';
import { startClickHouse } from '../src/clickhouse/test-support.js';
import { createThrowawayDatabase } from './throwaway-database.js';

const run = promisify(execFile);
const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const UNITS = Number(process.env.BENCH_UNITS ?? 1_000_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const ITEMS = Number(process.env.BENCH_ITEMS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** BENCH_QUERY_LOG=1: one cold computation's and the last incremental refresh's ClickHouse queries from each shard's system.query_log (time, rows and bytes read, memory). */
const QUERY_LOG = process.env.BENCH_QUERY_LOG === '1';
const START = new Date('2026-10-01T00:00:00Z');
const NOW = new Date(START.getTime() + 21 * 86_400_000);
/** The incremental refresh runs an hour after the cold computation, with the traffic of that hour. */
const LATER = new Date(NOW.getTime() + 3_600_000);
const DAY = 86_400_000;
const scripts = path.resolve(import.meta.dirname, '../../scripts/engines');
const log = (message: string) => process.stdout.write(`${message}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ms = (x: number) => `${x.toFixed(0)} ms`;

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

function differences(a: unknown, b: unknown, at = '$'): string[] {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)) ? [] : [`${at}: ${a} vs ${b}`];
  if (Array.isArray(a) && Array.isArray(b)) return a.length !== b.length ? [`${at}: length`] : a.flatMap((x, i) => differences(x, b[i], `${at}[${i}]`));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].flatMap((k) => differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`));
  }
  return Object.is(a, b) ? [] : [`${at}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`];
}
/** The document without what differs by nature between two computations (timings, snapshot info). */
const comparable = (doc: unknown) => {
  const { snapshot: _s, computedAt: _c, ...rest } = JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
  return rest;
};
function checkEqual(what: string, a: unknown, b: unknown): void {
  const diff = differences(comparable(a), comparable(b));
  if (diff.length) throw new Error(`${what}: documents differ: ${diff.slice(0, 5).join('; ')}`);
}

/**
 * The traffic as SQL expressions of a row number `i` (bigint in PostgreSQL, UInt64/Int64 in ClickHouse):
 * products stay below 2^63 for the sizes used here (i ≤ 1.1e7, multipliers < 2^32).
 */
const traffic = {
  variant: (i: string) => `((${i} * 2654435761) % 1000 < 500)`,
  exposedOffset: (i: string) => `((${i} * 1103515245) % ${14 * DAY})`,
  eventUnit: (i: string) => `(1 + (${i} * 2246822519) % ${Math.floor(UNITS * 1.1)})`,
  nameCode: (i: string) => `((${i} * 3266489917) % 10)`,
  cents: (i: string) => `((${i} * 668265263) % 8000)`,
  occurredOffset: (i: string) => `((${i} * 374761393) % ${28 * DAY})`,
  /** New traffic: the hour [NOW, LATER). New units n1…, new events mostly theirs, a fifth of old units exposed in the last two days. */
  newUnits: Math.max(1, Math.floor(UNITS / 100)),
  newEvents: Math.max(1, Math.floor(EVENTS / 100)),
};
const NEW_RECEIVED = LATER.getTime() - 5 * 60_000;

async function loadPostgres(client: pg.Client, experimentId: number): Promise<void> {
  const { variant, exposedOffset, eventUnit, nameCode, cents, occurredOffset } = traffic;
  const at = (msExpr: string) => `(timestamptz 'epoch' + (${msExpr}) * interval '1 millisecond')`;
  await client.query(
    `insert into exposures (experiment_id, unit_id, variant_index, first_item_id, exposed_at, received_at, multiple_variants)
     select $1, 'u' || i, ${variant('i')}::int, 'x' || i, ${at(`${START.getTime()} + ${exposedOffset('i')}`)}, ${at(`${START.getTime()} + ${exposedOffset('i')}`)}, i % 53 = 0
     from generate_series(1::bigint, $2::bigint) as i`,
    [experimentId, UNITS],
  );
  for (let from = 0; from < EVENTS; from += 2_000_000) {
    await client.query(
      `insert into events (event_id, unit_id, name, value, occurred_at, received_at)
       select 'e' || i, 'u' || ${eventUnit('i')}, n, case when n = 'purchase' then 20 + ${cents('i')}::float8 / 100 end, t, t
       from (select i, ${at(`${START.getTime() - 7 * DAY} + ${occurredOffset('i')}`)} as t,
                    case when ${nameCode('i')} < 5 then 'page_view' when ${nameCode('i')} < 8 then 'add_to_cart' when ${nameCode('i')} < 9 then 'checkout' else 'purchase' end as n
             from generate_series($1::bigint, $2::bigint) as i) s`,
      [from + 1, Math.min(EVENTS, from + 2_000_000)],
    );
  }
  await client.query('vacuum analyze exposures');
  await client.query('vacuum analyze events');
}

async function loadClickHouse(store: ClickHouseStore, experimentId: number): Promise<void> {
  const { variant, exposedOffset, eventUnit, nameCode, cents, occurredOffset } = traffic;
  const settings: ClickHouseSettings = { insert_distributed_sync: 1 };
  const writer = store.shards[0]!;
  const items = (prefix: string, where: string, variantExpr: string, laterMs: number, seq: number) =>
    `INSERT INTO tp_exposure_items_all SELECT ${experimentId}, concat('u', toString(i)), concat('${prefix}', toString(i)), toUInt16(${variantExpr}),
       ${START.getTime()} + ${exposedOffset('i')} + ${laterMs} AS t, t, '', ${seq}
     FROM (SELECT number + 1 AS i FROM numbers(${UNITS})) WHERE ${where}`;
  await writer.command({ query: items('x', '1', variant('i'), 0, 1), clickhouse_settings: settings });
  await writer.command({ query: items('y', 'i % 7 = 0', variant('i'), 3_600_000, 2), clickhouse_settings: settings });
  await writer.command({ query: items('z', 'i % 53 = 0', `NOT ${variant('i')}`, 7_200_000, 3), clickhouse_settings: settings });
  for (let from = 0; from < EVENTS; from += 2_000_000) {
    await writer.command({
      clickhouse_settings: settings,
      query: `INSERT INTO tp_events_all SELECT concat('u', toString(${eventUnit('i')})), concat('e', toString(i)),
          multiIf(${nameCode('i')} < 5, 'page_view', ${nameCode('i')} < 8, 'add_to_cart', ${nameCode('i')} < 9, 'checkout', 'purchase') AS n,
          n = 'purchase' ? 20 + toFloat64(${cents('i')}) / 100 : NULL, ${START.getTime() - 7 * DAY} + ${occurredOffset('i')} AS t, t, '', 1
        FROM (SELECT number + ${from + 1} AS i FROM numbers(${Math.min(2_000_000, EVENTS - from)}))`,
    });
  }
}

/** The hour's traffic, the same rows in both engines (received 5 minutes before LATER). */
async function addNewTraffic(client: pg.Client, store: ClickHouseStore, experimentId: number): Promise<void> {
  const { newUnits, newEvents, exposedOffset } = traffic;
  const exposedMs = (i: string) => `${NOW.getTime()} + (${i} * 7919) % 3600000`;
  // New event j: a new unit for 4 in 5, else an old unit exposed in the last two of the 14 days.
  const unitOf = (j: string, concat: (a: string, b: string) => string, str: (x: string) => string) =>
    `(CASE WHEN ${j} % 5 < 4 THEN ${concat("'n'", str(`1 + (${j} * 2246822519) % ${newUnits}`))} ELSE ${concat("'u'", str(`1 + (${j} * 2654435761) % ${UNITS}`))} END)`;
  const lateOld = (j: string) => `(${j} % 5 < 4 OR ${exposedOffset(`(1 + (${j} * 2654435761) % ${UNITS})`)} >= ${12 * DAY})`;
  const occurredMs = (j: string) => `${NOW.getTime()} + (${j} * 374761393) % 3600000`;
  const pgAt = (msExpr: string) => `(timestamptz 'epoch' + (${msExpr}) * interval '1 millisecond')`;
  await client.query(
    `insert into exposures (experiment_id, unit_id, variant_index, first_item_id, exposed_at, received_at)
     select $1, 'n' || i, (i % 2)::int, 'xn' || i, ${pgAt(exposedMs('i'))}, ${pgAt(String(NEW_RECEIVED))} from generate_series(1::bigint, $2::bigint) as i`,
    [experimentId, newUnits],
  );
  await client.query(
    `insert into events (event_id, unit_id, name, value, occurred_at, received_at)
     select 'en' || j, ${unitOf('j', (a, b) => `${a} || ${b}`, (x) => `(${x})::text`)}, case when j % 3 = 0 then 'purchase' else 'page_view' end,
            case when j % 3 = 0 then 20 + (j % 8000)::float8 / 100 end, ${pgAt(occurredMs('j'))}, ${pgAt(String(NEW_RECEIVED))}
     from generate_series(1::bigint, $1::bigint) as j where ${lateOld('j')}`,
    [newEvents],
  );
  await client.query('analyze exposures');
  await client.query('analyze events');
  const settings: ClickHouseSettings = { insert_distributed_sync: 1 };
  await store.shards[0]!.command({
    clickhouse_settings: settings,
    query: `INSERT INTO tp_exposure_items_all SELECT ${experimentId}, concat('n', toString(i)), concat('xn', toString(i)), toUInt16(i % 2), ${exposedMs('i')}, ${NEW_RECEIVED}, '', 10
      FROM (SELECT number + 1 AS i FROM numbers(${newUnits}))`,
  });
  await store.shards[0]!.command({
    clickhouse_settings: settings,
    query: `INSERT INTO tp_events_all SELECT ${unitOf('j', (a, b) => `concat(${a}, ${b})`, (x) => `toString(${x})`)}, concat('en', toString(j)), j % 3 = 0 ? 'purchase' : 'page_view',
        j % 3 = 0 ? 20 + toFloat64(j % 8000) / 100 : NULL, ${occurredMs('j')}, ${NEW_RECEIVED}, '', 10
      FROM (SELECT number + 1 AS j FROM numbers(${newEvents})) WHERE ${lateOld('j')}`,
  });
}

/** query_log has whole seconds: waits for the next one and returns it, so the queries logged from it are the next ones only. */
async function nextSecond(): Promise<number> {
  await sleep(1000 - (Date.now() % 1000));
  return Math.floor(Date.now() / 1000);
}

async function printQueryLog(store: ClickHouseStore, what: string, fromSecond: number): Promise<void> {
  await sleep(8000); // query_log is flushed every 7.5 s
  log(`  ClickHouse ${what}, system.query_log of each shard:`);
  for (const [i, shard] of store.shards.entries()) {
    const result = await shard.query({
      query: `SELECT query_duration_ms AS ms, read_rows, formatReadableSize(read_bytes) AS bytes, formatReadableSize(memory_usage) AS mem, substring(query, 1, 400) AS q
        FROM system.query_log WHERE type = 2 AND query_start_time >= ${fromSecond} AND query NOT LIKE '%system.query_log%' ORDER BY query_start_time`,
      format: 'JSONEachRow',
    });
    for (const r of await result.json<Record<string, unknown>>()) log(`    [shard ${i}] ${r.ms} ms, ${r.read_rows} rows, ${r.bytes}, mem ${r.mem}: ${String(r.q).replace(/\s+/g, ' ').slice(0, 160)}`);
  }
}

async function main(): Promise<void> {
  const database = await createThrowawayDatabase(BASE_URL, 'clickhouse');
  const handle = await connect({ databaseUrl: database.url, poolSize: 6, statementTimeoutMs: 0 });
  const natsDir = mkdtempSync(path.join(tmpdir(), 'touchpoint-bench-nats-'));
  const clickhouse = await startClickHouse();
  const store = openClickHouse({ urls: clickhouse.urls, cluster: clickhouse.cluster, ...(QUERY_LOG && { settings: { log_queries: 1 } }) });
  try {
    const db = handle.db;
    await migrateToLatest(db);
    await migrateClickHouse(store);
    let clock = START;
    const app = (ingest?: Parameters<typeof createApp>[0]['ingest']) => createApp({ db, ingest, logger: createMemoryLogger(), now: () => clock, maxBodyBytes: 1 << 20, rateLimits: { authFailures: 0, authWindowSeconds: 60, sdkRequestsPerMinute: 0, trustedProxyHops: 0 } });
    const direct = app();
    const { secret } = await createKey(db, { keyId: null, requestId: 'bench' }, { kind: 'admin', name: 'bench' });
    const call = async (method: string, p: string, body: unknown, target = direct) => {
      const res = await target.request(p, { method, headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
      return res;
    };
    await call('POST', '/api/touchpoints', { key: 'checkout-cta', name: 'Checkout CTA', kind: 'cta', funnelStage: 'purchase' });
    await call('POST', '/api/metrics', { key: 'purchase', name: 'Purchase', type: 'conversion', eventName: 'purchase' });
    await call('POST', '/api/metrics', { key: 'revenue', name: 'Revenue', type: 'revenue', eventName: 'purchase' });
    await call('POST', '/api/metrics', { key: 'funnel', name: 'Funnel', type: 'funnel', steps: ['page_view', 'add_to_cart', 'purchase'] });
    await call('POST', '/api/experiments', {
      key: 'bench', name: 'Bench', touchpointKey: 'checkout-cta', primaryMetric: 'purchase', secondaryMetrics: ['revenue', 'funnel'],
      variants: [{ key: 'control', name: 'A', weight: 0.5 }, { key: 'b', name: 'B', weight: 0.5 }],
    });
    await call('POST', '/api/experiments/bench/start', {});
    clock = NOW;
    const experiment = await getExperiment(db, 'bench');
    const onClickHouse = clickhouseEventStore(store, db).reads(db);

    // ---- the same traffic in both engines
    log(`generating ${UNITS.toLocaleString('en')} units and ${EVENTS.toLocaleString('en')} events in PostgreSQL and in ClickHouse (2 shards)…`);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const [pgLoad, chLoad] = [await time(() => loadPostgres(client, experiment.id)), await time(() => loadClickHouse(store, experiment.id))];
    log(`  loaded: PostgreSQL ${(pgLoad.ms / 1000).toFixed(1)} s (with indexes, vacuum analyze), ClickHouse ${(chLoad.ms / 1000).toFixed(1)} s`);

    // ---- 1. results cold
    const coldPg = () => computeResults(db, experiment, { now: NOW });
    const coldCh = () => computeResults(db, experiment, { now: NOW, events: onClickHouse });
    checkEqual('cold', await coldPg(), await coldCh()); // warm-up (plans, caches), and the check
    const cold = { pg: [] as number[], ch: [] as number[] };
    for (let i = 0; i < RUNS; i++) {
      cold.pg.push((await time(coldPg)).ms);
      cold.ch.push((await time(coldCh)).ms);
    }
    log(`results cold, ${UNITS.toLocaleString('en')} units / ${EVENTS.toLocaleString('en')} events (conversion, revenue with CUPED, a 3-step funnel), same document to 1e-9:`);
    log(`  PostgreSQL ${ms(median(cold.pg))} [${cold.pg.map(ms).join(', ')}], ClickHouse ${ms(median(cold.ch))} [${cold.ch.map(ms).join(', ')}] = ${(median(cold.ch) / median(cold.pg)).toFixed(2)}× PostgreSQL (target ≤ 0.3×)`);
    if (QUERY_LOG) {
      // One more, alone, to see its passes per shard (the funnel's, the metrics', the exposure counts).
      const from = await nextSecond();
      await coldCh();
      await printQueryLog(store, 'results cold', from);
    }

    // ---- 2. incremental refresh, an hour later with that hour's traffic
    await addNewTraffic(client, store, experiment.id);
    await client.end();
    let at = LATER.getTime();
    const refresh = (full: boolean, events?: typeof onClickHouse) => refreshSnapshot(db, experiment, { top: 10 }, new Date((at += 1000)), undefined, { full, events });
    const refreshed = { pg: { full: [] as number[], incremental: [] as number[], days: 0 }, ch: { full: [] as number[], incremental: [] as number[], days: 0 } };
    const last: Record<'pg' | 'ch', { now: number; doc: unknown }> = { pg: { now: 0, doc: null }, ch: { now: 0, doc: null } };
    for (let i = 0; i < RUNS + 1; i++) {
      // Each incremental reads the state its engine's full refresh has just stored.
      for (const engine of ['pg', 'ch'] as const) {
        const events = engine === 'ch' ? onClickHouse : undefined;
        const full = await time(() => refresh(true, events));
        const logged = engine === 'ch' && i === RUNS && QUERY_LOG;
        const logFrom = logged ? await nextSecond() : 0;
        const incremental = await time(() => refresh(false, events));
        if (logged) await printQueryLog(store, 'incremental refresh', logFrom);
        if (incremental.value.snapshot.refresh?.mode !== 'incremental') throw new Error(`${engine}: the refresh was ${incremental.value.snapshot.refresh?.mode}`);
        if (i === 0) continue; // warm-up
        refreshed[engine].full.push(full.ms);
        refreshed[engine].incremental.push(incremental.ms);
        refreshed[engine].days = incremental.value.snapshot.refresh.daysRecomputed;
        last[engine] = { now: at, doc: incremental.value };
      }
    }
    // Each engine's last incremental document is PostgreSQL's full computation at the same time.
    for (const engine of ['pg', 'ch'] as const) checkEqual(`${engine} incremental`, last[engine].doc, await computeResults(db, experiment, { now: new Date(last[engine].now) }));
    const { pg: p, ch: c } = refreshed;
    log(`incremental refresh an hour later (+${traffic.newUnits.toLocaleString('en')} units, ~${traffic.newEvents.toLocaleString('en')} events), each engine's document equal to a full computation on PostgreSQL:`);
    log(`  PostgreSQL: incremental ${ms(median(p.incremental))} (${p.days} days recomputed) vs full ${ms(median(p.full))}`);
    log(`  ClickHouse: incremental ${ms(median(c.incremental))} (${c.days} days recomputed) vs full ${ms(median(c.full))}`);
    log(`  ClickHouse / PostgreSQL: incremental ${(median(c.incremental) / median(p.incremental)).toFixed(2)}×, full ${(median(c.full) / median(p.full)).toFixed(2)}×`);

    // ---- 3. ingestion: queue vs direct
    if (ITEMS > 0) {
      const { stdout } = await run(path.join(scripts, 'nats-cluster.sh'), ['start', natsDir, '34300']);
      const stream = await openIngestStream({ servers: stdout.trim().split(','), stream: 'bench', logger: createMemoryLogger() });
      const queued = app(createQueuePublisher(stream));
      const send = async (target: ReturnType<typeof app>, prefix: string) => {
        let next = 0;
        const sender = async () => {
          for (;;) {
            const batch = next++;
            if (batch * 100 >= ITEMS) return;
            const items = Array.from({ length: 100 }, (_, i) => ({ id: `${prefix}-${batch}-${i}`, type: 'event', unitId: `iu-${batch}-${i}`, name: 'page_view', timestamp: new Date(clock.getTime() - 1000).toISOString() }));
            await call('POST', '/sdk/events', { items }, target);
          }
        };
        return time(() => Promise.all(Array.from({ length: 8 }, sender)));
      };
      await send(direct, 'warm');
      const directRun = await send(direct, 'd');
      const writer = startQueueWriter({ stream, db, logger: createMemoryLogger() });
      const queueRun = await send(queued, 'q');
      const drained = await time(async () => {
        while ((await streamDepth(stream))?.pending !== 0) await sleep(100);
      });
      await writer.stop();
      await stream.close();
      const perSecond = (x: number) => (ITEMS / x) * 1000;
      log(`ingestion, ${ITEMS.toLocaleString('en')} events over POST /sdk/events, 8 clients × batches of 100 (into PostgreSQL):`);
      log(`  direct: ${perSecond(directRun.ms).toFixed(0)} items/s acknowledged (after commit)`);
      log(`  through JetStream (R=3): ${perSecond(queueRun.ms).toFixed(0)} items/s acknowledged (stream ack) = ${(directRun.ms / queueRun.ms).toFixed(2)}× direct; stored by one writer ${(drained.ms / 1000).toFixed(1)} s after the last ack (end to end ${(directRun.ms / (queueRun.ms + drained.ms)).toFixed(2)}× direct)`);
    }
  } finally {
    await handle.close();
    await store.close();
    await run(path.join(scripts, 'nats-cluster.sh'), ['stop', natsDir]).catch(() => {});
    await clickhouse.stop().catch(() => {});
    await database.drop();
  }
}

await main();
