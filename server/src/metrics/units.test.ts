import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, createHarness } from '../test/harness.js';

const RATIO = { type: 'ratio', numerator: { eventName: 'purchase', aggregate: 'sum' }, denominator: { eventName: 'purchase', aggregate: 'count' } };

/** A metric's unit or currency: stored, validated against its type and ISO 4217, patched. */
describeEachEngine('metrics: unit and currency', (db) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(db().db);
  });

  const fields = (res: Response) => res.json().then((b: { errors: { field: string }[] }) => b.errors.map((e) => e.field));

  it('stores a currency or a unit on revenue and ratio metrics; none by default', async () => {
    const revenue = await h.call('POST', '/api/metrics', { key: 'u-revenue', name: 'Revenue', type: 'revenue', eventName: 'purchase', currency: 'EUR' });
    expect(revenue.status).toBe(201);
    expect(await revenue.json()).toMatchObject({ unit: null, currency: 'EUR' });
    const items = await h.call('POST', '/api/metrics', { key: 'u-items', name: 'Items per order', ...RATIO, unit: 'items' });
    expect(await items.json()).toMatchObject({ unit: 'items', currency: null });
    const plain = await h.call('POST', '/api/metrics', { key: 'u-plain', name: 'Purchases', type: 'conversion', eventName: 'purchase' });
    expect(await plain.json()).toMatchObject({ unit: null, currency: null });
  });

  it('refuses unknown currency codes, units on rates, both at once — nothing written', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ type: 'revenue', eventName: 'purchase', currency: 'XYZ' }, 'currency'],
      [{ type: 'revenue', eventName: 'purchase', currency: 'eur' }, 'currency'],
      [{ type: 'revenue', eventName: 'purchase', currency: 42 }, 'currency'],
      [{ type: 'revenue', eventName: 'purchase', unit: '' }, 'unit'],
      [{ type: 'revenue', eventName: 'purchase', unit: ' items' }, 'unit'],
      [{ type: 'revenue', eventName: 'purchase', unit: 'x'.repeat(21) }, 'unit'],
      [{ type: 'revenue', eventName: 'purchase', unit: 'items', currency: 'EUR' }, 'unit'],
      [{ type: 'conversion', eventName: 'purchase', currency: 'EUR' }, 'currency'],
      [{ type: 'funnel', steps: ['a', 'b'], unit: 'steps' }, 'unit'],
    ];
    for (const [body, field] of cases) {
      const res = await h.call('POST', '/api/metrics', { key: 'u-bad', name: 'Bad', ...body });
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(await fields(res), JSON.stringify(body)).toContain(field);
    }
    expect((await h.call('GET', '/api/metrics/u-bad')).status).toBe(404);
  });

  it('PATCH changes them, checked against the stored type and the other field', async () => {
    const patch = (key: string, body: Record<string, unknown>, version: number) => h.call('PATCH', `/api/metrics/${key}`, { ...body, version });
    const both = await patch('u-revenue', { unit: 'orders' }, 1);
    expect(both.status).toBe(422);
    expect(await fields(both)).toEqual(['unit']);
    const swapped = await patch('u-revenue', { unit: 'orders', currency: null }, 1);
    expect(swapped.status).toBe(200);
    expect(await swapped.json()).toMatchObject({ unit: 'orders', currency: null, version: 2 });
    const back = await patch('u-revenue', { unit: null, currency: 'CHF' }, 2);
    expect(await back.json()).toMatchObject({ unit: null, currency: 'CHF', version: 3 });
    const rate = await patch('u-plain', { currency: 'EUR' }, 1);
    expect(rate.status).toBe(422);
    expect(await fields(rate)).toEqual(['currency']);
    expect((await (await h.call('GET', '/api/metrics/u-plain')).json()).version).toBe(1);
  });
});
