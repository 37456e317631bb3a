import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { pagination, queryNumber } from './schema-helpers.js';

describe('queryNumber: numbers in query strings are decimal numerals', () => {
  const page = z.strictObject(pagination);

  it('takes decimal numerals, defaults when absent', () => {
    expect(page.parse({})).toEqual({ limit: 100, offset: 0 });
    expect(page.parse({ limit: '5', offset: '10' })).toEqual({ limit: 5, offset: 10 });
    expect(page.parse({ limit: '1e2', offset: '+3' })).toEqual({ limit: 100, offset: 3 });
    expect(page.parse({ limit: '2.0' }).limit).toBe(2);
  });

  // Number() reads all of these as numbers; z.coerce took `?offset=` as 0 and `?limit=0x10` as 16.
  it.each(['', ' ', ' 5', '5 ', '0x10', '0b1', '0o7', 'Infinity', '1_000', 'abc', 'NaN', '1e400'])('refuses %j (422 naming the field)', (value) => {
    for (const field of ['limit', 'offset'] as const) {
      const result = page.safeParse({ [field]: value });
      expect(result.success, `${field}=${value}`).toBe(false);
      expect(result.error!.issues.map((i) => i.path.join('.'))).toEqual([field]);
    }
  });

  it('keeps the inner schema for the OpenAPI document (a number with its bounds and default)', () => {
    const schema = z.toJSONSchema(z.object({ n: queryNumber(z.number().int().min(1).default(7)) }), { io: 'input', unrepresentable: 'any' });
    expect(schema.properties!.n).toMatchObject({ type: 'integer', minimum: 1, default: 7 });
  });
});
