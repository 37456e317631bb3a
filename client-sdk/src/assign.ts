/**
 * Deterministic assignment, design.md §4. Pure: no I/O, no clock, no randomness; the same
 * (experiment, unitId, attributes) gives the same answer in every browser, in Node and on the server.
 */
import { saltedBucket } from './hash.js';
import { evaluateCondition } from './targeting.js';
import type { Assignment, Attributes, RegexMatcher, SdkExperiment, WarningHandler } from './types.js';

const warned = new WeakSet<object>();

const defaultWarn: WarningHandler = (message) => console.warn('[touchpoint] ' + message);

/**
 * Variant of `unitId` in `experiment`, or `null` when the unit is not in the experiment (it sees
 * the default experience and no exposure is logged).
 *
 * Bad input never throws: weights that are not finite, negative or sum to 0 fall back to an equal
 * split; weights summing to something other than 1 are normalised; coverage is clamped to [0, 1]
 * (missing = 1); a malformed namespace or targeting excludes the unit. Each problem is reported
 * once per experiment object through `warn` (console.warn by default).
 */
export function assignVariant(
  experiment: SdkExperiment,
  unitId: string,
  attributes?: Attributes,
  warn: WarningHandler = defaultWarn,
  /** The targeting regex engine (evaluateCondition's); the host's RegExp when absent. */
  regex?: RegexMatcher,
): Assignment | null {
  // 1. Guard the input. An empty (or non-string) id is "no identity": putting every id-less
  //    visitor in the same variant would bias the split, so they stay out.
  const variants = experiment?.variants;
  if (!Array.isArray(variants) || variants.length === 0) {
    if (experiment) report(experiment, warn, 'no variants');
    return null;
  }
  if (typeof unitId !== 'string' || unitId === '') return null;

  // 2. Targeting: a unit whose attributes do not match is not in the experiment.
  if (experiment.targeting != null && !matches(experiment, attributes, warn, regex)) return null;

  // 3. Namespace: u_ns = bucket(id + "__" + unitId) must fall in [start, end).
  const ns = experiment.namespace;
  if (ns != null) {
    const range = ns.range ?? [];
    if (!(range[0]! <= range[1]!)) {
      report(experiment, warn, 'bad namespace');
      return null;
    }
    const uNs = saltedBucket(ns.id, '__', unitId);
    if (!(range[0]! <= uNs && uNs < range[1]!)) return null;
  }

  // 4. The unit's position: u = bucket(salt + "." + unitId); the salt defaults to the key.
  const u = saltedBucket(experiment.salt || experiment.key, '.', unitId);

  // 5. Coverage, clamped to [0, 1]; absent (or not a number) means everybody.
  const rawCoverage = experiment.coverage;
  const coverage = typeof rawCoverage === 'number' && rawCoverage === rawCoverage ? Math.min(1, Math.max(0, rawCoverage)) : 1;
  if (rawCoverage != null && coverage !== rawCoverage) report(experiment, warn, 'bad coverage ' + rawCoverage);

  // 6. Weights: an equal split when any is invalid, normalised when they do not sum to 1.
  let sum = 0;
  for (let i = 0; i < variants.length; i++) {
    const w = variants[i]!.weight;
    sum = typeof w === 'number' && w >= 0 && w < Infinity ? sum + w : NaN;
  }
  let scale = 1;
  const equal = !(sum > 0);
  if (equal) report(experiment, warn, 'bad weights, equal split');
  else if (Math.abs(sum - 1) > 1e-9) {
    report(experiment, warn, 'weights normalised, sum ' + sum);
    scale = 1 / sum;
  }

  // 7. Variant i owns [cumulative, cumulative + coverage * w_i): raising coverage only widens the
  //    ranges from their left edge, so an assigned unit never changes variant.
  let cumulative = 0;
  for (let i = 0; i < variants.length; i++) {
    const v = variants[i]!;
    const w = equal ? 1 / variants.length : v.weight * scale;
    if (cumulative <= u && u < cumulative + coverage * w) {
      return { variantKey: v.key, variantIndex: i, payload: v.payload ?? null };
    }
    cumulative += w;
  }

  // 8. Otherwise the unit is in the uncovered part of a range: not in the experiment.
  return null;
}

// Kept out of assignVariant: a closure there would make V8 allocate a context on every call.
function matches(experiment: SdkExperiment, attributes: Attributes | undefined, warn: WarningHandler, regex?: RegexMatcher): boolean {
  return evaluateCondition(experiment.targeting, attributes, (m) => report(experiment, warn, m), regex);
}

// Warn once per experiment object, not once per call: assignment runs in hot loops. Messages are
// terse because this file is in the size-budgeted core; README.md documents each fallback.
function report(experiment: SdkExperiment, warn: WarningHandler, message: string) {
  if (!warned.has(experiment)) {
    warned.add(experiment);
    warn(experiment.key + ': ' + message);
  }
}
