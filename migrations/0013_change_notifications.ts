import { type Kysely, sql } from 'kysely';

/**
 * Change notifications for the in-process views of every instance (server/src/live/): a committed
 * change to what the SDK endpoints serve is announced on the channel `touchpoint_catalog`, with the
 * name of the table as payload.
 *
 * Triggers rather than `pg_notify` calls in the repositories: no writer can forget them (the API's
 * repositories, the demo seed, a later migration, an operator's psql session), and NOTIFY is
 * transactional — PostgreSQL delivers it when the writing transaction commits, never when it rolls
 * back, and folds identical notifications of one transaction into one. Statement-level triggers: one
 * notification per statement however many rows it touches.
 *
 * `api_keys` announces only the columns authentication reads: `last_used_at`, written once a minute
 * per key in use, must not make every instance reload.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function touchpoint_notify_catalog() returns trigger language plpgsql as $fn$
    begin
      perform pg_notify('touchpoint_catalog', tg_table_name);
      return null;
    end
    $fn$`.execute(db);
  for (const table of ['experiments', 'variants']) {
    await sql`
      create trigger ${sql.raw(`${table}_notify_catalog`)}
      after insert or update or delete or truncate on ${sql.table(table)}
      for each statement execute function touchpoint_notify_catalog()`.execute(db);
  }
  await sql`
    create trigger api_keys_notify_catalog
    after insert or delete or truncate or update of kind, key_hash, allowed_origins, revoked_at on api_keys
    for each statement execute function touchpoint_notify_catalog()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['experiments', 'variants', 'api_keys']) {
    await sql`drop trigger ${sql.raw(`${table}_notify_catalog`)} on ${sql.table(table)}`.execute(db);
  }
  await sql`drop function touchpoint_notify_catalog()`.execute(db);
}
