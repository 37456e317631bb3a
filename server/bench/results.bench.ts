/**
 * Benchmark (b) of issue 5: results for one experiment with 1,000,000 exposed units and 10,000,000
 * events on PostgreSQL, in a throw-away database.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:results -w server
 *
 * Prints: the cold computation of the results (every query of GET …/results plus the assembly and the
 * snapshot write) as a ratio to the best single hand-written SQL aggregation of the same figures
 * (per variant and exposure day: units, conversions, revenue Σ and Σ², and the CUPED covariate sums),
 * timed in the same run (target ≤ 1.5); a repeated read served from the snapshot, as a share of
 * the cold time (target < 5 %); and the incremental refresh (results/incremental.ts) an hour later,
 * after new traffic — 1 % more units exposed in that hour with 1 % more events (most of them theirs,
 * some of returning old units), plus a few late events of units exposed two weeks in — as a share of a
 * full computation of the same data, and a refresh with nothing new. Each figure is the median of RUNS
 * alternating runs after one warm-up.
 * Generated events are received a few seconds to two minutes after they occur and stored in receive
 * order, as ingestion writes them, so the BRIN index on events (received_at) can skip the old ones.
 * Options: BENCH_UNITS, BENCH_EVENTS (defaults 1e6 and 1e7), BENCH_RUNS (default 3), BENCH_KEEP=1 to
 * keep the database, BENCH_REUSE=<database> to time again on a kept one (no generation; the new
 * traffic is added again only if it is not there yet).
 */
import { performance } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { createApp } from '../src/app.js';
import { connect } from '../src/db/connect.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { getExperiment } from '../src/experiments/repository.js';
import { createMemoryLogger } from '../src/http/logger.js';
import { createKey } from '../src/keys/repository.js';
import type { Database } from '../src/db/schema.js';
import { RESULTS_WORK_MEM } from '../src/results/repository.js';
import { computeResults } from '../src/results/compute.js';
import { getResults, refreshSnapshot } from '../src/results/service.js';
import { benchDatabase, createThrowawayDatabase } from './throwaway-database.js';

const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const UNITS = Number(process.env.BENCH_UNITS ?? 1_000_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const START = new Date('2026-10-01T00:00:00Z');
const NOW = new Date(START.getTime() + 21 * 86_400_000);
/** The incremental refresh runs an hour after the cold one, with the traffic of that hour. */
const LATER = new Date(NOW.getTime() + 3_600_000);

const log = (message: string) => process.stdout.write(`${message}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(0)} ms`;

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Generates the data with generate_series (reproducible: setseed), indexes built after the load. */
async function generate(url: string, experimentId: number): Promise<void> {
  await withClient(url, async (client) => {
    await client.query('select setseed(0.42)');
    await client.query(
      `insert into exposures (experiment_id, unit_id, variant_index, first_item_id, exposed_at, attributes, multiple_variants)
       select $1, 'u' || i, (random() < 0.5)::int, 'x' || i, $2::timestamptz + random() * interval '14 days',
              jsonb_build_object('device', case when random() < 0.6 then 'mobile' else 'desktop' end), random() < 0.001
       from generate_series(1, $3::int) as i`,
      [experimentId, START, UNITS],
    );
    // Same definitions as migration 0003, built once after the load instead of row by row.
    await client.query('alter table events drop constraint events_event_id_key');
    await client.query('drop index events_unit_name_time_idx');
    // Received 2 s to 2 min after they occur (and before the cold refresh at NOW, minus the receive
    // margin), stored in receive order like ingestion appends them.
    await client.query(
      `insert into events (event_id, unit_id, name, value, occurred_at, received_at)
       select 'e' || i, 'u' || (1 + floor(random() * $2::int * 1.1)::int), n, case when n = 'purchase' then round((20 + random() * 80)::numeric, 2) end,
              t, least(t + interval '2 seconds' + random() * interval '118 seconds', $4::timestamptz - interval '15 minutes') as received
       from (select i, $1::timestamptz - interval '7 days' + random() * interval '28 days' as t,
                    case when r < 0.5 then 'page_view' when r < 0.8 then 'add_to_cart' when r < 0.9 then 'checkout' else 'purchase' end as n
             from (select i, random() as r from generate_series(1, $3::int) as i) s) t
       order by received`,
      [START, UNITS, EVENTS, NOW],
    );
    await client.query('alter table events add constraint events_event_id_key unique (event_id)');
    await client.query('create index events_unit_name_time_idx on events (unit_id, name, occurred_at) include (value)');
    await client.query('vacuum analyze exposures');
    await client.query('vacuum analyze events');
  });
}

/**
 * The hour after NOW: 1 % more units exposed (ids after the generated ones), 1 % more events received
 * at LATER — 80 % of them by the new units, 20 % by returning old units (outside their attribution
 * windows: they must not make old days dirty) — and 200 late purchases of units exposed on day 13,
 * inside their 72 h window. Exposure days touched: today and day 13.
 */
async function addNewTraffic(url: string, experimentId: number): Promise<void> {
  await withClient(url, async (client) => {
    const present = await client.query(`select 1 from events where event_id like 'new-%' limit 1`);
    if (present.rowCount) return;
    await client.query('select setseed(0.24)');
    const newUnits = Math.round(UNITS / 100);
    const newEvents = Math.round(EVENTS / 100);
    await client.query(
      `insert into exposures (experiment_id, unit_id, variant_index, first_item_id, exposed_at, received_at, attributes)
       select $1, 'n' || i, (random() < 0.5)::int, 'nx' || i, $2::timestamptz + random() * ($3::timestamptz - $2::timestamptz), $3,
              jsonb_build_object('device', case when random() < 0.6 then 'mobile' else 'desktop' end)
       from generate_series(1, $4::int) as i`,
      [experimentId, NOW, LATER, newUnits],
    );
    await client.query(
      `insert into events (event_id, unit_id, name, value, occurred_at, received_at)
       select 'new-' || i, u, n, case when n = 'purchase' then round((20 + random() * 80)::numeric, 2) end,
              $1::timestamptz + random() * ($2::timestamptz - $1::timestamptz), $2
       from (select i, case when random() < 0.8 then 'n' || (1 + floor(random() * $3::int)::int) else 'u' || (1 + floor(random() * $4::int)::int) end as u,
                    case when r < 0.5 then 'page_view' when r < 0.8 then 'add_to_cart' when r < 0.9 then 'checkout' else 'purchase' end as n
             from (select i, random() as r from generate_series(1, $5::int) as i) s) t`,
      [NOW, LATER, newUnits, UNITS, newEvents],
    );
    await client.query(
      `insert into events (event_id, unit_id, name, value, occurred_at, received_at)
       select 'new-late-' || x.unit_id, x.unit_id, 'purchase', 42, x.exposed_at + interval '71 hours', $2
       from exposures x
       where x.experiment_id = $1 and x.exposed_at >= $3::timestamptz + interval '13 days 2 hours' and x.exposed_at < $3::timestamptz + interval '14 days'
       order by x.unit_id limit 200`,
      [experimentId, LATER, START],
    );
    await client.query('analyze exposures');
  });
}

/** Same document up to float rounding (per-day sums of real values may be added in another order). */
function sameDocument(a: unknown, b: unknown, path = ''): string | null {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)) ? null : `${path}: ${a} vs ${b}`;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b ? null : `${path}: ${String(a)} vs ${String(b)}`;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => k !== 'snapshot'));
  for (const k of keys) {
    const problem = sameDocument((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (problem) return problem;
  }
  return null;
}

/**
 * The same figures by hand, two ways; the faster one is "the best single hand-written aggregation".
 * A: join every analysed exposure to its purchases, group per unit, then per variant and day.
 * B: one lateral aggregate per unit over the (unit_id, name, occurred_at) index.
 */
const perUnitFigures = `
  (count(*) filter (where e.occurred_at >= greatest(x.exposed_at, $2) and e.occurred_at < least(x.exposed_at + interval '72 hours', $3)) > 0)::int as c,
  (count(*) filter (where e.occurred_at >= x.exposed_at - interval '14 days' and e.occurred_at < x.exposed_at) > 0)::int as cp,
  coalesce(sum(e.value) filter (where e.occurred_at >= greatest(x.exposed_at, $2) and e.occurred_at < least(x.exposed_at + interval '72 hours', $3)), 0) as r,
  coalesce(sum(e.value) filter (where e.occurred_at >= x.exposed_at - interval '14 days' and e.occurred_at < x.exposed_at), 0) as rp`;
const perVariantFigures = `
  count(*) as units, sum(c) as conv, sum(c * cp) as conv_x, sum(cp) as conv_p,
  count(*) filter (where r > 0) as rev_units, sum(r) as rev, sum(r * r) as rev2, sum(rp) as rev_p, sum(rp * rp) as rev_p2, sum(r * rp) as rev_x`;
const HAND = {
  join: `
    select variant_index, day, ${perVariantFigures}
    from (
      select x.variant_index, to_char(x.exposed_at at time zone 'UTC', 'YYYY-MM-DD') as day, ${perUnitFigures}
      from exposures x
      left join events e on e.unit_id = x.unit_id and e.name = 'purchase' and e.occurred_at >= x.exposed_at - interval '14 days' and e.occurred_at < $3
      where x.experiment_id = $1 and not x.multiple_variants
      group by x.experiment_id, x.unit_id
    ) u group by 1, 2`,
  lateral: `
    select variant_index, day, ${perVariantFigures}
    from (
      select x.variant_index, to_char(x.exposed_at at time zone 'UTC', 'YYYY-MM-DD') as day, u.*
      from exposures x
      cross join lateral (
        select ${perUnitFigures} from events e
        where e.unit_id = x.unit_id and e.name = 'purchase' and e.occurred_at >= x.exposed_at - interval '14 days' and e.occurred_at < $3
      ) u
      where x.experiment_id = $1 and not x.multiple_variants
    ) v group by 1, 2`,
};

async function main(): Promise<void> {
  const reuse = process.env.BENCH_REUSE;
  const database = reuse === undefined ? await createThrowawayDatabase(BASE_URL, 'results') : benchDatabase(BASE_URL, reuse);
  const url = database.url;
  // Loading 10M events and a full refresh are background work: no request deadline (DB_STATEMENT_TIMEOUT_MS).
  const handle = await connect({ databaseUrl: url, poolSize: 4, statementTimeoutMs: 0 });
  try {
    const db = handle.db;
    if (reuse) return await timeAll(db, url, await getExperiment(db, 'bench'));
    await migrateToLatest(db);
    let clock = START;
    const app = createApp({ db, logger: createMemoryLogger(), now: () => clock, maxBodyBytes: 1 << 20 });
    const { secret } = await createKey(db, { keyId: null, requestId: 'bench' }, { kind: 'admin', name: 'bench' });
    const call = async (method: string, path: string, body: unknown) => {
      const res = await app.request(path, { method, headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    };
    await call('POST', '/api/touchpoints', { key: 'checkout-cta', name: 'Checkout CTA', kind: 'cta', funnelStage: 'purchase' });
    await call('POST', '/api/metrics', { key: 'purchase', name: 'Purchase', type: 'conversion', eventName: 'purchase' });
    await call('POST', '/api/metrics', { key: 'revenue', name: 'Revenue', type: 'revenue', eventName: 'purchase' });
    await call('POST', '/api/experiments', {
      key: 'bench', name: 'Bench', touchpointKey: 'checkout-cta', primaryMetric: 'purchase', secondaryMetrics: ['revenue'],
      variants: [{ key: 'control', name: 'A', weight: 0.5 }, { key: 'b', name: 'B', weight: 0.5 }],
    });
    await call('POST', '/api/experiments/bench/start', {});
    clock = NOW;
    const experiment = await getExperiment(db, 'bench');

    log(`generating ${UNITS.toLocaleString('en')} exposed units and ${EVENTS.toLocaleString('en')} events…`);
    const generated = await time(() => generate(url, experiment.id));
    log(`  generated and indexed in ${(generated.ms / 1000).toFixed(1)} s`);
    await timeAll(db, url, experiment);
  } finally {
    await handle.close();
    if (!process.env.BENCH_KEEP && !reuse) await database.drop();
    else log(`kept database ${database.name} (BENCH_REUSE=${database.name} to time it again)`);
  }
}

async function timeAll(db: Kysely<Database>, url: string, experiment: Awaited<ReturnType<typeof getExperiment>>): Promise<void> {
  // The hand-written queries get the same sort/hash memory as the results queries.
  const hand = async (which: keyof typeof HAND) =>
    withClient(url, async (c) => {
      await c.query(`set work_mem = '${RESULTS_WORK_MEM}'`);
      return c.query(HAND[which], [experiment.id, START, NOW]);
    });
  // A kept database (BENCH_REUSE) may hold snapshots from later than NOW: start without any.
  await db.deleteFrom('results_snapshots').where('experiment_id', '=', experiment.id).execute();
  const cold = () => refreshSnapshot(db, experiment, { top: 10 }, NOW, undefined, { full: true });

  // Warm-up (buffers), then alternate.
  const check = await cold();
  const warmHand = await hand('join');
  await hand('lateral');
  const times = { results: [] as number[], join: [] as number[], lateral: [] as number[], snapshot: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    times.join.push((await time(() => hand('join'))).ms);
    times.lateral.push((await time(() => hand('lateral'))).ms);
    times.results.push((await time(cold)).ms);
  }
  for (let i = 0; i < 20; i++) times.snapshot.push((await time(() => getResults(db, 'bench', { top: 10, maxAge: 3600 }, NOW))).ms);

  // The figures agree.
  const units = warmHand.rows.reduce((s, r) => s + Number(r.units), 0);
  const conv = warmHand.rows.reduce((s, r) => s + Number(r.conv), 0);
  const ours = check.metrics[0]!.variants.reduce((s, v) => ({ units: s.units + v.units, conv: s.conv + v.converted }), { units: 0, conv: 0 });
  if (ours.units !== units || ours.conv !== conv) throw new Error(`figures differ: hand ${units}/${conv}, results ${ours.units}/${ours.conv}`);

  // An hour later, with that hour's traffic: a full computation and an incremental refresh of the
  // same data, alternating (each incremental reads the state the full one just stored, as the
  // scheduler's next tick would; both read the new events, received within the margin).
  // The new traffic leaves the experiment's definition as it was: the same loaded experiment serves.
  await addNewTraffic(url, experiment.id);
  let at = LATER.getTime();
  const refreshAt = (full: boolean) => refreshSnapshot(db, experiment, { top: 10 }, new Date((at += 1000)), undefined, { full });
  await refreshAt(true);
  await refreshAt(false);
  const after = { full: [] as number[], incremental: [] as number[], nothing: [] as number[], days: 0, allDays: 0 };
  for (let i = 0; i < RUNS; i++) {
    const full = await time(() => refreshAt(true));
    const incremental = await time(() => refreshAt(false));
    after.full.push(full.ms);
    after.incremental.push(incremental.ms);
    after.allDays = full.value.snapshot.refresh!.daysRecomputed;
    after.days = incremental.value.snapshot.refresh!.daysRecomputed;
  }
  // The incremental document is the full one (up to float rounding of real-valued sums).
  const lastIncremental = await refreshAt(false);
  const reference = await computeResults(db, experiment, { now: new Date(at) });
  const problem = sameDocument(lastIncremental, reference);
  if (problem) throw new Error(`incremental and full results differ at ${problem}`);
  // Nothing new: past the receive margin, the refresh reads the exposure fingerprint only.
  at += 11 * 60_000;
  await refreshAt(false);
  at += 11 * 60_000;
  let nothingDays = -1;
  for (let i = 0; i < RUNS; i++) {
    const nothing = await time(() => refreshAt(false));
    after.nothing.push(nothing.ms);
    nothingDays = nothing.value.snapshot.refresh!.daysRecomputed;
  }

  const cold50 = median(times.results);
  const best = Math.min(median(times.join), median(times.lateral));
  const snap = median(times.snapshot);
  const full50 = median(after.full);
  const incremental50 = median(after.incremental);
  const nothing50 = median(after.nothing);
  log('');
  log('Results benchmark (issue 5, b) — PostgreSQL, 1 experiment, 2 variants, 2 metrics (conversion + revenue, CUPED covariates)');
  log(`  data:                 ${UNITS.toLocaleString('en')} exposed units, ${EVENTS.toLocaleString('en')} events; ${units.toLocaleString('en')} analysed units, ${conv.toLocaleString('en')} converted`);
  log(`  work_mem:             ${RESULTS_WORK_MEM} for every query timed`);
  log(`  hand SQL (join):      median ${ms(median(times.join))}  [${times.join.map(ms).join(', ')}]`);
  log(`  hand SQL (lateral):   median ${ms(median(times.lateral))}  [${times.lateral.map(ms).join(', ')}]`);
  log(`  results, cold:        median ${ms(cold50)}  [${times.results.map(ms).join(', ')}]  (all queries + assembly + snapshot write)`);
  log(`  results, snapshot:    median ${snap.toFixed(1)} ms over 20 reads`);
  log(`  ratio cold / best hand SQL: ${(cold50 / best).toFixed(2)}  (target ≤ 1.5)`);
  log(`  snapshot / cold:            ${((snap / cold50) * 100).toFixed(2)} %  (target < 5 %)`);
  log('  an hour later: +1 % units exposed, +1 % events received (80 % by the new units), 200 late events on day 13');
  log(`  full refresh:         median ${ms(full50)}  [${after.full.map(ms).join(', ')}]  (${after.allDays} exposure days)`);
  log(`  incremental refresh:  median ${ms(incremental50)}  [${after.incremental.map(ms).join(', ')}]  (${after.days} days recomputed)`);
  log(`  nothing new:          median ${ms(nothing50)}  [${after.nothing.map(ms).join(', ')}]  (${nothingDays} days recomputed)`);
  log(`  incremental / full (same data): ${((incremental50 / full50) * 100).toFixed(1)} %;  / cold: ${((incremental50 / cold50) * 100).toFixed(1)} %`);
  log(`  nothing new / cold:             ${((nothing50 / cold50) * 100).toFixed(1)} %`);
  log(`  command: DATABASE_URL=${redact(BASE_URL)} npm run bench:results -w server`);
}

function redact(u: string): string {
  const parsed = new URL(u);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

await main();
