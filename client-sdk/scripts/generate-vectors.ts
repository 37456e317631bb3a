// Regenerates test/vectors.json from the implementation. Run only after the design.md §4 vectors
// pass and the reference cross-check in test/vectors.test.ts is green:
//   npx tsx --conditions=source scripts/generate-vectors.ts
// The file is a contract: a change in an existing expected value means the hash or the
// assignment changed, which would move live users between variants.
import { writeFileSync } from 'node:fs';
import { assignVariant, bucket, evaluateCondition, hash } from '../src/index.js';

import type { Attributes, Condition, SdkExperiment } from '../src/index.js';


const strings = [
  'user-1', 'user-3', 'alice', 'hello', '', 'a', 'ab', 'abc', 'abcd', 'abcde',
  'café', 'naïve', 'Zürich', '日本', '東京都渋谷区', 'Ελληνικά', 'русский', 'עברית', 'عربى', '😀', '👩‍👩‍👧', 'x😀y',
  '\u0000', 'tab\tnew\nline', 'cta-color.user-1', 'checkout-layer__user-1',
  '550e8400-e29b-41d4-a716-446655440000', 'a'.repeat(64), 'long-'.repeat(200), '🙂'.repeat(300),
];

const base = (key: string, weights: number[], extra: Partial<SdkExperiment> = {}): SdkExperiment => ({
  key,
  salt: key,
  variants: weights.map((weight, i) => ({ key: i === 0 ? 'control' : `v${i}`, weight, payload: { i } })),
  coverage: 1,
  namespace: null,
  targeting: null,
  ...extra,
});

const experiments: SdkExperiment[] = [
  base('cta-color', [0.5, 0.5]),
  base('pdp-gallery', [0.9, 0.1], { coverage: 0.5 }),
  base('checkout-copy', [0.2, 0.3, 0.5]),
  base('pricing-grid', [0.1, 0.2, 0.3, 0.4], { coverage: 0.8 }),
  base('landing-hero', [0.05, 0.15, 0.2, 0.25, 0.35]),
  base('cart-upsell', [0.5, 0.5], { coverage: 0.1 }),
  base('cart-upsell-0', [0.5, 0.5], { coverage: 0 }),
  base('salted', [0.5, 0.5], { salt: 'another-salt' }),
  base('no-salt', [0.5, 0.5], { salt: undefined }),
  base('ns-left', [0.5, 0.5], { namespace: { id: 'checkout-layer', range: [0, 0.5] } }),
  base('ns-right', [0.5, 0.5], { namespace: { id: 'checkout-layer', range: [0.5, 1] } }),
  base('ns-middle', [0.3, 0.7], { namespace: { id: 'pricing-layer', range: [0.25, 0.6] }, coverage: 0.7 }),
];
const units = ['user-1', 'user-3', 'user-5', 'alice', 'bob', 'café', '日本', '😀', 'long-'.repeat(200), ''];
for (let i = 0; i < 12; i++) units.push(`u-${i * 7919}`);

const targeted = base('fr-be-checkout', [0.5, 0.5], {
  targeting: { all: [{ attribute: 'country', op: 'in', value: ['FR', 'BE'] }, { attribute: 'appVersion', op: 'semver_gte', value: '2.1.0' }] },
});
const attributeSets: Attributes[] = [
  { country: 'FR', appVersion: '2.1.0' },
  { country: 'BE', appVersion: '10.0.0' },
  { country: 'DE', appVersion: '3.0.0' },
  { country: 'FR', appVersion: '2.1.0-beta.1' },
  { country: 'FR' },
];

const assign = [];
for (const experiment of experiments) {
  for (const unitId of units) {
    const a = assignVariant(experiment, unitId);
    assign.push({ experiment, unitId, expected: a && { variantIndex: a.variantIndex, variantKey: a.variantKey } });
  }
}
for (const attributes of attributeSets) {
  for (const unitId of ['user-1', 'user-3', 'alice']) {
    const a = assignVariant(targeted, unitId, attributes);
    assign.push({ experiment: targeted, unitId, attributes, expected: a && { variantIndex: a.variantIndex, variantKey: a.variantKey } });
  }
}

const conditions: Array<[Condition, Attributes]> = [
  [{ attribute: 'country', op: 'eq', value: 'FR' }, { country: 'FR' }],
  [{ attribute: 'country', op: 'eq', value: 'FR' }, { country: 'fr' }],
  [{ attribute: 'country', op: 'neq', value: 'FR' }, {}],
  [{ attribute: 'country', op: 'in', value: ['FR', 'BE'] }, { country: 'BE' }],
  [{ attribute: 'country', op: 'not_in', value: ['FR', 'BE'] }, { country: 'BE' }],
  [{ attribute: 'tags', op: 'in', value: ['vip'] }, { tags: ['new', 'vip'] }],
  [{ attribute: 'cartValue', op: 'gte', value: 50 }, { cartValue: 50 }],
  [{ attribute: 'cartValue', op: 'gt', value: 50 }, { cartValue: '50.5' }],
  [{ attribute: 'cartValue', op: 'lt', value: 50 }, { cartValue: 'abc' }],
  [{ attribute: 'email', op: 'exists' }, { email: 'a@b.c' }],
  [{ attribute: 'email', op: 'exists', value: false }, { email: null }],
  [{ attribute: 'path', op: 'regex', value: '^/checkout(/|$)' }, { path: '/checkout/pay' }],
  [{ attribute: 'path', op: 'regex', value: '^/CHECKOUT', flags: 'i' } as Condition, { path: '/checkout' }],
  [{ attribute: 'appVersion', op: 'semver_gte', value: '2.1.0' }, { appVersion: '2.10.0' }],
  [{ attribute: 'appVersion', op: 'semver_lt', value: '2.1.0' }, { appVersion: '2.1.0-rc.1' }],
  [{ attribute: 'appVersion', op: 'semver_eq', value: '2.1.0' }, { appVersion: 'v2.1.0+build.7' }],
  [{ any: [{ attribute: 'country', op: 'eq', value: 'FR' }, { attribute: 'device', op: 'eq', value: 'mobile' }] }, { country: 'DE', device: 'mobile' }],
  [{ all: [] }, {}],
  [{ any: [] }, {}],
  [{ not: { attribute: 'country', op: 'eq', value: 'FR' } }, { country: 'FR' }],
  [{ attribute: 'country', op: 'equals', value: 'FR' } as unknown as Condition, { country: 'FR' }],
  [{ attribute: 'age', op: 'gt', value: '18' } as unknown as Condition, { age: 30 }],
];

const vectors = {
  description:
    'Touchpoint hashing contract (design.md §4) test vectors. hash = MurmurHash3_x86_32(UTF-8 bytes, seed 0); ' +
    'bucket = hash / 2^32; assign = assignVariant(experiment, unitId, attributes) → {variantIndex, variantKey} or null; ' +
    'targeting = evaluateCondition(condition, attributes), invalid conditions evaluate to false. Format: client-sdk/README.md.',
  hash: strings.map((input) => ({ input, hash: hash(input) })),
  bucket: strings.map((input) => ({ input, bucket: bucket(input) })),
  assign,
  targeting: conditions.map(([condition, attributes]) => ({
    condition,
    attributes,
    expected: evaluateCondition(condition, attributes, () => {}),
  })),
};

// One vector per line: diffs stay readable and any JSON parser reads it.
const lines = Object.entries(vectors).map(([name, value]) =>
  Array.isArray(value)
    ? `  ${JSON.stringify(name)}: [\n${value.map((v) => '    ' + JSON.stringify(v)).join(',\n')}\n  ]`
    : `  ${JSON.stringify(name)}: ${JSON.stringify(value)}`,
);
writeFileSync(new URL('../test/vectors.json', import.meta.url), `{\n${lines.join(',\n')}\n}\n`);
console.log(`wrote ${vectors.hash.length} hash, ${assign.length} assign, ${conditions.length} targeting vectors`);
