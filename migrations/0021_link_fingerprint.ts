import { type Kysely, sql } from 'kysely';

/**
 * A fingerprint of every identity link (`unit_aliases`), kept in one row by the writers of links
 * (events/alias-repository.ts, under the links' lock): how many there are and the sum (mod 2^64) of a
 * 64-bit hash of each link (alias, account, received time; events/link-hash.ts). A copy of the links
 * elsewhere (the ClickHouse event store keeps one on every shard, clickhouse/links.ts) holds exactly the
 * catalog's links when its own count and hash sum are equal, so it is checked before every read in O(1)
 * here. NULL = not known yet (links written before this migration): the first check computes it.
 * The index on `received_at` finds the links written lately, what a copy that missed a write lacks.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('link_fingerprint')
    .addColumn('id', 'smallint', (c) => c.primaryKey())
    .addColumn('links', 'bigint')
    .addColumn('hash_sum', 'text')
    .addCheckConstraint('link_fingerprint_one_row', sql`id = 1`)
    .execute();
  await sql`insert into link_fingerprint (id, links, hash_sum) values (1, null, null)`.execute(db);
  await db.schema.createIndex('unit_aliases_received_idx').on('unit_aliases').column('received_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('unit_aliases_received_idx').execute();
  await db.schema.dropTable('link_fingerprint').execute();
}
