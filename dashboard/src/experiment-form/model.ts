/**
 * The experiment form's state, its client-side rules and its translation to API bodies. Pure
 * functions, tested on their own; the components only render what these decide.
 *
 * Weights are edited as percentages. Policy (documented in dashboard/README.md): editing one weight
 * never silently changes another; when they do not add up to 100 % the form shows a blocking error
 * with a one-click "Split evenly". Adding or removing a variant re-splits evenly.
 */
import type { Experiment, ExperimentPatch, ExperimentStatus, Json, NewExperiment, Variant } from '../api/types.js';
import { type ChangeDraft, buildChanges, changeDraftsFrom, changeErrors } from './changes.js';
import { type TargetingDraft, buildTargeting, targetingDraftFrom } from './targeting.js';

export const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const VARIANT_KEY = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;
export const MAX_VARIANTS = 20;

export interface VariantDraft {
  id: string;
  key: string;
  name: string;
  /** Percentage as typed, e.g. "50" or "33.33". */
  weight: string;
  /** JSON as typed; empty = no payload. */
  payload: string;
  /** Script-tag changes, one row each. */
  changes: ChangeDraft[];
  /** Script-tag redirect URL as typed; empty = none. */
  redirect: string;
  /** Loaded from the server: the exact weight, kept when the percentage text is left untouched. */
  original?: { weight: number; weightText: string };
}

export interface FormDraft {
  key: string;
  name: string;
  hypothesis: string;
  touchpointKey: string;
  variants: VariantDraft[];
  coverage: string;
  targeting: TargetingDraft;
  namespaceOn: boolean;
  namespaceId: string;
  namespaceStart: string;
  namespaceEnd: string;
  primaryMetric: string;
  secondaryMetrics: string[];
  guardrailMetrics: string[];
  /** Relative minimum detectable effect in percent (stored as minimumDetectableEffect). */
  mde: string;
  /** Whole days before the results may decide (stored as minimumDays). */
  minimumDays: string;
  /** Sequential testing (on by default); off = fixed horizon. */
  sequential: boolean;
  /** N* of an existing experiment, kept while sequential testing stays on; null for a new one. */
  tuningParameter: number | null;
  /** The planning section's total sample (all variants), when its estimate is ready: N* of a new experiment. */
  plannedTotal: number | null;
  newPhase: boolean;
}

let counter = 0;
const variantId = () => `variant-${++counter}`;

/** Rounds to at most 4 decimals and drops trailing zeros: 33.333333 → "33.3333". */
export const percentText = (share: number) => String(Math.round(share * 100 * 10_000) / 10_000);

/** n weights in hundredths of a percent that add up to exactly 100 %, the remainder going to the first ones. */
export function evenSplit(n: number): string[] {
  const base = Math.floor(10_000 / n);
  const rest = 10_000 - base * n;
  return Array.from({ length: n }, (_, i) => String((base + (i < rest ? 1 : 0)) / 100));
}

export function rebalance(variants: VariantDraft[]): VariantDraft[] {
  const weights = evenSplit(variants.length);
  return variants.map((v, i) => ({ ...v, weight: weights[i]! }));
}

/** A new variant with the first unused key among control, variant-a, variant-b, … */
export function newVariant(index: number, taken: readonly string[] = []): VariantDraft {
  if (index === 0 && !taken.includes('control')) return { id: variantId(), key: 'control', name: 'Control', weight: '50', payload: '', changes: [], redirect: '' };
  for (let i = 0; ; i++) {
    const suffix = i < 26 ? String.fromCharCode(97 + i) : String(i);
    const key = `variant-${suffix}`;
    if (!taken.includes(key)) return { id: variantId(), key, name: `Variant ${suffix.toUpperCase()}`, weight: '50', payload: '', changes: [], redirect: '' };
  }
}

export function emptyDraft(touchpointKey = ''): FormDraft {
  return {
    key: '',
    name: '',
    hypothesis: '',
    touchpointKey,
    variants: rebalance([newVariant(0), newVariant(1)]),
    coverage: '100',
    targeting: targetingDraftFrom(null),
    namespaceOn: false,
    namespaceId: '',
    namespaceStart: '0',
    namespaceEnd: '50',
    primaryMetric: '',
    secondaryMetrics: [],
    guardrailMetrics: [],
    mde: '5',
    minimumDays: String(DEFAULT_MINIMUM_DAYS),
    sequential: true,
    tuningParameter: null,
    plannedTotal: null,
    newPhase: false,
  };
}

export function draftFromExperiment(e: Experiment): FormDraft {
  return {
    key: e.key,
    name: e.name,
    hypothesis: e.hypothesis ?? '',
    touchpointKey: e.touchpointKey,
    variants: e.variants.map((v) => {
      const weightText = percentText(v.weight);
      return {
        id: variantId(),
        key: v.key,
        name: v.name,
        weight: weightText,
        payload: v.payload === undefined || v.payload === null ? '' : JSON.stringify(v.payload, null, 2),
        changes: changeDraftsFrom(v.changes),
        redirect: v.redirect ?? '',
        original: { weight: v.weight, weightText },
      };
    }),
    coverage: percentText(e.coverage),
    targeting: targetingDraftFrom(e.targeting ?? null),
    namespaceOn: e.namespace !== null,
    namespaceId: e.namespace?.id ?? '',
    namespaceStart: e.namespace ? percentText(e.namespace.range[0]) : '0',
    namespaceEnd: e.namespace ? percentText(e.namespace.range[1]) : '50',
    primaryMetric: e.primaryMetric ?? '',
    secondaryMetrics: e.secondaryMetrics,
    guardrailMetrics: e.guardrailMetrics,
    mde: e.minimumDetectableEffect === null ? '' : percentText(e.minimumDetectableEffect),
    minimumDays: String(e.minimumDays ?? DEFAULT_MINIMUM_DAYS),
    sequential: e.sequential !== null,
    tuningParameter: e.sequential?.tuningParameter ?? null,
    plannedTotal: null,
    newPhase: false,
  };
}

// ---- Locks ---------------------------------------------------------------------------------------

export type Lockable = 'key' | 'touchpointKey' | 'variantSet' | 'variantNames' | 'allocation' | 'coverage' | 'targeting' | 'namespace' | 'metrics' | 'mde';

/**
 * Why a field cannot be edited now (README "Experiments: lifecycle and edits"), or null when it can.
 * `mode` is 'create' for a new experiment.
 */
export function lockReason(field: Lockable, mode: 'create' | 'edit', status: ExperimentStatus, newPhase: boolean): string | null {
  if (mode === 'create') return null;
  if (field === 'key') return 'The key is permanent: the SDK and your code refer to it.';
  if (status === 'draft') return null;
  if (status === 'stopped') return 'A stopped experiment is read-only except its name and hypothesis.';
  switch (field) {
    case 'touchpointKey':
      return 'The touchpoint cannot change while the experiment is live.';
    case 'variantSet':
      return 'Variants cannot be added, removed or renamed by key while live: units already exposed would be reshuffled.';
    case 'namespace':
      return 'The namespace cannot change while the experiment is live.';
    case 'allocation':
    case 'targeting':
      return newPhase ? null : 'Tick "Start a new phase" to change weights, payloads, page changes, redirects or targeting of a live experiment.';
    default:
      return null;
  }
}

// ---- Validation ----------------------------------------------------------------------------------

/** Client-side errors by field path (the same paths the server uses, e.g. `variants.1.weight`). */
export type FieldErrors = Record<string, string[]>;

const add = (errors: FieldErrors, field: string, message: string) => {
  (errors[field] ??= []).push(message);
};

export function slugError(value: string): string | null {
  if (!value) return 'Required.';
  if (value.length > 64) return 'At most 64 characters.';
  if (!SLUG.test(value)) return 'Use lower-case letters, digits and single hyphens, e.g. "checkout-cta-copy".';
  return null;
}

export function payloadError(text: string): string | null {
  if (!text.trim()) return null;
  try {
    JSON.parse(text);
    return null;
  } catch (e) {
    return `Not valid JSON: ${(e as Error).message}`;
  }
}

/** A percentage typed as text: a number in [0, 100], else null. */
export function parsePercent(text: string): number | null {
  if (text.trim() === '') return null;
  const n = Number(text);
  return Number.isFinite(n) && n >= 0 && n <= 100 ? n : null;
}

export function weightSum(variants: VariantDraft[]): number {
  return variants.reduce((sum, v) => sum + (parsePercent(v.weight) ?? 0), 0);
}

/** Sum equals 100 % up to the 4 decimals shown (1/3 + 1/3 + 1/3 loaded from the server passes). */
export const sumsTo100 = (variants: VariantDraft[]) => Math.abs(weightSum(variants) - 100) < 0.001;

export function validate(draft: FormDraft, options: { mode: 'create' | 'edit'; original?: Experiment | undefined }): FieldErrors {
  const errors: FieldErrors = {};
  if (options.mode === 'create') {
    const keyError = slugError(draft.key);
    if (keyError) add(errors, 'key', keyError);
  }
  if (!draft.name.trim()) add(errors, 'name', 'Required.');
  if (!draft.touchpointKey) add(errors, 'touchpointKey', 'Pick or create a touchpoint.');

  const keys = new Map<string, number>();
  draft.variants.forEach((v, i) => {
    if (!v.key) add(errors, `variants.${i}.key`, 'Required.');
    else if (!VARIANT_KEY.test(v.key)) add(errors, `variants.${i}.key`, 'Lower-case letters and digits, joined by "-" or "_".');
    else if (keys.has(v.key)) add(errors, `variants.${i}.key`, `Same key as variant ${keys.get(v.key)! + 1}.`);
    else keys.set(v.key, i);
    if (!v.name.trim()) add(errors, `variants.${i}.name`, 'Required.');
    const w = parsePercent(v.weight);
    if (w === null) add(errors, `variants.${i}.weight`, 'A percentage between 0 and 100.');
    const payload = payloadError(v.payload);
    if (payload) add(errors, `variants.${i}.payload`, payload);
    for (const [field, message] of changeErrors(v.changes, v.redirect)) add(errors, `variants.${i}.${field}`, message);
  });
  if (draft.variants.length < 2) add(errors, 'variants', 'An experiment needs at least 2 variants.');
  if (draft.variants.every((v) => parsePercent(v.weight) !== null) && !sumsTo100(draft.variants)) {
    add(errors, 'variants', `Weights must add up to 100 %; they add up to ${Math.round(weightSum(draft.variants) * 100) / 100} %.`);
  }
  if (draft.variants[0] && parsePercent(draft.variants[0].weight) === 0) add(errors, 'variants.0.weight', 'The control needs a weight above 0.');

  const coverage = parsePercent(draft.coverage);
  if (coverage === null) add(errors, 'coverage', 'A percentage between 0 and 100.');
  else if (options.original && options.original.status !== 'draft' && coverage / 100 < options.original.coverage && !draft.newPhase) {
    add(errors, 'coverage', 'Lowering coverage of a live experiment needs "Start a new phase" (raising it does not).');
  }

  const targeting = buildTargeting(draft.targeting);
  for (const message of targeting.errors) add(errors, 'targeting', message);
  if (Object.keys(targeting.rowErrors).length) add(errors, 'targeting', 'Fix the highlighted conditions.');

  if (draft.namespaceOn) {
    const idError = slugError(draft.namespaceId);
    if (idError) add(errors, 'namespace.id', idError);
    const start = parsePercent(draft.namespaceStart);
    const end = parsePercent(draft.namespaceEnd);
    if (start === null || end === null) add(errors, 'namespace.range', 'Start and end are percentages between 0 and 100.');
    else if (start >= end) add(errors, 'namespace.range', 'The start must be below the end.');
  }

  const metricsSeen = new Set(draft.primaryMetric ? [draft.primaryMetric] : []);
  for (const list of ['secondaryMetrics', 'guardrailMetrics'] as const) {
    draft[list].forEach((key, i) => {
      if (metricsSeen.has(key)) add(errors, `${list}.${i}`, `"${key}" is already used as another metric of this experiment.`);
      metricsSeen.add(key);
    });
  }

  if (draft.mde.trim()) {
    const mde = Number(draft.mde);
    if (!Number.isFinite(mde) || mde <= 0 || mde > 1000) add(errors, 'minimumDetectableEffect', 'A relative effect above 0 %, e.g. 5.');
  }
  const days = Number(draft.minimumDays);
  if (!draft.minimumDays.trim() || !Number.isInteger(days) || days < 0 || days > 365) add(errors, 'minimumDays', 'Whole days from 0 to 365, e.g. 7 for a full week.');
  return errors;
}

// ---- API bodies ----------------------------------------------------------------------------------

const round = (x: number) => Math.round(x * 1e9) / 1e9;

function buildVariants(draft: FormDraft): Variant[] {
  return draft.variants.map((v) => {
    const weight = v.original && v.original.weightText === v.weight ? v.original.weight : round((parsePercent(v.weight) ?? 0) / 100);
    const variant: Variant = { key: v.key, name: v.name.trim(), weight };
    if (v.payload.trim()) variant.payload = JSON.parse(v.payload) as Json;
    if (v.changes.length) variant.changes = buildChanges(v.changes);
    if (v.redirect.trim()) variant.redirect = v.redirect.trim();
    return variant;
  });
}

/** The server's default minimumDays: a full week (design.md §8). */
export const DEFAULT_MINIMUM_DAYS = 7;

/** The server's N* when nothing better is known (design.md §5). */
export const DEFAULT_TUNING_PARAMETER = 5000;
/** The server's bounds for N*. */
const TUNING_RANGE = [100, 100_000_000] as const;

/**
 * N* of the confidence sequence: the experiment's own when it has one; else the planned total sample
 * when a minimum detectable effect is set and the planning estimate is ready; else 5,000.
 */
export function tuningParameterOf(draft: FormDraft): number {
  if (draft.tuningParameter !== null) return draft.tuningParameter;
  if (draft.mde.trim() && draft.plannedTotal !== null && Number.isFinite(draft.plannedTotal)) {
    return Math.min(TUNING_RANGE[1], Math.max(TUNING_RANGE[0], Math.round(draft.plannedTotal)));
  }
  return DEFAULT_TUNING_PARAMETER;
}

/** The full body for POST /api/experiments (call only when validate() returned no errors). */
export function toCreateBody(draft: FormDraft): NewExperiment {
  const targeting = buildTargeting(draft.targeting).value ?? null;
  return {
    key: draft.key,
    name: draft.name.trim(),
    hypothesis: draft.hypothesis.trim() || null,
    touchpointKey: draft.touchpointKey,
    variants: buildVariants(draft),
    coverage: round((parsePercent(draft.coverage) ?? 100) / 100),
    targeting,
    namespace: draft.namespaceOn
      ? { id: draft.namespaceId, range: [round(Number(draft.namespaceStart) / 100), round(Number(draft.namespaceEnd) / 100)] }
      : null,
    primaryMetric: draft.primaryMetric || null,
    secondaryMetrics: draft.secondaryMetrics,
    guardrailMetrics: draft.guardrailMetrics,
    minimumDetectableEffect: draft.mde.trim() ? round(Number(draft.mde) / 100) : null,
    minimumDays: Number(draft.minimumDays),
    sequential: draft.sequential ? { tuningParameter: tuningParameterOf(draft) } : null,
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const normalizeVariants = (variants: Variant[]) =>
  variants.map((v) => ({ key: v.key, name: v.name, weight: v.weight, payload: v.payload ?? null, changes: v.changes ?? [], redirect: v.redirect ?? null }));

/** Only the fields that differ from `original`, so a live experiment is never sent a locked field it did not change. */
export function toPatch(draft: FormDraft, original: Experiment): ExperimentPatch {
  const full = toCreateBody(draft);
  const patch: ExperimentPatch = {};
  if (full.name !== original.name) patch.name = full.name;
  if (!same(full.hypothesis, original.hypothesis)) patch.hypothesis = full.hypothesis ?? null;
  if (full.touchpointKey !== original.touchpointKey) patch.touchpointKey = full.touchpointKey;
  if (!same(normalizeVariants(full.variants), normalizeVariants(original.variants))) patch.variants = full.variants;
  if (full.coverage !== original.coverage) patch.coverage = full.coverage!;
  if (!same(full.targeting, original.targeting)) patch.targeting = full.targeting ?? null;
  if (!same(full.namespace, original.namespace)) patch.namespace = full.namespace ?? null;
  if (!same(full.primaryMetric, original.primaryMetric)) patch.primaryMetric = full.primaryMetric ?? null;
  if (!same(full.secondaryMetrics, original.secondaryMetrics)) patch.secondaryMetrics = full.secondaryMetrics!;
  if (!same(full.guardrailMetrics, original.guardrailMetrics)) patch.guardrailMetrics = full.guardrailMetrics!;
  if (!same(full.minimumDetectableEffect, original.minimumDetectableEffect)) patch.minimumDetectableEffect = full.minimumDetectableEffect ?? null;
  if (full.minimumDays !== original.minimumDays) patch.minimumDays = full.minimumDays!;
  if (draft.sequential !== (original.sequential !== null)) patch.sequential = full.sequential ?? null;
  if (draft.newPhase && original.status !== 'draft' && (patch.variants || patch.targeting !== undefined || patch.coverage !== undefined)) patch.newPhase = true;
  return patch;
}
