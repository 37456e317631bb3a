import { type Kysely, sql } from 'kysely';

/**
 * Webhooks (design.md §8) and their stored outbox.
 *
 * - `webhooks`: where to send which events. `secret` is kept in clear: signing a delivery needs the
 *   secret itself (HMAC), so a digest would not do; it is returned once at creation and never again by
 *   the API. Whoever can read this table can forge deliveries (README, Webhooks).
 * - `webhook_deliveries`: the outbox, one row per (event, webhook), inserted in the transaction that
 *   makes the change (a lifecycle action, a results transition), so a committed change always has its
 *   deliveries and a rolled-back one never does. `body` holds the exact bytes sent, so every retry
 *   sends (and signs) the same body. `next_attempt_at` is also the claim lease of a worker sending it.
 * - `webhook_attempts`: the delivery log, one row per HTTP attempt.
 * - `webhook_notified_state`: what the results refresh last notified per experiment, so a transition
 *   (an SRM appearing, a guardrail harmed, a decision changing) fires once, not at every refresh.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhooks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('events', 'jsonb', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull().check(sql`format in ('json', 'slack')`))
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('webhook_id', 'text', (c) => c.notNull().references('webhooks.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'delivered', 'failed')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull())
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'text')
    .execute();
  await sql`create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'pending'`.execute(db);
  await db.schema.createIndex('webhook_deliveries_by_webhook').on('webhook_deliveries').columns(['webhook_id', 'id']).execute();
  await db.schema
    .createTable('webhook_attempts')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('delivery_id', 'bigint', (c) => c.notNull().references('webhook_deliveries.id').onDelete('cascade'))
    .addColumn('attempted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('error', 'text')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_attempts_by_delivery').on('webhook_attempts').columns(['delivery_id', 'id']).execute();
  await db.schema
    .createTable('webhook_notified_state')
    .addColumn('experiment_id', 'integer', (c) => c.primaryKey().references('experiments.id').onDelete('cascade'))
    .addColumn('srm_mismatch', 'boolean', (c) => c.notNull())
    .addColumn('harmed', 'jsonb', (c) => c.notNull())
    .addColumn('decision_status', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['webhook_notified_state', 'webhook_attempts', 'webhook_deliveries', 'webhooks']) await db.schema.dropTable(table).execute();
}
