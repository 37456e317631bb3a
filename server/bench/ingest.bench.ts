/**
 * Benchmark (a) of issue 5: ingestion over HTTP on loopback, as a ratio to a raw multi-row INSERT of
 * the same rows through `pg`, both measured in the same run on PostgreSQL, in a throw-away database.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:ingest -w server
 *
 * HTTP: the real app (createApp) served by @hono/node-server on 127.0.0.1, CLIENTS concurrent clients
 * each POSTing BATCHES batches of 100 items (50 exposures, 50 events, fresh ids) with an SDK key, one
 * batch at a time, waiting for the 202 (the clients run in a worker thread, off the server's event
 * loop). Raw: the same rows (other ids), same batch size and concurrency,
 * written with one multi-row INSERT per table through a pg pool of the app's size. Bodies and parameter
 * arrays are built before the clock starts. Each figure is the median of ROUNDS alternating rounds after
 * a warm-up. Target: HTTP / raw ≥ 0.5. Both sides compete for the same cores as PostgreSQL, so the
 * bench also prints CPU per 1,000 items (server, client thread, PostgreSQL backends), which moves less
 * from run to run than the throughput on a shared machine. Options: BENCH_CLIENTS (8), BENCH_BATCHES
 * (40 per client per round), BENCH_ROUNDS (5), BENCH_WRITERS (the app's group-commit writers, default
 * INGEST_WRITERS), BENCH_KEEP=1 to keep the database.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { serve } from '@hono/node-server';
import type { WireItem } from '@touchpoint/client-sdk/tracking';
import pg from 'pg';
import { createApp } from '../src/app.js';
import { connect } from '../src/db/connect.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createLogger } from '../src/http/logger.js';
import { createKey } from '../src/keys/repository.js';
import { parseItems, resolveExposures, toEventRows } from '../src/events/classify.js';
import { loadExperimentRefs, storeBatches } from '../src/events/repository.js';
import { createThrowawayDatabase } from './throwaway-database.js';

const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 40);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BATCH_SIZE = 100;
const WRITERS = process.env.BENCH_WRITERS ? Number(process.env.BENCH_WRITERS) : undefined;
const POOL_SIZE = 10; // the app's default (db/connect.ts)

const log = (message: string) => process.stdout.write(`${message}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rate = (x: number) => `${Math.round(x).toLocaleString('en-US')} items/s`;

/** The SDK's own wire format, so the bench sends exactly what browsers send. */
type Item = WireItem;

/** One batch: 50 exposures of fresh units and 50 events of the same units, as the SDK sends them. */
function makeBatch(prefix: string, now: Date): Item[] {
  const timestamp = now.toISOString();
  const items: Item[] = [];
  for (let i = 0; i < BATCH_SIZE / 2; i++) {
    const unitId = `${prefix}-u${i}`;
    items.push({ id: `${prefix}-x${i}`, type: 'exposure', unitId, experimentKey: 'bench-exp', variantKey: i % 2 ? 'b' : 'control', timestamp, attributes: { device: i % 3 ? 'mobile' : 'desktop' } });
    items.push({ id: `${prefix}-e${i}`, type: 'event', unitId, name: i % 4 ? 'add_to_cart' : 'purchase', ...(i % 4 ? {} : { value: 19.5 + i }), timestamp });
  }
  return items;
}

/**
 * The HTTP clients (plain JS, evaluated in a worker thread): each of `jobs` is one client sending its
 * bodies one after the other over a keep-alive connection; posts the elapsed milliseconds back.
 */
const CLIENT_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { Agent, request } = require('node:http');
const { performance } = require('node:perf_hooks');
const { port, sdkKey, jobs, expected } = workerData;
const agent = new Agent({ keepAlive: true, maxSockets: jobs.length });
const post = (body) => new Promise((resolve, reject) => {
  const headers = { Authorization: 'Bearer ' + sdkKey, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) };
  const req = request({ host: '127.0.0.1', port, path: '/sdk/events', method: 'POST', agent, headers }, (res) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => (text += chunk));
    res.on('end', () => {
      const answer = JSON.parse(text);
      if (res.statusCode !== 202 || answer.accepted !== expected) reject(new Error('HTTP ' + res.statusCode + ': ' + text));
      else resolve();
    });
  });
  req.on('error', reject);
  req.end(body);
});
// This thread's own CPU (utime + stime, in clock ticks), so the server's share can be told apart.
const threadTicks = () => {
  try {
    const stat = require('node:fs').readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch { return 0; }
};
const started = performance.now();
const ticks = threadTicks();
Promise.all(jobs.map(async (own) => { for (const body of own) await post(body); }))
  .then(() => parentPort.postMessage({ ms: performance.now() - started, cpuSeconds: (threadTicks() - ticks) / 100 }), (error) => parentPort.postMessage({ error: String(error) }))
  .finally(() => agent.destroy());
`;

/**
 * CPU seconds used so far by this process (server, pools and the client worker thread) and by the
 * PostgreSQL backends serving the bench database (read from /proc; 0 where there is no /proc). On a
 * small machine the two compete for the same cores, so CPU per item explains the throughput.
 */
function cpuSeconds(database: string): { node: number; postgres: number } {
  const usage = process.cpuUsage();
  let ticks = 0;
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(database)) continue;
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        ticks += Number(fields[11]) + Number(fields[12]); // utime + stime
      } catch {
        // the process ended meanwhile
      }
    }
  } catch {
    // no /proc: PostgreSQL's share is not reported
  }
  return { node: (usage.user + usage.system) / 1e6, postgres: ticks / 100 };
}

/** Runs `workers` loops in parallel over `jobs[w]`, returns items per second. */
async function measure<J>(jobs: J[][], run: (job: J) => Promise<void>): Promise<number> {
  const started = performance.now();
  await Promise.all(jobs.map(async (own) => {
    for (const job of own) await run(job);
  }));
  const seconds = (performance.now() - started) / 1000;
  return (jobs.flat().length * BATCH_SIZE) / seconds;
}

async function main() {
  const database = await createThrowawayDatabase(BASE_URL, 'ingest');
  const handle = await connect({ databaseUrl: database.url, poolSize: POOL_SIZE });
  const raw = new pg.Pool({ connectionString: database.url, max: POOL_SIZE });
  raw.on('error', () => {});
  const server = { close: () => {} } as { close: () => void };
  try {
    await migrateToLatest(handle.db);
    const now = new Date();
    // The production logger (one JSON line per request), writing nowhere.
    const app = createApp({ db: handle.db, logger: createLogger('info', () => {}), now: () => new Date(), maxBodyBytes: 1024 * 1024, ingestWriters: WRITERS });
    const system = { keyId: null, requestId: 'bench' };
    const adminKey = (await createKey(handle.db, system, { kind: 'admin', name: 'bench admin' })).secret;
    const sdkKey = (await createKey(handle.db, system, { kind: 'sdk', name: 'bench sdk' })).secret;
    const api = async (path: string, body: unknown) => {
      const res = await app.request(path, { method: 'POST', headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    };
    await api('/api/touchpoints', { key: 'bench-tp', name: 'Bench', kind: 'cta', funnelStage: 'purchase' });
    await api('/api/metrics', { key: 'purchase', name: 'Purchase', type: 'conversion', eventName: 'purchase' });
    await api('/api/experiments', {
      key: 'bench-exp', name: 'Bench', touchpointKey: 'bench-tp', primaryMetric: 'purchase',
      variants: [{ key: 'control', name: 'A', weight: 0.5 }, { key: 'b', name: 'B', weight: 0.5 }],
    });
    await api('/api/experiments/bench-exp/start', {});
    const experimentId = (await handle.db.selectFrom('experiments').select('id').where('key', '=', 'bench-exp').executeTakeFirstOrThrow()).id;

    const listening = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
    server.close = () => listening.close();
    await new Promise<void>((resolve) => listening.once('listening', () => resolve()));

    const httpJobs = (round: string) =>
      Array.from({ length: CLIENTS }, (_, c) => Array.from({ length: BATCHES }, (_, b) => JSON.stringify({ items: makeBatch(`h${round}-${c}-${b}`, now) })));
    const { port } = listening.address() as AddressInfo;
    /** One round of HTTP clients, run in a worker thread so they do not share the server's event loop. */
    let clientCpuSeconds = 0;
    const httpRound = async (jobs: string[][]): Promise<number> => {
      const worker = new Worker(CLIENT_WORKER, { eval: true, workerData: { port, sdkKey, jobs, expected: BATCH_SIZE } });
      try {
        const result = await new Promise<{ ms?: number; cpuSeconds?: number; error?: string }>((resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
        });
        if (result.error !== undefined || result.ms === undefined) throw new Error(`HTTP client: ${result.error}`);
        clientCpuSeconds += result.cpuSeconds ?? 0;
        return (jobs.flat().length * BATCH_SIZE) / (result.ms / 1000);
      } finally {
        await worker.terminate();
      }
    };

    // The raw baseline: the same rows the endpoint writes (exposures and events), one INSERT per table.
    const insert = (table: string, columns: string[], rows: unknown[][]) => {
      const params: unknown[] = [];
      const tuples = rows.map((row) => `(${row.map((value) => `$${params.push(value)}`).join(', ')})`);
      return { text: `insert into ${table} (${columns.join(', ')}) values ${tuples.join(', ')}`, values: params };
    };
    const rawJobs = (round: string) =>
      Array.from({ length: CLIENTS }, (_, c) =>
        Array.from({ length: BATCHES }, (_, b) => {
          const items = makeBatch(`r${round}-${c}-${b}`, now);
          const at = now.toISOString();
          const exposures = items.filter((i) => i.type === 'exposure').map((i) => [experimentId, i.unitId, i.variantKey === 'b' ? 1 : 0, i.id, i.timestamp, at, JSON.stringify(i.attributes)]);
          const events = items.filter((i) => i.type === 'event').map((i) => [i.id, i.unitId, i.name, i.value ?? null, i.timestamp, at, null]);
          return [
            insert('exposures', ['experiment_id', 'unit_id', 'variant_index', 'first_item_id', 'exposed_at', 'received_at', 'attributes'], exposures),
            insert('events', ['event_id', 'unit_id', 'name', 'value', 'occurred_at', 'received_at', 'attributes'], events),
          ];
        }),
      );
    const rawBatch = async (queries: Array<{ text: string; values: unknown[] }>) => {
      for (const query of queries) await raw.query(query);
    };

    log(`ingestion benchmark on ${new URL(database.url).host} (PostgreSQL), ${CLIENTS} clients × ${BATCHES} batches × ${BATCH_SIZE} items per round, ${ROUNDS} rounds`);
    await httpRound(httpJobs('w').map((jobs) => jobs.slice(0, 5)));
    await measure(rawJobs('w').map((jobs) => jobs.slice(0, 5)), rawBatch);
    clientCpuSeconds = 0; // count the measured rounds only
    const httpRates: number[] = [];
    const rawRates: number[] = [];
    const cpu = { http: { node: 0, postgres: 0 }, raw: { node: 0, postgres: 0 } };
    /** Runs `fn`, adding the CPU it used to `into`. */
    const metered = async <T>(into: { node: number; postgres: number }, fn: () => Promise<T>): Promise<T> => {
      const before = cpuSeconds(database.name);
      const result = await fn();
      const after = cpuSeconds(database.name);
      into.node += after.node - before.node;
      into.postgres += after.postgres - before.postgres;
      return result;
    };
    for (let round = 0; round < ROUNDS; round++) {
      const h = await metered(cpu.http, () => httpRound(httpJobs(String(round))));
      const r = await metered(cpu.raw, () => measure(rawJobs(String(round)), rawBatch));
      httpRates.push(h);
      rawRates.push(r);
      log(`  round ${round + 1}: HTTP ${rate(h)}, raw INSERT ${rate(r)}, ratio ${(h / r).toFixed(2)}`);
    }
    const perRound = CLIENTS * BATCHES * BATCH_SIZE;
    /** CPU milliseconds per 1,000 of `items`. */
    const msPer1000 = (seconds: number, items: number) => `${((seconds * 1e6) / items).toFixed(1)} ms`;
    const perItems = (seconds: number) => msPer1000(seconds, ROUNDS * perRound);
    log(`CPU per 1,000 items: HTTP server ${perItems(cpu.http.node - clientCpuSeconds)} + clients ${perItems(clientCpuSeconds)}, postgres ${perItems(cpu.http.postgres)}; raw node ${perItems(cpu.raw.node)}, postgres ${perItems(cpu.raw.postgres)}`);
    const http = median(httpRates);
    const rawRate = median(rawRates);
    log(`HTTP POST /sdk/events: ${rate(http)} (median)`);
    log(`raw multi-row INSERT:  ${rate(rawRate)} (median)`);
    log(`ratio HTTP / raw: ${(http / rawRate).toFixed(2)} (target ≥ 0.5) ${http / rawRate >= 0.5 ? 'OK' : 'BELOW TARGET'}`);
    // Where the time goes, with the same clients and batch size: the whole endpoint without the
    // socket (app.request), then classification + the write statement alone.
    const refs = await loadExperimentRefs(handle.db, ['bench-exp']);
    const cpuInProcess = { node: 0, postgres: 0 };
    const cpuStore = { node: 0, postgres: 0 };
    const inProcess = await metered(cpuInProcess, () => measure(
      httpJobs('p'),
      async (body) => void (await (await app.request('/sdk/events', { method: 'POST', headers: { Authorization: `Bearer ${sdkKey}`, 'Content-Type': 'application/json' }, body })).text()),
    ));
    const storeOnly = await metered(cpuStore, () => measure(
      Array.from({ length: CLIENTS }, (_, c) => Array.from({ length: BATCHES }, (_, b) => makeBatch(`s-${c}-${b}`, now))),
      async (items) => {
        const parsed = parseItems(items as never[], new Date());
        const exposures = resolveExposures(parsed.exposures, refs);
        await storeBatches(handle.db, [{ events: toEventRows(parsed.events), exposures: exposures.rows, receivedAt: new Date() }]);
      },
    ));
    log(`breakdown: app.request without a socket ${rate(inProcess)} (${(inProcess / rawRate).toFixed(2)} of raw); classification + write statement ${rate(storeOnly)} (${(storeOnly / rawRate).toFixed(2)} of raw)`);
    const per1000 = (c: { node: number; postgres: number }) => `node ${msPer1000(c.node, perRound)}, postgres ${msPer1000(c.postgres, perRound)}`;
    log(`CPU per 1,000 items: app.request ${per1000(cpuInProcess)}; classification + write ${per1000(cpuStore)}`);
    log(`reproduce: DATABASE_URL=${BASE_URL} BENCH_CLIENTS=${CLIENTS} BENCH_BATCHES=${BATCHES} BENCH_ROUNDS=${ROUNDS}${WRITERS ? ` BENCH_WRITERS=${WRITERS}` : ''} npm run bench:ingest -w server`);
  } finally {
    server.close();
    await raw.end();
    await handle.close();
    if (process.env.BENCH_KEEP !== '1') await database.drop();
    else log(`kept database ${database.name}`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
