import type { Json } from '../api/types.js';

export interface FieldChange {
  field: string;
  before: string;
  after: string;
}

/** Bookkeeping fields every change touches; listing them would bury the real change. */
const NOISE = new Set(['version', 'updatedAt', 'createdAt']);
const MAX_TEXT = 160;

export function show(value: Json | undefined): string {
  if (value === undefined || value === null) return '—';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}

const asObject = (v: Json | null): Record<string, Json> => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});

/**
 * Top-level fields that differ between two versions of a resource. Variants are compared one by one
 * (`variants.1.weight: 0.5 → 0.4`) because "the variants changed" hides what changed.
 */
export function diffFields(before: Json | null, after: Json | null): FieldChange[] {
  const a = asObject(before);
  const b = asObject(after);
  const changes: FieldChange[] = [];
  const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((f) => !NOISE.has(f)).sort();
  for (const field of fields) {
    const x = a[field];
    const y = b[field];
    if (JSON.stringify(x ?? null) === JSON.stringify(y ?? null)) continue;
    if (field === 'variants' && Array.isArray(x) && Array.isArray(y) && x.length === y.length) {
      y.forEach((variant, i) => {
        const inner = diffFields(x[i] ?? null, variant);
        for (const c of inner) changes.push({ ...c, field: `variants.${i}.${c.field}` });
      });
      continue;
    }
    changes.push({ field, before: show(x), after: show(y) });
  }
  return changes;
}
