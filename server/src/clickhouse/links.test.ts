/**
 * Identity links on the ClickHouse event store at a shop's scale (links.ts, identity.ts): every shard
 * holds a copy of the catalog's links and the results read it (never the links as SQL literals), and
 * each read first proves the copies equal to the catalog. Checked against PostgreSQL's results (PGlite,
 * the catalog's own links) to 1e-9: 20,000 links (as literals they would be several times ClickHouse's
 * max_query_size), a link the copy missed (a crash after the catalog's commit, a shard down), a link
 * the copy has and the catalog not (an erasure rolled back after ClickHouse deleted), and an erasure.
 */
import { openAsBlob } from 'node:fs';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { type DatabaseHandle, connect } from '../db/connect.js';
import type { AliasRow, EventRow, ExposureRow } from '../events/classify.js';
import { linkFingerprint, linkedIds, lockAliases, storeAliases } from '../events/alias-repository.js';
import { postgresEventStore } from '../events/event-store.js';
import { sameFingerprint } from '../events/link-hash.js';
import { type BatchPart, storeBatches } from '../events/repository.js';
import { getExperiment } from '../experiments/repository.js';
import { computeResults } from '../results/compute.js';
import { DAY, HOUR, T0, documentOf, resultsHarness, seededRandom, startedExperiment } from '../results/test-support.js';
import { eraseUnit } from '../units/repository.js';
import { type ClickHouseStore, openClickHouse, selectRows } from './connection.js';
import { type ClickHouseEventStore, clickhouseEventStore } from './event-store.js';
import { shardLinkFingerprint, writeLinksClickHouse } from './links.js';
import { migrateClickHouse } from './migrations.js';
import { type ClickHouseCluster, describeClickHouse, differences, startClickHouse } from './test-support.js';

const ACCOUNTS = 1200;
const LINKS = 20_000;
/** ClickHouse's default max_query_size (bytes): the links as literals would not fit. */
const MAX_QUERY_SIZE = 262_144;

describeClickHouse('identity links on ClickHouse: a copy on every shard, proven equal to the catalog before each read', () => {
  let cluster: ClickHouseCluster;
  let store: ClickHouseStore;
  let handle: DatabaseHandle;
  let events: ClickHouseEventStore;
  const now = new Date(T0.getTime() + 5 * DAY);
  const actor = { keyId: null, requestId: 'links-test' };

  beforeAll(async () => {
    [cluster, handle] = await Promise.all([startClickHouse(), connect({ dataDir: 'memory://', loadDataDir: await openAsBlob(inject('pgliteTemplate')) })]);
    store = openClickHouse({ urls: cluster.urls, cluster: cluster.cluster });
    await migrateClickHouse(store);
    events = clickhouseEventStore(store, handle.db);
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    await handle?.close();
    await cluster?.stop();
  });

  /** Both engines' documents (the catalog's links are PostgreSQL's; ClickHouse reads its copies). */
  const documents = async (segment?: { attribute: string }) => {
    const experiment = await getExperiment(handle.db, 'links-scale');
    const onPostgres = documentOf(await computeResults(handle.db, experiment, { now, segment }));
    const onClickHouse = documentOf(await computeResults(handle.db, experiment, { now, segment, events: events.reads(handle.db) }));
    return { onPostgres, onClickHouse };
  };
  const expectEqual = async () => {
    const { onPostgres, onClickHouse } = await documents();
    expect(differences(onPostgres, onClickHouse)).toEqual([]);
    return onPostgres as { exposures: { units: number; multipleExposures: number } };
  };
  const copiesEqual = async () => {
    const catalog = await linkFingerprint(handle.db);
    return Promise.all(store.shards.map(async (shard) => sameFingerprint(await shardLinkFingerprint(shard), catalog)));
  };
  /** Exposures and events into both engines; links (identify) through the ClickHouse store into the catalog (which PostgreSQL reads too) and the copies. */
  const write = async (part: BatchPart) => {
    await storeBatches(handle.db, [{ ...part, aliases: [] }]);
    await events.storeBatches([part]);
  };
  let experimentId = 0;
  let item = 0;
  const exposure = (unitId: string, variantIndex: number, at: number, device: string): ExposureRow => ({ itemId: `x-${++item}`, experimentId, unitId, variantIndex, exposedAt: new Date(at), attributes: { device } });
  const event = (unitId: string, name: string, at: number, value: number | null = null): EventRow => ({ eventId: `e-${++item}`, unitId, name, value, occurredAt: new Date(at), attributes: null });
  const link = (aliasId: string, unitId: string): AliasRow => ({ itemId: `i-${++item}`, aliasId, unitId, linkedAt: T0 });
  const anon = (j: number) => `anonymous-visitor-${j.toString(36)}-cookie`;
  const account = (i: number) => `account-${i}`;
  const variantOf = new Map<string, { variant: number; at: number }>();

  it(`${LINKS} links (as literals several times max_query_size): the same document as PostgreSQL, to 1e-9, segments too`, async () => {
    const { h } = await resultsHarness(handle.db);
    experimentId = await startedExperiment(h, handle.db, 'links-scale', {
      metrics: [
        { key: 'links-revenue', name: 'Revenue', type: 'revenue', eventName: 'purchase', attributionHours: 72 },
        { key: 'links-cart', name: 'Add to cart', type: 'conversion', eventName: 'add_to_cart', attributionHours: 24 },
        { key: 'links-funnel', name: 'Funnel', type: 'funnel', steps: ['view', 'add_to_cart', 'purchase'] },
      ],
      experiment: { primaryMetric: 'purchase', secondaryMetrics: ['links-revenue', 'links-cart', 'links-funnel'] },
    });
    const random = seededRandom(21);
    const exposures: ExposureRow[] = [];
    const rows: EventRow[] = [];
    // Accounts 0..ACCOUNTS-1 exposed, with events; the accounts above take links but have no rows.
    for (let i = 0; i < ACCOUNTS; i++) {
      const variant = random() < 0.5 ? 0 : 1;
      const at = T0.getTime() + Math.floor(random() * 3 * DAY);
      variantOf.set(account(i), { variant, at });
      exposures.push(exposure(account(i), variant, at, random() < 0.5 ? 'mobile' : 'desktop'));
      if (random() < 0.6) rows.push(event(account(i), 'view', at + HOUR));
      if (random() < 0.35) rows.push(event(account(i), 'add_to_cart', at + 2 * HOUR));
      if (random() < 0.25) rows.push(event(account(i), 'purchase', at + 3 * HOUR, 20 + Math.round(random() * 5000) / 100));
    }
    // Anonymous ids: the first 600 with rows of their own (an earlier or later exposure, another variant, or events only).
    for (let j = 0; j < 600; j++) {
      const target = variantOf.get(account(j % (2 * ACCOUNTS)))!;
      const kind = j % 4;
      if (kind === 0) exposures.push(exposure(anon(j), target.variant, target.at - HOUR, 'tablet'));
      if (kind === 1) exposures.push(exposure(anon(j), target.variant, target.at + HOUR, 'tablet'));
      if (kind === 2) exposures.push(exposure(anon(j), 1 - target.variant, target.at + 30 * 60_000, 'mobile'));
      rows.push(event(anon(j), 'view', target.at + 90 * 60_000), event(anon(j), 'purchase', target.at + 4 * HOUR, 10 + (j % 7)));
    }
    for (let i = 0; i < exposures.length || i < rows.length; i += 500) {
      await write({ exposures: exposures.slice(i, i + 500), events: rows.slice(i, i + 500), receivedAt: new Date(T0.getTime() + i) });
    }
    const links = [...Array(LINKS).keys()].map((j) => link(anon(j), account(j % (2 * ACCOUNTS))));
    for (let i = 0; i < links.length; i += 1000) {
      await write({ exposures: [], events: [], aliases: links.slice(i, i + 1000), receivedAt: new Date(T0.getTime() + DAY + i) });
    }
    // The ids as one SQL list (what the reads sent before: twice per query, with the mapping twice more).
    const literals = [...new Set(links.flatMap((l) => [l.aliasId, l.unitId]))].reduce((n, id) => n + id.length + 4, 0);
    expect(literals).toBeGreaterThan(MAX_QUERY_SIZE);
    expect(await copiesEqual()).toEqual([true, true]);
    for (const shard of store.shards) expect(Number((await selectRows<{ n: string }>(shard, 'SELECT count() AS n FROM tp_links FINAL'))[0]!.n)).toBe(LINKS);

    const doc = await expectEqual();
    // The links merged units: multiple-variant units from the anonymous ids in the other variant.
    expect(doc.exposures.multipleExposures).toBeGreaterThan(100);
    // Every anonymous id with an exposure counted under its account: the units are the accounts.
    expect(doc.exposures.units).toBe(ACCOUNTS);
    const { onPostgres, onClickHouse } = await documents({ attribute: 'device' });
    expect(differences(onPostgres, onClickHouse)).toEqual([]);
    expect(JSON.stringify(onPostgres)).toContain('tablet');

    // The incremental refresh's days (rule c: links received since), on both engines.
    const input = { experimentId, names: ['purchase'], since: new Date(T0.getTime() + DAY + 15_000), lookbackDays: 14, horizonHours: 72 };
    const onPg = await postgresEventStore(handle.db).reads(handle.db).daysWithReceivedEvents(input);
    expect(await events.reads(handle.db).daysWithReceivedEvents(input)).toEqual(onPg);
    expect(onPg.length).toBeGreaterThan(0);
  }, 600_000);

  it('a link the copies missed (crash after the catalog commit; a shard down) is copied before the next read', async () => {
    const before = await expectEqual();
    // Two anonymous ids with exposures in the other variant of their accounts, then linked: the accounts become multiple.
    const targets = [account(700), account(701)];
    const extra = targets.map((t, k) => exposure(`crash-anon-${k}`, 1 - variantOf.get(t)!.variant, variantOf.get(t)!.at + HOUR, 'mobile'));
    await write({ exposures: extra, events: [], receivedAt: new Date() });
    expect((await expectEqual()).exposures.units).toBe(before.exposures.units + 2);
    // The crash: identify committed in the catalog (its lock, its rules), nothing written to ClickHouse.
    const stored = await handle.db.transaction().execute(async (trx) => {
      await lockAliases(trx);
      return storeAliases(trx, [link('crash-anon-0', targets[0]!)], [new Date()]);
    });
    expect(await copiesEqual()).toEqual([false, false]);
    // A shard down during the write: the link reached the first shard only.
    const down = await handle.db.transaction().execute(async (trx) => {
      await lockAliases(trx);
      return storeAliases(trx, [link('crash-anon-1', targets[1]!)], [new Date()]);
    });
    await writeLinksClickHouse({ ...store, shards: [store.shards[0]!] }, [...stored, ...down].flatMap((o) => (o.stored ? [o.stored] : [])));
    expect(await copiesEqual()).toEqual([true, false]);
    // The next read checks, repairs, and agrees with PostgreSQL (which reads the catalog itself).
    const after = await expectEqual();
    expect(after.exposures.units).toBe(before.exposures.units);
    expect(after.exposures.multipleExposures).toBe(before.exposures.multipleExposures + 2);
    expect(await copiesEqual()).toEqual([true, true]);
  }, 300_000);

  it('a link a copy has and the catalog not (an erasure rolled back after ClickHouse deleted; a late write) is removed before the next read', async () => {
    const before = await expectEqual();
    // Two exposed accounts merged by a link the catalog never had, on one shard; another link lost from the other.
    await writeLinksClickHouse({ ...store, shards: [store.shards[0]!] }, [{ aliasId: account(800), unitId: account(801), receivedMs: Date.now() }]);
    await store.shards[1]!.command({ query: `ALTER TABLE tp_links DELETE WHERE alias_id = '${anon(5)}'` });
    while ((await selectRows(store.shards[1]!, `SELECT 1 FROM system.mutations WHERE table = 'tp_links' AND is_done = 0`)).length) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await copiesEqual()).toEqual([false, false]);
    expect(await expectEqual()).toEqual(before);
    expect(await copiesEqual()).toEqual([true, true]);
    for (const shard of store.shards) {
      expect(await selectRows(shard, `SELECT alias_id FROM tp_links WHERE alias_id = '${account(800)}'`)).toEqual([]);
    }
  }, 300_000);

  it('erasing a linked person removes its ids, rows and links from the results on both engines', async () => {
    const before = await expectEqual();
    // account-2 has anonymous ids with an exposure of their own (anon 2: the other variant, so the unit is
    // multiple) and links; account-1 (anon 1: a later exposure) is a unit in one variant.
    for (const person of [account(1), anon(2)]) {
      const { ids } = await linkedIds(handle.db, person);
      expect(ids.length).toBeGreaterThan(1);
      await handle.db.transaction().execute((trx) => postgresEventStore(handle.db).eraseUnits(trx, ids));
      const erased = await eraseUnit(handle.db, actor, person, events);
      expect(erased.aliasesDeleted).toBe(ids.length - 1);
      for (const shard of store.shards) {
        expect(await selectRows(shard, `SELECT alias_id FROM tp_links WHERE alias_id IN (${ids.map((id) => `'${id}'`).join(', ')}) OR unit_id IN (${ids.map((id) => `'${id}'`).join(', ')})`)).toEqual([]);
      }
    }
    const after = await expectEqual();
    expect(after.exposures.units).toBe(before.exposures.units - 2);
    expect(after.exposures.multipleExposures).toBe(before.exposures.multipleExposures - 1);
    expect(await copiesEqual()).toEqual([true, true]);
  }, 300_000);
});
