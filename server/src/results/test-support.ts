/**
 * Test helpers for the results suites: a controllable clock, experiments created through the API and
 * started at a known time, and exposures/events written directly with Kysely (in bulk through unnest).
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import { type Harness, createHarness, fixtures, seedCatalog } from '../test/harness.js';

export const T0 = new Date('2026-11-02T00:00:00Z');
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const at = (ms: number): Date => new Date(T0.getTime() + ms);

export interface Clock {
  now: Date;
}

export async function resultsHarness(db: Kysely<Database>): Promise<{ h: Harness; clock: Clock }> {
  const clock: Clock = { now: T0 };
  const h = await createHarness(db, { now: () => clock.now });
  await seedCatalog(h);
  return { h, clock };
}

async function ok(res: Response, what: string): Promise<unknown> {
  if (res.status >= 300 && res.status !== 409) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Creates metrics (409 tolerated), an experiment referring to them, and starts it at `clock.now`. */
export async function startedExperiment(
  h: Harness,
  db: Kysely<Database>,
  key: string,
  options: { metrics?: Record<string, unknown>[]; experiment?: Record<string, unknown> } = {},
): Promise<number> {
  for (const metric of options.metrics ?? []) await ok(await h.call('POST', '/api/metrics', metric), `metric ${String(metric.key)}`);
  await ok(await h.call('POST', '/api/experiments', fixtures.experiment(key, options.experiment ?? {})), `experiment ${key}`);
  await ok(await h.call('POST', `/api/experiments/${key}/start`), `start ${key}`);
  const row = await db.selectFrom('experiments').select('id').where('key', '=', key).executeTakeFirstOrThrow();
  return row.id;
}

export interface ExposureInput {
  unitId: string;
  variantIndex: number;
  exposedAt: Date;
  attributes?: Record<string, string> | null;
  multiple?: boolean;
}

export interface EventInput {
  unitId: string;
  name: string;
  occurredAt: Date;
  value?: number | null;
}

let sequence = 0;

export async function insertExposures(db: Kysely<Database>, experimentId: number, rows: readonly ExposureInput[]): Promise<void> {
  if (!rows.length) return;
  await sql`
    insert into exposures (experiment_id, unit_id, variant_index, first_item_id, exposed_at, attributes, multiple_variants)
    select ${experimentId}, u, v, 'item-' || u, t, a::jsonb, m
    from unnest(${rows.map((r) => r.unitId)}::text[], ${rows.map((r) => r.variantIndex)}::int[],
                ${rows.map((r) => r.exposedAt.toISOString())}::timestamptz[], ${rows.map((r) => (r.attributes ? JSON.stringify(r.attributes) : null))}::text[],
                ${rows.map((r) => r.multiple ?? false)}::boolean[]) as x(u, v, t, a, m)`.execute(db);
}

export async function insertEvents(db: Kysely<Database>, rows: readonly EventInput[]): Promise<void> {
  if (!rows.length) return;
  const ids = rows.map(() => `ev-${++sequence}-${Math.random().toString(36).slice(2)}`);
  await sql`
    insert into events (event_id, unit_id, name, value, occurred_at)
    select i, u, n, v, t
    from unnest(${ids}::text[], ${rows.map((r) => r.unitId)}::text[], ${rows.map((r) => r.name)}::text[],
                ${rows.map((r) => r.value ?? null)}::float8[], ${rows.map((r) => r.occurredAt.toISOString())}::timestamptz[]) as x(i, u, n, v, t)`.execute(db);
}

/** The demo's seeded PRNG, so simulated traffic is the same on every run. */
export { seededRandom } from '../demo/random.js';

export async function results(h: Harness, key: string, query = 'maxAge=0'): Promise<any> {
  const res = await h.call('GET', `/api/experiments/${key}/results?${query}`);
  if (res.status !== 200) throw new Error(`results ${key}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** `count` exposures in bulk (generate_series): unit i goes to the control when i mod 100 < controlPercent. */
export async function insertExposureSeries(
  db: Kysely<Database>,
  experimentId: number,
  options: { prefix: string; count: number; controlPercent: number; start: Date; spacingMs: number },
): Promise<void> {
  await sql`
    insert into exposures (experiment_id, unit_id, variant_index, first_item_id, exposed_at)
    select ${experimentId}, ${options.prefix} || i, case when i % 100 < ${options.controlPercent}::int then 0 else 1 end, 'item-' || i,
           ${options.start.toISOString()}::timestamptz + make_interval(secs => i * ${options.spacingMs / 1000}::float8)
    from generate_series(0, ${options.count - 1}::int) as i`.execute(db);
}

/** Replaces the experiment's phases (tests of phase-aware SRM). */
export async function setPhases(
  db: Kysely<Database>,
  experimentId: number,
  phases: { startedAt: Date; endedAt: Date | null; coverage: number; weights: number[] }[],
): Promise<void> {
  await db.deleteFrom('experiment_phases').where('experiment_id', '=', experimentId).execute();
  await db
    .insertInto('experiment_phases')
    .values(phases.map((p, phase) => ({ experiment_id: experimentId, phase, started_at: p.startedAt, ended_at: p.endedAt, coverage: p.coverage, weights: JSON.stringify(p.weights) })))
    .execute();
}

export type SdkItem = Record<string, unknown> & { id: string; type: 'exposure' | 'event' | 'identify'; unitId: string; timestamp: string };

/** POST /sdk/events with the SDK key, received at the harness clock's now; every item must be accepted. */
export async function sendItems(h: Harness, items: readonly SdkItem[]): Promise<void> {
  for (let i = 0; i < items.length; i += 1000) {
    const res = await h.call('POST', '/sdk/events', { items: items.slice(i, i + 1000) }, { key: h.sdkKey });
    const body = (await res.json()) as { rejected?: unknown[] };
    if (res.status !== 202 || body.rejected?.length) throw new Error(`/sdk/events: ${res.status} ${JSON.stringify(body)}`);
  }
}

/** A results document without its `snapshot` meta, as plain JSON (to compare two computations). */
export function documentOf(results: object): unknown {
  const { snapshot: _snapshot, ...document } = results as Record<string, unknown>;
  return JSON.parse(JSON.stringify(document));
}
