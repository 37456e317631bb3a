/**
 * Soak: the real server (`src/main.ts` in a child process, as `npm start` runs it) under a mixed load
 * for SOAK_SECONDS (60), on PostgreSQL when DATABASE_URL is set (in a throw-away database created next
 * to the one in the URL, dropped afterwards), else on PGlite in a temporary data directory.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:soak -w server
 *
 * Closed loop: SOAK_CLIENTS (16) clients over keep-alive connections, each sending its next request when
 * the last one is answered, routes drawn 40 % GET /sdk/config, 20 % POST /sdk/assign (half of them
 * logging exposures), 30 % POST /sdk/events (batches of 20 items: 10 exposures of fresh units and their
 * 10 events), 10 % GET /api/experiments/:key/results. Printed: per route the count, errors, p50 / p99 /
 * max latency and p99 as a multiple of the baseline's; the server's RSS before the load, at its peak
 * and at the end. Baseline, in the same run and with the same clients: GET /health for
 * SOAK_BASELINE_SECONDS (10), which touches neither the database nor a key, so the ratios say what the
 * routes cost beyond the HTTP stack on this machine at this moment. The clients run in this process,
 * the server in its own, so they do not share an event loop (they do share the cores).
 * After the server has stopped (SIGTERM, its graceful drain), the rows in the database are counted
 * against the items the 2xx answers acknowledged: the soak fails if any acknowledged item is missing.
 * The server runs with LOG_LEVEL=warn (a request line per request would measure the log pipe) and
 * SDK_RATE_LIMIT_PER_MINUTE=0 (the soak is one SDK key sending far more than a shop would).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { connect } from '../src/db/connect.js';
import { createThrowawayDatabase } from './throwaway-database.js';

const BASE_URL = process.env.DATABASE_URL;
const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const BASELINE_SECONDS = Number(process.env.SOAK_BASELINE_SECONDS ?? 10);
const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 16);
const EXPERIMENT = 'soak-checkout-cta';
const ROUTES = ['config', 'assign', 'events', 'results'] as const;
type Route = (typeof ROUTES)[number] | 'health';
const MIX: readonly [Route, number][] = [['config', 0.4], ['assign', 0.2], ['events', 0.3], ['results', 0.1]];

const log = (message: string) => process.stdout.write(`${message}\n`);
const serverDir = path.resolve(import.meta.dirname, '..');

interface Answer {
  status: number;
  body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });

function call(port: number, method: string, url: string, key: string | null, body?: unknown): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {
      ...(key && { Authorization: `Bearer ${key}` }),
      ...(payload !== undefined && { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }),
    };
    const req = request({ host: '127.0.0.1', port, path: url, method, agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** The server's resident set size in MiB (Linux /proc; null elsewhere). */
function rssMiB(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Starts `src/main.ts` on a free port and resolves with its port once the banner is printed. */
function startServer(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', 'src/main.ts'], { cwd: serverDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /running at http:\/\/[^:]+:(\d+)/.exec(output);
      if (match) resolve({ child, port: Number(match[1]) });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`the server exited (${code}) before listening:\n${output}`)));
  });
}

/** SIGTERM (the server drains and closes its database), then waits for the exit. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

function expectStatus(answer: Answer, wanted: number, what: string): void {
  if (answer.status !== wanted) throw new Error(`${what}: HTTP ${answer.status} ${answer.body.slice(0, 300)}`);
}

/** A touchpoint, a metric and a running 50/50 experiment: what the SDK routes and results work on. */
async function seed(port: number, adminKey: string): Promise<string> {
  expectStatus(await call(port, 'POST', '/api/touchpoints', adminKey, { key: 'soak-cta', name: 'Soak CTA', kind: 'cta', funnelStage: 'purchase' }), 201, 'touchpoint');
  expectStatus(await call(port, 'POST', '/api/metrics', adminKey, { key: 'soak-purchase', name: 'Purchase', type: 'conversion', eventName: 'purchase' }), 201, 'metric');
  const variants = [
    { key: 'control', name: 'Buy now', weight: 0.5, payload: { label: 'Buy now' } },
    { key: 'urgent', name: 'Ships today', weight: 0.5, payload: { label: 'Buy now, ships today' } },
  ];
  expectStatus(await call(port, 'POST', '/api/experiments', adminKey, { key: EXPERIMENT, name: 'Soak', touchpointKey: 'soak-cta', primaryMetric: 'soak-purchase', variants }), 201, 'experiment');
  expectStatus(await call(port, 'POST', `/api/experiments/${EXPERIMENT}/start`, adminKey), 200, 'start');
  const sdk = await call(port, 'POST', '/api/keys', adminKey, { kind: 'sdk', name: 'soak' });
  expectStatus(sdk, 201, 'SDK key');
  return (JSON.parse(sdk.body) as { secret: string }).secret;
}

interface Tally {
  latencies: number[];
  errors: Map<number, number>;
}

/** Runs CLIENTS closed-loop clients for `seconds`, each drawing its next route with `pick`. */
async function load(seconds: number, pick: () => Route, send: (route: Route, n: number) => Promise<{ status: number; ok: boolean }>): Promise<Map<Route, Tally>> {
  const tallies = new Map<Route, Tally>();
  const end = performance.now() + seconds * 1000;
  let sequence = 0;
  const client = async () => {
    while (performance.now() < end) {
      const route = pick();
      const started = performance.now();
      const { status, ok } = await send(route, sequence++);
      const tally = tallies.get(route) ?? { latencies: [], errors: new Map<number, number>() };
      tallies.set(route, tally);
      tally.latencies.push(performance.now() - started);
      if (!ok) tally.errors.set(status, (tally.errors.get(status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  return tallies;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function main(): Promise<void> {
  const database = BASE_URL ? await createThrowawayDatabase(BASE_URL, 'soak') : undefined;
  const dataDir = database ? undefined : mkdtempSync(path.join(tmpdir(), 'touchpoint-soak-'));
  const adminKey = `soak-admin-${randomBytes(24).toString('base64url')}`;
  const { DATABASE_URL: _unused, ...inherited } = process.env;
  const env = {
    ...inherited,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ADMIN_KEY: adminKey,
    SDK_RATE_LIMIT_PER_MINUTE: '0',
    ...(database ? { DATABASE_URL: database.url } : { DATA_DIR: dataDir }),
  };
  let child: ChildProcess | undefined;
  try {
    const started = await startServer(env);
    child = started.child;
    const { port } = started;
    const pid = child.pid!;
    const sdkKey = await seed(port, adminKey);
    log(`soak: ${database ? `PostgreSQL (${database.name})` : `PGlite (${dataDir})`}, ${CLIENTS} clients, ${SECONDS} s mixed after a ${BASELINE_SECONDS} s GET /health baseline`);

    // Items the server acknowledged (202 `accepted`, /sdk/assign's `exposures.accepted`): all must be stored.
    let acknowledged = 0;
    const send = async (route: Route, n: number): Promise<{ status: number; ok: boolean }> => {
      const tag = `${process.pid}-${n}`;
      let answer: Answer;
      if (route === 'health') answer = await call(port, 'GET', '/health', null);
      else if (route === 'config') answer = await call(port, 'GET', '/sdk/config', sdkKey);
      else if (route === 'assign') answer = await call(port, 'POST', '/sdk/assign', sdkKey, { unitId: `a-${tag}`, attributes: { device: n % 3 ? 'mobile' : 'desktop' }, logExposures: n % 2 === 0 });
      else if (route === 'results') answer = await call(port, 'GET', `/api/experiments/${EXPERIMENT}/results`, adminKey);
      else {
        const timestamp = new Date().toISOString();
        const items = Array.from({ length: 10 }, (_, i) => [
          { id: `x-${tag}-${i}`, type: 'exposure', unitId: `u-${tag}-${i}`, experimentKey: EXPERIMENT, variantKey: i % 2 ? 'urgent' : 'control', timestamp },
          { id: `e-${tag}-${i}`, type: 'event', unitId: `u-${tag}-${i}`, name: 'purchase', value: 10 + i, timestamp },
        ]).flat();
        answer = await call(port, 'POST', '/sdk/events', sdkKey, { items });
      }
      const ok = answer.status >= 200 && answer.status < 300;
      if (ok && (route === 'events' || route === 'assign')) {
        const parsed = JSON.parse(answer.body) as { accepted?: number; exposures?: { accepted: number } };
        acknowledged += parsed.accepted ?? parsed.exposures?.accepted ?? 0;
      }
      return { status: answer.status, ok };
    };

    const baseline = await load(BASELINE_SECONDS, () => 'health', send);
    const health = [...(baseline.get('health')?.latencies ?? [])].sort((a, b) => a - b);
    const healthRate = health.length / BASELINE_SECONDS;
    const healthP99 = quantile(health, 0.99);
    log(`baseline GET /health: ${Math.round(healthRate).toLocaleString('en-US')} req/s, p50 ${ms(quantile(health, 0.5))}, p99 ${ms(healthP99)}`);

    const rssStart = rssMiB(pid);
    let rssPeak = rssStart ?? 0;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB(pid) ?? 0)), 1000);
    const pick = (): Route => {
      let r = Math.random();
      for (const [route, share] of MIX) if ((r -= share) < 0) return route;
      return 'config';
    };
    const mixed = await load(SECONDS, pick, send);
    clearInterval(sampler);
    const rssEnd = rssMiB(pid);

    let total = 0;
    log('');
    log('route                              requests   req/s   errors        p50        p99        max   p99 / baseline p99');
    for (const route of ROUTES) {
      const tally = mixed.get(route);
      if (!tally) continue;
      const sorted = [...tally.latencies].sort((a, b) => a - b);
      total += sorted.length;
      const errors = [...tally.errors].map(([status, count]) => `${count}×${status}`).join(' ') || '0';
      const name = { config: 'GET /sdk/config', assign: 'POST /sdk/assign', events: 'POST /sdk/events (20 items)', results: `GET /api/experiments/:key/results` }[route];
      log(
        `${name.padEnd(34)} ${String(sorted.length).padStart(8)} ${(sorted.length / SECONDS).toFixed(0).padStart(7)} ${errors.padStart(8)} ${ms(quantile(sorted, 0.5)).padStart(10)} ${ms(quantile(sorted, 0.99)).padStart(10)} ${ms(sorted.at(-1) ?? Number.NaN).padStart(10)} ${(quantile(sorted, 0.99) / healthP99).toFixed(1).padStart(8)}×`,
      );
    }
    log(`all routes: ${Math.round(total / SECONDS).toLocaleString('en-US')} req/s = ${(total / SECONDS / healthRate).toFixed(2)} of the /health baseline's throughput`);
    const mib = (x: number | null) => (x === null ? 'n/a' : `${x.toFixed(0)} MiB`);
    log(`server RSS: ${mib(rssStart)} before the load, ${mib(rssPeak)} at its peak (sampled each second), ${mib(rssEnd)} at the end`);

    await stop(child);
    const handle = await connect(database ? { databaseUrl: database.url } : { dataDir: dataDir! });
    try {
      const { rows } = await sql<{ n: string }>`select (select count(*) from events) + (select count(*) from exposures) as n`.execute(handle.db);
      const stored = Number(rows[0]!.n);
      log(`acknowledged items: ${acknowledged.toLocaleString('en-US')}; stored after shutdown: ${stored.toLocaleString('en-US')}`);
      if (stored !== acknowledged) throw new Error(`stored ${stored} rows for ${acknowledged} acknowledged items`);
    } finally {
      await handle.close();
    }
  } finally {
    agent.destroy();
    if (child) await stop(child);
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
