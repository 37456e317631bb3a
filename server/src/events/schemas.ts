import { z } from 'zod';
import { variantKey } from '../experiments/schemas.js';
import { type JsonValue, eventName, isStorableString, slug, text } from '../http/schema-helpers.js';

/** Items per batch: the SDK sends 20 by default; a beacon flush of a full outbox sends up to 1,000. */
export const MAX_BATCH_ITEMS = 1000;
/** Item ids are client-generated (UUIDs in the SDK); generous, but bounded. */
export const MAX_ITEM_ID_LENGTH = 200;
/** Same bound as `unitId` in POST /sdk/assign. */
export const MAX_UNIT_ID_LENGTH = 1000;
const MAX_ATTRIBUTE_DEPTH = 8;
const MAX_ATTRIBUTES_BYTES = 8192;
const MAX_ATTRIBUTES = 50;
/** Revenue above this is a bug on the site (or an attack on the averages), not an order. */
export const MAX_ABS_VALUE = 1e12;

/**
 * The envelope is validated as a whole (a body that is not `{ items: [...] }` → 422, nothing
 * written); each item is validated on its own afterwards, so one bad item rejects only itself.
 */
export const batchSchema = z.strictObject({
  items: z.array(z.unknown()).max(MAX_BATCH_ITEMS, `must hold at most ${MAX_BATCH_ITEMS} items; split the batch`),
});

/** Why a JSON value cannot be stored in jsonb (NUL, unpaired surrogate, non-finite, too deep), or null. */
function storableProblem(value: unknown, depth: number): string | null {
  if (depth > MAX_ATTRIBUTE_DEPTH) return `nests deeper than ${MAX_ATTRIBUTE_DEPTH} levels`;
  switch (typeof value) {
    case 'string':
      return isStorableString(value) ? null : 'contains a NUL character or an unpaired surrogate';
    case 'number':
      return Number.isFinite(value) ? null : 'contains a non-finite number';
    case 'boolean':
      return null;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) {
        for (const item of value) {
          const problem = storableProblem(item, depth + 1);
          if (problem) return problem;
        }
        return null;
      }
      for (const key in value) {
        if (!isStorableString(key)) return 'has a key with a NUL character or an unpaired surrogate';
        const problem = storableProblem((value as Record<string, unknown>)[key], depth + 1);
        if (problem) return problem;
      }
      return null;
    }
    default:
      return 'is not JSON';
  }
}

/**
 * What is wrong with unit attributes (device, channel, country…), or nothing: a flat-ish JSON object.
 * Checked in one pass rather than with a schema per value: this runs for every item of every batch,
 * and it is the hot path. Used by the schema below and by the fast path (fast-item.ts).
 */
export function attributesProblems(raw: unknown): Array<{ key?: string; message: string }> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return [{ message: 'must be an object of attribute names to JSON values' }];
  const value = raw as Record<string, unknown>;
  const problems: Array<{ key?: string; message: string }> = [];
  const keys = Object.keys(value);
  if (keys.length > MAX_ATTRIBUTES) problems.push({ message: `must have at most ${MAX_ATTRIBUTES} attributes` });
  for (const key of keys) {
    if (key.length < 1 || key.length > 100) problems.push({ key, message: 'names must be 1 to 100 characters' });
    // JSON.parse makes "__proto__" an own member; as a JS object key it would be lost or worse.
    if (key === '__proto__') problems.push({ key, message: 'is a reserved name' });
    const problem = isStorableString(key) ? storableProblem(value[key], 1) : 'name contains a NUL character or an unpaired surrogate';
    if (problem) problems.push({ key, message: problem });
  }
  // Measured only once the depth is known to be bounded: JSON.stringify recurses, and attributes
  // nested thousands deep would overflow the stack (issue 13 #6).
  if (problems.length === 0 && Buffer.byteLength(JSON.stringify(value)) > MAX_ATTRIBUTES_BYTES) {
    problems.push({ message: `must serialize to at most ${MAX_ATTRIBUTES_BYTES} bytes` });
  }
  return problems;
}

const attributes = z.unknown().superRefine((raw, ctx) => {
  for (const { key, message } of attributesProblems(raw)) ctx.addIssue({ code: 'custom', message, ...(key === undefined ? {} : { path: [key] }) });
}) as unknown as z.ZodType<Record<string, JsonValue>>;

const common = {
  id: text(MAX_ITEM_ID_LENGTH, 1),
  unitId: text(MAX_UNIT_ID_LENGTH, 1),
  /** ISO 8601 with a zone (`Z` or `+01:00`), as the SDK's `toISOString()` writes it. Bounds: classify.ts. */
  timestamp: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone, e.g. "2026-11-22T10:00:00Z"' }),
  attributes: attributes.optional(),
};

export const exposureItemSchema = z.strictObject({
  ...common,
  type: z.literal('exposure'),
  experimentKey: slug,
  variantKey,
});

export const eventItemSchema = z.strictObject({
  ...common,
  type: z.literal('event'),
  name: eventName,
  // JSON cannot say Infinity, but `1e999` parses to it: finite() catches that.
  value: z
    .number()
    .refine(Number.isFinite, 'must be a finite number')
    .refine((v) => Math.abs(v) <= MAX_ABS_VALUE, `must be between -${MAX_ABS_VALUE} and ${MAX_ABS_VALUE}`)
    .nullable()
    .optional(),
});

/**
 * `identify()`: the visitor known until now as `anonymousId` signed in as `unitId` (the account id).
 * Results then count both ids as one unit (results/README.md, "Identity"). No attributes: a link
 * carries no data of its own.
 */
export const identifyItemSchema = z
  .strictObject({
    id: common.id,
    type: z.literal('identify'),
    unitId: common.unitId,
    anonymousId: text(MAX_UNIT_ID_LENGTH, 1),
    timestamp: common.timestamp,
  })
  .refine((item) => item.anonymousId !== item.unitId, { message: 'must differ from unitId', path: ['anonymousId'] });

export type ExposureItem = z.infer<typeof exposureItemSchema>;
export type EventItem = z.infer<typeof eventItemSchema>;
export type IdentifyItem = z.infer<typeof identifyItemSchema>;

export const rejectionSchema = z.object({
  index: z.number().int(),
  id: z.string().nullable(),
  reason: z.string(),
});

/** 202 body: every item of the batch is counted exactly once in one of the three. */
export const ingestResponseSchema = z.object({
  accepted: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.array(rejectionSchema),
});

export type Rejection = z.infer<typeof rejectionSchema>;
export type IngestResponse = z.infer<typeof ingestResponseSchema>;

/** The batch as documented in OpenAPI: items are validated one by one, but this is what each must be. */
export const batchDocumentSchema = z.strictObject({
  items: z.array(z.discriminatedUnion('type', [exposureItemSchema, eventItemSchema, identifyItemSchema])).max(MAX_BATCH_ITEMS),
});
