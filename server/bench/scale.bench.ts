/**
 * Scale-out benchmarks of issue 15, ratios measured in one run:
 * 1. ingestion over POST /sdk/events (in-process app, 8 clients, batches of 100) through the JetStream
 *    queue (INGEST_QUEUE, a 3-node cluster of scripts/engines/nats-cluster.sh, one writer) vs direct
 *    to PostgreSQL: acknowledged items/s, and the time until the queue's writer has stored everything;
 * 2. results cold on ClickHouse (two shards, scripts/engines/clickhouse.sh) vs PostgreSQL on the same
 *    data (generated in PostgreSQL, copied to ClickHouse), documents checked equal to 1e-9.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:scale -w server
 *
 * Options: BENCH_UNITS, BENCH_EVENTS (defaults 200,000 and 2,000,000), BENCH_ITEMS (ingestion, 100,000),
 * BENCH_RUNS (3). Needs nats-server and clickhouse-server (Debian packages).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import pg from 'pg';
import { createApp } from '../src/app.js';
import { openClickHouse } from '../src/clickhouse/connection.js';
import { migrateClickHouse } from '../src/clickhouse/migrations.js';
import { clickhouseEventQueries } from '../src/clickhouse/results-queries.js';
import { connect } from '../src/db/connect.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { getExperiment } from '../src/experiments/repository.js';
import { createMemoryLogger } from '../src/http/logger.js';
import { createKey } from '../src/keys/repository.js';
import { openIngestStream, streamDepth } from '../src/queue/ingest-stream.js';
import { createQueuePublisher } from '../src/queue/queue-publisher.js';
import { startQueueWriter } from '../src/queue/queue-writer.js';
import { computeResults } from '../src/results/compute.js';

const run = promisify(execFile);
const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const UNITS = Number(process.env.BENCH_UNITS ?? 200_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 2_000_000);
const ITEMS = Number(process.env.BENCH_ITEMS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const START = new Date('2026-10-01T00:00:00Z');
const NOW = new Date(START.getTime() + 21 * 86_400_000);
const scripts = path.resolve(import.meta.dirname, '../../scripts/engines');
const log = (message: string) => process.stdout.write(`${message}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

async function main(): Promise<void> {
  const name = `touchpoint_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: BASE_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(BASE_URL);
  url.pathname = `/${name}`;
  const handle = await connect({ databaseUrl: url.toString(), poolSize: 6, statementTimeoutMs: 0 });
  const natsDir = mkdtempSync(path.join(tmpdir(), 'touchpoint-bench-nats-'));
  const chDir = mkdtempSync(path.join(tmpdir(), 'touchpoint-bench-ch-'));
  try {
    const db = handle.db;
    await migrateToLatest(db);
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

    // ---- 1. ingestion: queue vs direct
    const { stdout } = await run(path.join(scripts, 'nats-cluster.sh'), ['start', natsDir, '34300']);
    const stream = await openIngestStream({ servers: stdout.trim().split(','), stream: 'bench', logger: createMemoryLogger() });
    const queued = app(createQueuePublisher(stream));
    const send = async (target: ReturnType<typeof app>, prefix: string) => {
      let next = 0;
      const client = async () => {
        for (;;) {
          const batch = next++;
          if (batch * 100 >= ITEMS) return;
          const items = Array.from({ length: 100 }, (_, i) => ({ id: `${prefix}-${batch}-${i}`, type: 'event', unitId: `iu-${batch}-${i}`, name: 'page_view', timestamp: new Date(clock.getTime() - 1000).toISOString() }));
          await call('POST', '/sdk/events', { items }, target);
        }
      };
      return time(() => Promise.all(Array.from({ length: 8 }, client)));
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
    const perSecond = (ms: number) => (ITEMS / ms) * 1000;
    log(`ingestion, ${ITEMS.toLocaleString('en')} events, 8 clients × batches of 100:`);
    log(`  direct to PostgreSQL: ${perSecond(directRun.ms).toFixed(0)} items/s acknowledged (after commit)`);
    log(`  through JetStream (R=3): ${perSecond(queueRun.ms).toFixed(0)} items/s acknowledged (stream ack) = ${(directRun.ms / queueRun.ms).toFixed(2)}× direct; stored by one writer ${(drained.ms / 1000).toFixed(1)} s after the last ack (end to end ${perSecond(queueRun.ms + drained.ms).toFixed(0)} items/s = ${(directRun.ms / (queueRun.ms + drained.ms)).toFixed(2)}× direct)`);
    await run(path.join(scripts, 'nats-cluster.sh'), ['stop', natsDir]);

    // ---- 2. results cold: ClickHouse vs PostgreSQL
    const experiment = await getExperiment(db, 'bench');
    log(`generating ${UNITS.toLocaleString('en')} units and ${EVENTS.toLocaleString('en')} events in PostgreSQL…`);
    await admin.end();
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    await client.query('select setseed(0.42)');
    await client.query(
      `insert into exposures (experiment_id, unit_id, variant_index, first_item_id, exposed_at, multiple_variants)
       select $1, 'u' || i, (random() < 0.5)::int, 'x' || i, date_trunc('milliseconds', $2::timestamptz + random() * interval '14 days'), false
       from generate_series(1, $3::int) as i`,
      [experiment.id, START, UNITS],
    );
    await client.query(
      `insert into events (event_id, unit_id, name, value, occurred_at, received_at)
       select 'e' || i, 'u' || (1 + floor(random() * $2::int * 1.1)::int), n, case when n = 'purchase' then round((20 + random() * 80)::numeric, 2) end, t, t
       from (select i, date_trunc('milliseconds', $1::timestamptz - interval '7 days' + random() * interval '28 days') as t,
                    case when r < 0.5 then 'page_view' when r < 0.8 then 'add_to_cart' when r < 0.9 then 'checkout' else 'purchase' end as n
             from (select i, random() as r from generate_series(1, $3::int) as i) s) t`,
      [START, UNITS, EVENTS],
    );
    await client.query('vacuum analyze exposures');
    await client.query('vacuum analyze events');
    const ch = await run(path.join(scripts, 'clickhouse.sh'), ['start', chDir, '34400']);
    void ch;
    const store = openClickHouse({ urls: ['http://127.0.0.1:34411', 'http://127.0.0.1:34421'], cluster: 'touchpoint_test' });
    await migrateClickHouse(store);
    const copy = await time(async () => {
      const x = await client.query(`select unit_id, variant_index, first_item_id, (extract(epoch from exposed_at) * 1000)::bigint as ms from exposures where experiment_id = $1`, [experiment.id]);
      await store.shards[0]!.insert({ table: 'tp_exposure_items_all', format: 'JSONEachRow', clickhouse_settings: { insert_distributed_sync: 1 }, values: x.rows.map((r) => ({ experiment_id: experiment.id, unit_id: r.unit_id, item_id: r.first_item_id, variant_index: r.variant_index, exposed_ms: Number(r.ms), received_ms: Number(r.ms), attributes: '', write_seq: 1 })) });
      for (let from = 0; ; from += 500_000) {
        const e = await client.query(`select event_id, unit_id, name, value, (extract(epoch from occurred_at) * 1000)::bigint as ms from events where id > $1 and id <= $2`, [from, from + 500_000]);
        if (e.rows.length === 0 && from > EVENTS + ITEMS * 3) break;
        if (e.rows.length) await store.shards[0]!.insert({ table: 'tp_events_all', format: 'JSONEachRow', clickhouse_settings: { insert_distributed_sync: 1 }, values: e.rows.map((r) => ({ unit_id: r.unit_id, event_id: r.event_id, name: r.name, value: r.value, occurred_ms: Number(r.ms), received_ms: Number(r.ms), attributes: '', write_seq: 1 })) });
      }
    });
    await client.end();
    log(`  copied to ClickHouse (2 shards) in ${(copy.ms / 1000).toFixed(1)} s`);
    const onPg = () => computeResults(db, experiment, { now: NOW });
    const onCh = () => computeResults(db, experiment, { now: NOW, events: clickhouseEventQueries(store) });
    const [a, b] = [await onPg(), await onCh()]; // warm-up, and the check
    const diff = differences(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
    if (diff.length) throw new Error(`documents differ: ${diff.slice(0, 5).join('; ')}`);
    const times = { pg: [] as number[], ch: [] as number[] };
    for (let i = 0; i < RUNS; i++) {
      times.pg.push((await time(onPg)).ms);
      times.ch.push((await time(onCh)).ms);
    }
    log(`results cold, ${UNITS.toLocaleString('en')} units / ${EVENTS.toLocaleString('en')} events (conversion, revenue with CUPED, a 3-step funnel), same document to 1e-9:`);
    log(`  PostgreSQL ${median(times.pg).toFixed(0)} ms, ClickHouse ${median(times.ch).toFixed(0)} ms = ${(median(times.ch) / median(times.pg)).toFixed(2)}× PostgreSQL (target ≤ 0.3×)`);
    await store.close();
  } finally {
    await handle.close();
    await run(path.join(scripts, 'nats-cluster.sh'), ['stop', natsDir]).catch(() => {});
    await run(path.join(scripts, 'clickhouse.sh'), ['stop', chDir]).catch(() => {});
    const c = new pg.Client({ connectionString: BASE_URL });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
  }
}

await main();
