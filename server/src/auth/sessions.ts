import type { Kysely } from 'kysely';
import type { Database, Role } from '../db/schema.js';
import { digest, newId, newSecret } from './tokens.js';

/** How long a session lasts: `idleSeconds` without a request, and `maxSeconds` at most whatever happens. */
export interface SessionPolicy {
  idleSeconds: number;
  maxSeconds: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = { idleSeconds: 12 * 3600, maxSeconds: 7 * 86_400 };

/** last_seen_at is written at most this often per session: idle expiry is accurate to a minute. */
const SEEN_RESOLUTION_MS = 60_000;

export interface SessionUser {
  sessionId: string;
  lastSeenAt: Date;
  expiresAt: Date;
  user: { id: string; email: string; name: string; role: Role };
}

/** Opens a session for a user; the secret goes into the cookie and is stored only as its digest. */
export async function createSession(db: Kysely<Database>, userId: string, now: Date, policy: SessionPolicy): Promise<{ secret: string; id: string; expiresAt: Date }> {
  const secret = newSecret();
  const id = newId('ses');
  const expiresAt = new Date(now.getTime() + policy.maxSeconds * 1000);
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('sessions').values({ id, token_hash: digest(secret), user_id: userId, created_at: now, last_seen_at: now, expires_at: expiresAt }).execute();
    await trx.updateTable('users').set({ last_sign_in_at: now }).where('id', '=', userId).execute();
  });
  return { secret, id, expiresAt };
}

/**
 * The live session a cookie's secret opens, with its user: not revoked, not past its absolute expiry,
 * used within the idle timeout, and its user not disabled (checked on every request, so disabling
 * someone or changing their role takes effect at once). One query.
 */
export async function findSession(db: Kysely<Database>, secret: string, now: Date, policy: SessionPolicy): Promise<SessionUser | null> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['sessions.id as sessionId', 'sessions.last_seen_at', 'sessions.expires_at', 'users.id', 'users.email', 'users.name', 'users.role'])
    .where('sessions.token_hash', '=', digest(secret))
    .where('sessions.revoked_at', 'is', null)
    .where('sessions.expires_at', '>', now)
    .where('sessions.last_seen_at', '>', new Date(now.getTime() - policy.idleSeconds * 1000))
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  return { sessionId: row.sessionId, lastSeenAt: row.last_seen_at, expiresAt: row.expires_at, user: { id: row.id, email: row.email, name: row.name, role: row.role } };
}

/** Records activity (the idle clock restarts); written at most once a minute per session. */
export async function touchSession(db: Kysely<Database>, session: SessionUser, now: Date): Promise<void> {
  if (now.getTime() - session.lastSeenAt.getTime() < SEEN_RESOLUTION_MS) return;
  await db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', session.sessionId).where('revoked_at', 'is', null).execute();
}

export async function revokeSession(db: Kysely<Database>, sessionId: string, now: Date): Promise<void> {
  await db.updateTable('sessions').set({ revoked_at: now }).where('id', '=', sessionId).where('revoked_at', 'is', null).execute();
}

/** Ends every session of a user (disabled, password changed), except `keep` (the one that changed it). */
export async function revokeUserSessions(db: Kysely<Database>, userId: string, now: Date, keep?: string): Promise<number> {
  let query = db.updateTable('sessions').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null);
  if (keep) query = query.where('id', '!=', keep);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}
