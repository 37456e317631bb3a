import { type Kysely, sql } from 'kysely';

/**
 * A shipped winner (design.md §8): a stopped experiment may keep serving one variant to every unit its
 * targeting admits, from `rollout_since` until the rollout is ended. Both columns are set together and
 * only on a stopped experiment.
 *
 * Columns of `experiments` rather than a table of their own: the change triggers of 0013 already
 * announce every write to `experiments`, so every instance's in-process view (server/src/live/) learns
 * of a ship or of its end as it learns of a pause.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('experiments')
    .addColumn('rollout_variant_key', 'text')
    .addColumn('rollout_since', 'timestamptz')
    .execute();
  await sql`
    alter table experiments add constraint experiments_rollout_check check (
      (rollout_variant_key is null) = (rollout_since is null)
      and (rollout_variant_key is null or status = 'stopped')
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table experiments drop constraint experiments_rollout_check`.execute(db);
  await db.schema.alterTable('experiments').dropColumn('rollout_since').dropColumn('rollout_variant_key').execute();
}
