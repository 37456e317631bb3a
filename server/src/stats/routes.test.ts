import { expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, createHarness } from '../test/harness.js';

describeEachEngine('stats calculator endpoints', (db) => {
  let h: Harness;

  it('answers the sample-size example of design.md §6 (Evan Miller: 1031 per variant)', async () => {
    h = await createHarness(db().db);
    const res = await h.call('GET', '/api/stats/sample-size?baseline=0.2&mde=0.05&mdeType=absolute&alpha=0.05&power=0.8&variants=2');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ perVariant: 1031, total: 2062, variantRate: 0.25, deltaAbsolute: 0.05 });
  });

  it('analyzes conversions: 500/10000 vs 560/10000', async () => {
    const res = await h.call('POST', '/api/stats/analyze', {
      metric: 'conversion',
      variants: [
        { key: 'control', units: 10000, conversions: 500, weight: 0.5 },
        { key: 'b', units: 10000, conversions: 560, weight: 0.5 },
      ],
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { variants: Record<string, { pValue: number }>[]; srm: { mismatch: boolean } };
    // R 4.x: prop.test(c(560, 500), c(10000, 10000), correct = FALSE)$p.value = 0.05845...
    expect(body.variants[1]).toMatchObject({ key: 'b', rate: 0.056, pooledZTest: { pValue: expect.closeTo(0.0584, 3) } });
    expect(body.srm.mismatch).toBe(false);
  });

  it.each([
    ['a missing field', '/api/stats/sample-size?mde=0.05', 'baseline'],
    ['a baseline of 1', '/api/stats/sample-size?baseline=1&mde=0.05', 'baseline'],
    ['a non-number', '/api/stats/sample-size?baseline=abc&mde=0.05', 'baseline'],
    ['an unknown parameter', '/api/stats/sample-size?baseline=0.1&mde=0.05&foo=1', 'foo'],
    // Number() would read these as 3, 1000 and 0.5: only decimal numerals are numbers here.
    ['a hexadecimal count', '/api/stats/sample-size?baseline=0.1&mde=0.05&variants=0x3', 'variants'],
    ['a number with a leading space', '/api/stats/sample-size?baseline=0.1&mde=0.05&dailyUnits=%201000', 'dailyUnits'],
    ['an empty power', '/api/stats/sample-size?baseline=0.1&mde=0.05&power=', 'power'],
  ])('refuses %s with a 422 naming the field', async (_, path, field) => {
    const res = await h.call('GET', path);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(field);
  });

  it('refuses conversions above units; answers a single variant with a reason, not an error', async () => {
    const tooMany = await h.call('POST', '/api/stats/analyze', {
      metric: 'conversion',
      variants: [{ key: 'a', units: 10, conversions: 11 }, { key: 'b', units: 10, conversions: 1 }],
    });
    expect(tooMany.status).toBe(422);
    const single = await h.call('POST', '/api/stats/analyze', { metric: 'conversion', variants: [{ key: 'a', units: 10, conversions: 1 }] });
    expect(single.status).toBe(200);
    expect(JSON.stringify(await single.json())).toMatch(/reason/);
  });

  it('needs an admin key', async () => {
    expect((await h.call('GET', '/api/stats/sample-size?baseline=0.2&mde=0.05', undefined, { key: h.sdkKey })).status).toBe(403);
  });
});
