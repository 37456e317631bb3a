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
import { compareSemver, parseSemver } from './semver.js';
import type { Attributes, Condition, LeafCondition, RegexMatcher, WarningHandler } from './types.js';

/** Deeper trees are refused: the evaluator recurses, and nobody writes 32 levels by hand. */
export const MAX_DEPTH = 32;

// Thrown inside evaluation only; evaluateCondition turns it into `false` plus a warning.
// Messages are terse to keep the core small: validateCondition (/validate) gives the full
// explanation with the path of each problem, and the server runs it before saving.
const BAD = 'bad ';
const fail = (message: string): never => {
  throw new Error(message);
};

// No cache of our own: engines cache compiled patterns by (source, flags), and a Map here
// would cost bytes in the size-budgeted core for little gain.
const nativeRegex: RegexMatcher = (pattern, flags, input) => new RegExp(pattern, flags).test(input);

function testRegex(pattern: unknown, flags: unknown, input: string, regex: RegexMatcher): boolean {
  // Stateful flags (g, y) would make test() depend on the previous call.
  if (typeof pattern !== 'string' || /[gy]/.test(flags as string)) return fail(BAD + 'regex');
  try {
    return regex(pattern, (flags as string) ?? '', input);
  } catch {
    return fail(BAD + 'regex');
  }
}

const isPrimitive = (v: unknown): boolean =>
  v === null || typeof v === 'string' || typeof v === 'boolean' || Number.isFinite(v);

/** Applies a comparison operator to a difference `d` (have − want). */
const compare = (op: string, d: number): boolean =>
  op === 'eq' ? d === 0 : op === 'neq' ? d !== 0 : op === 'gt' ? d > 0 : op === 'gte' ? d >= 0 : op === 'lt' ? d < 0 : op === 'lte' ? d <= 0 : fail('unknown operator ' + op);

function testLeaf(c: LeafCondition, attrs: Attributes, regex: RegexMatcher): boolean {
  if (typeof c.attribute !== 'string') fail(BAD + 'attribute');
  const actual = Object.hasOwn(attrs, c.attribute) ? attrs[c.attribute] : undefined;
  const expected = c.value;
  const op: string = c.op;
  if (op === 'eq' || op === 'neq') {
    if (!isPrimitive(expected)) fail(BAD + op + ' value');
    return (actual === expected) === (op === 'eq');
  }
  if (op === 'in' || op === 'not_in') {
    if (!Array.isArray(expected)) fail(BAD + op + ' value');
    const list = expected as unknown[];
    // An array attribute (e.g. tags) matches when it shares any element with the list.
    const found = Array.isArray(actual) ? actual.some((a) => list.includes(a)) : list.includes(actual);
    return found === (op === 'in');
  }
  if (op === 'exists') {
    if (expected !== undefined && typeof expected !== 'boolean') fail(BAD + op + ' value');
    return (actual != null) === (expected ?? true);
  }
  if (op === 'regex') {
    // The pattern is checked even when the attribute is missing, so a bad one always warns.
    const input = typeof actual === 'string' || typeof actual === 'number' ? String(actual) : '';
    const found = testRegex(expected, (c as { flags?: unknown }).flags, input, regex);
    return (typeof actual === 'string' || typeof actual === 'number') && found;
  }
  if (typeof op === 'string' && op.startsWith('semver_')) {
    const want = parseSemver(expected) ?? fail(BAD + op + ' value');
    const have = parseSemver(actual);
    const base = op.slice(7);
    compare(base, 0); // reject unknown semver_* operators even when the attribute is missing
    return !!have && compare(base, compareSemver(have, want));
  }
  compare(op, 0); // throws on an unknown operator (eq and neq were handled above)
  if (typeof expected !== 'number' || !isFinite(expected)) fail(BAD + op + ' value');
  // Attribute values may be numbers or numeric strings (query strings, data attributes).
  const n = typeof actual === 'string' && actual.trim() ? +actual : actual;
  return typeof n === 'number' && isFinite(n) && compare(op, n - (expected as number));
}

function test(c: Condition, attrs: Attributes, depth: number, regex: RegexMatcher): boolean {
  if (depth > MAX_DEPTH) fail(BAD + 'depth');
  // No shape check here: `in` throws on a non-object, an array fails as a leaf, and
  // evaluateCondition catches either (validateCondition names the problem).
  if ('all' in c || 'any' in c) {
    const isAll = 'all' in c;
    const list = isAll ? c.all : c.any;
    if (!Array.isArray(list)) fail(BAD + 'all / any');
    // Evaluate every child even after the answer is known, so that a malformed branch is
    // reported (and excludes the unit) whatever the attribute values of this unit.
    const results = list.map((child) => test(child, attrs, depth + 1, regex));
    return isAll ? !results.includes(false) : results.includes(true);
  }
  if ('not' in c) return !test(c.not, attrs, depth + 1, regex);
  return testLeaf(c, attrs, regex);
}

/**
 * True when `attributes` satisfy `condition`; null/undefined conditions match everybody.
 * A malformed condition gives false and a warning, never an exception. `regex` runs the `regex`
 * operator: the host's RegExp by default; the server passes a linear-time engine (RE2), since it
 * runs admin-written patterns on attributes any holder of a public key sends.
 */
export function evaluateCondition(
  condition: Condition | null | undefined,
  attributes?: Attributes,
  warn?: WarningHandler,
  regex: RegexMatcher = nativeRegex,
): boolean {
  if (condition == null) return true;
  try {
    return test(condition, attributes || {}, 0, regex);
  } catch (e) {
    warn?.('targeting: ' + (e as Error).message);
    return false;
  }
}
