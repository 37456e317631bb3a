import { type Kysely, sql } from 'kysely';

/**
 * The days an experiment must run before its results may decide anything (design.md §8): a full week
 * by default, because shops sell differently on weekdays and at the weekend. Existing experiments get
 * the default.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('experiments')
    .addColumn('minimum_days', 'integer', (c) => c.notNull().defaultTo(7).check(sql`minimum_days >= 0 and minimum_days <= 365`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('experiments').dropColumn('minimum_days').execute();
}
