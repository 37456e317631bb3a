/**
 * Evaluation of targeting conditions on unit attributes. The grammar (documented in README.md):
 *
 *   Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition }
 *             | { attribute: string, op: ConditionOp, value?: Json, flags?: string }
 *
 * Evaluation is total: a malformed condition never throws into the host page; it evaluates to
 * false (the unit is "not in the experiment") and the problem goes to the warning handler.
 * `validateCondition` (validate.ts) reports the same problems up front, for the server.
 */
import { compareSemver, parseSemver } from './semver';
import type { Attributes, Condition, LeafCondition, WarningHandler } from './types';

/** Deeper trees are refused: the evaluator recurses, and nobody writes 32 levels by hand. */
export const MAX_DEPTH = 32;

class InvalidCondition extends Error {}

const regexCache = new Map<string, RegExp>();

function compileRegex(pattern: unknown, flags: unknown): RegExp {
  if (typeof pattern !== 'string' || (flags !== undefined && typeof flags !== 'string')) {
    throw new InvalidCondition('regex needs a string pattern');
  }
  const cacheKey = `${flags ?? ''}/${pattern}`;
  let re = regexCache.get(cacheKey);
  if (!re) {
    // Stateful flags (g, y) would make test() depend on the previous call.
    if (/[gy]/.test(flags ?? '')) throw new InvalidCondition('regex flags g and y are not allowed');
    try {
      re = new RegExp(pattern, flags);
    } catch {
      throw new InvalidCondition(`invalid regex ${JSON.stringify(pattern)}`);
    }
    if (regexCache.size > 500) regexCache.clear();
    regexCache.set(cacheKey, re);
  }
  return re;
}

const isPrimitive = (v: unknown): boolean =>
  v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && isFinite(v));

/** Attribute values may be numbers or numeric strings (query strings, data attributes). */
function toNumber(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return isFinite(n) ? n : null;
}

function isIn(actual: unknown, list: unknown): boolean {
  if (!Array.isArray(list)) throw new InvalidCondition('in / not_in need an array value');
  // An array attribute (e.g. tags) matches when it shares any element with the list.
  return Array.isArray(actual) ? actual.some((a) => list.includes(a)) : list.includes(actual);
}

function testLeaf(c: LeafCondition, attrs: Attributes): boolean {
  if (typeof c.attribute !== 'string') throw new InvalidCondition('attribute must be a string');
  const actual = Object.prototype.hasOwnProperty.call(attrs, c.attribute) ? attrs[c.attribute] : undefined;
  const expected = c.value;
  const op = c.op;
  switch (op) {
    case 'eq':
    case 'neq':
      if (!isPrimitive(expected)) throw new InvalidCondition(`${op} needs a string, number, boolean or null value`);
      return (actual === expected) === (op === 'eq');
    case 'in':
    case 'not_in':
      return isIn(actual, expected) === (op === 'in');
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (typeof expected !== 'number' || !isFinite(expected)) throw new InvalidCondition(`${op} needs a number value`);
      const n = toNumber(actual);
      if (n === null) return false;
      return op === 'gt' ? n > expected : op === 'gte' ? n >= expected : op === 'lt' ? n < expected : n <= expected;
    }
    case 'exists':
      if (expected !== undefined && typeof expected !== 'boolean') throw new InvalidCondition('exists takes true or false');
      return (actual !== undefined && actual !== null) === (expected ?? true);
    case 'regex': {
      const re = compileRegex(expected, (c as { flags?: unknown }).flags);
      return (typeof actual === 'string' || typeof actual === 'number') && re.test(String(actual));
    }
    default: {
      if (typeof op === 'string' && op.startsWith('semver_')) {
        const want = parseSemver(expected);
        if (!want) throw new InvalidCondition(`${op} needs a semantic version value`);
        const have = parseSemver(actual);
        if (!have) return false;
        const d = compareSemver(have, want);
        switch (op) {
          case 'semver_eq': return d === 0;
          case 'semver_neq': return d !== 0;
          case 'semver_gt': return d > 0;
          case 'semver_gte': return d >= 0;
          case 'semver_lt': return d < 0;
          case 'semver_lte': return d <= 0;
        }
      }
      throw new InvalidCondition(`unknown operator ${JSON.stringify(op)}`);
    }
  }
}

function test(c: Condition, attrs: Attributes, depth: number): boolean {
  if (depth > MAX_DEPTH) throw new InvalidCondition(`nested deeper than ${MAX_DEPTH}`);
  if (typeof c !== 'object' || c === null || Array.isArray(c)) throw new InvalidCondition('a condition must be an object');
  if ('all' in c || 'any' in c) {
    const list = 'all' in c ? c.all : c.any;
    if (!Array.isArray(list)) throw new InvalidCondition('all / any need an array');
    // Evaluate every child even after the answer is known, so that a malformed branch is
    // reported (and excludes the unit) regardless of the attribute values of this unit.
    let result = 'all' in c;
    for (const child of list) {
      const r = test(child, attrs, depth + 1);
      result = 'all' in c ? result && r : result || r;
    }
    return result;
  }
  if ('not' in c) return !test(c.not, attrs, depth + 1);
  return testLeaf(c, attrs);
}

/**
 * True when `attributes` satisfy `condition`; null/undefined conditions match everybody.
 * A malformed condition gives false and a warning, never an exception.
 */
export function evaluateCondition(
  condition: Condition | null | undefined,
  attributes: Attributes = {},
  warn?: WarningHandler,
): boolean {
  if (condition == null) return true;
  try {
    return test(condition, attributes ?? {}, 0);
  } catch (e) {
    warn?.(`invalid targeting condition: ${e instanceof InvalidCondition ? e.message : String(e)}`);
    return false;
  }
}
