/**
 * Benchmark of issue 16: the SDK hot paths of the real server as ratios to bare Hono endpoints,
 * measured in the same run on the same machine with autocannon.
 *
 *   npm run bench:http -w server                                                       # PGlite
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:http -w server  # PostgreSQL
 *
 * Three processes, one core each: the reference servers (bench/http-bare.ts: a bare Hono JSON endpoint
 * answering the same config body, and a bare hash-and-assign endpoint using the SDK's assignVariant),
 * the real server (`src/main.ts` as `npm start` runs it: every middleware, request log at the default
 * level to /dev/null, PGlite in memory or a throw-away PostgreSQL database dropped afterwards), and
 * autocannon in this process. Each endpoint gets a 2 s warm-up, then load with
 * BENCH_CONNECTIONS (50) connections; pairs are measured back to back, so a neighbour's load on the
 * machine hits both sides of a ratio alike; each figure is the median of BENCH_ROUNDS (3) rounds of
 * BENCH_SECONDS (5) s. The server's CPU time per request (from /proc) is printed too: it moves far less
 * than throughput when other work shares the machine. The catalog: BENCH_EXPERIMENTS (5) running experiments
 * with payloads and targeting. Targets (issue 16): /sdk/config ≥ 0.7× the bare JSON endpoint,
 * /sdk/assign ≥ 0.5× the bare hash-and-assign endpoint, in requests per second.
 * The SDK rate limit is raised out of the way (SDK_RATE_LIMIT_PER_MINUTE=100000000: still counted).
 * BENCH_CPU_PROF=<dir> runs the real server with `node --cpu-prof` and leaves its profile in that
 * folder (bench/cpu-profile.ts summarises one), to see where a request's time goes; samples every
 * BENCH_CPU_PROF_INTERVAL µs (100).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import autocannon from 'autocannon';
import { createThrowawayDatabase } from './throwaway-database.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
/** Requests in flight per connection (autocannon pipelining); 1 = none. */
const PIPELINING = Number(process.env.BENCH_PIPELINING ?? 1);
const EXPERIMENTS = Number(process.env.BENCH_EXPERIMENTS ?? 5);
const DATABASE_URL = process.env.DATABASE_URL || undefined;
const CPU_PROF = process.env.BENCH_CPU_PROF || undefined;
/** Sampling interval of BENCH_CPU_PROF in µs (V8's default is 1000: too coarse for a few µs per request). */
const CPU_PROF_INTERVAL = Number(process.env.BENCH_CPU_PROF_INTERVAL ?? 100);
const serverDir = path.resolve(import.meta.dirname, '..');
const log = (message: string) => process.stdout.write(`${message}\n`);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function start(script: string, env: Record<string, string>, nodeOptions: string[] = []): ChildProcess {
  const child = spawn(process.execPath, [...nodeOptions, '--import', 'tsx', '--conditions=source', script], {
    cwd: serverDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not come up`);
}

interface Load {
  rps: number;
  p99: number;
  /** CPU time the server process spent per answered request (user + system), in µs. */
  cpuUs: number;
  /** The user-mode part of it (our JavaScript, Hono, Node's HTTP code); the rest is the kernel's (socket writes). */
  userUs: number;
  non2xx: number;
  errors: number;
}

/** User and system CPU time of a process so far, in µs (Linux /proc; clock ticks of 10 ms). */
function cpuTimeUs(pid: number): { user: number; system: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return { user: Number(fields[11]) * (1e6 / 100), system: Number(fields[12]) * (1e6 / 100) };
}

async function load(url: string, pid: number, options: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string }, seconds = SECONDS): Promise<Load> {
  const cpuBefore = cpuTimeUs(pid);
  const result = await autocannon({ url, connections: CONNECTIONS, pipelining: PIPELINING, duration: seconds, ...options });
  const cpuAfter = cpuTimeUs(pid);
  const requests = Math.max(1, result.requests.total);
  const userUs = (cpuAfter.user - cpuBefore.user) / requests;
  const cpuUs = userUs + (cpuAfter.system - cpuBefore.system) / requests;
  return { rps: result.requests.average, p99: result.latency.p99, cpuUs, userUs, non2xx: result.non2xx, errors: result.errors + result.timeouts };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const adminKey = randomBytes(32).toString('base64url');
  const database = DATABASE_URL ? await createThrowawayDatabase(DATABASE_URL, 'http') : undefined;
  const children: ChildProcess[] = [];
  try {
    const profiling = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(CPU_PROF)}`, `--cpu-prof-interval=${CPU_PROF_INTERVAL}`] : [];
    const port = await freePort();
    const real = `http://127.0.0.1:${port}`;
    children.push(start('src/main.ts', {
      PORT: String(port), HOST: '127.0.0.1', ADMIN_KEY: adminKey, RESULTS_REFRESH_SECONDS: '0',
      SDK_RATE_LIMIT_PER_MINUTE: '100000000',
      ...(database ? { DATABASE_URL: database.url } : { DATABASE_URL: '', DATA_DIR: 'memory://' }),
    }, profiling));
    await waitFor(`${real}/health`);
    const admin = { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' };
    const post = async (p: string, body: unknown) => {
      const res = await fetch(`${real}${p}`, { method: 'POST', headers: admin, body: JSON.stringify(body) });
      if (res.status >= 300) throw new Error(`POST ${p}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<Record<string, unknown>>;
    };
    await post('/api/touchpoints', { key: 'checkout-cta', name: 'Checkout CTA', kind: 'cta', funnelStage: 'purchase' });
    await post('/api/metrics', { key: 'purchase', name: 'Purchase', type: 'conversion', eventName: 'purchase' });
    for (let i = 0; i < EXPERIMENTS; i++) {
      await post('/api/experiments', {
        key: `bench-${i}`, name: `Bench ${i}`, touchpointKey: 'checkout-cta', primaryMetric: 'purchase', coverage: 0.9,
        variants: [
          { key: 'control', name: 'Control', weight: 0.5, payload: { label: 'Buy now', colour: '#0a7' } },
          { key: 'b', name: 'B', weight: 0.5, payload: { label: 'Buy now, ships today', colour: '#d40' } },
        ],
        ...(i % 2 === 0 && { targeting: { all: [{ attribute: 'country', op: 'in', value: ['FR', 'BE', 'DE'] }] } }),
      });
      await post(`/api/experiments/bench-${i}/start`, {});
    }
    const sdkKey = (await post('/api/keys', { kind: 'sdk', name: 'bench' })).secret as string;
    const sdk = { Authorization: `Bearer ${sdkKey}` };
    const configBody = await (await fetch(`${real}/sdk/config`, { headers: sdk })).json() as { experiments: unknown[] };
    if (configBody.experiments.length !== EXPERIMENTS) throw new Error(`expected ${EXPERIMENTS} running experiments, got ${configBody.experiments.length}`);

    const barePort = await freePort();
    const bare = `http://127.0.0.1:${barePort}`;
    children.push(start('bench/http-bare.ts', { BARE_PORT: String(barePort), BARE_CONFIG: JSON.stringify({ experiments: configBody.experiments }) }, profiling));
    await waitFor(`${bare}/json`);

    const assignBody = JSON.stringify({ unitId: 'visitor-42', attributes: { country: 'FR', device: 'mobile' } });
    const json = { 'Content-Type': 'application/json' };
    const realPid = children[0]!.pid!;
    const barePid = children[1]!.pid!;
    if (CPU_PROF) log(`[bench:http] CPU profiles in ${path.resolve(CPU_PROF)}: real server pid ${realPid}, bare servers pid ${barePid}`);
    const allRuns = {
      bareJson: (seconds?: number) => load(`${bare}/json`, barePid, {}, seconds),
      config: (seconds?: number) => load(`${real}/sdk/config`, realPid, { headers: sdk }, seconds),
      bareAssign: (seconds?: number) => load(`${bare}/assign`, barePid, { method: 'POST', headers: json, body: assignBody }, seconds),
      assign: (seconds?: number) => load(`${real}/sdk/assign`, realPid, { method: 'POST', headers: { ...sdk, ...json }, body: assignBody }, seconds),
    };
    // BENCH_ONLY=config (or assign): that pair alone, e.g. to profile one endpoint with BENCH_CPU_PROF.
    const only = process.env.BENCH_ONLY;
    const pairs: Record<string, string[]> = { config: ['bareJson', 'config'], assign: ['bareAssign', 'assign'] };
    const runs = Object.fromEntries(Object.entries(allRuns).filter(([name]) => !only || pairs[only]?.includes(name)));
    log(`[bench:http] ${database ? `PostgreSQL (${new URL(DATABASE_URL!).host}, throw-away database)` : 'PGlite (memory://)'}; ${EXPERIMENTS} running experiments; autocannon ${CONNECTIONS} connections; ${ROUNDS} rounds × ${SECONDS} s per endpoint, pairs back to back, after a 2 s warm-up; medians`);
    for (const run of Object.values(runs)) await run(2);
    const all: Record<string, Load[]> = Object.fromEntries(Object.keys(runs).map((name) => [name, []]));
    for (let round = 0; round < ROUNDS; round++) for (const [name, run] of Object.entries(runs)) all[name]!.push(await run());
    const results: Record<string, Load> = Object.fromEntries(Object.entries(all).map(([name, loads]) => [name, {
      rps: median(loads.map((l) => l.rps)), p99: median(loads.map((l) => l.p99)), cpuUs: median(loads.map((l) => l.cpuUs)), userUs: median(loads.map((l) => l.userUs)),
      non2xx: loads.reduce((n, l) => n + l.non2xx, 0), errors: loads.reduce((n, l) => n + l.errors, 0),
    }]));
    const row = (label: string, r: Load) => `${label.padEnd(28)} ${Math.round(r.rps).toLocaleString('en-US').padStart(8)} req/s   p99 ${String(r.p99).padStart(4)} ms   server CPU ${r.cpuUs.toFixed(1).padStart(6)} µs/request (user ${r.userUs.toFixed(1).padStart(6)})${r.non2xx || r.errors ? `   (${r.non2xx} non-2xx, ${r.errors} errors)` : ''}`;
    const labels: Record<string, string> = { bareJson: 'bare Hono JSON', config: 'GET /sdk/config', bareAssign: 'bare Hono hash-and-assign', assign: 'POST /sdk/assign' };
    for (const [name, r] of Object.entries(results)) log(row(labels[name]!, r));
    const ratio = (a: Load, b: Load, target: number) => {
      const r = a.rps / b.rps;
      return `${r.toFixed(2)}× throughput (target ≥ ${target}: ${r >= target ? 'met' : 'NOT met'}), p99 ${(a.p99 / Math.max(b.p99, 1)).toFixed(2)}× the bare p99, CPU per request ${(b.cpuUs / a.cpuUs).toFixed(2)}× as efficient (user CPU ${(b.userUs / a.userUs).toFixed(2)}×)`;
    };
    if (results.config) log(`/sdk/config vs bare JSON:        ${ratio(results.config, results.bareJson!, 0.7)}`);
    if (results.assign) log(`/sdk/assign vs bare assign:      ${ratio(results.assign, results.bareAssign!, 0.5)}`);
    for (const [name, r] of Object.entries(results)) if (r.non2xx || r.errors) log(`warning: ${name} had ${r.non2xx} non-2xx answers and ${r.errors} errors`);
  } finally {
    // Waited for: the real server writes its CPU profile (BENCH_CPU_PROF) as it exits.
    await Promise.all(children.map((child) => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(undefined);
      child.once('exit', resolve);
      child.kill('SIGTERM');
    })));
    await database?.drop().catch((error: unknown) => log(`could not drop the bench database: ${String(error)}`));
  }
}

await main();
