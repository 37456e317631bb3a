// validateCondition and evaluateCondition must agree: whatever the validator accepts evaluates
// without a warning, and nothing, valid or not, ever throws.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateCondition } from '../src/index.js';
import type { Condition } from '../src/index.js';
import { validateCondition } from '../src/validate.js';

const attribute = fc.constantFrom('country', 'plan', 'cart', 'appVersion', 'tags', 'missing');
const primitive = fc.oneof(fc.string({ maxLength: 4 }), fc.integer({ min: -5, max: 5 }), fc.boolean(), fc.constant(null));
const version = fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.option(fc.constantFrom('rc.1', 'beta', 'alpha.2'))).map(
  ([a, b, c, pre]) => `${a}.${b}.${c}${pre ? `-${pre}` : ''}`,
);

// Mostly well-formed leaves, with a share of wrong operators and wrong value types.
const leaf = fc.oneof(
  fc.record({ attribute, op: fc.constantFrom('eq', 'neq'), value: primitive }),
  fc.record({ attribute, op: fc.constantFrom('in', 'not_in'), value: fc.array(primitive, { maxLength: 3 }) }),
  fc.record({ attribute, op: fc.constantFrom('gt', 'gte', 'lt', 'lte'), value: fc.integer({ min: -5, max: 100 }) }),
  fc.record({ attribute, op: fc.constant('exists'), value: fc.boolean() }),
  fc.record({ attribute, op: fc.constant('regex'), value: fc.constantFrom('^F', 'R$', '(', '[a-z]+', '\\d') }),
  fc.record({ attribute, op: fc.constantFrom('semver_gt', 'semver_lte', 'semver_eq'), value: fc.oneof(version, fc.constant('nope')) }),
  fc.record({ attribute, op: fc.constantFrom('equals', 'contains', 'semver_approx'), value: primitive }),
  fc.record({ attribute, op: fc.constantFrom('gt', 'in', 'exists'), value: fc.oneof(fc.string(), fc.object()) }),
) as fc.Arbitrary<Condition>;

const { condition } = fc.letrec<{ condition: Condition }>((tie) => ({
  condition: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ all: fc.array(tie('condition'), { maxLength: 3 }) }),
    fc.record({ any: fc.array(tie('condition'), { maxLength: 3 }) }),
    fc.record({ not: tie('condition') }),
  ),
}));

const attributes = fc.record(
  {
    country: fc.constantFrom('FR', 'BE', 'DE', 'fr'),
    plan: primitive,
    cart: fc.oneof(fc.integer({ min: 0, max: 200 }), fc.constantFrom('42', 'abc', '')),
    appVersion: fc.oneof(version, fc.constant('garbage')),
    tags: fc.array(fc.constantFrom('vip', 'new', 'b2b'), { maxLength: 3 }),
  },
  { requiredKeys: [] },
);

describe('validator and evaluator agree', () => {
  it('valid conditions evaluate without warnings; none throws', () => {
    let valid = 0;
    let invalid = 0;
    fc.assert(
      fc.property(condition, attributes, (c, attrs) => {
        const warnings: string[] = [];
        const result = evaluateCondition(c, attrs, (m) => warnings.push(m));
        expect(typeof result).toBe('boolean');
        if (validateCondition(c).length === 0) {
          valid++;
          expect(warnings).toEqual([]);
        } else invalid++;
      }),
      { numRuns: 3000, seed: 21 },
    );
    // The generator exercises both sides.
    expect(valid).toBeGreaterThan(300);
    expect(invalid).toBeGreaterThan(300);
  });

  it('an invalid leaf anywhere makes the whole condition false, whatever the attributes', () => {
    fc.assert(
      fc.property(condition, attributes, (c, attrs) => {
        const poisoned: Condition = { any: [c, { attribute: 'country', op: 'equals' as never, value: 'FR' }] };
        return evaluateCondition(poisoned, attrs, () => {}) === false;
      }),
      { numRuns: 500, seed: 22 },
    );
  });
});
