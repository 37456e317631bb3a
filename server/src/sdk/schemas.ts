/**
 * What the SDK endpoints answer, as documented in OpenAPI (the SDK's own types, client-sdk/src/types.ts,
 * are the contract these follow). Objects allow more fields: the SDK ignores unknown ones.
 */
import { z } from 'zod';

const sdkChange = z.object({
  selector: z.string(),
  action: z.enum(['text', 'html', 'attribute', 'style', 'class-add', 'class-remove', 'hide', 'remove']),
  name: z.string().optional(),
  value: z.string().optional(),
});

const sdkVariant = z.object({
  key: z.string(),
  weight: z.number(),
  payload: z.unknown().optional(),
  /** Script tag: DOM changes for this variant (design.md §10). */
  changes: z.array(sdkChange).optional(),
  /** Script tag: where this variant's visitors are sent (query string kept). */
  redirect: z.string().optional(),
});

/** A condition (client-sdk/README.md, targeting): `{ attribute, op, value }`, `{ all }`, `{ any }` or `{ not }`. */
const targeting = z.record(z.string(), z.unknown()).nullable().optional();

const splitExperiment = z.object({
  key: z.string(),
  salt: z.string().optional(),
  variants: z.array(sdkVariant).min(2),
  coverage: z.number().min(0).max(1).optional(),
  namespace: z.object({ id: z.string(), range: z.tuple([z.number(), z.number()]) }).nullable().optional(),
  targeting,
  sticky: z.boolean().optional(),
  /** The touchpoint's URL pattern: the script tag applies changes and redirects only on matching pages. */
  urlPattern: z.string().nullable().optional(),
});

/** A running experiment in SDK form (split form), as /sdk/config and /sdk/preview serve it. */
export const sdkExperimentSchema = splitExperiment;

/** A stopped experiment whose winner was shipped (design.md §8): no variants, nothing to hash. */
const rolloutExperiment = z
  .object({
    key: z.string(),
    targeting,
    urlPattern: splitExperiment.shape.urlPattern,
    rollout: sdkVariant.omit({ key: true, weight: true }).extend({
      variantKey: z.string(),
      variantIndex: z.number().int().min(0).describe("The winner's position among the experiment's variants"),
    }),
  })
  .describe('Rollout form: every unit the targeting admits gets the winner (`inExperiment: false`, reason `rollout`), no exposure is logged');

export const sdkConfigResponse = z.object({
  experiments: z.array(z.union([splitExperiment, rolloutExperiment])),
  generatedAt: z.iso.datetime(),
});

const assigned = z.object({
  experimentKey: z.string(),
  inExperiment: z.literal(true),
  variantKey: z.string(),
  variantIndex: z.number().int().min(0),
  payload: z.unknown().nullable(),
});
const notAssigned = z.object({ experimentKey: z.string(), inExperiment: z.literal(false), reason: z.string() });
/** A shipped winner: shown, but the unit is not in the experiment and nothing is logged. */
const rolledOut = notAssigned
  .extend({ reason: z.literal('rollout'), variantKey: z.string(), variantIndex: z.number().int().min(0), payload: z.unknown().nullable() })
  .describe('A shipped winner (rollout): the variant to show; not in the experiment, never logged');

export const assignResponse = z.object({
  assignments: z.array(z.union([assigned, rolledOut, notAssigned])),
  /** With `logExposures` only: the exposures logged, and how many were new or already stored. */
  exposures: z.object({ logged: z.number().int(), accepted: z.number().int(), duplicates: z.number().int() }).optional(),
});
