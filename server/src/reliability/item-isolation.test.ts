import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { type EventsHarness, countEvents, createEventsHarness, event } from '../events/test-support.js';

/**
 * Issue 13 #6: one item whose attributes nest 5,000 deep made a check overflow the stack → 500, and
 * the valid sibling was not stored. Every item is checked on its own: it rejects itself, nothing else.
 * The body is written as text: JSON.stringify itself would overflow on such an object.
 */
const DEPTH = 5000;
const deepJson = `${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`;
/** A generous bound for a busy 2-core machine; the issue asks for "under 100 ms" on an ordinary one. */
const BOUND_MS = 1000;

describeEachEngine('one deeply nested item sinks nothing but itself', (db) => {
  let h: EventsHarness;
  beforeAll(async () => {
    h = await createEventsHarness(db().db);
  });

  it('POST /sdk/events: the nested item is rejected with a reason, its sibling is stored', async () => {
    const sibling = JSON.stringify(event('nest-ok', 'u-nest'));
    const nested = JSON.stringify(event('nest-deep', 'u-nest', 'purchase', { attributes: { a: 'DEEP' } })).replace('"DEEP"', deepJson);
    const started = performance.now();
    const res = await h.send(`{"items":[${sibling},${nested}]}`);
    const elapsed = performance.now() - started;
    expect(res.status, await res.clone().text()).toBe(202);
    const body = (await res.json()) as { accepted: number; rejected: Array<{ index: number; id: string; reason: string }> };
    expect(body.accepted).toBe(1);
    expect(body.rejected).toEqual([{ index: 1, id: 'nest-deep', reason: expect.stringMatching(/^attributes\.a: nests deeper than/) }]);
    expect(await countEvents(h.db, ['nest-ok', 'nest-deep'])).toBe(1);
    expect(elapsed).toBeLessThan(BOUND_MS);
  });

  it('POST /sdk/assign: nested attributes get a 422 naming the attribute, never a 500', async () => {
    for (const logExposures of [false, true]) {
      const started = performance.now();
      const res = await h.call('POST', '/sdk/assign', `{"unitId":"u-nest","logExposures":${logExposures},"attributes":{"a":${deepJson}}}`, { key: h.sdkKey });
      const elapsed = performance.now() - started;
      expect(res.status).toBe(422);
      expect(((await res.json()) as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toEqual(['attributes.a']);
      expect(elapsed).toBeLessThan(BOUND_MS);
    }
  });
});

it('parseItems: a check that throws rejects that item alone', async () => {
  const { parseItems } = await import('../events/classify.js');
  // No JSON body can hold a throwing object; a proxy stands for "some check blew up on this item".
  const hostile = new Proxy({ type: 'event' }, { ownKeys: () => { throw new RangeError('boom'); } });
  const now = new Date('2026-11-22T12:00:00Z');
  const batch = parseItems([hostile, { id: 'fine', type: 'event', unitId: 'u', name: 'purchase', timestamp: now.toISOString() }], now);
  expect(batch.rejected).toEqual([{ index: 0, id: null, reason: expect.stringMatching(/could not be checked \(RangeError\)/) }]);
  expect(batch.events.map((e) => e.item.id)).toEqual(['fine']);
});
