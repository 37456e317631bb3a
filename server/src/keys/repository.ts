import type { Kysely } from 'kysely';
import { recordAudit, type Actor } from '../audit/repository.js';
import type { Database, Role } from '../db/schema.js';
import { type KeyKind, digestsEqual, displayPrefix, generateKey, generateKeyId, hashKey } from './tokens.js';

export interface ApiKey {
  id: string;
  kind: KeyKind;
  name: string;
  prefix: string;
  allowedOrigins: string[];
  /** Admin keys: what the key may do (viewer, editor or admin); null for SDK keys. */
  role: Role | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

function toApiKey(row: {
  id: string; kind: KeyKind; name: string; key_prefix: string; allowed_origins: string[]; role: Role | null;
  created_at: Date; last_used_at: Date | null; revoked_at: Date | null;
}): ApiKey {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    prefix: row.key_prefix,
    allowedOrigins: row.allowed_origins,
    role: row.kind === 'admin' ? (row.role ?? 'admin') : null,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

export interface NewKey {
  kind: KeyKind;
  name: string;
  allowedOrigins?: string[];
  /** Admin keys only; admin when absent. */
  role?: Role;
  /** A preset secret (ADMIN_KEY); generated when absent. */
  secret?: string;
}

/** Creates a key and returns it with its secret — the only time the secret is ever available. */
export async function createKey(db: Kysely<Database>, actor: Actor, input: NewKey): Promise<ApiKey & { secret: string }> {
  return db.transaction().execute((trx) => insertKey(trx, actor, input));
}

/** createKey inside a transaction the caller already holds (bootstrap checks and inserts in one). */
export async function insertKey(trx: Kysely<Database>, actor: Actor, input: NewKey): Promise<ApiKey & { secret: string }> {
  const secret = input.secret ?? generateKey(input.kind);
  const row = await trx
    .insertInto('api_keys')
    .values({
      id: generateKeyId(),
      kind: input.kind,
      name: input.name,
      key_hash: hashKey(secret),
      key_prefix: displayPrefix(secret),
      allowed_origins: JSON.stringify(input.allowedOrigins ?? []),
      role: input.kind === 'admin' ? (input.role ?? 'admin') : null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const key = toApiKey(row);
  await recordAudit(trx, actor, { entityType: 'api_key', entityKey: key.id, action: 'create', before: null, after: key });
  return { ...key, secret };
}

export async function listKeys(db: Kysely<Database>, { includeRevoked }: { includeRevoked: boolean }): Promise<ApiKey[]> {
  let query = db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id');
  if (!includeRevoked) query = query.where('revoked_at', 'is', null);
  return (await query.execute()).map(toApiKey);
}

export async function countKeys(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('api_keys').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Finds an active key by its secret. The lookup is by digest; the final check is constant-time. */
export async function findActiveKey(db: Kysely<Database>, secret: string): Promise<ApiKey | null> {
  return findActiveKeyByDigest(db, hashKey(secret));
}

/** The same lookup for a caller that already holds the digest (authentication hashes once). */
export async function findActiveKeyByDigest(db: Kysely<Database>, digest: string): Promise<ApiKey | null> {
  const row = await db
    .selectFrom('api_keys')
    .selectAll()
    .where('key_hash', '=', digest)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row || !digestsEqual(row.key_hash, digest)) return null;
  return toApiKey(row);
}

/** Every active SDK key with its digest: the in-process view authenticates SDK requests from it (live/catalog.ts). */
export async function listActiveSdkKeys(db: Kysely<Database>): Promise<Array<{ digest: string; key: ApiKey }>> {
  const rows = await db.selectFrom('api_keys').selectAll().where('kind', '=', 'sdk').where('revoked_at', 'is', null).execute();
  return rows.map((row) => ({ digest: row.key_hash, key: toApiKey(row) }));
}

export async function touchKey(db: Kysely<Database>, id: string, at: Date): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
}

export type RevokeOutcome = 'revoked' | 'not-found' | 'last-admin-key';

/**
 * Revokes a key; refuses to revoke the last active admin key, which would lock everyone out.
 *
 * Lock order: every active admin key by id, then the key itself. Two concurrent revocations of admin
 * keys then queue on the same first row; locking the key's own row first (as this did) let each hold
 * its own key while waiting for the other's: a deadlock (issue 13, finding 3).
 */
export async function revokeKey(db: Kysely<Database>, actor: Actor, id: string, at: Date): Promise<RevokeOutcome> {
  return db.transaction().execute(async (trx) => {
    // A key's kind never changes, so it can be read before any lock.
    const kind = (await trx.selectFrom('api_keys').select('kind').where('id', '=', id).executeTakeFirst())?.kind;
    if (kind === undefined) return 'not-found';
    if (kind === 'admin') {
      // Lock all active admin keys so two concurrent revocations cannot both pass the check below. FOR
      // UPDATE waits for a concurrent revocation to commit and then skips the key it revoked.
      const active = await trx
        .selectFrom('api_keys')
        .select('id')
        .where('kind', '=', 'admin')
        .where('revoked_at', 'is', null)
        .orderBy('id')
        .forUpdate()
        .execute();
      if (!active.some((key) => key.id === id)) return 'not-found';
      if (active.length <= 1) return 'last-admin-key';
    }
    const row = await trx.selectFrom('api_keys').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row || row.revoked_at) return 'not-found';
    const updated = await trx.updateTable('api_keys').set({ revoked_at: at }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    await recordAudit(trx, actor, { entityType: 'api_key', entityKey: id, action: 'revoke', before: toApiKey(row), after: toApiKey(updated) });
    return 'revoked';
  });
}

/** Does a key with this secret already exist (revoked or not)? */
export async function keyExists(db: Kysely<Database>, secret: string): Promise<boolean> {
  const row = await db.selectFrom('api_keys').select('id').where('key_hash', '=', hashKey(secret)).executeTakeFirst();
  return row !== undefined;
}
