/**
 * Up-front validation of targeting conditions, for the server (reject a bad experiment on create)
 * and for tests. Returns human-readable errors with a JSON-path-like location; [] means valid.
 * It is stricter than the evaluator (unknown fields, long regexes are refused), never laxer:
 * a condition that passes here never makes targeting.ts warn.
 */
import { MAX_DEPTH } from './targeting.js';
import { parseSemver } from './semver.js';

const LEAF_KEYS = new Set(['attribute', 'op', 'value', 'flags']);
const PRIMITIVE_OPS = new Set(['eq', 'neq']);
const LIST_OPS = new Set(['in', 'not_in']);
const NUMBER_OPS = new Set(['gt', 'gte', 'lt', 'lte']);
const SEMVER_OPS = new Set(['semver_eq', 'semver_neq', 'semver_gt', 'semver_gte', 'semver_lt', 'semver_lte']);
const MAX_REGEX_LENGTH = 500;

const isPrimitive = (v: unknown): boolean =>
  v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

function validateLeaf(c: Record<string, unknown>, path: string, errors: string[]): void {
  for (const k of Object.keys(c)) if (!LEAF_KEYS.has(k)) errors.push(`${path}: unknown field "${k}"`);
  const { attribute, op, value, flags } = c;
  if (typeof attribute !== 'string' || attribute === '') errors.push(`${path}.attribute: must be a non-empty string`);
  if (typeof op !== 'string') {
    errors.push(`${path}.op: must be a string`);
    return;
  }
  if (flags !== undefined && op !== 'regex') errors.push(`${path}.flags: only allowed with op "regex"`);
  if (PRIMITIVE_OPS.has(op)) {
    if (!isPrimitive(value)) errors.push(`${path}.value: ${op} needs a string, number, boolean or null`);
  } else if (LIST_OPS.has(op)) {
    if (!Array.isArray(value)) errors.push(`${path}.value: ${op} needs an array`);
    else value.forEach((v, i) => {
      if (!isPrimitive(v)) errors.push(`${path}.value[${i}]: must be a string, number, boolean or null`);
    });
  } else if (NUMBER_OPS.has(op)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) errors.push(`${path}.value: ${op} needs a finite number`);
  } else if (op === 'exists') {
    if (value !== undefined && typeof value !== 'boolean') errors.push(`${path}.value: exists takes true or false`);
  } else if (op === 'regex') {
    if (typeof value !== 'string') errors.push(`${path}.value: regex needs a string pattern`);
    else if (value.length > MAX_REGEX_LENGTH) errors.push(`${path}.value: regex longer than ${MAX_REGEX_LENGTH} characters`);
    else if (flags !== undefined && (typeof flags !== 'string' || !/^[imsu]*$/.test(flags))) {
      errors.push(`${path}.flags: only the flags i, m, s and u are allowed`);
    } else if (mayBacktrackCatastrophically(value)) {
      errors.push(`${path}.value: nested quantifiers, a repeated alternation or back-references (e.g. "(a+)+", "(a|b)*") can take exponential time; simplify the pattern`);
    } else {
      try {
        new RegExp(value, (flags as string | undefined) ?? '');
      } catch {
        errors.push(`${path}.value: invalid regular expression`);
      }
    }
  } else if (SEMVER_OPS.has(op)) {
    if (!parseSemver(value)) errors.push(`${path}.value: ${op} needs a semantic version such as "2.1.0"`);
  } else {
    errors.push(`${path}.op: unknown operator "${op}"`);
  }
}

/**
 * Conservative ReDoS guard for backtracking engines (browsers' RegExp): refuses back-references and
 * a quantified group (`*`, `+`, `{n,}`) holding a quantifier ("(a+)+", "(\\w*\\s?)*", "(a?){9}")
 * or an alternation ("(\\w|\\d)*", "(a|a)*$": overlapping branches are tried in every
 * combination). Targeting runs in visitors' browsers on attributes a visitor controls, so an
 * admin-written pattern must never be able to block a page for seconds; the server itself evaluates
 * with a linear-time engine whatever the pattern. Legitimate targeting patterns rarely need these.
 * It is a guard against the known exponential shapes, not a proof: see README "Targeting regexes".
 */
export function mayBacktrackCatastrophically(pattern: string): boolean {
  if (/\\[1-9]|\\k</.test(pattern)) return true;
  const source = pattern.replace(/\\./g, 'x'); // neutralise escapes such as \( or \+
  const stack: boolean[] = []; // per open group: does it contain a quantifier or an alternation?
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === '[') {
      const end = source.indexOf(']', i + 1);
      i = end === -1 ? source.length : end;
    } else if (ch === '(') {
      stack.push(false);
      // "(?:", "(?=", "(?<name>": this "?" opens the group, it quantifies nothing.
      if (source[i + 1] === '?') i++;
    } else if (ch === ')') {
      const inner = stack.pop() ?? false;
      const next = source[i + 1];
      const quantified = next === '*' || next === '+' || next === '{';
      if (inner && quantified) return true;
      if (stack.length && (inner || quantified || next === '?')) stack[stack.length - 1] = true;
    } else if ((ch === '*' || ch === '+' || ch === '{' || ch === '?' || ch === '|') && stack.length) {
      stack[stack.length - 1] = true;
    }
  }
  return false;
}

function validateNode(c: unknown, path: string, depth: number, errors: string[]): void {
  if (depth > MAX_DEPTH) {
    errors.push(`${path}: nested deeper than ${MAX_DEPTH}`);
    return;
  }
  if (typeof c !== 'object' || c === null || Array.isArray(c)) {
    errors.push(`${path}: must be an object`);
    return;
  }
  const node = c as Record<string, unknown>;
  const keys = Object.keys(node);
  for (const group of ['all', 'any'] as const) {
    if (group in node) {
      if (keys.length !== 1) errors.push(`${path}: "${group}" must be the only field`);
      const list = node[group];
      if (!Array.isArray(list)) errors.push(`${path}.${group}: must be an array`);
      else list.forEach((child, i) => validateNode(child, `${path}.${group}[${i}]`, depth + 1, errors));
      return;
    }
  }
  if ('not' in node) {
    if (keys.length !== 1) errors.push(`${path}: "not" must be the only field`);
    validateNode(node.not, `${path}.not`, depth + 1, errors);
    return;
  }
  validateLeaf(node, path, errors);
}

/**
 * Errors of a targeting condition, e.g. `targeting.all[0].op: unknown operator "equals"`.
 * `null`/`undefined` (no targeting) is valid.
 */
export function validateCondition(condition: unknown, path = 'targeting'): string[] {
  const errors: string[] = [];
  if (condition != null) validateNode(condition, path, 0, errors);
  return errors;
}
