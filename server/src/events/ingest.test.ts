import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { runFaultScenario } from './fault-scenario.js';
import { type EventsHarness, T0, at, countEvents, countExposures, createEventsHarness, event, exposure } from './test-support.js';

/** POST /sdk/events: storage, idempotent retries and the first-exposure rule, on every engine. */
describeEachEngine('event ingestion', (db, engine) => {
  let h: EventsHarness;
  beforeAll(async () => {
    h = await createEventsHarness(db().db);
  });

  const exposureRow = (unitId: string) =>
    h.db.selectFrom('exposures').selectAll().where('unit_id', '=', unitId).executeTakeFirstOrThrow();

  it('stores a mixed batch and answers 202 with the counts after commit', async () => {
    h.clock.now = new Date(T0.getTime() + 1000);
    const res = await h.send({
      items: [
        exposure('x-1', 'u-1', 'urgent', { attributes: { device: 'mobile', country: 'FR' } }),
        event('e-1', 'u-1', 'add_to_cart'),
        event('e-2', 'u-1', 'purchase', { value: 42.5, timestamp: at(5000), attributes: { orderId: 'o-1' } }),
        exposure('x-2', 'u-2'),
      ],
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 4, duplicates: 0, rejected: [] });

    const row = await exposureRow('u-1');
    expect(row).toMatchObject({ variant_index: 1, first_item_id: 'x-1', multiple_variants: false, attributes: { device: 'mobile', country: 'FR' } });
    expect(row.exposed_at.toISOString()).toBe(at());
    expect(row.received_at.toISOString()).toBe(h.clock.now.toISOString());
    expect((await exposureRow('u-2')).variant_index).toBe(0);

    const purchase = await h.db.selectFrom('events').selectAll().where('event_id', '=', 'e-2').executeTakeFirstOrThrow();
    expect(purchase).toMatchObject({ unit_id: 'u-1', name: 'purchase', value: 42.5, attributes: { orderId: 'o-1' } });
    expect(purchase.occurred_at.toISOString()).toBe(at(5000));
    expect(purchase.received_at.toISOString()).toBe(h.clock.now.toISOString());
    const cart = await h.db.selectFrom('events').selectAll().where('event_id', '=', 'e-1').executeTakeFirstOrThrow();
    expect(cart).toMatchObject({ value: null, attributes: null });
  });

  it('counts a retried batch once: same ids → all duplicates, no row added or changed', async () => {
    const batch = { items: [exposure('r-x', 'u-r', 'urgent'), event('r-e1', 'u-r'), event('r-e2', 'u-r', 'purchase', { value: 10 })] };
    expect(await (await h.send(batch)).json()).toEqual({ accepted: 3, duplicates: 0, rejected: [] });
    const before = await exposureRow('u-r');
    h.clock.now = new Date(T0.getTime() + 60_000);
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await h.send(batch);
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ accepted: 0, duplicates: 3, rejected: [] });
    }
    expect(await countEvents(h.db, ['r-e1', 'r-e2'])).toBe(2);
    expect(await countExposures(h.db, ['r-x'])).toBe(1);
    expect(await exposureRow('u-r')).toEqual(before);
  });

  it('answers concurrent requests each with its own counts, written together (group commit)', async () => {
    // Sent at once, the requests queue behind the writers and go in shared statements; an id carried
    // by two requests counts for one of them and is a duplicate in the other.
    const batches = Array.from({ length: 12 }, (_, i) => ({ items: [event(`gc-${i}`, `u-gc-${i}`), event('gc-shared', 'u-gc'), exposure(`gc-x${i}`, `u-gc-${i}`)] }));
    const answers = await Promise.all(batches.map(async (batch) => (await h.send(batch)).json() as Promise<{ accepted: number; duplicates: number }>));
    expect(answers.reduce((s, a) => s + a.accepted, 0)).toBe(12 * 2 + 1);
    expect(answers.reduce((s, a) => s + a.duplicates, 0)).toBe(11);
    expect(answers.every((a) => a.accepted + a.duplicates === 3 && a.accepted >= 2)).toBe(true);
    expect(await countEvents(h.db, ['gc-shared', ...batches.map((_, i) => `gc-${i}`)])).toBe(13);
    expect(await countExposures(h.db, batches.map((_, i) => `gc-x${i}`))).toBe(12);
  });

  it('counts an id repeated inside one batch once', async () => {
    const res = await h.send({ items: [event('dup-1', 'u-d'), event('dup-1', 'u-d'), exposure('dup-x', 'u-d'), exposure('dup-x', 'u-d')] });
    expect(await res.json()).toEqual({ accepted: 2, duplicates: 2, rejected: [] });
    expect(await countEvents(h.db, ['dup-1'])).toBe(1);
  });

  it('keeps the first exposure and flags a unit later seen in another variant', async () => {
    await h.send({ items: [exposure('mv-1', 'u-mv', 'control')] });
    // Same variant again with a new id (another device, cleared storage): accepted, nothing changes.
    expect(await (await h.send({ items: [exposure('mv-2', 'u-mv', 'control', { timestamp: at(1000) })] })).json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect(await exposureRow('u-mv')).toMatchObject({ variant_index: 0, first_item_id: 'mv-1', multiple_variants: false });
    // Another variant: the first one still counts, the unit is flagged (results exclude and report it).
    expect(await (await h.send({ items: [exposure('mv-3', 'u-mv', 'urgent', { timestamp: at(2000) })] })).json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    const flagged = await exposureRow('u-mv');
    expect(flagged).toMatchObject({ variant_index: 0, first_item_id: 'mv-1', multiple_variants: true });
    expect(flagged.exposed_at.toISOString()).toBe(at());
    // A retry of that later exposure changes nothing. Only the unit's first exposure is stored, so
    // the later one is not recognised as a duplicate: it is accepted again, with no effect.
    expect(await (await h.send({ items: [exposure('mv-3', 'u-mv', 'urgent', { timestamp: at(2000) })] })).json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect(await exposureRow('u-mv')).toEqual(flagged);
    // A retry of the first exposure is recognised.
    expect(await (await h.send({ items: [exposure('mv-1', 'u-mv', 'control')] })).json()).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
    expect(await exposureRow('u-mv')).toEqual(flagged);
  });

  it('flags a unit shown two variants within one batch; the earliest exposure wins', async () => {
    const res = await h.send({ items: [exposure('mb-2', 'u-mb', 'urgent', { timestamp: at(3000) }), exposure('mb-1', 'u-mb', 'control', { timestamp: at(1000) })] });
    expect(await res.json()).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    expect(await exposureRow('u-mb')).toMatchObject({ variant_index: 0, first_item_id: 'mb-1', multiple_variants: true });
  });

  it('flags against the stored row when the batch itself is consistent', async () => {
    await h.send({ items: [exposure('ms-1', 'u-ms', 'urgent')] });
    await h.send({ items: [exposure('ms-2', 'u-ms', 'control'), exposure('ms-3', 'u-ms', 'control')] });
    expect(await exposureRow('u-ms')).toMatchObject({ variant_index: 1, first_item_id: 'ms-1', multiple_variants: true });
  });

  it('takes a beacon: text/plain body with the SDK key in the query string', async () => {
    const body = JSON.stringify({ items: [event('b-1', 'u-b'), exposure('b-x', 'u-b')] });
    const res = await h.send(body, { key: null, query: `?sdkKey=${encodeURIComponent(h.sdkKey)}`, headers: { 'Content-Type': 'text/plain;charset=UTF-8' } });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    expect(await countEvents(h.db, ['b-1'])).toBe(1);
  });

  it('answers CORS headers for an allowed browser origin', async () => {
    const res = await h.send({ items: [event('c-1', 'u-c')] }, { headers: { Origin: 'https://shop.example' } });
    expect(res.status).toBe(202);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example');
  });

  it('accepts an empty batch', async () => {
    expect(await (await h.send({ items: [] })).json()).toEqual({ accepted: 0, duplicates: 0, rejected: [] });
  });

  // The fault test cuts the network between the app's pg pool and PostgreSQL (fault-scenario.ts).
  // It is registered on PostgreSQL only, not skipped: PGlite runs inside the process, so there is no
  // connection to cut. CI runs it (DATABASE_URL is set there).
  if (engine === 'postgres') {
    it('answers 503 while the database is unreachable, then stores every acknowledged item exactly once', () => runFaultScenario(db().db));
    it('answers 503 while the database is black-holed (deadlines), then stores every acknowledged item exactly once', () => runFaultScenario(db().db, 'black-hole'));
  }
});
