import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastParseItem } from './fast-item.js';
import { eventItemSchema, exposureItemSchema } from './schemas.js';

/** The fast path may only ever say yes where the schema says yes, and must hand back what zod would. */
function agreesWithSchema(raw: Record<string, unknown>): void {
  const fast = fastParseItem(raw);
  if (fast === undefined) return;
  const schema = raw.type === 'exposure' ? exposureItemSchema : eventItemSchema;
  const parsed = schema.safeParse(raw);
  expect(parsed.success, JSON.stringify(raw)).toBe(true);
  expect(fast).toEqual(parsed.data);
}

const sdkExposure = { id: '7f0c2f4e-1b7a-4c1e-9a49-0d2f1c3b5a6e', type: 'exposure', unitId: 'visitor-123', experimentKey: 'checkout-cta-copy', variantKey: 'urgent', timestamp: '2026-11-22T10:00:00.000Z', attributes: { device: 'mobile', country: 'DE' } };
const sdkEvent = { id: 'b3c1e5a2-0f4d-4e7b-8a1c-2d3e4f5a6b7c', type: 'event', unitId: 'visitor-123', name: 'purchase', value: 49.9, timestamp: '2026-11-22T10:05:00.000+01:00' };

/** Strings that sit on every boundary the schema draws. */
const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 5 }),
  fc.constantFrom('', ' ', 'a\u0000b', 'x\ud800', '\udc00y', 'a'.repeat(64), 'a'.repeat(65), 'a'.repeat(100), 'a'.repeat(101), 'a'.repeat(200), 'a'.repeat(201), 'a'.repeat(1000), 'a'.repeat(1001)),
  fc.constantFrom('checkout-cta', 'Checkout', 'a--b', '-a', 'a_b', 'a-b_c', 'add_to_cart', 'checkout.started', '_x', 'urgent', 'control'),
  fc.constantFrom(
    '2026-11-22T10:00:00Z', '2026-11-22T10:00:00.123456789Z', '2026-11-22T10:00:00+01:00', '2026-11-22T10:00:00-23:59', '2026-11-22T10:00:00+24:00',
    '2026-11-22T10:00:00', '2026-11-22T10:00Z', '2026-02-29T10:00:00Z', '2024-02-29T10:00:00Z', '2026-13-01T10:00:00Z', '2026-11-31T10:00:00Z',
    '2026-11-22 10:00:00Z', '2026-11-22t10:00:00z', '20261122T100000Z', '2026-11-22T25:00:00Z', '2026-11-22T10:60:00Z', '2026-11-22T10:00:60Z',
  ),
);
const hostileValue = fc.oneof(
  hostileString,
  fc.double(),
  fc.constantFrom(0, -0, 1e12, -1e12, 1e12 + 1, -1e12 - 1, Number.POSITIVE_INFINITY, Number.NaN, 1e308),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.dictionary(hostileString, fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { maxKeys: 3 }),
);
const hostileAttributes = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constantFrom({ device: 'mobile' }, { '': 1 }, { ['k'.repeat(101)]: 1 }, JSON.parse('{"__proto__": 1}'), { a: 'x\u0000' }, { a: { b: { c: { d: { e: { f: { g: { h: { i: 1 } } } } } } } } }, { big: 'x'.repeat(9000) }, []),
  fc.dictionary(hostileString, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.string(), { minKeys: 49, maxKeys: 52 }),
);

/** A real item with some fields replaced by hostile values, removed, or joined by unknown ones. */
const mutatedItem = fc
  .record({
    base: fc.constantFrom(sdkExposure, sdkEvent),
    replace: fc.dictionary(fc.constantFrom('id', 'type', 'unitId', 'experimentKey', 'variantKey', 'name', 'value', 'timestamp'), hostileValue, { maxKeys: 3 }),
    drop: fc.subarray(['id', 'unitId', 'experimentKey', 'variantKey', 'name', 'value', 'timestamp', 'attributes'], { maxLength: 2 }),
    attributes: hostileAttributes,
    extra: fc.option(fc.constantFrom('isAdmin', 'value', 'name', 'experimentKey', '__proto__', 'constructor'), { nil: undefined }),
  })
  .map(({ base, replace, drop, attributes, extra }) => {
    const item: Record<string, unknown> = { ...base, ...replace };
    if (attributes !== undefined) item.attributes = attributes;
    for (const key of drop) delete item[key];
    if (extra !== undefined) Object.defineProperty(item, extra, { value: 1, enumerable: true, configurable: true, writable: true });
    return item;
  });

/** A real item with exactly one field replaced: most items are one mistake away from valid. */
const oneFieldOff = fc
  .record({
    base: fc.constantFrom(sdkExposure, sdkEvent),
    key: fc.constantFrom('id', 'type', 'unitId', 'experimentKey', 'variantKey', 'name', 'value', 'timestamp', 'attributes'),
    value: fc.oneof(hostileValue, hostileAttributes),
  })
  .map(({ base, key, value }) => ({ ...base, [key]: value }) as Record<string, unknown>);

describe('fast item check', () => {
  it('accepts the items the SDK sends, exactly as the schema parses them', () => {
    for (const item of [sdkExposure, sdkEvent, { ...sdkEvent, value: null }, { ...sdkEvent, value: undefined }, { ...sdkExposure, attributes: undefined }]) {
      expect(fastParseItem(item)).toBeDefined();
      agreesWithSchema(item);
    }
  });

  it('agrees with the schema on every field set to every boundary value', () => {
    const lengths = [0, 1, 63, 64, 65, 99, 100, 101, 199, 200, 201, 999, 1000, 1001];
    const boundaries: unknown[] = [
      ...lengths.flatMap((n) => ['a'.repeat(n), `${'a'.repeat(Math.max(n - 1, 0))}\u0000`, `${'a'.repeat(Math.max(n - 1, 0))}\ud800`]),
      'a-b', 'a--b', 'a_b', '-a', 'A', 'add_to_cart', 'checkout.started', '9x', '_x', 'a b',
      '2026-11-22T10:00:00Z', '2026-11-22T10:00:00+24:00', '2026-02-29T10:00:00Z', '2024-02-29T10:00:00Z', '2026-11-22T10:00:00',
      0, -0, 1e12, -1e12, 1e12 + 1, Number.POSITIVE_INFINITY, Number.NaN, null, undefined, true, [], {}, { device: 'mobile' }, { '': 1 },
    ];
    for (const base of [sdkExposure, sdkEvent]) {
      for (const key of ['id', 'type', 'unitId', 'experimentKey', 'variantKey', 'name', 'value', 'timestamp', 'attributes']) {
        for (const value of boundaries) agreesWithSchema({ ...base, [key]: value });
      }
    }
  });

  it('never accepts what the schema refuses (generated hostile items)', () => {
    fc.assert(fc.property(mutatedItem, (item) => agreesWithSchema(item)), { numRuns: 20_000 });
    fc.assert(fc.property(oneFieldOff, (item) => agreesWithSchema(item)), { numRuns: 20_000 });
  });

  it('leaves refusals to the schema, with its reasons', () => {
    for (const item of [
      { ...sdkExposure, timestamp: '2026-11-22T10:00:00' },
      { ...sdkExposure, experimentKey: 'Checkout' },
      { ...sdkEvent, value: 1e13 },
      { ...sdkEvent, isAdmin: true },
      { ...sdkExposure, attributes: { a: 'x\u0000' } },
      { ...sdkExposure, unitId: '' },
    ]) {
      expect(fastParseItem(item)).toBeUndefined();
      expect((item.type === 'exposure' ? exposureItemSchema : eventItemSchema).safeParse(item).success).toBe(false);
    }
  });
});
