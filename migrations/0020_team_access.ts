import { type Kysely, sql } from 'kysely';

/**
 * Team access (design.md §9): people with a role, their invitations and sign-in sessions; admin keys
 * get a role too (existing keys stay admin), and every audit entry names its actor by type, id and
 * name (the name as it was at the time, so a renamed or removed person still shows who did it).
 * Secrets (invitation and session tokens) are stored as SHA-256 digests only; passwords as scrypt.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // Stored lower-cased: one person, one row, however the address is typed.
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('viewer', 'editor', 'admin')`))
    // Null until an invitation is accepted, and for people who only sign in with SSO.
    .addColumn('password_hash', 'text')
    .addColumn('oidc_issuer', 'text')
    .addColumn('oidc_subject', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_sign_in_at', 'timestamptz')
    .addColumn('disabled_at', 'timestamptz')
    .addUniqueConstraint('users_oidc_identity_key', ['oidc_issuer', 'oidc_subject'])
    .execute();

  // One-time links: an invitation (for a user) or the first-start setup link (no user yet).
  await db.schema
    .createTable('user_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ('invite', 'setup')`))
    .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();

  // An SSO sign-in between the redirect to the provider and its answer (state, nonce, PKCE verifier).
  await db.schema
    .createTable('oidc_flows')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .alterTable('api_keys')
    .addColumn('role', 'text', (c) => c.check(sql`role in ('viewer', 'editor', 'admin')`))
    .execute();
  await sql`update api_keys set role = 'admin' where kind = 'admin'`.execute(db);

  await db.schema.alterTable('audit_log').addColumn('actor_type', 'text').execute();
  await db.schema.alterTable('audit_log').addColumn('actor_id', 'text').execute();
  await db.schema.alterTable('audit_log').addColumn('actor_name', 'text').execute();
  await sql`
    update audit_log set actor_type = 'key', actor_id = key_id,
      actor_name = coalesce((select name from api_keys where api_keys.id = audit_log.key_id), key_id)
    where key_id is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit_log').dropColumn('actor_name').execute();
  await db.schema.alterTable('audit_log').dropColumn('actor_id').execute();
  await db.schema.alterTable('audit_log').dropColumn('actor_type').execute();
  await db.schema.alterTable('api_keys').dropColumn('role').execute();
  await db.schema.dropTable('oidc_flows').execute();
  await db.schema.dropTable('sessions').execute();
  await db.schema.dropTable('user_tokens').execute();
  await db.schema.dropTable('users').execute();
}
