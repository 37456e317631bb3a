import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type Actor, recordAudit } from '../audit/repository.js';
import type { Database } from '../db/schema.js';
import type { WebhookEventType } from './events.js';
import type { CreateWebhook } from './schemas.js';

type Db = Kysely<Database>;

export interface Webhook {
  id: string;
  url: string;
  events: WebhookEventType[];
  format: 'json' | 'slack';
  createdAt: string;
}

const toWebhook = (row: { id: string; url: string; events: string[]; format: 'json' | 'slack'; created_at: Date }): Webhook => ({
  id: row.id,
  url: row.url,
  events: row.events as WebhookEventType[],
  format: row.format,
  createdAt: row.created_at.toISOString(),
});

/** Creates a webhook and its signing secret (`whsec_` + 32 random bytes in hex); the secret is returned here only. */
export async function createWebhook(db: Db, actor: Actor, input: CreateWebhook, now: Date): Promise<Webhook & { secret: string }> {
  const id = `wh_${randomBytes(8).toString('hex')}`;
  const secret = `whsec_${randomBytes(32).toString('hex')}`;
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('webhooks')
      .values({ id, url: input.url, events: JSON.stringify(input.events), format: input.format, secret, created_at: now })
      .returning(['id', 'url', 'events', 'format', 'created_at'])
      .executeTakeFirstOrThrow();
    const webhook = toWebhook(row);
    await recordAudit(trx, actor, { entityType: 'webhook', entityKey: id, action: 'create', before: null, after: webhook });
    return { ...webhook, secret };
  });
}

export async function listWebhooks(db: Db): Promise<Webhook[]> {
  const rows = await db.selectFrom('webhooks').select(['id', 'url', 'events', 'format', 'created_at']).orderBy('created_at', 'desc').orderBy('id').execute();
  return rows.map(toWebhook);
}

/** Deletes a webhook with its pending deliveries and delivery log; false when there is none. */
export async function deleteWebhook(db: Db, actor: Actor, id: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.deleteFrom('webhooks').where('id', '=', id).returning(['id', 'url', 'events', 'format', 'created_at']).executeTakeFirst();
    if (!row) return false;
    await recordAudit(trx, actor, { entityType: 'webhook', entityKey: id, action: 'delete', before: toWebhook(row), after: null });
    return true;
  });
}

export async function webhookExists(db: Db, id: string): Promise<boolean> {
  return Boolean(await db.selectFrom('webhooks').select('id').where('id', '=', id).executeTakeFirst());
}

/** The newest deliveries of a webhook, each with its attempts. */
export async function listDeliveries(db: Db, webhookId: string, limit: number) {
  const rows = await db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId).orderBy('id', 'desc').limit(limit).execute();
  const attempts = rows.length
    ? await db.selectFrom('webhook_attempts').selectAll().where('delivery_id', 'in', rows.map((r) => r.id)).orderBy('id').execute()
    : [];
  return rows.map((row) => ({
    id: String(row.id),
    eventId: row.event_id,
    type: row.event_type as WebhookEventType,
    status: row.status,
    attempts: row.attempts,
    createdAt: row.created_at.toISOString(),
    nextAttemptAt: row.status === 'pending' ? row.next_attempt_at.toISOString() : null,
    deliveredAt: row.delivered_at?.toISOString() ?? null,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    log: attempts
      .filter((a) => Number(a.delivery_id) === Number(row.id))
      .map((a) => ({ at: a.attempted_at.toISOString(), statusCode: a.status_code, error: a.error, durationMs: a.duration_ms })),
  }));
}
