import { z } from 'zod';

/**
 * Building blocks shared by every request schema. Strings refuse NUL characters and unpaired
 * surrogates: PostgreSQL rejects both in text and jsonb, and a database error must never be how
 * bad input is discovered.
 */
export function isStorableString(value: string): boolean {
  return !value.includes('\u0000') && value.isWellFormed();
}

export const text = (max: number, min = 0) =>
  z
    .string()
    .min(min, min === 1 ? 'must not be empty' : `must be at least ${min} characters`)
    .max(max, `must be at most ${max} characters`)
    .refine(isStorableString, 'contains a NUL character or an unpaired surrogate');

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const EVENT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

/** Lower-case slug: letters, digits and single hyphens; 1–64 characters. */
export const slug = z
  .string()
  .regex(SLUG_PATTERN, 'must be a slug: lower-case letters, digits and single hyphens (e.g. "checkout-cta")')
  .max(64, 'must be at most 64 characters');

/** Event names as sites send them: `purchase`, `add_to_cart`, `checkout.started`. */
export const eventName = z
  .string()
  .regex(EVENT_NAME_PATTERN, 'must start with a letter or digit and contain only letters, digits, "_", ".", ":" or "-"')
  .max(100, 'must be at most 100 characters');

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

const MAX_JSON_DEPTH = 16;

function jsonProblem(value: unknown, depth: number): string | null {
  if (depth > MAX_JSON_DEPTH) return `nests deeper than ${MAX_JSON_DEPTH} levels`;
  if (value === null || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : 'contains a non-finite number';
  if (typeof value === 'string') return isStorableString(value) ? null : 'contains a NUL character or an unpaired surrogate';
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = jsonProblem(item, depth + 1);
      if (problem) return problem;
    }
    return null;
  }
  if (typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const problem = isStorableString(key) ? jsonProblem(item, depth + 1) : 'has a key with a NUL character or an unpaired surrogate';
      if (problem) return problem;
    }
    return null;
  }
  return 'is not JSON';
}

/** Any JSON value that PostgreSQL's jsonb can store, bounded in depth and serialized size. */
export const jsonValue = (maxBytes: number) =>
  z.unknown().superRefine((value, ctx) => {
    const problem = jsonProblem(value, 0);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return;
    }
    if (value !== undefined && Buffer.byteLength(JSON.stringify(value)) > maxBytes) {
      ctx.addIssue({ code: 'custom', message: `must serialize to at most ${maxBytes} bytes` });
    }
  }) as unknown as z.ZodType<JsonValue>;

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A number in a query string: a decimal numeral only. `z.coerce.number()` reads with Number(), which
 * also takes '' and ' ' (as 0), '0x10' and '0b1', so `?maxAge=` meant "recompute" and `?offset=` "0";
 * anything else is now NaN and refused like `?limit=abc`. The schema is `inner`'s, so the OpenAPI
 * document still says number.
 */
export const queryNumber = <T extends z.ZodType>(inner: T) =>
  z.preprocess((value) => (typeof value === 'string' ? (DECIMAL.test(value) ? Number(value) : Number.NaN) : value), inner);

/** `limit` / `offset` pagination shared by list endpoints. */
export const pagination = {
  limit: queryNumber(z.number().int().min(1).max(500).default(100)),
  offset: queryNumber(z.number().int().min(0).max(1_000_000).default(0)),
};
