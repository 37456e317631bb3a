import { describe, expect, it, vi } from 'vitest';
import { compareSemver, evaluateCondition, parseSemver } from '../src/index.js';
import { validateCondition } from '../src/validate.js';
import type { Condition } from '../src/index.js';

const leaf = (attribute: string, op: string, value?: unknown) => ({ attribute, op, value }) as Condition;

describe('evaluateCondition', () => {
  it('matches the design example', () => {
    const c: Condition = { all: [{ attribute: 'country', op: 'in', value: ['FR', 'BE'] }] };
    expect(evaluateCondition(c, { country: 'FR' })).toBe(true);
    expect(evaluateCondition(c, { country: 'DE' })).toBe(false);
    expect(evaluateCondition(c, {})).toBe(false);
  });

  it('no targeting matches everybody', () => {
    expect(evaluateCondition(null, {})).toBe(true);
    expect(evaluateCondition(undefined)).toBe(true);
  });

  it.each([
    [leaf('plan', 'eq', 'pro'), { plan: 'pro' }, true],
    [leaf('plan', 'eq', 'pro'), { plan: 'Pro' }, false],
    [leaf('qty', 'eq', 1), { qty: '1' }, false],
    [leaf('plan', 'neq', 'pro'), {}, true],
    [leaf('loggedIn', 'eq', true), { loggedIn: true }, true],
    [leaf('country', 'not_in', ['FR']), {}, true],
    [leaf('tags', 'in', ['vip', 'b2b']), { tags: ['b2b'] }, true],
    [leaf('tags', 'not_in', ['vip']), { tags: ['new'] }, true],
    [leaf('cart', 'gt', 10), { cart: 10.5 }, true],
    [leaf('cart', 'gte', 10), { cart: '10' }, true],
    [leaf('cart', 'lt', 10), { cart: '' }, false],
    [leaf('cart', 'lte', 10), { cart: null }, false],
    [leaf('email', 'exists'), { email: '' }, true],
    [leaf('email', 'exists', false), {}, true],
    [leaf('utm', 'regex', '^summer-'), { utm: 'summer-sale' }, true],
    [leaf('utm', 'regex', '^summer-'), { utm: 42 }, false],
    [{ attribute: 'utm', op: 'regex', value: '^SUMMER', flags: 'i' } as Condition, { utm: 'summer' }, true],
    [leaf('v', 'semver_gt', '1.9.0'), { v: '1.10.0' }, true],
    [leaf('v', 'semver_lte', '2.0.0'), { v: '2.0.0-alpha' }, true],
    [leaf('v', 'semver_neq', '2.0.0'), { v: '2.0' }, false],
    [leaf('v', 'semver_gte', '2.0.0'), { v: 'not-a-version' }, false],
    [{ any: [leaf('a', 'eq', 1), leaf('b', 'eq', 2)] }, { b: 2 }, true],
    [{ not: { all: [leaf('a', 'eq', 1)] } }, { a: 1 }, false],
  ] as Array<[Condition, Record<string, unknown>, boolean]>)('%j on %j → %s', (c, attrs, expected) => {
    expect(evaluateCondition(c, attrs)).toBe(expected);
  });

  it('does not read inherited properties', () => {
    expect(evaluateCondition(leaf('constructor', 'exists'), {})).toBe(false);
    expect(evaluateCondition(leaf('__proto__', 'exists'), {})).toBe(false);
  });

  it('invalid conditions are false and reported, never thrown', () => {
    const warn = vi.fn();
    for (const bad of [
      leaf('a', 'equals', 1),
      leaf('a', 'gt', '5'),
      leaf('a', 'regex', '('),
      leaf('a', 'in', 'FR'),
      leaf('a', 'semver_gt', 'x'),
      { all: 'nope' },
      'string',
      { any: [leaf('a', 'eq', 1), leaf('b', 'nope')] },
    ]) {
      expect(evaluateCondition(bad as Condition, { a: 1 }, warn)).toBe(false);
    }
    expect(warn).toHaveBeenCalledTimes(8);
    expect(warn.mock.calls[0]![0]).toMatch(/unknown operator equals/);
    let deep: Condition = leaf('a', 'eq', 1);
    for (let i = 0; i < 40; i++) deep = { not: deep };
    expect(evaluateCondition(deep, { a: 1 }, warn)).toBe(false);
  });
});

describe('validateCondition', () => {
  it('accepts valid conditions', () => {
    expect(validateCondition(null)).toEqual([]);
    expect(validateCondition({ all: [{ attribute: 'country', op: 'in', value: ['FR', 'BE'] }] })).toEqual([]);
    expect(validateCondition({ any: [{ not: leaf('v', 'semver_lt', '2.0.0') }, { attribute: 'p', op: 'regex', value: 'a+', flags: 'i' }] })).toEqual([]);
  });

  it('names every problem with its path', () => {
    expect(
      validateCondition({
        all: [
          leaf('country', 'equals', 'FR'),
          leaf('', 'gt', 'x'),
          { attribute: 'p', op: 'regex', value: '(', flags: 'g' },
          { any: 'x' },
          { not: leaf('v', 'semver_gt', 'abc'), extra: 1 },
          { attribute: 'a', op: 'eq', vlaue: 1 },
        ],
      }),
    ).toEqual([
      'targeting.all[0].op: unknown operator "equals"',
      'targeting.all[1].attribute: must be a non-empty string',
      'targeting.all[1].value: gt needs a finite number',
      'targeting.all[2].flags: only the flags i, m, s and u are allowed',
      'targeting.all[3].any: must be an array',
      'targeting.all[4]: "not" must be the only field',
      'targeting.all[4].not.value: semver_gt needs a semantic version such as "2.1.0"',
      'targeting.all[5]: unknown field "vlaue"',
      'targeting.all[5].value: eq needs a string, number, boolean or null',
    ]);
  });

  it('refuses trees deeper than 32', () => {
    let deep: unknown = leaf('a', 'eq', 1);
    for (let i = 0; i < 40; i++) deep = { not: deep };
    expect(validateCondition(deep)[0]).toMatch(/nested deeper than 32/);
  });
});

describe('semver', () => {
  it('orders per semver.org §11', () => {
    const ordered = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.2', '1.10.0', '2.0.0'];
    for (let i = 1; i < ordered.length; i++) {
      expect(compareSemver(parseSemver(ordered[i - 1])!, parseSemver(ordered[i])!)).toBeLessThan(0);
      expect(compareSemver(parseSemver(ordered[i])!, parseSemver(ordered[i - 1])!)).toBeGreaterThan(0);
    }
    expect(compareSemver(parseSemver('v1.2.3+build')!, parseSemver('1.2.3')!)).toBe(0);
    expect(parseSemver('1.2.3.4')).toBeNull();
  });
});
