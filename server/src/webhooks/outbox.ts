import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import type { WebhookEvent, WebhookEventType } from './events.js';
import { renderBody } from './render.js';

/**
 * Puts an event in the outbox: one pending delivery per webhook subscribed to its type. Call it with
 * the transaction that makes the change, so the change and its deliveries commit (or roll back)
 * together; the worker (worker.ts) sends them later, from any instance, after any restart.
 */
export async function enqueueWebhookEvent(
  trx: Kysely<Database>,
  type: WebhookEventType,
  data: WebhookEvent['data'],
  now: Date,
): Promise<WebhookEvent> {
  const event: WebhookEvent = { id: `evt_${randomUUID()}`, type, createdAt: now.toISOString(), data };
  const subscribers = await trx
    .selectFrom('webhooks')
    .select(['id', 'format'])
    .where(sql<boolean>`events @> ${JSON.stringify([type])}::jsonb`)
    .execute();
  if (subscribers.length === 0) return event;
  await trx
    .insertInto('webhook_deliveries')
    .values(
      subscribers.map((hook) => ({
        webhook_id: hook.id,
        event_id: event.id,
        event_type: type,
        body: renderBody(hook.format, event),
        status: 'pending' as const,
        created_at: now,
        next_attempt_at: now,
      })),
    )
    .execute();
  return event;
}
