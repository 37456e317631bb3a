import { describe, expect, it } from 'vitest';
import { mayBacktrackCatastrophically, validateCondition } from '../src/validate.js';

describe('regex targeting: catastrophic backtracking guard', () => {
  it.each(['(a+)+$', '(a*)*b', '(\\w+\\s?)*$', '(x|y+){2,}', '((ab)+)+', '(a)\\1', '(?<n>a)\\k<n>',
    // Issue 13 #7: a repeated alternation of overlapping branches, and an optional item repeated.
    '^(\\w|\\d)*$', '(a|a)*$', '(?:a|ab)+c', '(a?){25}a{25}'])('refuses %s', (pattern) => {
    expect(mayBacktrackCatastrophically(pattern)).toBe(true);
    const errors = validateCondition({ attribute: 'ua', op: 'regex', value: pattern });
    expect(errors.join()).toMatch(/exponential time/);
  });

  it.each(['^Mozilla', 'iPhone|iPad', '^/checkout(/step-[0-9]+)?$', '\\(a+\\)+', '[(a+)]+', '^(FR|BE)$', 'a+b*c?', '(ab)+', '(?:ab)+', '^(?<country>FR|BE)$'])('accepts %s', (pattern) => {
    expect(mayBacktrackCatastrophically(pattern)).toBe(false);
    expect(validateCondition({ attribute: 'ua', op: 'regex', value: pattern })).toEqual([]);
  });
});
