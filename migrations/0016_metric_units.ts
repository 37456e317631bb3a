import { type Kysely, sql } from 'kysely';

/**
 * What a revenue or ratio metric's values are counted in, so results can say "€12.40" or "2.3 items"
 * instead of a bare number: either a free-text `unit` ("items", "s") or an ISO 4217 `currency`
 * ("EUR"), never both. Existing metrics get neither and keep showing plain numbers. The code list is
 * checked by the API (Intl's list of currencies); the database only keeps the shape.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('metrics')
    .addColumn('unit', 'text', (c) => c.check(sql`char_length(unit) between 1 and 20`))
    .addColumn('currency', 'text', (c) => c.check(sql`currency ~ '^[A-Z]{3}$'`))
    .execute();
  await sql`alter table metrics add constraint metrics_unit_or_currency check (unit is null or currency is null)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table metrics drop constraint metrics_unit_or_currency`.execute(db);
  await db.schema.alterTable('metrics').dropColumn('unit').dropColumn('currency').execute();
}
