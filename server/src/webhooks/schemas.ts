import { z } from 'zod';
import { queryNumber } from '../http/schema-helpers.js';
import { WEBHOOK_EVENTS } from './events.js';

export const createWebhookSchema = z.strictObject({
  url: z.string().max(2000).refine((value) => URL.canParse(value), 'must be an absolute URL').describe('Where deliveries are POSTed (http or https; private addresses need WEBHOOK_ALLOW_PRIVATE=1)'),
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(WEBHOOK_EVENTS.length).refine((list) => new Set(list).size === list.length, 'lists an event twice'),
  format: z.enum(['json', 'slack']).default('json').describe('json: the event itself; slack: a Slack incoming-webhook message'),
});

export type CreateWebhook = z.infer<typeof createWebhookSchema>;

export const webhookSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENTS)),
  format: z.enum(['json', 'slack']),
  createdAt: z.string(),
});

export const webhookWithSecretSchema = webhookSchema.extend({
  secret: z.string().describe('Signing secret for Touchpoint-Signature; shown in this response only'),
});

export const deliverySchema = z.object({
  id: z.string(),
  eventId: z.string(),
  type: z.enum(WEBHOOK_EVENTS),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int().min(0),
  createdAt: z.string(),
  nextAttemptAt: z.string().nullable().describe('Pending only: when the next attempt is due'),
  deliveredAt: z.string().nullable(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  log: z.array(z.object({ at: z.string(), statusCode: z.number().int().nullable(), error: z.string().nullable(), durationMs: z.number().int().min(0) })).describe('Attempts, oldest first'),
});

export const deliveriesQuery = z.strictObject({
  limit: queryNumber(z.number().int().min(1).max(200).default(50)),
});
