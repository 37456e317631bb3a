import { type Kysely, sql } from 'kysely';

/**
 * A guardrail's non-inferiority margin (design.md §5): the relative harm a metric tolerates when it
 * guards an experiment, e.g. 0.02 = "not worse than the control by more than 2 %". Null means the
 * default (2 %), so existing metrics keep the behaviour the results compute for them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('metrics')
    .addColumn('guardrail_margin', 'double precision', (c) => c.check(sql`guardrail_margin > 0 and guardrail_margin < 1`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('metrics').dropColumn('guardrail_margin').execute();
}
