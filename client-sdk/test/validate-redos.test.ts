import { describe, expect, it } from 'vitest';
import { mayBacktrackCatastrophically, validateCondition } from '../src/validate.js';

describe('regex targeting: catastrophic backtracking guard', () => {
  it.each(['(a+)+$', '(a*)*b', '(\\w+\\s?)*$', '(x|y+){2,}', '((ab)+)+', '(a)\\1', '(?<n>a)\\k<n>'])('refuses %s', (pattern) => {
    expect(mayBacktrackCatastrophically(pattern)).toBe(true);
    const errors = validateCondition({ attribute: 'ua', op: 'regex', value: pattern });
    expect(errors.join()).toMatch(/exponential time/);
  });

  it.each(['^Mozilla', 'iPhone|iPad', '^/checkout(/step-[0-9]+)?$', '\\(a+\\)+', '[(a+)]+', '^(FR|BE)$', 'a+b*c?', '(ab)+'])('accepts %s', (pattern) => {
    expect(mayBacktrackCatastrophically(pattern)).toBe(false);
    expect(validateCondition({ attribute: 'ua', op: 'regex', value: pattern })).toEqual([]);
  });
});
