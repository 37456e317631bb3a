import { type Kysely, sql } from 'kysely';

/**
 * Identity links written by `identify` items (POST /sdk/events): the anonymous id a visitor used
 * (`alias_id`) belongs to the account it signed into (`unit_id`). Results count both ids as one unit
 * (server/src/results/README.md, "Identity"). Links are one level deep — an `alias_id` never appears
 * as a `unit_id` — so analysis maps an id with one lookup, never a recursive walk
 * (events/alias-repository.ts keeps it so). The index on `unit_id` serves results (the aliases of
 * an account) and erasure; `received_at` lets an incremental refresh find links that arrived since.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('unit_aliases')
    .addColumn('alias_id', 'text', (c) => c.primaryKey())
    .addColumn('unit_id', 'text', (c) => c.notNull())
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('linked_at', 'timestamptz', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('unit_aliases_not_self', sql`alias_id <> unit_id`)
    .execute();
  await db.schema.createIndex('unit_aliases_unit_idx').on('unit_aliases').column('unit_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('unit_aliases').execute();
}
