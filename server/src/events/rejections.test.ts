import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { MAX_AGE_MS, MAX_FUTURE_SKEW_MS } from './classify.js';
import { type EventsHarness, at, countEvents, countExposures, createEventsHarness, event, exposure, totals } from './test-support.js';

/**
 * Bad input on POST /sdk/events (design.md §7): a bad item is rejected alone, with its index, id and
 * reason, while the valid items of the batch are stored; a bad batch is refused whole, writing nothing.
 */
describeEachEngine('event ingestion: bad input', (db) => {
  let h: EventsHarness;
  beforeAll(async () => {
    h = await createEventsHarness(db().db);
  });

  interface Answer { accepted: number; duplicates: number; rejected: { index: number; id: string | null; reason: string }[] }

  it('rejects bad items one by one and stores the valid ones', async () => {
    const items: unknown[] = [
      event('ok-1', 'u-1'),
      exposure('bad-exp', 'u-1', 'control', { experimentKey: 'no-such-experiment' }),
      exposure('bad-draft', 'u-1', 'control', { experimentKey: 'draft-one' }),
      exposure('bad-paused', 'u-1', 'control', { experimentKey: 'paused-one' }),
      exposure('bad-variant', 'u-1', 'purple'),
      { ...event('bad-unit', 'x'), unitId: undefined },
      event('bad-nul', 'u-\u0000'),
      event('bad-value', 'u-1', 'purchase', { value: '42' }),
      event('bad-extra', 'u-1', 'purchase', { isAdmin: true }),
      42,
      { id: 'bad-type', type: 'pageview', unitId: 'u-1', timestamp: at() },
      event('bad-time', 'u-1', 'purchase', { timestamp: '22/11/2026' }),
      event('bad-zone', 'u-1', 'purchase', { timestamp: '2026-11-22T12:00:00' }),
      event('bad-name', 'u-1', 'add to cart'),
      event('bad-attr', 'u-1', 'purchase', { attributes: { nested: { deep: '\u0000' } } }),
      exposure('ok-2', 'u-2', 'urgent'),
      { ...event('', 'u-1') },
      null,
    ];
    const res = await h.send({ items });
    expect(res.status).toBe(202);
    const body = (await res.json()) as Answer;
    expect(body.accepted).toBe(2);
    expect(body.duplicates).toBe(0);
    const reasons = Object.fromEntries(body.rejected.map((r) => [r.index, r]));
    expect(body.rejected.map((r) => r.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17]);
    expect(reasons[1]).toEqual({ index: 1, id: 'bad-exp', reason: 'experimentKey: no experiment "no-such-experiment"' });
    expect(reasons[2]!.reason).toMatch(/draft-one.*draft/);
    expect(reasons[3]!.reason).toMatch(/paused-one.*paused/);
    expect(reasons[4]!.reason).toMatch(/variantKey: .*no variant "purple"/);
    expect(reasons[5]!.reason).toMatch(/^unitId: /);
    expect(reasons[6]!.reason).toMatch(/^unitId: .*NUL/);
    expect(reasons[7]!.reason).toMatch(/^value: /);
    expect(reasons[8]!.reason).toBe('isAdmin: unknown field');
    expect(reasons[9]).toEqual({ index: 9, id: null, reason: 'must be an object' });
    expect(reasons[10]!.reason).toMatch(/^type: /);
    expect(reasons[11]!.reason).toMatch(/^timestamp: /);
    expect(reasons[12]!.reason).toMatch(/^timestamp: /);
    expect(reasons[13]!.reason).toMatch(/^name: /);
    expect(reasons[14]!.reason).toMatch(/^attributes\.nested: /);
    expect(reasons[16]!.reason).toMatch(/^id: /);
    expect(await countEvents(h.db, ['ok-1', 'bad-unit', 'bad-nul', 'bad-value', 'bad-extra', 'bad-time', 'bad-zone', 'bad-name', 'bad-attr'])).toBe(1);
    expect(await countExposures(h.db, ['ok-2', 'bad-exp', 'bad-draft', 'bad-paused', 'bad-variant'])).toBe(1);
  });

  it('rejects non-finite values and unpaired surrogates written in raw JSON', async () => {
    const raw = `{"items":[
      {"id":"inf-1","type":"event","unitId":"u-1","name":"purchase","value":1e999,"timestamp":"${at()}"},
      {"id":"sur-1","type":"event","unitId":"u-\\ud800","name":"purchase","timestamp":"${at()}"},
      {"id":"sur-2","type":"event","unitId":"u-1","name":"purchase","timestamp":"${at()}","attributes":{"\\udc00":1}},
      {"id":"fine","type":"event","unitId":"u-1","name":"purchase","value":-1.5e3,"timestamp":"${at()}"}]}`;
    const body = (await (await h.send(raw)).json()) as Answer;
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r) => [r.index, r.reason.split(':')[0]])).toEqual([[0, 'value'], [1, 'unitId'], [2, 'attributes.\udc00']]);
    expect(await countEvents(h.db, ['inf-1', 'sur-1', 'sur-2', 'fine'])).toBe(1);
  });

  it('rejects a "__proto__" attribute (it cannot round-trip through a JS object) and pollutes nothing', async () => {
    const raw = `{"items":[{"id":"proto-1","type":"event","unitId":"u-1","name":"purchase","timestamp":"${at()}","attributes":{"__proto__":{"polluted":true}}},
      {"id":"proto-2","type":"event","unitId":"u-1","name":"purchase","timestamp":"${at()}","attributes":{"constructor":"x","device":"mobile"}}]}`;
    const body = (await (await h.send(raw)).json()) as Answer;
    expect(body.rejected).toEqual([{ index: 0, id: 'proto-1', reason: 'attributes.__proto__: is a reserved name' }]);
    const stored = await h.db.selectFrom('events').select('attributes').where('event_id', '=', 'proto-2').executeTakeFirstOrThrow();
    expect(stored.attributes).toEqual({ constructor: 'x', device: 'mobile' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('bounds attributes: count, name length, depth and size', async () => {
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`a${i}`, i]));
    let deep: unknown = 'bottom';
    for (let i = 0; i < 10; i++) deep = { deep };
    const items = [
      event('attr-many', 'u-1', 'purchase', { attributes: many }),
      event('attr-name', 'u-1', 'purchase', { attributes: { ['n'.repeat(101)]: 1 } }),
      event('attr-deep', 'u-1', 'purchase', { attributes: { deep } }),
      event('attr-big', 'u-1', 'purchase', { attributes: { big: 'x'.repeat(9000) } }),
      event('attr-array', 'u-1', 'purchase', { attributes: ['mobile'] }),
      event('attr-ok', 'u-1', 'purchase', { attributes: { device: 'mobile', cart: { items: 3, skus: ['a', 'b'] }, returning: true, score: null } }),
    ];
    const body = (await (await h.send({ items })).json()) as Answer;
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r) => r.id)).toEqual(['attr-many', 'attr-name', 'attr-deep', 'attr-big', 'attr-array']);
    expect(body.rejected.every((r) => r.reason.startsWith('attributes'))).toBe(true);
  });

  it('bounds client timestamps: up to 5 minutes ahead and 7 days old, edges included', async () => {
    const items = [
      event('t-future-ok', 'u-t', 'purchase', { timestamp: at(MAX_FUTURE_SKEW_MS) }),
      event('t-future-bad', 'u-t', 'purchase', { timestamp: at(MAX_FUTURE_SKEW_MS + 1) }),
      event('t-old-ok', 'u-t', 'purchase', { timestamp: at(-MAX_AGE_MS) }),
      event('t-old-bad', 'u-t', 'purchase', { timestamp: at(-MAX_AGE_MS - 1) }),
      exposure('t-x-bad', 'u-t', 'control', { timestamp: '1970-01-01T00:00:00Z' }),
      event('t-offset', 'u-t', 'purchase', { timestamp: '2026-11-22T13:00:00+01:00' }),
    ];
    const body = (await (await h.send({ items })).json()) as Answer;
    expect(body.accepted).toBe(3);
    expect(body.rejected.map((r) => r.id)).toEqual(['t-future-bad', 't-old-bad', 't-x-bad']);
    expect(body.rejected[0]!.reason).toMatch(/future/);
    expect(body.rejected[1]!.reason).toMatch(/older than 7 days/);
    const offset = await h.db.selectFrom('events').select('occurred_at').where('event_id', '=', 't-offset').executeTakeFirstOrThrow();
    expect(offset.occurred_at.toISOString()).toBe(at());
  });

  const refusedWhole = async (send: () => Promise<Response>, status: number, type: string, field?: string) => {
    const before = await totals(h.db);
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const problem = (await res.json()) as { type: string; errors?: { field: string }[] };
    expect(problem.type).toBe(`/problems/${type}`);
    if (field !== undefined) expect(problem.errors?.map((e) => e.field)).toContain(field);
    expect(await totals(h.db)).toEqual(before);
  };

  it('refuses a malformed or mis-shaped body as a whole and writes nothing', async () => {
    await refusedWhole(() => h.send('{"items":[{"id":"m-1",'), 400, 'malformed-request');
    await refusedWhole(() => h.send(''), 400, 'malformed-request');
    await refusedWhole(() => h.send([event('m-2', 'u')]), 422, 'validation-failed');
    await refusedWhole(() => h.send({ items: event('m-3', 'u') }), 422, 'validation-failed', 'items');
    await refusedWhole(() => h.send({ events: [event('m-4', 'u')] }), 422, 'validation-failed', 'events');
    await refusedWhole(() => h.send({ items: [event('m-5', 'u')], isAdmin: true }), 422, 'validation-failed', 'isAdmin');
    await refusedWhole(() => h.send('{"items":[],"__proto__":{"polluted":true}}'), 422, 'validation-failed', '__proto__');
    await refusedWhole(() => h.send(JSON.stringify({ items: [event('m-6', 'u')] }), { headers: { 'Content-Type': 'application/xml' } }), 415, 'unsupported-media-type');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses more than 1,000 items (422) and a body over 1 MiB (413), writing nothing', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => event(`many-${i}`, `u-${i}`));
    await refusedWhole(() => h.send({ items: many }), 422, 'validation-failed', 'items');
    expect(await countEvents(h.db, many.slice(0, 10).map((e) => e.id))).toBe(0);
    const thousand = { items: many.slice(0, 1000) };
    expect(await (await h.send(thousand)).json()).toMatchObject({ accepted: 1000, rejected: [] });

    const padding = 'x'.repeat(1000);
    const big = Array.from({ length: 1000 }, (_, i) => event(`big-${i}`, `u-${i}-${padding}`));
    expect(Buffer.byteLength(JSON.stringify({ items: big }))).toBeGreaterThan(1024 * 1024);
    await refusedWhole(() => h.send({ items: big }), 413, 'payload-too-large');
    await refusedWhole(() => h.send(JSON.stringify({ items: big }), { headers: { 'Content-Type': 'text/plain' } }), 413, 'payload-too-large');
  });

  it('authenticates: SDK key in the header or the query, never an admin key in the query, nothing without a key', async () => {
    const batch = (id: string) => JSON.stringify({ items: [event(id, 'u-k')] });
    expect((await h.send(batch('k-sdk'))).status).toBe(202);
    await refusedWhole(() => h.send(batch('k-none'), { key: null }), 401, 'unauthorized');
    await refusedWhole(() => h.send(batch('k-bogus'), { key: 'tp_sdk_bogus' }), 401, 'unauthorized');
    await refusedWhole(
      () => h.send(batch('k-admin-q'), { key: null, query: `?sdkKey=${encodeURIComponent(h.adminKey)}`, headers: { 'Content-Type': 'text/plain' } }),
      403,
      'forbidden',
    );
    const limited = (await (await h.call('POST', '/api/keys', { kind: 'sdk', name: 'shop only', allowedOrigins: ['https://shop.example'] })).json()) as { secret: string };
    await refusedWhole(() => h.send(batch('k-origin'), { key: limited.secret, headers: { Origin: 'https://evil.example' } }), 403, 'forbidden');
    expect((await h.send(batch('k-origin-ok'), { key: limited.secret, headers: { Origin: 'https://shop.example' } })).status).toBe(202);
    expect(await countEvents(h.db, ['k-sdk', 'k-origin-ok'])).toBe(2);
  });
});
