import { type Kysely, sql } from 'kysely';

/**
 * Ids of the exposure items already ingested, so that a retried batch counts its exposures as
 * duplicates. `exposures` keeps one row per unit and experiment (the first exposure wins), so it
 * cannot remember the ids of later exposures; events need no such table (`events.event_id` is unique).
 * Only the id and the receive time are kept: nothing personal, so erasing a unit leaves nothing here.
 * Rows older than the accepted item age (7 days, plus the 5-minute future skew) can be pruned: a retry
 * of such an item is refused by its timestamp anyway.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('exposure_items')
    .addColumn('item_id', 'text', (c) => c.primaryKey())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Pruning by age: brin is tiny and fits an append-mostly time column.
  await sql`create index exposure_items_received_idx on exposure_items using brin (received_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('exposure_items').execute();
}
