/**
 * Deterministic assignment, design.md §4. Pure: no I/O, no clock, no randomness; the same
 * (experiment, unitId, attributes) gives the same answer in every browser, in Node and on the server.
 */
import { bucket } from './hash.js';
import { evaluateCondition } from './targeting.js';
import type { Assignment, Attributes, SdkExperiment, WarningHandler } from './types.js';

// Warn once per experiment object, not once per call: assignment runs in hot loops.
const warned = new WeakSet<object>();

const defaultWarn: WarningHandler = (message) => {
  if (typeof console !== 'undefined') console.warn(`[touchpoint] ${message}`);
};

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
): Assignment | null {
  const report = (message: string) => {
    if (!warned.has(experiment)) {
      warned.add(experiment);
      warn(`experiment ${JSON.stringify(experiment.key)}: ${message}`);
    }
  };

  // 1. Guard the input. An empty id is "no identity": assigning every anonymous-less visitor
  //    to the same variant would bias the split, so they stay out.
  const variants = experiment?.variants;
  if (!Array.isArray(variants) || variants.length === 0) {
    if (experiment) report('no variants');
    return null;
  }
  if (typeof unitId !== 'string') {
    if (typeof unitId !== 'number') return null;
    unitId = String(unitId);
  }
  if (unitId === '') return null;

  // 2. Targeting: a unit whose attributes do not match is not in the experiment.
  if (experiment.targeting != null && !evaluateCondition(experiment.targeting, attributes, report)) return null;

  // 3. Namespace: u_ns = bucket(id + "__" + unitId) must fall in [start, end).
  const ns = experiment.namespace;
  if (ns != null) {
    const range = ns.range;
    if (typeof ns.id !== 'string' || !Array.isArray(range) || !(range[0]! <= range[1]!)) {
      report('malformed namespace; unit excluded');
      return null;
    }
    const uNs = bucket(ns.id + '__' + unitId);
    if (!(range[0]! <= uNs && uNs < range[1]!)) return null;
  }

  // 4. The unit's position: u = bucket(salt + "." + unitId); the salt defaults to the key.
  const u = bucket((experiment.salt || experiment.key) + '.' + unitId);

  // 5. Coverage, clamped to [0, 1]; a non-number means "everybody".
  let coverage = experiment.coverage;
  if (typeof coverage !== 'number' || coverage !== coverage) {
    if (coverage != null) report('coverage is not a number; using 1');
    coverage = 1;
  } else if (coverage < 0 || coverage > 1) {
    report(`coverage ${coverage} outside [0, 1]; clamped`);
    coverage = coverage < 0 ? 0 : 1;
  }

  // 6. Weights: validate and normalise so that they sum to 1.
  let sum = 0;
  for (let i = 0; i < variants.length; i++) {
    const w = variants[i]!.weight;
    if (typeof w !== 'number' || !(w >= 0) || w === Infinity) {
      sum = NaN;
      break;
    }
    sum += w;
  }
  let scale = 1;
  let equal = false;
  if (!(sum > 0)) {
    report('invalid weights; using an equal split');
    equal = true;
  } else if (Math.abs(sum - 1) > 1e-9) {
    report(`weights sum to ${sum}; normalised`);
    scale = 1 / sum;
  }

  // 7. Each variant i owns [cumulative, cumulative + coverage * w_i): raising coverage only
  //    widens the ranges from their left edge, so an assigned unit never changes variant.
  let cumulative = 0;
  for (let i = 0; i < variants.length; i++) {
    const v = variants[i]!;
    const w = equal ? 1 / variants.length : v.weight * scale;
    if (cumulative <= u && u < cumulative + coverage * w) {
      return { variantKey: v.key, variantIndex: i, payload: v.payload ?? null };
    }
    cumulative += w;
  }

  // 8. Otherwise the unit falls in the uncovered part of a range: not in the experiment.
  return null;
}
