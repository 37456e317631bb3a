import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, createHarness, fixtures, seedCatalog } from '../test/harness.js';
import { linearRegex } from '../targeting/linear-regex.js';

/**
 * Issue 13 #7: targeting regexes such as `^(\w|\d)*$` and `(a|a)*$` passed validation, and one
 * POST /sdk/assign whose attribute was 29 characters long blocked the whole server for 9.6 s. Now
 * (1) those shapes are refused at save time with a 422 naming the field, and (2) the server
 * evaluates every pattern with RE2 (linear time), so even a pattern stored before this check, or
 * one no heuristic catches, answers at once.
 */
const HOSTILE_PATTERNS = ['^(\\w|\\d)*$', '(a|a)*$'];
/** 29 characters that match each branch and then fail at the end: 2^29 paths for a backtracking engine. */
const HOSTILE_INPUT = `${'a'.repeat(28)}!`;
/** Generous for a busy 2-core machine; a backtracking engine takes seconds to minutes here. */
const BOUND_MS = 1000;

const regexLeaf = (value: string, flags?: string) => ({ attribute: 'code', op: 'regex', value, ...(flags && { flags }) });

describeEachEngine('targeting regexes cannot block the server', (db) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(db().db);
    await seedCatalog(h);
  });

  it('refuses exponential shapes and syntax RE2 lacks at save time, naming the field', async () => {
    const cases: Array<[string, RegExp]> = [
      ['^(\\w|\\d)*$', /exponential time/],
      ['(a|a)*$', /exponential time/],
      ['(?=a)b', /linear-time regex engine \(RE2\)/],
      ['(?<=a)b', /linear-time regex engine \(RE2\)/],
      ['(a)\\1', /exponential time/],
    ];
    for (const [i, [pattern, reason]] of cases.entries()) {
      const res = await h.call('POST', '/api/experiments', fixtures.experiment(`redos-${i}`, { targeting: { all: [regexLeaf(pattern)] } }));
      expect(res.status, pattern).toBe(422);
      const problem = (await res.json()) as { errors: Array<{ field: string; detail: string }> };
      expect(problem.errors).toEqual([{ field: 'targeting', pointer: '/targeting', detail: expect.stringMatching(reason) }]);
      expect(problem.errors[0]!.detail).toMatch(/^targeting\.all\[0\]\.value: /);
    }
    const fine = await h.call('POST', '/api/experiments', fixtures.experiment('redos-fine', { targeting: { all: [regexLeaf('^(?:FR|BE)-\\d+$', 'i')] } }));
    expect(fine.status, await fine.clone().text()).toBe(201);
  });

  it('POST /sdk/assign answers hostile patterns already stored in well under a second, without a 5xx', async () => {
    // Patterns saved before the check existed (or that a heuristic misses) are written directly.
    for (const [i, pattern] of HOSTILE_PATTERNS.entries()) {
      const key = `stored-redos-${i}`;
      expect((await h.call('POST', '/api/experiments', fixtures.experiment(key))).status).toBe(201);
      expect((await h.call('POST', `/api/experiments/${key}/start`)).status).toBe(200);
      await sql`update experiments set targeting = ${JSON.stringify({ all: [regexLeaf(pattern)] })}::jsonb, version = version + 1 where key = ${key}`.execute(db().db);
    }
    // What RegExp answers too, given minutes: the first needs the whole input; the second matches
    // the empty string at the end.
    const expected = [false, true];
    for (const [i] of HOSTILE_PATTERNS.entries()) {
      const started = performance.now();
      const res = await h.call('POST', '/sdk/assign', { unitId: 'u-1', attributes: { code: HOSTILE_INPUT }, experiments: [`stored-redos-${i}`] }, { key: h.sdkKey });
      const elapsed = performance.now() - started;
      expect(res.status).toBe(200);
      expect(((await res.json()) as { assignments: Array<{ inExperiment: boolean }> }).assignments).toEqual([expect.objectContaining({ inExperiment: expected[i] })]);
      expect(elapsed).toBeLessThan(BOUND_MS);
    }
  });
});

it('the linear engine agrees with RegExp on ordinary targeting patterns', () => {
  const cases: Array<[string, string, string[]]> = [
    ['^summer-', '', ['summer-sale', 'Summer-sale', 'a summer-sale']],
    ['^SUMMER', 'i', ['summer', 'SUMMER', 'winter']],
    ['^/checkout(/step-[0-9]+)?$', '', ['/checkout', '/checkout/step-2', '/checkout/step-']],
    ['iPhone|iPad', '', ['Mozilla (iPad)', 'Android']],
    ['^(?<country>FR|BE)$', '', ['FR', 'BEL']],
    ['\\bpro\\b', '', ['a pro plan', 'professional']],
    ['^a.c$', 's', ['a\nc', 'abc']],
    ['^b$', 'm', ['a\nb\nc', 'ab']],
    ['caf\\u00e9', 'u', ['café', 'cafe']],
  ];
  for (const [pattern, flags, inputs] of cases) {
    for (const input of inputs) expect(linearRegex(pattern, flags, input), `${pattern}/${flags} on ${input}`).toBe(new RegExp(pattern, flags).test(input));
  }
  expect(() => linearRegex('(a)\\1', '', 'aa')).toThrow();
});
