import type { Kysely } from 'kysely';

/** Opt-in sticky bucketing per experiment: the SDK keeps a unit's first variant when weights change. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('experiments').addColumn('sticky_bucketing', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('experiments').dropColumn('sticky_bucketing').execute();
}
