import { beforeAll, expect, it } from 'vitest';
import { createMemoryLogger } from '../http/logger.js';
import { describeEachEngine } from '../test/engines.js';
import type { Harness } from '../test/harness.js';
import { getExperiment } from '../experiments/repository.js';
import { refreshStaleResults } from './scheduler.js';
import { type InFlight, refreshSnapshot } from './service.js';
import { type Clock, HOUR, T0, at, insertEvents, insertExposures, resultsHarness, startedExperiment } from './test-support.js';

describeEachEngine('results: HTTP, CSV and snapshots', (getDb) => {
  let h: Harness;
  let clock: Clock;
  let id: number;
  beforeAll(async () => {
    const db = getDb().db;
    ({ h, clock } = await resultsHarness(db));
    clock.now = T0;
    id = await startedExperiment(h, db, 'http-test', {
      metrics: [{ key: 'cart-value', name: 'Cart, "value", =SUM(1)', type: 'revenue', eventName: 'purchase', direction: 'decrease', currency: 'EUR' }],
      experiment: { secondaryMetrics: ['cart-value'] },
    });
    await insertExposures(db, id, [
      { unitId: 'h-1', variantIndex: 0, exposedAt: at(HOUR) },
      { unitId: 'h-2', variantIndex: 0, exposedAt: at(HOUR) },
      { unitId: 'h-3', variantIndex: 1, exposedAt: at(HOUR) },
      { unitId: 'h-4', variantIndex: 1, exposedAt: at(HOUR) },
    ]);
    await insertEvents(db, [{ unitId: 'h-1', name: 'purchase', value: 10, occurredAt: at(2 * HOUR) }]);
    clock.now = at(10 * HOUR);
  });

  it('validates the query strictly', async () => {
    // maxAge= and top= (empty), ' ', hex: not numbers; `?maxAge=` used to mean 0, a recomputation.
    for (const query of ['segment=bad%20name', 'segment=a;drop', 'format=xml', 'maxAge=-1', 'top=0', 'nope=1', 'maxAge=', 'maxAge=%20', 'maxAge=0x10', 'top=', 'top=0x5']) {
      const res = await h.call('GET', `/api/experiments/http-test/results?${query}`);
      expect(res.status, query).toBe(422);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await h.call('GET', '/api/experiments/NOT_A_SLUG/results')).status).toBe(404);
    expect((await h.call('POST', '/api/experiments/nope/results/refresh')).status).toBe(404);
    expect((await h.call('GET', '/api/experiments/http-test/results', undefined, { key: h.sdkKey })).status).toBe(403);
  });

  it('refresh takes its options in the query: a body other than {} is refused, not ignored', async () => {
    const path = '/api/experiments/http-test/results/refresh';
    const before = await getDb().db.selectFrom('results_snapshots').selectAll().where('experiment_id', '=', id).execute();
    for (const [body, contentType, status, field] of [
      ['{"segment":"country"}', 'application/json', 422, 'segment'],
      ['{"__proto__":{}}', 'application/json', 422, '__proto__'],
      ['[]', 'application/json', 422, ''],
      ['{"top":', 'application/json', 400, undefined],
      ['{}', 'text/plain', 415, undefined],
    ] as const) {
      const res = await h.call('POST', path, body, { headers: { 'Content-Type': contentType } });
      const text = await res.text();
      expect(res.status, `${body}: ${text}`).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      if (field !== undefined) expect(JSON.parse(text).errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect(await getDb().db.selectFrom('results_snapshots').selectAll().where('experiment_id', '=', id).execute()).toEqual(before);
    // No body, or an empty JSON object, still refreshes.
    expect((await h.call('POST', path)).status).toBe(200);
    expect((await h.call('POST', path, {})).status).toBe(200);
  });

  it('exports CSV: one row per metric and variant, escaped', async () => {
    const res = await h.call('GET', '/api/experiments/http-test/results?format=csv&maxAge=0');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="http-test-results.csv"');
    const text = await res.text();
    const lines = text.trimEnd().split('\r\n');
    expect(lines).toHaveLength(1 + 2 * 2);
    expect(lines[0]).toMatch(/^metric,metric_name,type,role,direction,unit,currency,variant,units,converted,value,/);
    expect(lines[1]).toMatch(/^purchase,Purchase,conversion,primary,increase,,,control,2,1,0\.5,/);
    // Money carries its currency (#11): the value 5 is in euros.
    expect(lines[3]).toContain('cart-value,"Cart, ""value"", =SUM(1)",revenue,secondary,decrease,,EUR,control,2,1,5,');
    // The treatment row carries the JSON's figures, the credible interval of the lift included.
    const header = lines[0]!.split(',');
    const treatment = lines[2]!.split(',');
    const json = await (await h.call('GET', '/api/experiments/http-test/results')).json();
    const comparison = json.metrics[0].variants[1].comparison;
    expect(Number(treatment[header.indexOf('credible_low')])).toBe(comparison.credibleInterval[0]);
    expect(Number(treatment[header.indexOf('credible_high')])).toBe(comparison.credibleInterval[1]);
    expect(Number(treatment[header.indexOf('chance_to_beat_control')])).toBe(comparison.chanceToBeatControl);
  });

  it('reads the direction of a metric: lower is better for "decrease"', async () => {
    const body = await (await h.call('GET', '/api/experiments/http-test/results?maxAge=0')).json();
    const cart = body.metrics[1].variants[1].comparison;
    expect(cart.chanceToWin).toBeCloseTo(1 - cart.chanceToBeatControl, 12);
  });

  it('serves a fresh snapshot, recomputes a stale one, refreshes on demand', async () => {
    const db = getDb().db;
    clock.now = at(20 * HOUR);
    const first = await (await h.call('GET', '/api/experiments/http-test/results')).json();
    expect(first.snapshot.source).toBe('computed');
    // New data within maxAge: the snapshot is served as it was.
    await insertEvents(db, [{ unitId: 'h-3', name: 'purchase', value: 3, occurredAt: at(3 * HOUR) }]);
    clock.now = new Date(at(20 * HOUR).getTime() + 30_000);
    const cached = await (await h.call('GET', '/api/experiments/http-test/results')).json();
    expect(cached.snapshot).toMatchObject({ source: 'snapshot', ageSeconds: 30, computedAt: first.snapshot.computedAt });
    expect(cached.metrics[0].variants[1].converted).toBe(0);
    // A shorter maxAge makes it stale.
    const recomputed = await (await h.call('GET', '/api/experiments/http-test/results?maxAge=10')).json();
    expect(recomputed.snapshot.source).toBe('computed');
    expect(recomputed.metrics[0].variants[1].converted).toBe(1);
    // Refresh on demand stores a new snapshot that the next GET serves.
    await insertEvents(db, [{ unitId: 'h-4', name: 'purchase', value: 4, occurredAt: at(3 * HOUR) }]);
    clock.now = new Date(clock.now.getTime() + 1000);
    const refreshed = await (await h.call('POST', '/api/experiments/http-test/results/refresh')).json();
    expect(refreshed.metrics[0].variants[1].converted).toBe(2);
    const after = await (await h.call('GET', '/api/experiments/http-test/results')).json();
    expect(after.snapshot.source).toBe('snapshot');
    expect(after.metrics[0].variants[1].converted).toBe(2);
    // A change to the experiment invalidates the snapshot at once.
    clock.now = new Date(clock.now.getTime() + 1000);
    const patched = await h.call('PATCH', '/api/experiments/http-test', { name: 'Renamed', version: (await (await h.call('GET', '/api/experiments/http-test')).json()).version });
    expect(patched.status).toBe(200);
    const renamed = await (await h.call('GET', '/api/experiments/http-test/results')).json();
    expect(renamed.snapshot.source).toBe('computed');
    expect(renamed.experiment.name).toBe('Renamed');
  });

  it('concurrent cache misses share one computation', async () => {
    const db = getDb().db;
    const experiment = await getExperiment(db, 'http-test');
    const inFlight: InFlight = new Map();
    const first = refreshSnapshot(db, experiment, { top: 10 }, clock.now, inFlight);
    const second = refreshSnapshot(db, experiment, { top: 10 }, clock.now, inFlight);
    const segmented = refreshSnapshot(db, experiment, { segment: 'device', top: 10 }, clock.now, inFlight);
    expect(inFlight.size).toBe(2);
    const [a, b, c] = await Promise.all([first, second, segmented]);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(inFlight.size).toBe(0);
  });

  it('the scheduler refreshes stale running experiments only', async () => {
    const db = getDb().db;
    const deps = { db, logger: createMemoryLogger(), now: () => clock.now };
    clock.now = new Date(clock.now.getTime() + 10 * 60_000);
    const refreshed = await refreshStaleResults(deps, { maxAgeMs: 60_000, batch: 10 });
    expect(refreshed).toContain('http-test');
    expect(await refreshStaleResults(deps, { maxAgeMs: 60_000, batch: 10 })).toEqual([]);
    const row = await db.selectFrom('results_snapshots').select('computed_at').where('experiment_id', '=', id).where('segment', '=', '').executeTakeFirstOrThrow();
    expect(row.computed_at.getTime()).toBe(clock.now.getTime());
  });

  it('documents both operations in the OpenAPI document', async () => {
    const doc = await (await h.call('GET', '/openapi.json')).json();
    expect(doc.paths['/api/experiments/{key}/results'].get.parameters.map((p: any) => p.name)).toEqual(expect.arrayContaining(['key', 'format', 'segment', 'maxAge']));
    expect(doc.paths['/api/experiments/{key}/results/refresh'].post).toBeDefined();
  });
});
