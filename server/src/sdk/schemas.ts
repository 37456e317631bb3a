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

export const sdkExperimentSchema = z.object({
  key: z.string(),
  salt: z.string().optional(),
  variants: z.array(sdkVariant).min(2),
  coverage: z.number().min(0).max(1).optional(),
  namespace: z.object({ id: z.string(), range: z.tuple([z.number(), z.number()]) }).nullable().optional(),
  /** A condition (client-sdk/README.md, targeting): `{ attribute, op, value }`, `{ all }`, `{ any }` or `{ not }`. */
  targeting: z.record(z.string(), z.unknown()).nullable().optional(),
  sticky: z.boolean().optional(),
  /** The touchpoint's URL pattern: the script tag applies changes and redirects only on matching pages. */
  urlPattern: z.string().nullable().optional(),
});

export const sdkConfigResponse = z.object({
  experiments: z.array(sdkExperimentSchema),
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

export const assignResponse = z.object({
  assignments: z.array(z.discriminatedUnion('inExperiment', [assigned, notAssigned])),
  /** With `logExposures` only: the exposures logged, and how many were new or already stored. */
  exposures: z.object({ logged: z.number().int(), accepted: z.number().int(), duplicates: z.number().int() }).optional(),
});
