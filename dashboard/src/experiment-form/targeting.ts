/**
 * The targeting builder: rows of attribute / operator / value combined with "all" or "any",
 * turned into the SDK's condition language (client-sdk/src/targeting.ts) and back. Anything the
 * rows cannot express (nesting, "not", regex flags) is edited as JSON instead.
 */
import { validateCondition } from '@touchpoint/client-sdk/validate';
import type { Json } from '../api/types.js';

export const OPERATORS = [
  { op: 'eq', label: 'equals' },
  { op: 'neq', label: 'does not equal' },
  { op: 'in', label: 'is one of' },
  { op: 'not_in', label: 'is none of' },
  { op: 'gt', label: '>' },
  { op: 'gte', label: '≥' },
  { op: 'lt', label: '<' },
  { op: 'lte', label: '≤' },
  { op: 'exists', label: 'exists' },
  { op: 'regex', label: 'matches regex' },
  { op: 'semver_eq', label: 'version =' },
  { op: 'semver_neq', label: 'version ≠' },
  { op: 'semver_gt', label: 'version >' },
  { op: 'semver_gte', label: 'version ≥' },
  { op: 'semver_lt', label: 'version <' },
  { op: 'semver_lte', label: 'version ≤' },
] as const;
export type Operator = (typeof OPERATORS)[number]['op'];
const OPS = new Set<string>(OPERATORS.map((o) => o.op));

export interface ConditionRow {
  id: string;
  attribute: string;
  op: Operator;
  /** As typed; for `in` a comma-separated list, for `exists` "true" or "false". */
  value: string;
}

export interface TargetingDraft {
  mode: 'builder' | 'json';
  combinator: 'all' | 'any';
  rows: ConditionRow[];
  json: string;
}

let counter = 0;
export const rowId = () => `row-${++counter}`;
export const emptyRow = (): ConditionRow => ({ id: rowId(), attribute: '', op: 'eq', value: '' });

/** "42" → 42, "true" → true, "null" → null, "\"42\"" → "42", anything else stays a string. */
export function parseScalar(text: string): Json {
  const t = text.trim();
  if (/^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(t)) return Number(t);
  if (t === 'true' || t === 'false') return t === 'true';
  if (t === 'null') return null;
  if (/^".*"$/.test(t)) {
    try {
      return JSON.parse(t) as string;
    } catch {
      return t;
    }
  }
  return t;
}

/** Inverse of parseScalar: strings that would read back as something else are quoted. */
export function formatScalar(value: Json): string {
  if (typeof value === 'string') return parseScalar(value) === value ? value : JSON.stringify(value);
  return JSON.stringify(value);
}

/** The condition of one row, or a message saying what is wrong with its value. */
export function rowToCondition(row: ConditionRow): { condition: Record<string, Json> } | { error: string } {
  const attribute = row.attribute.trim();
  if (!attribute) return { error: 'Enter an attribute name, such as "country".' };
  const base = { attribute, op: row.op };
  switch (row.op) {
    case 'in':
    case 'not_in': {
      const items = row.value.split(',').map((v) => v.trim()).filter(Boolean).map(parseScalar);
      if (items.length === 0) return { error: 'List at least one value, separated by commas.' };
      return { condition: { ...base, value: items } };
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const n = Number(row.value);
      if (row.value.trim() === '' || !Number.isFinite(n)) return { error: 'Needs a number.' };
      return { condition: { ...base, value: n } };
    }
    case 'exists':
      return { condition: { ...base, value: row.value !== 'false' } };
    case 'eq':
    case 'neq':
      return { condition: { ...base, value: parseScalar(row.value) } };
    default:
      if (!row.value.trim()) return { error: row.op === 'regex' ? 'Enter a pattern.' : 'Enter a version such as 2.1.0.' };
      return { condition: { ...base, value: row.value.trim() } };
  }
}

export interface TargetingResult {
  /** The condition to send (null = everyone), or undefined when there are errors. */
  value: Json | null | undefined;
  /** Errors per row id (builder) or under "json". */
  rowErrors: Record<string, string>;
  errors: string[];
}

/** Builds and validates the condition with the SDK's own validator (the server runs the same one). */
export function buildTargeting(draft: TargetingDraft): TargetingResult {
  const rowErrors: Record<string, string> = {};
  let value: Json | null;
  if (draft.mode === 'json') {
    if (!draft.json.trim()) return { value: null, rowErrors, errors: [] };
    try {
      value = JSON.parse(draft.json) as Json;
    } catch (e) {
      return { value: undefined, rowErrors, errors: [`Not valid JSON: ${(e as Error).message}`] };
    }
  } else {
    const conditions: Json[] = [];
    for (const row of draft.rows) {
      const built = rowToCondition(row);
      if ('error' in built) rowErrors[row.id] = built.error;
      else conditions.push(built.condition);
    }
    if (Object.keys(rowErrors).length) return { value: undefined, rowErrors, errors: [] };
    value = conditions.length ? { [draft.combinator]: conditions } : null;
  }
  const errors = validateCondition(value);
  if (errors.length && draft.mode === 'builder') {
    // Map "targeting.all[2].value: …" back to its row.
    for (const message of errors) {
      const index = /^targeting\.(?:all|any)\[(\d+)\]/.exec(message)?.[1];
      const row = index === undefined ? undefined : draft.rows[Number(index)];
      if (row) rowErrors[row.id] = message.replace(/^[^:]*:\s*/, '');
    }
  }
  return { value: errors.length ? undefined : value, rowErrors, errors };
}

/** Rows for an existing condition when it is a flat all/any list of plain leaves; null otherwise. */
export function rowsFromCondition(condition: Json | null): Pick<TargetingDraft, 'combinator' | 'rows'> | null {
  if (condition === null) return { combinator: 'all', rows: [] };
  if (typeof condition !== 'object' || Array.isArray(condition)) return null;
  const keys = Object.keys(condition);
  const combinator = keys[0];
  if (keys.length !== 1 || (combinator !== 'all' && combinator !== 'any')) return null;
  const list = condition[combinator];
  if (!Array.isArray(list)) return null;
  const rows: ConditionRow[] = [];
  for (const leaf of list) {
    if (!leaf || typeof leaf !== 'object' || Array.isArray(leaf)) return null;
    const { attribute, op, value, ...rest } = leaf as Record<string, Json>;
    if (Object.keys(rest).length || typeof attribute !== 'string' || typeof op !== 'string' || !OPS.has(op)) return null;
    let text: string;
    if (op === 'in' || op === 'not_in') {
      if (!Array.isArray(value) || value.some((v) => typeof v === 'object' && v !== null)) return null;
      // Values containing commas cannot be typed in the comma-separated list: edit as JSON.
      if (value.some((v) => typeof v === 'string' && v.includes(','))) return null;
      text = value.map((v) => formatScalar(v)).join(', ');
    } else if (op === 'exists') {
      text = value === false ? 'false' : 'true';
    } else if (op === 'eq' || op === 'neq') {
      if (typeof value === 'object' && value !== null) return null;
      text = formatScalar(value ?? null);
    } else {
      text = value === undefined || value === null ? '' : String(value);
    }
    rows.push({ id: rowId(), attribute, op: op as Operator, value: text });
  }
  return { combinator, rows };
}

export function targetingDraftFrom(condition: Json | null): TargetingDraft {
  const json = condition === null ? '' : JSON.stringify(condition, null, 2);
  const rows = rowsFromCondition(condition);
  return rows ? { mode: 'builder', ...rows, json } : { mode: 'json', combinator: 'all', rows: [], json };
}
