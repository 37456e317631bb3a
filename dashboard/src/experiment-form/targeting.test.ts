import { describe, expect, it } from 'vitest';
import { type TargetingDraft, buildTargeting, parseScalar, rowsFromCondition, targetingDraftFrom } from './targeting.js';

const builder = (rows: TargetingDraft['rows'], combinator: 'all' | 'any' = 'all'): TargetingDraft => ({ mode: 'builder', combinator, rows, json: '' });

describe('targeting builder', () => {
  it('reads typed values: numbers, booleans, null, quoted strings', () => {
    expect(parseScalar('42')).toBe(42);
    expect(parseScalar('true')).toBe(true);
    expect(parseScalar('null')).toBe(null);
    expect(parseScalar('"42"')).toBe('42');
    expect(parseScalar(' FR ')).toBe('FR');
  });

  it('builds every operator into the SDK condition language, validated by the SDK', () => {
    const result = buildTargeting(
      builder(
        [
          { id: 'a', attribute: 'country', op: 'in', value: 'FR, BE' },
          { id: 'b', attribute: 'visits', op: 'gte', value: '3' },
          { id: 'c', attribute: 'email', op: 'exists', value: 'false' },
          { id: 'd', attribute: 'path', op: 'regex', value: '^/checkout' },
          { id: 'e', attribute: 'appVersion', op: 'semver_gte', value: '2.1.0' },
          { id: 'f', attribute: 'plan', op: 'neq', value: 'free' },
        ],
        'any',
      ),
    );
    expect(result.errors).toEqual([]);
    expect(result.value).toEqual({
      any: [
        { attribute: 'country', op: 'in', value: ['FR', 'BE'] },
        { attribute: 'visits', op: 'gte', value: 3 },
        { attribute: 'email', op: 'exists', value: false },
        { attribute: 'path', op: 'regex', value: '^/checkout' },
        { attribute: 'appVersion', op: 'semver_gte', value: '2.1.0' },
        { attribute: 'plan', op: 'neq', value: 'free' },
      ],
    });
  });

  it('puts each problem on its row', () => {
    const result = buildTargeting(
      builder([
        { id: 'a', attribute: '', op: 'eq', value: 'x' },
        { id: 'b', attribute: 'visits', op: 'gt', value: 'many' },
        { id: 'c', attribute: 'v', op: 'semver_eq', value: 'two' },
        { id: 'd', attribute: 'p', op: 'regex', value: '(' },
      ]),
    );
    expect(result.value).toBeUndefined();
    expect(result.rowErrors.a).toMatch(/attribute name/);
    expect(result.rowErrors.b).toBe('Needs a number.');
    // Rows that build are then checked by the SDK's validator; its messages land on their row too.
    const sdk = buildTargeting(builder([{ id: 'c', attribute: 'v', op: 'semver_eq', value: 'two' }, { id: 'd', attribute: 'p', op: 'regex', value: '(' }]));
    expect(sdk.rowErrors.c).toMatch(/semantic version/);
    expect(sdk.rowErrors.d).toMatch(/invalid regular expression/);
  });

  it('no rows means everyone (null)', () => {
    expect(buildTargeting(builder([])).value).toBeNull();
  });

  it('validates JSON mode as you type', () => {
    expect(buildTargeting({ ...builder([]), mode: 'json', json: '{ "all": [' }).errors[0]).toMatch(/^Not valid JSON/);
    expect(buildTargeting({ ...builder([]), mode: 'json', json: '{ "all": [ { "attribute": "a", "op": "equals", "value": 1 } ] }' }).errors).toEqual([
      'targeting.all[0].op: unknown operator "equals"',
    ]);
    expect(buildTargeting({ ...builder([]), mode: 'json', json: '{ "not": { "attribute": "a", "op": "exists" } }' }).value).toEqual({ not: { attribute: 'a', op: 'exists' } });
  });

  it('shows flat conditions as rows and anything richer as JSON', () => {
    const flat = { all: [{ attribute: 'country', op: 'in', value: ['FR', 'BE'] }, { attribute: 'n', op: 'eq', value: '42' }] };
    const rows = rowsFromCondition(flat);
    expect(rows?.rows.map((r) => r.value)).toEqual(['FR, BE', '"42"']);
    expect(buildTargeting(builder(rows!.rows)).value).toEqual(flat);
    expect(targetingDraftFrom({ not: { attribute: 'a', op: 'exists' } }).mode).toBe('json');
    expect(targetingDraftFrom({ all: [{ attribute: 'p', op: 'regex', value: 'x', flags: 'i' }] }).mode).toBe('json');
  });
});
