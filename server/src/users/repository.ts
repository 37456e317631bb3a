import type { Kysely } from 'kysely';
import { type Actor, recordAudit } from '../audit/repository.js';
import type { Database, Role } from '../db/schema.js';
import { digest, newId, newSecret } from '../auth/tokens.js';
import { revokeUserSessions } from '../auth/sessions.js';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  status: 'invited' | 'active' | 'disabled';
  sso: boolean;
  /** Has a password of its own here: false for someone who only ever signed in with SSO (or not yet accepted). */
  hasPassword: boolean;
  createdAt: string;
  lastSignInAt: string | null;
}

export function toUser(row: {
  id: string; email: string; name: string; role: Role; password_hash: string | null; oidc_subject: string | null;
  created_at: Date; last_sign_in_at: Date | null; disabled_at: Date | null;
}): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    status: row.disabled_at ? 'disabled' : row.password_hash || row.oidc_subject ? 'active' : 'invited',
    sso: row.oidc_subject !== null,
    hasPassword: row.password_hash !== null,
    createdAt: row.created_at.toISOString(),
    lastSignInAt: row.last_sign_in_at?.toISOString() ?? null,
  };
}

/** Invitations and the setup link are valid this long (design.md §9: 7 days). */
export const INVITE_TTL_MS = 7 * 86_400_000;

export async function listUsers(db: Kysely<Database>): Promise<User[]> {
  return (await db.selectFrom('users').selectAll().orderBy('created_at').orderBy('id').execute()).map(toUser);
}

export async function countUsers(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function findUserByEmail(db: Kysely<Database>, email: string) {
  return db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
}

export async function findUser(db: Kysely<Database>, id: string) {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  passwordHash?: string | null;
  oidc?: { issuer: string; subject: string };
}

/** Inserts a user (and its audit entry) inside the caller's transaction; null when the email is taken. */
export async function insertUser(trx: Kysely<Database>, actor: Actor, input: NewUser, now: Date): Promise<User | null> {
  const row = await trx
    .insertInto('users')
    .values({
      id: newId('usr'),
      email: input.email.toLowerCase(),
      name: input.name,
      role: input.role,
      password_hash: input.passwordHash ?? null,
      oidc_issuer: input.oidc?.issuer ?? null,
      oidc_subject: input.oidc?.subject ?? null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('email').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) return null;
  const user = toUser(row);
  await recordAudit(trx, actor, { entityType: 'user', entityKey: user.id, action: 'create', before: null, after: user });
  return user;
}

/** Invites someone: a user without a password and a single-use link to choose one. Null: the email is taken. */
export async function inviteUser(db: Kysely<Database>, actor: Actor, input: { email: string; name: string; role: Role }, now: Date): Promise<{ user: User; token: string } | null> {
  return db.transaction().execute(async (trx) => {
    const user = await insertUser(trx, actor, input, now);
    if (!user) return null;
    const token = newSecret();
    await trx.insertInto('user_tokens').values({ token_hash: digest(token), purpose: 'invite', user_id: user.id, created_at: now, expires_at: new Date(now.getTime() + INVITE_TTL_MS) }).execute();
    return { user, token };
  });
}

/**
 * Uses a one-time link: marks it used in the same statement that checks it (two requests racing with
 * one link cannot both pass). Returns the user id it was for (null for the setup link), or undefined
 * when the link is unknown, used or expired.
 */
export async function consumeToken(trx: Kysely<Database>, token: string, purpose: 'invite' | 'setup', now: Date): Promise<{ userId: string | null } | undefined> {
  const row = await trx
    .updateTable('user_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', digest(token))
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('user_id')
    .executeTakeFirst();
  return row ? { userId: row.user_id } : undefined;
}

export type UpdateOutcome = { user: User } | 'not-found' | 'last-admin';

/**
 * Changes a user's role, name or disabled state. Refuses to leave no enabled admin user (which would
 * leave only keys to administer with) once there is one. Disabling ends the user's sessions in the
 * same transaction. Lock order: every enabled admin by id, then the user (as keys/repository.ts does).
 */
export async function updateUser(
  db: Kysely<Database>,
  actor: Actor,
  id: string,
  patch: { role?: Role | undefined; disabled?: boolean | undefined; name?: string | undefined },
  now: Date,
): Promise<UpdateOutcome> {
  return db.transaction().execute(async (trx) => {
    const admins = await trx.selectFrom('users').select('id').where('role', '=', 'admin').where('disabled_at', 'is', null).orderBy('id').forUpdate().execute();
    const row = await trx.selectFrom('users').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) return 'not-found';
    const disabledAt = patch.disabled === undefined ? row.disabled_at : patch.disabled ? (row.disabled_at ?? now) : null;
    const role = patch.role ?? row.role;
    const wasAdmin = row.role === 'admin' && row.disabled_at === null;
    const staysAdmin = role === 'admin' && disabledAt === null;
    if (wasAdmin && !staysAdmin && admins.length <= 1) return 'last-admin';
    const updated = await trx
      .updateTable('users')
      .set({ role, disabled_at: disabledAt, name: patch.name ?? row.name, updated_at: now })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (disabledAt && !row.disabled_at) await revokeUserSessions(trx, id, now);
    const [before, after] = [toUser(row), toUser(updated)];
    const action = patch.disabled === true && !row.disabled_at ? 'disable' : patch.disabled === false && row.disabled_at ? 'enable' : 'update';
    await recordAudit(trx, actor, { entityType: 'user', entityKey: id, action, before, after });
    return { user: after };
  });
}

/** Sets a password (invitation accepted, password changed) and ends the user's other sessions. */
export async function setPassword(trx: Kysely<Database>, actor: Actor, userId: string, passwordHash: string, now: Date, keepSession?: string): Promise<User> {
  const before = await trx.selectFrom('users').selectAll().where('id', '=', userId).forUpdate().executeTakeFirstOrThrow();
  const row = await trx.updateTable('users').set({ password_hash: passwordHash, updated_at: now }).where('id', '=', userId).returningAll().executeTakeFirstOrThrow();
  await revokeUserSessions(trx, userId, now, keepSession);
  // The audit says that the password changed, never anything of it.
  await recordAudit(trx, actor, { entityType: 'user', entityKey: userId, action: before.password_hash ? 'change-password' : 'accept-invite', before: toUser(before), after: toUser(row) });
  return toUser(row);
}
