import fc from 'fast-check';
import { type Kysely, sql } from 'kysely';
import { expect } from 'vitest';
import type { Database } from '../db/schema.js';

/**
 * Shared pieces of the hostile-input suites (http/hostile-input.test.ts, http/hostile-properties.test.ts):
 * generators of hostile JSON, a digest of everything a request could write, and the problem-document check.
 */

/** Any UTF-16 code unit mostly, with the characters that break storage, quoting and patterns overrepresented. */
export const hostileChar = fc.oneof(
  { weight: 5, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.constantFrom('\u0000', '\ud800', '\udfff', "'", '"', '\\', '%', '_', '<', '-', '😀') },
);
export const hostileString = fc.string({ unit: hostileChar, maxLength: 30 });
export const hostileJson = fc.jsonValue({ stringUnit: hostileChar, maxDepth: 4 });

/** Member names that JSON.parse makes own members but JavaScript objects treat specially. */
export const RESERVED_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'] as const;

/** A JSON body with one more member appended verbatim (for keys JSON.stringify cannot produce, like __proto__). */
export const withRawMember = (body: Record<string, unknown>, member: string) => `${JSON.stringify(body).slice(0, -1)},${member}}`;

/**
 * A JSON text for `body`, where a `__proto__` own member (which `{ ...x, __proto__: v }` cannot
 * express) is written verbatim; other members are stringified as usual.
 */
export function jsonText(body: unknown, protoValue?: unknown): string {
  if (protoValue === undefined) return JSON.stringify(body);
  const text = JSON.stringify(body);
  return text === '{}' ? `{"__proto__":${JSON.stringify(protoValue)}}` : withRawMember(body as Record<string, unknown>, `"__proto__":${JSON.stringify(protoValue)}`);
}

/**
 * A dictionary of the endpoint's real field names mixed with hostile and reserved names, each holding
 * arbitrary JSON. Produced as JSON text, so that `__proto__` arrives as a real member.
 */
export function hostileDictionary(fields: readonly string[]): fc.Arbitrary<string> {
  const name = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...fields) }, { weight: 1, arbitrary: fc.constantFrom(...RESERVED_NAMES) }, { weight: 1, arbitrary: hostileString });
  return fc
    .uniqueArray(fc.tuple(name, hostileJson), { maxLength: 8, selector: ([key]) => key })
    .map((members) => `{${members.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`).join(',')}}`);
}

/** Arbitrary JSON bodies for an endpoint: any JSON value, or a dictionary over its field names (as JSON text). */
export const hostileBody = (fields: readonly string[]) => fc.oneof(hostileJson.map((value) => JSON.stringify(value)), hostileDictionary(fields));

/**
 * Row counts of every table a request could write, plus a digest of the rows an edit could change
 * (an update changes no count). api_keys.last_used_at is left out: it records use, not input.
 */
export async function snapshot(db: Kysely<Database>): Promise<Record<string, unknown>> {
  const { rows } = await sql<Record<string, unknown>>`
    select
      (select count(*) from touchpoints)::int as touchpoints,
      (select count(*) from metrics)::int as metrics,
      (select count(*) from experiments)::int as experiments,
      (select count(*) from variants)::int as variants,
      (select count(*) from experiment_metrics)::int as experiment_metrics,
      (select count(*) from experiment_phases)::int as experiment_phases,
      (select count(*) from api_keys)::int as api_keys,
      (select count(*) from audit_log)::int as audit_log,
      (select count(*) from exposures)::int as exposures,
      (select count(*) from events)::int as events,
      (select count(*) from results_snapshots)::int as results_snapshots,
      (select md5(coalesce(string_agg(t::text, '|' order by t.key), '')) from touchpoints t) as touchpoint_rows,
      (select md5(coalesce(string_agg(m::text, '|' order by m.key), '')) from metrics m) as metric_rows,
      (select md5(coalesce(string_agg(e::text, '|' order by e.id), '')) from experiments e) as experiment_rows,
      (select md5(coalesce(string_agg(v::text, '|' order by v.experiment_id, v.position), '')) from variants v) as variant_rows,
      (select md5(coalesce(string_agg(p::text, '|' order by p.experiment_id, p.phase), '')) from experiment_phases p) as phase_rows,
      (select md5(coalesce(string_agg(k.id || k.name || coalesce(k.revoked_at::text, ''), '|' order by k.id), '')) from api_keys k) as key_rows,
      (select md5(coalesce(string_agg(x::text, '|' order by x.experiment_id, x.unit_id), '')) from exposures x) as exposure_rows,
      (select md5(coalesce(string_agg(s.experiment_id || s.segment || s.computed_at::text, '|' order by s.experiment_id, s.segment), '')) from results_snapshots s) as snapshot_rows
  `.execute(db);
  return rows[0]!;
}

export type Snapshot = Record<string, number | string>;

/** The snapshot with these counts moved by the given amounts and these digests left free (for a write that was expected). */
export function expectWrites(before: Snapshot, after: Snapshot, counts: Partial<Record<string, number>>, changedDigests: readonly string[] = []): void {
  const expected: Snapshot = { ...before };
  for (const [table, delta] of Object.entries(counts)) expected[table] = (before[table] as number) + delta!;
  for (const digest of changedDigests) expected[digest] = after[digest]!;
  expect(after).toEqual(expected);
}

export interface FieldErrorShape {
  field: string;
  pointer: string;
  detail: string;
}

/** An RFC 9457 problem document as design.md §7 describes it; 422s list their field errors. Returns the document. */
export function expectProblemDocument(res: Response, text: string): Record<string, unknown> & { errors?: FieldErrorShape[] } {
  expect(res.status, text).toBeGreaterThanOrEqual(400);
  expect(res.status, text).toBeLessThan(500);
  expect(res.headers.get('content-type'), text).toMatch(/^application\/problem\+json/);
  const problem = JSON.parse(text) as Record<string, unknown> & { errors?: FieldErrorShape[] };
  expect(problem, text).toMatchObject({ status: res.status, type: expect.stringMatching(/^\/problems\/[a-z-]+$/), title: expect.any(String), detail: expect.any(String) });
  expect((problem.detail as string).length, text).toBeGreaterThan(0);
  if (res.status === 422) {
    expect(Array.isArray(problem.errors), text).toBe(true);
    expect(problem.errors!.length, text).toBeGreaterThan(0);
    for (const error of problem.errors!) {
      expect(error, text).toEqual({ field: expect.any(String), pointer: expect.any(String), detail: expect.any(String) });
      // The pointer is the JSON Pointer of the field (RFC 6901): "" for the body itself, else "/"-prefixed.
      expect(error.pointer === '' || error.pointer.startsWith('/'), text).toBe(true);
    }
  }
  return problem;
}

// ---- Query strings, path segments and header values (http/hostile-queries.test.ts) ----------------

const hexByte = (b: number) => `%${b.toString(16).padStart(2, '0')}`;

/** Any UTF-16 text percent-encoded: as UTF-8 where well formed, else each code unit's low byte (invalid UTF-8 on purpose). */
export const percentEncode = (s: string): string => (s.isWellFormed() ? encodeURIComponent(s) : [...Buffer.from(s, 'latin1')].map(hexByte).join(''));

/** A component decoded as a URL query or path decoder would, or null when it is not valid percent-encoded UTF-8. */
export function percentDecode(s: string, plusIsSpace = true): string | null {
  try {
    return decodeURIComponent(plusIsSpace ? s.replaceAll('+', ' ') : s);
  } catch {
    return null;
  }
}

/** Arbitrary bytes, each percent-encoded: invalid UTF-8, NUL, '/', '.', '&', '=' and '#' included. */
export const percentBytes = fc.uint8Array({ minLength: 1, maxLength: 40 }).map((bytes) => [...bytes].map(hexByte).join(''));

/** Escapes that are malformed, or decode to something a parser or a database may trip over. */
export const TRICKY_ESCAPES = [
  '%', '%%', '%z', '%zz', '%e2%82', '%00', 'a%00b', '%ff', '%fe%ff', '%c0%af', '%c0%80', '%ed%a0%80', '%ed%bf%bf', '%ef%bf%bf', '%f4%90%80%80',
  '+', '%2B', '%20', '%26', '%3D', '%23', '%3F', '%2F', '%5C', '%2e', '%2e%2e', '%25', '%2525', '%u0041', '%0d%0a', '%1b',
] as const;

/** A percent-encoded URL component: any text, any bytes, malformed escapes, or a very long run. */
export const hostileComponent: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: hostileString.map(percentEncode) },
  { weight: 2, arbitrary: percentBytes },
  { weight: 2, arbitrary: fc.constantFrom(...TRICKY_ESCAPES) },
  { weight: 1, arbitrary: fc.constantFrom('a'.repeat(5_000), percentEncode('😀'.repeat(2_000)), '%ff'.repeat(3_000)) },
);

/** Numbers as query values arrive: out of range, non-finite, in other notations, padded, or not numbers at all. */
export const HOSTILE_NUMBERS = [
  '1e400', '-1e400', '1e-400', '9'.repeat(400), '9007199254740993', '-9007199254740993', '1e21', '-1', '-0', '0', '00', '+1', '.5', '5.', '1.5',
  '0x10', '0b1', '0o7', '1_000', ' 5', '5 ', 'NaN', 'Infinity', '-Infinity', 'null', 'undefined', 'true', '[]', '{}', '',
] as const;

/** A query value: hostile numbers, any number, any percent-encoded component. */
export const hostileQueryValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_NUMBERS).map(percentEncode) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double()).map((x) => percentEncode(String(x))) },
  { weight: 3, arbitrary: hostileComponent },
);

/** One `name=value` of a query string, both percent-encoded; a null value is a bare `name` (no `=`). */
export type QueryPair = readonly [name: string, value: string | null];

export const queryString = (pairs: readonly QueryPair[]): string => pairs.map(([name, value]) => (value === null ? name : `${name}=${value}`)).join('&');

/**
 * Query strings for an endpoint whose parameters are `params` (name → values it takes, already
 * encoded): arbitrary pairs over its real names and hostile ones (reserved, empty, very long, encoded
 * differently, repeated), and valid queries with hostile pairs added or one value made hostile.
 */
export function hostileQuery(params: Readonly<Record<string, readonly string[]>>): fc.Arbitrary<QueryPair[]> {
  const names = Object.keys(params);
  const validValues = Object.values(params).flat();
  // A real name percent-encoded letter by letter decodes to itself: the server must see it as that name.
  const spelled = names.map((n) => [...n].map((ch) => hexByte(ch.charCodeAt(0))).join(''));
  const name = fc.oneof(
    { weight: names.length ? 4 : 0, arbitrary: names.length ? fc.constantFrom(...names) : fc.constant('') },
    { weight: names.length ? 1 : 0, arbitrary: names.length ? fc.constantFrom(...spelled, ...names.map((n) => n.toUpperCase())) : fc.constant('') },
    { weight: 2, arbitrary: fc.constantFrom(...RESERVED_NAMES, '', 'a'.repeat(5_000), 'sort', 'sdkKey', 'callback', 'format') },
    { weight: 2, arbitrary: hostileComponent },
  );
  const value = validValues.length ? fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...validValues) }, { weight: 3, arbitrary: hostileQueryValue }) : hostileQueryValue;
  const pair: fc.Arbitrary<QueryPair> = fc.tuple(name, fc.option(value, { freq: 8, nil: null }));
  const arbitrary = fc.array(pair, { maxLength: 6 });
  if (!names.length) return arbitrary;
  const valid = fc
    .tuple(...names.map((n) => fc.option(fc.constantFrom(...params[n]!).map((v): QueryPair => [n, v]), { freq: 4, nil: null })))
    .map((pairs) => pairs.filter((p): p is QueryPair => p !== null));
  const mutated = fc
    .tuple(valid, fc.array(pair, { maxLength: 2 }), fc.option(fc.tuple(fc.nat(), hostileQueryValue), { nil: null }))
    .map(([base, extra, change]) => {
      const pairs = [...base, ...extra];
      if (change && pairs.length) {
        const at = change[0] % pairs.length;
        pairs[at] = [pairs[at]![0], change[1]];
      }
      return pairs;
    });
  return fc.oneof({ weight: 2, arbitrary }, { weight: 1, arbitrary: valid }, { weight: 2, arbitrary: mutated });
}

/** A path segment: arbitrary bytes percent-encoded, any text, malformed escapes, reserved names, very long. */
export const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: percentBytes },
  { weight: 2, arbitrary: hostileString.filter((s) => s.length > 0).map(percentEncode) },
  { weight: 2, arbitrary: fc.constantFrom(...TRICKY_ESCAPES, ...RESERVED_NAMES, 'a'.repeat(65), 'a'.repeat(10_000), 'A', '-a', 'a-', 'a--b', 'a_b', 'a.b', '%20a') },
);

/**
 * A header value that fetch's Headers accepts (no NUL, CR or LF; bytes 0x80–0xFF as Latin-1), with
 * lists, quotes, weak tags and an oversized one overrepresented.
 */
export const hostileHeaderValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constant(9)).map((c) => String.fromCharCode(c)), maxLength: 60 }) },
  { weight: 1, arbitrary: fc.constantFrom('', '*', '"', '""', ',', ', ,', 'W/', 'W/""', '\t', 'null', 'x'.repeat(100_000), '"a", W/"b", *') },
);
