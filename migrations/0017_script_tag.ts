import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';

/**
 * The script tag (design.md §10, issue 14):
 * - a variant may carry `changes` (DOM edits, jsonb) and a `redirect` URL;
 * - a touchpoint's `url_pattern` is now served in /sdk/config, so a change to `touchpoints` is
 *   announced on the catalog channel like experiments and variants (migrations/0013);
 * - `server_secrets` holds the key preview links are signed with: generated here once, shared by
 *   every instance (a link minted on one is honoured by all), never sent anywhere.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('variants').addColumn('changes', 'jsonb').addColumn('redirect', 'text').execute();
  await sql`
    create trigger touchpoints_notify_catalog
    after insert or update or delete or truncate on touchpoints
    for each statement execute function touchpoint_notify_catalog()`.execute(db);
  await db.schema
    .createTable('server_secrets')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.insertInto('server_secrets').values({ name: 'preview', value: randomBytes(32).toString('base64url') }).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('server_secrets').execute();
  await sql`drop trigger touchpoints_notify_catalog on touchpoints`.execute(db);
  await db.schema.alterTable('variants').dropColumn('changes').dropColumn('redirect').execute();
}
