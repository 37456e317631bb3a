import type { Kysely } from 'kysely';

/**
 * Fixed-window counters shared by every instance (server/src/http/rate-limit.ts): failed
 * authentications per client address. `subject` is a digest of the address, never the address.
 * Rows are a minute old at most when they matter; old ones are deleted as new windows open.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rate_limit_windows')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('window_start', 'timestamptz', (c) => c.notNull())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_limit_windows_pk', ['scope', 'subject', 'window_start'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rate_limit_windows').execute();
}
