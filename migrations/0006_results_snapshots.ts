import { type Kysely, sql } from 'kysely';

/**
 * Stored results per experiment, so that opening an experiment page reads one row instead of
 * rescanning exposures and events. `segment` is '' for the default results and the attribute name
 * for a `?segment=` breakdown. Rows go with their experiment.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('results_snapshots')
    .addColumn('experiment_id', 'integer', (c) => c.notNull().references('experiments.id').onDelete('cascade'))
    .addColumn('segment', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('computed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('results', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('results_snapshots_pk', ['experiment_id', 'segment'])
    .execute();
  // The scheduler looks for the stalest snapshots.
  await sql`create index results_snapshots_computed_idx on results_snapshots (computed_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('results_snapshots').execute();
}
