import { type Kysely, sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import type { Database } from '../db/schema.js';
import { getExperiment } from '../experiments/repository.js';
import { describeEachEngine } from '../test/engines.js';
import type { Harness } from '../test/harness.js';
import { computeResults } from './compute.js';
import { readSnapshot } from './snapshot-repository.js';
import { type ServedResults, refreshSnapshot } from './service.js';
import { type Clock, DAY, HOUR, type SdkItem, T0, at, documentOf, resultsHarness, sendItems, startedExperiment } from './test-support.js';

const KEY = 'refresh-test';
const MINUTE = 60_000;

describeEachEngine('results: incremental refresh of the default snapshot', (getDb) => {
  let h: Harness;
  let clock: Clock;
  let db: Kysely<Database>;
  let n = 0;
  const exposure = (unitId: string, variantKey: string, when: Date): SdkItem => ({
    id: `rx-${++n}`, type: 'exposure', unitId, experimentKey: KEY, variantKey, timestamp: when.toISOString(),
  });
  const event = (unitId: string, name: string, when: Date, value?: number): SdkItem => ({
    id: `re-${++n}`, type: 'event', unitId, name, timestamp: when.toISOString(), ...(value === undefined ? {} : { value }),
  });

  /** Refreshes at the clock's now and checks the document against a full computation at the same now. */
  async function refresh(): Promise<ServedResults> {
    const experiment = await getExperiment(db, KEY);
    const served = await refreshSnapshot(db, experiment, { top: 10 }, clock.now);
    const full = await computeResults(db, experiment, { now: clock.now });
    expect(documentOf(served)).toEqual(documentOf(full));
    return served;
  }

  beforeAll(async () => {
    db = getDb().db;
    ({ h, clock } = await resultsHarness(db));
    await startedExperiment(h, db, KEY, {
      metrics: [
        { key: 'rf-revenue', name: 'Revenue', type: 'revenue', eventName: 'purchase', attributionHours: 24 },
        { key: 'rf-funnel', name: 'Funnel', type: 'funnel', steps: ['view', 'add_to_cart', 'purchase'], attributionHours: 48 },
      ],
      experiment: { secondaryMetrics: ['rf-revenue', 'rf-funnel'] },
    });
    // Three exposure days, two units per variant each, some purchases.
    for (let d = 0; d < 3; d++) {
      clock.now = at(d * DAY + 2 * HOUR);
      const when = at(d * DAY + HOUR);
      await sendItems(h, [
        exposure(`r${d}-a`, 'control', when), exposure(`r${d}-b`, 'control', when),
        exposure(`r${d}-c`, 'urgent', when), exposure(`r${d}-d`, 'urgent', when),
        event(`r${d}-a`, 'view', when), event(`r${d}-a`, 'purchase', new Date(when.getTime() + MINUTE), 20),
        event(`r${d}-c`, 'purchase', new Date(when.getTime() + MINUTE), 30),
      ]);
    }
    clock.now = at(2 * DAY + 3 * HOUR);
  });

  it('the first refresh is full; with nothing new the next one recomputes no day', async () => {
    expect((await refresh()).snapshot.refresh).toEqual({ mode: 'full', daysRecomputed: 3 });
    clock.now = new Date(clock.now.getTime() + 15 * MINUTE);
    expect((await refresh()).snapshot.refresh).toEqual({ mode: 'incremental', daysRecomputed: 0 });
  });

  /**
   * Events received up to RECEIVE_MARGIN_MS before a refresh are read again by the next one (they may
   * have committed late): a refresh more than the margin after the last traffic lets it settle.
   */
  async function settle(): Promise<void> {
    clock.now = new Date(clock.now.getTime() + 11 * MINUTE);
    expect((await refresh()).snapshot.refresh?.mode).toBe('incremental');
  }

  it('new traffic on one day recomputes just that day', async () => {
    // A late purchase of a day-0 unit, inside its 24 h revenue window (the 72 h conversion window too).
    await sendItems(h, [event('r0-b', 'purchase', at(5 * HOUR), 12)]);
    clock.now = new Date(clock.now.getTime() + MINUTE);
    const late = await refresh();
    expect(late.snapshot.refresh).toEqual({ mode: 'incremental', daysRecomputed: 1 });
    expect(late.metrics[0]!.variants[0]!.converted).toBe(4);
    await settle();
    // A new unit today with a purchase, and an event no metric reads for a unit of day 0: today only.
    await sendItems(h, [exposure('r2-e', 'urgent', clock.now), event('r2-e', 'purchase', clock.now, 8), event('r0-d', 'newsletter', clock.now)]);
    clock.now = new Date(clock.now.getTime() + MINUTE);
    expect((await refresh()).snapshot.refresh).toEqual({ mode: 'incremental', daysRecomputed: 1 });
  });

  it('an erased unit and a unit seen in a second variant change their days through the exposure fingerprint', async () => {
    await settle();
    expect((await h.call('DELETE', '/api/units/r1-a')).status).toBe(200);
    await sendItems(h, [exposure('r0-d', 'control', clock.now)]);
    clock.now = new Date(clock.now.getTime() + MINUTE);
    const served = await refresh();
    expect(served.snapshot.refresh).toEqual({ mode: 'incremental', daysRecomputed: 2 });
    expect(served.exposures.multipleExposures).toBe(1);
  });

  it('an erased unit exposed again on the same day and in the same variant (a new exposure item) is seen', async () => {
    await settle();
    // r2-c (urgent, day 2) bought for 30; erased, then back in the same variant on the same day, no events.
    expect((await h.call('DELETE', '/api/units/r2-c')).status).toBe(200);
    await sendItems(h, [exposure('r2-c', 'urgent', at(2 * DAY + HOUR))]);
    clock.now = new Date(clock.now.getTime() + MINUTE);
    const served = await refresh();
    expect(served.snapshot.refresh).toEqual({ mode: 'incremental', daysRecomputed: 1 });
    expect(served.metrics[0]!.variants[1]!.converted).toBe(3); // r0-c, r1-c, r2-e
  });

  it('a metric edit forces a full recompute', async () => {
    clock.now = new Date(clock.now.getTime() + MINUTE);
    const metric = await (await h.call('GET', '/api/metrics/rf-revenue')).json();
    expect((await h.call('PATCH', '/api/metrics/rf-revenue', { attributionHours: 48, version: metric.version })).status).toBe(200);
    expect((await refresh()).snapshot.refresh).toEqual({ mode: 'full', daysRecomputed: 3 });
    clock.now = new Date(clock.now.getTime() + MINUTE);
    expect((await refresh()).snapshot.refresh?.mode).toBe('incremental');
  });

  it('stopping the experiment forces a full recompute; later refreshes are incremental again', async () => {
    clock.now = new Date(clock.now.getTime() + MINUTE);
    expect((await h.call('POST', `/api/experiments/${KEY}/stop`, { winner: null })).status).toBe(200);
    clock.now = new Date(clock.now.getTime() + MINUTE);
    expect((await refresh()).snapshot.refresh).toEqual({ mode: 'full', daysRecomputed: 3 });
    clock.now = new Date(clock.now.getTime() + 30 * MINUTE);
    expect((await refresh()).snapshot.refresh).toEqual({ mode: 'incremental', daysRecomputed: 0 });
  });

  it('reconciles with a full recompute once the last one is an hour old', async () => {
    clock.now = new Date(clock.now.getTime() + 31 * MINUTE);
    expect((await refresh()).snapshot.refresh?.mode).toBe('full');
  });

  it('GET with maxAge=0 and POST refresh take the incremental path; a served snapshot does not carry the refresh report', async () => {
    clock.now = new Date(clock.now.getTime() + MINUTE);
    const got = await (await h.call('GET', `/api/experiments/${KEY}/results?maxAge=0`)).json();
    expect(got.snapshot).toMatchObject({ source: 'computed', refresh: { mode: 'incremental', daysRecomputed: 0 } });
    clock.now = new Date(clock.now.getTime() + MINUTE);
    const posted = await (await h.call('POST', `/api/experiments/${KEY}/results/refresh`)).json();
    expect(posted.snapshot.refresh.mode).toBe('incremental');
    const served = await (await h.call('GET', `/api/experiments/${KEY}/results`)).json();
    expect(served.snapshot.source).toBe('snapshot');
    expect(served.snapshot).not.toHaveProperty('refresh');
    const segmented = await (await h.call('GET', `/api/experiments/${KEY}/results?maxAge=0&segment=device`)).json();
    expect(segmented.snapshot).not.toHaveProperty('refresh');
  });

  it('stores the state with the default snapshot only, and serving reads neither', async () => {
    const id = (await getExperiment(db, KEY)).id;
    const rows = await db.selectFrom('results_snapshots').select(['segment', 'state']).where('experiment_id', '=', id).orderBy('segment').execute();
    expect(rows.map((r) => [r.segment, r.state === null])).toEqual([['', false], ['device#10', true]]);
    expect(Object.keys((await readSnapshot(db, id, ''))!).sort()).toEqual(['computedAt', 'durationMs', 'results']);
  });

  it('does not serve a default snapshot stored by an older version of the results code: it recomputes in full', async () => {
    clock.now = new Date(clock.now.getTime() + MINUTE);
    expect((await (await h.call('GET', `/api/experiments/${KEY}/results`)).json()).snapshot.source).toBe('snapshot');
    await sql`update results_snapshots set state = jsonb_set(state, '{version}', '1') where segment = ''`.execute(db);
    const served = await (await h.call('GET', `/api/experiments/${KEY}/results`)).json();
    expect(served.snapshot).toMatchObject({ source: 'computed', refresh: { mode: 'full' } });
  });
});
