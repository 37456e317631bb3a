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
