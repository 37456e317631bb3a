import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, fixtures } from '../test/harness.js';
import { type Clock, HOUR, T0, at, insertEvents, insertExposures, resultsHarness, startedExperiment } from './test-support.js';

interface Summary {
  items: { key: string; results: null | { computedAt: string; ageSeconds: number; exposures: { units: number; analysedUnits: number }; srm: { mismatch: boolean }; metrics: { key: string; role: string; variants: { key: string; comparison: unknown }[] }[] } }[];
}

describeEachEngine('results summary (GET /api/results/summary)', (getDb) => {
  let h: Harness;
  let clock: Clock;
  beforeAll(async () => {
    const db = getDb().db;
    ({ h, clock } = await resultsHarness(db));
    clock.now = T0;
    const id = await startedExperiment(h, db, 'summary-a');
    await startedExperiment(h, db, 'summary-b');
    await h.call('POST', '/api/experiments', fixtures.experiment('summary-draft'));
    await insertExposures(db, id, [
      { unitId: 's-1', variantIndex: 0, exposedAt: at(HOUR) },
      { unitId: 's-2', variantIndex: 1, exposedAt: at(HOUR) },
      { unitId: 's-3', variantIndex: 1, exposedAt: at(HOUR) },
    ]);
    await insertEvents(db, [{ unitId: 's-2', name: 'purchase', occurredAt: at(2 * HOUR) }]);
    clock.now = at(10 * HOUR);
  });

  const summary = async () => {
    const res = await h.call('GET', '/api/results/summary');
    expect(res.status).toBe(200);
    return (await res.json()) as Summary;
  };

  it('lists running experiments, never drafts, without computing anything: no snapshot yet → results null', async () => {
    const body = await summary();
    expect(body.items.map((i) => i.key)).toEqual(['summary-a', 'summary-b']);
    expect(body.items.every((i) => i.results === null)).toBe(true);
    const stored = await getDb().db.selectFrom('results_snapshots').select('experiment_id').execute();
    expect(stored).toEqual([]);
  });

  it('gives the stored headline once results are computed: primary metric, exposures, SRM flag, age', async () => {
    const full = (await (await h.call('GET', '/api/experiments/summary-a/results?maxAge=0')).json()) as { metrics: { role: string }[]; exposures: { units: number } };
    clock.now = new Date(clock.now.getTime() + 30_000);
    const item = (await summary()).items.find((i) => i.key === 'summary-a')!;
    expect(item.results).toMatchObject({ exposures: { units: 3, analysedUnits: 3 }, srm: { mismatch: false }, ageSeconds: 30 });
    expect(item.results!.metrics).toEqual([full.metrics.find((m) => m.role === 'primary')]);
    expect((await summary()).items.find((i) => i.key === 'summary-b')!.results).toBeNull();
  });

  it('lists stopped experiments too (their decision and winner in lists), with the snapshot computed since the stop', async () => {
    await startedExperiment(h, getDb().db, 'summary-stopped');
    expect((await h.call('POST', '/api/experiments/summary-stopped/stop', { winner: 'urgent' })).status).toBe(200);
    expect((await summary()).items.find((i) => i.key === 'summary-stopped')).toEqual({ key: 'summary-stopped', results: null });
    await h.call('GET', '/api/experiments/summary-stopped/results?maxAge=0');
    expect((await summary()).items.find((i) => i.key === 'summary-stopped')!.results).toMatchObject({ decision: { status: 'collecting' } });
    await h.call('POST', '/api/experiments/summary-stopped/archive');
    expect((await summary()).items.map((i) => i.key)).not.toContain('summary-stopped');
  });

  it('drops a snapshot older than the experiment’s last change', async () => {
    const experiment = (await (await h.call('GET', '/api/experiments/summary-a')).json()) as { version: number };
    clock.now = new Date(clock.now.getTime() + 1000);
    const res = await h.call('PATCH', '/api/experiments/summary-a', { name: 'Renamed', version: experiment.version });
    expect(res.status).toBe(200);
    expect((await summary()).items.find((i) => i.key === 'summary-a')!.results).toBeNull();
  });

  it('drops a snapshot stored by an older version of the results code (its refresh state version)', async () => {
    expect((await h.call('GET', '/api/experiments/summary-b/results?maxAge=0')).status).toBe(200);
    const b = () => summary().then((body) => body.items.find((i) => i.key === 'summary-b')!.results);
    expect(await b()).not.toBeNull();
    await sql`update results_snapshots set state = jsonb_set(state, '{version}', '1') where segment = ''`.execute(getDb().db);
    expect(await b()).toBeNull();
  });

  it('is for admin keys only', async () => {
    expect((await h.call('GET', '/api/results/summary', undefined, { key: h.sdkKey })).status).toBe(403);
    expect((await h.call('GET', '/api/results/summary', undefined, { key: null })).status).toBe(401);
    expect((await h.call('GET', '/api/results/summary?experiments=a')).status).toBe(422);
  });
});
