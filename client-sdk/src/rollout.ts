/**
 * The rollout rule (design.md §8), shared by the client (client.ts) and the server's /sdk/assign. Pure.
 * A subpath export (`@touchpoint/client-sdk/rollout`) rather than part of the size-budgeted core entry:
 * only the client and the server need it.
 */
import { evaluateCondition } from './targeting.js';
import type { Assignment, Attributes, RegexMatcher, SdkExperiment, WarningHandler } from './types.js';

/**
 * What a shipped experiment (rollout form) shows a unit: its winner when the targeting admits the
 * unit, whatever the unit's id (nothing is hashed: no coverage, no namespace), else `null`. Either
 * way the unit is not in the experiment and no exposure is logged. `null` without a rollout.
 */
export function rolloutVariant(experiment: SdkExperiment, attributes?: Attributes, warn?: WarningHandler, regex?: RegexMatcher): Assignment | null {
  const r = experiment?.rollout;
  return r && evaluateCondition(experiment.targeting, attributes, warn, regex)
    ? { variantKey: r.variantKey, variantIndex: r.variantIndex, payload: r.payload ?? null }
    : null;
}
