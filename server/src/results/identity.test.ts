/**
 * Identity (README.md, "Identity"): an anonymous id linked to an account by an `identify` item counts
 * as one unit with it — events of either id count for the unit's first exposure — through
 * POST /sdk/events, the full computation and the incremental refresh (which must agree at every step,
 * links arriving after the events included), and erasure.
 */
import type { Kysely } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/schema.js';
import { getExperiment } from '../experiments/repository.js';
import { describeEachEngine } from '../test/engines.js';
import type { Harness } from '../test/harness.js';
import { computeResults } from './compute.js';
import { type ServedResults, refreshSnapshot } from './service.js';
import { type Clock, HOUR, type SdkItem, at, documentOf, resultsHarness, sendItems, startedExperiment } from './test-support.js';

const KEY = 'identity-test';
const MINUTE = 60_000;

describeEachEngine('results: identify links an anonymous id and its account into one unit', (getDb) => {
  let h: Harness;
  let clock: Clock;
  let db: Kysely<Database>;
  let n = 0;
  const exposure = (unitId: string, variantKey: string, when = clock.now): SdkItem => ({
    id: `ix-${++n}`, type: 'exposure', unitId, experimentKey: KEY, variantKey, timestamp: when.toISOString(),
  });
  const event = (unitId: string, name: string, when = clock.now, value?: number): SdkItem => ({
    id: `ie-${++n}`, type: 'event', unitId, name, timestamp: when.toISOString(), ...(value === undefined ? {} : { value }),
  });
  const identify = (anonymousId: string, unitId: string, id = `ii-${++n}`): SdkItem => ({
    id, type: 'identify', unitId, anonymousId, timestamp: clock.now.toISOString(),
  });
  const later = (minutes: number) => {
    clock.now = new Date(clock.now.getTime() + minutes * MINUTE);
    return clock.now;
  };

  /** Refreshes the stored snapshot (incremental when it can) and checks it against a full computation. */
  async function refresh(): Promise<ServedResults> {
    const experiment = await getExperiment(db, KEY);
    const served = await refreshSnapshot(db, experiment, { top: 10 }, clock.now);
    const full = await computeResults(db, experiment, { now: clock.now });
    expect(documentOf(served)).toEqual(documentOf(full));
    return served;
  }

  /** Units and converted units of the primary metric (purchase), and the revenue sum, per variant. */
  function figures(served: ServedResults) {
    const doc = served as unknown as {
      metrics: Array<{ key: string; variants: Array<{ key: string; units: number; converted: number; value: number | null }>; steps?: Array<{ variants: Array<{ units: number }> }> }>;
      exposures: { units: number; multipleExposures: number };
    };
    const metric = (key: string) => doc.metrics.find((m) => m.key === key)!;
    const byVariant = (key: string) => Object.fromEntries(metric(key).variants.map((v) => [v.key, v]));
    const purchase = byVariant('purchase');
    const revenue = byVariant('id-revenue');
    const funnel = metric('id-funnel').steps!;
    return {
      units: { control: purchase.control!.units, urgent: purchase.urgent!.units },
      converted: { control: purchase.control!.converted, urgent: purchase.urgent!.converted },
      revenueConverted: { control: revenue.control!.converted, urgent: revenue.urgent!.converted },
      funnelPurchased: funnel.at(-1)!.variants.map((v) => v.units),
      exposures: doc.exposures,
    };
  }

  beforeAll(async () => {
    db = getDb().db;
    ({ h, clock } = await resultsHarness(db));
    await startedExperiment(h, db, KEY, {
      metrics: [
        { key: 'id-revenue', name: 'Revenue', type: 'revenue', eventName: 'purchase', attributionHours: 72 },
        { key: 'id-funnel', name: 'View to purchase', type: 'funnel', steps: ['view', 'purchase'], attributionHours: 72 },
      ],
      experiment: { secondaryMetrics: ['id-revenue', 'id-funnel'] },
    });
    clock.now = at(HOUR);
  });

  it('a unit exposed anonymously, identified, then purchasing under its account id counts as one converted unit', async () => {
    // What the SDK sends: the exposure under the anonymous id, the link, the carried-over exposure
    // under the account (same variant), then the purchase under the account.
    await sendItems(h, [exposure('anon-1', 'urgent'), event('anon-1', 'view')]);
    later(1);
    await sendItems(h, [identify('anon-1', 'acct-1'), exposure('acct-1', 'urgent'), event('acct-1', 'purchase', clock.now, 40)]);
    later(1);
    const served = await refresh();
    expect(figures(served)).toMatchObject({
      units: { control: 0, urgent: 1 },
      converted: { control: 0, urgent: 1 },
      revenueConverted: { urgent: 1 },
      funnelPurchased: [0, 1],
      exposures: { units: 1, multipleExposures: 0 },
    });
    expect(await db.selectFrom('unit_aliases').select(['alias_id', 'unit_id']).execute()).toEqual([{ alias_id: 'anon-1', unit_id: 'acct-1' }]);
  });

  it('a link arriving after the purchase (exposure under the anonymous id) counts it on the incremental refresh', async () => {
    later(60);
    await sendItems(h, [exposure('anon-2', 'control')]);
    later(5);
    await sendItems(h, [event('acct-2', 'purchase', clock.now, 10)]);
    later(1);
    expect(figures(await refresh()).converted.control).toBe(0);
    // Long enough for the purchase to be out of the refresh's receive margin (10 minutes), within the
    // hour after which a refresh is full anyway: only the link can tell.
    later(15);
    expect((await refresh()).snapshot.refresh).toEqual({ mode: 'incremental', daysRecomputed: 0 });
    await sendItems(h, [identify('anon-2', 'acct-2')]);
    later(1);
    const served = await refresh();
    expect(served.snapshot.refresh?.mode).toBe('incremental');
    expect(figures(served)).toMatchObject({ units: { control: 1, urgent: 1 }, converted: { control: 1, urgent: 1 } });
  });

  it('a link arriving after the anonymous purchase (account exposed, no exposure moves) is read by the refresh too', async () => {
    later(60);
    await sendItems(h, [exposure('acct-3', 'control')]);
    later(5);
    await sendItems(h, [event('anon-3', 'purchase', clock.now, 15)]);
    later(1);
    expect(figures(await refresh()).converted.control).toBe(1);
    later(15);
    await refresh();
    await sendItems(h, [identify('anon-3', 'acct-3')]);
    later(1);
    const served = await refresh();
    expect(served.snapshot.refresh).toMatchObject({ mode: 'incremental' });
    expect(served.snapshot.refresh!.daysRecomputed).toBeGreaterThan(0);
    expect(figures(served)).toMatchObject({ units: { control: 2, urgent: 1 }, converted: { control: 2, urgent: 1 } });
  });

  it('ids seen in different variants are one unit in several variants: excluded and reported', async () => {
    later(10);
    await sendItems(h, [exposure('anon-4', 'control'), exposure('acct-4', 'urgent', later(1)), identify('anon-4', 'acct-4')]);
    later(1);
    const served = await refresh();
    expect(figures(served)).toMatchObject({ units: { control: 2, urgent: 1 }, exposures: { units: 4, multipleExposures: 1 } });
  });

  it('erasing the account erases its anonymous ids and the links; the refresh follows', async () => {
    later(10);
    const res = await h.call('DELETE', '/api/units/acct-1');
    expect(res.status).toBe(200);
    // anon-1 and acct-1: two exposures; view and purchase: two events; one link.
    expect(await res.json()).toEqual({ exposuresDeleted: 2, eventsDeleted: 2, aliasesDeleted: 1 });
    // Erasing the anonymous id erases its account the same way.
    expect(await (await h.call('DELETE', '/api/units/anon-2')).json()).toEqual({ exposuresDeleted: 1, eventsDeleted: 1, aliasesDeleted: 1 });
    const left = await db.selectFrom('unit_aliases').select('alias_id').orderBy('alias_id').execute();
    expect(left.map((r) => r.alias_id)).toEqual(['anon-3', 'anon-4']);
    const served = await refresh();
    expect(figures(served)).toMatchObject({ units: { control: 1, urgent: 0 }, converted: { control: 1, urgent: 0 } });
  });
});

describeEachEngine('POST /sdk/events: identify items', (getDb) => {
  let h: Harness;
  let db: Kysely<Database>;
  const now = at(0); // the harness clock's time
  const item = (id: string, anonymousId: unknown, unitId: unknown, extra: Record<string, unknown> = {}) => ({
    id, type: 'identify', unitId, anonymousId, timestamp: now.toISOString(), ...extra,
  });
  const post = async (items: unknown[]) => {
    const res = await h.call('POST', '/sdk/events', { items }, { key: h.sdkKey });
    expect(res.status).toBe(202);
    return (await res.json()) as { accepted: number; duplicates: number; rejected: Array<{ index: number; reason: string }> };
  };
  const links = async () =>
    Object.fromEntries((await db.selectFrom('unit_aliases').select(['alias_id', 'unit_id']).execute()).map((r) => [r.alias_id, r.unit_id]));

  beforeAll(async () => {
    db = getDb().db;
    ({ h } = await resultsHarness(db));
  });

  describe('validation', () => {
    it('refuses a link to itself, a missing or empty id, extra fields and a bad timestamp, item by item', async () => {
      const body = await post([
        item('bad-1', 'same', 'same'),
        item('bad-2', '', 'acct'),
        item('bad-3', 'anon', undefined),
        item('bad-4', 'anon', 'acct', { name: 'x' }),
        item('bad-5', 'anon', 'acct', { timestamp: 'yesterday' }),
        item('bad-6', 'anon', 'acct', { timestamp: new Date(now.getTime() + 3_600_000).toISOString() }),
        item('ok-1', 'anon-ok', 'acct-ok'),
      ]);
      expect(body.accepted).toBe(1);
      expect(body.rejected.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(body.rejected[0]!.reason).toContain('anonymousId: must differ from unitId');
      expect(await links()).toEqual({ 'anon-ok': 'acct-ok' });
    });
  });

  it('is idempotent; the first account wins; links stay one level deep; accounts are not linked to each other', async () => {
    expect(await post([item('ok-1', 'anon-ok', 'acct-ok')])).toMatchObject({ accepted: 0, duplicates: 1 });
    // Another account for the same anonymous id: accepted, the first link stays.
    expect(await post([item('l-1', 'anon-ok', 'acct-other')])).toMatchObject({ accepted: 1, duplicates: 0 });
    // An account used as the anonymous id (an account switch): accepted, nothing linked.
    expect(await post([item('l-2', 'acct-ok', 'acct-third')])).toMatchObject({ accepted: 1 });
    // Linking to an id that is itself linked follows it to its account.
    await post([item('l-3', 'anon-two', 'anon-ok'), item('l-4', 'acct-ok', 'anon-two')]);
    expect(await links()).toEqual({ 'anon-ok': 'acct-ok', 'anon-two': 'acct-ok' });
  });
});
