import { z } from 'zod';
import { pagination, slug, text } from '../http/schema-helpers.js';

export const TOUCHPOINT_KINDS = ['cta', 'checkout_form', 'product_page', 'pricing_page', 'cart', 'landing_page', 'email', 'other'] as const;
/** Funnel stages in funnel order; the dashboard groups touchpoints by them. */
export const FUNNEL_STAGES = ['awareness', 'consideration', 'decision', 'purchase', 'retention'] as const;

const fields = {
  name: text(200, 1),
  kind: z.enum(TOUCHPOINT_KINDS),
  funnelStage: z.enum(FUNNEL_STAGES),
  urlPattern: text(500).nullable(),
  description: text(5000).nullable(),
};

export const createTouchpointSchema = z.strictObject({
  key: slug,
  ...fields,
  urlPattern: fields.urlPattern.optional(),
  description: fields.description.optional(),
});

export const updateTouchpointSchema = z.strictObject({
  name: fields.name.optional(),
  kind: fields.kind.optional(),
  funnelStage: fields.funnelStage.optional(),
  urlPattern: fields.urlPattern.optional(),
  description: fields.description.optional(),
  version: z.number().int().min(1).optional(),
});

export const listTouchpointsQuery = z.strictObject({
  funnelStage: z.enum(FUNNEL_STAGES).optional(),
  kind: z.enum(TOUCHPOINT_KINDS).optional(),
  q: text(200).optional(),
  ...pagination,
});

export const touchpointSchema = z.object({
  key: z.string(),
  name: z.string(),
  kind: z.enum(TOUCHPOINT_KINDS),
  funnelStage: z.enum(FUNNEL_STAGES),
  urlPattern: z.string().nullable(),
  description: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export type CreateTouchpoint = z.infer<typeof createTouchpointSchema>;
export type UpdateTouchpoint = z.infer<typeof updateTouchpointSchema>;
export type Touchpoint = z.infer<typeof touchpointSchema>;
