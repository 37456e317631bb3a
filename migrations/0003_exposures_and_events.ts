import { type Kysely, sql } from 'kysely';

/**
 * Exposures (one row per unit and experiment: the first exposure wins) and global conversion events.
 * The indexes serve the attribution join of the results queries: exposures of one experiment by
 * variant, then each exposed unit's events by name and time after its first exposure.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('exposures')
    .addColumn('experiment_id', 'integer', (c) => c.notNull().references('experiments.id').onDelete('cascade'))
    .addColumn('unit_id', 'text', (c) => c.notNull())
    .addColumn('variant_index', 'integer', (c) => c.notNull())
    .addColumn('first_item_id', 'text', (c) => c.notNull())
    .addColumn('exposed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('attributes', 'jsonb')
    .addColumn('multiple_variants', 'boolean', (c) => c.notNull().defaultTo(false))
    .addPrimaryKeyConstraint('exposures_pk', ['experiment_id', 'unit_id'])
    .execute();
  await db.schema
    .createIndex('exposures_variant_idx')
    .on('exposures')
    .columns(['experiment_id', 'variant_index', 'exposed_at'])
    .execute();
  // Right to erasure deletes by unit across experiments.
  await db.schema.createIndex('exposures_unit_idx').on('exposures').column('unit_id').execute();

  await db.schema
    .createTable('events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull().unique())
    .addColumn('unit_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('value', 'double precision')
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('attributes', 'jsonb')
    .execute();
  // Attribution join: for one unit, the events of one name in a time window, value read from the index.
  await sql`create index events_unit_name_time_idx on events (unit_id, name, occurred_at) include (value)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('events').execute();
  await db.schema.dropTable('exposures').execute();
}
