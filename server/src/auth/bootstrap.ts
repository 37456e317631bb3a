import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import { INVITE_TTL_MS, countUsers, findUserByEmail, insertUser } from '../users/repository.js';
import { hashPassword } from './passwords.js';
import { digest, newSecret } from './tokens.js';

/** What the banner says about signing in (main.ts). */
export type PeopleBootstrap =
  | { kind: 'admin-created'; email: string }
  | { kind: 'setup-link'; token: string }
  | { kind: 'existing' };

/** Serialises first starts of several instances on one database (any constant). */
const PEOPLE_LOCK = 0x74_70_75_73;

/**
 * First start (design.md §9): ADMIN_EMAIL + ADMIN_PASSWORD create that admin user if no user has that
 * email yet (also later, to recover access; an existing user's password is never reset from the
 * environment). Without them and without any user, a one-time setup link is made: valid 7 days, its
 * digest stored, any earlier unused one withdrawn, so only the link printed last works.
 */
export async function bootstrapPeople(db: Kysely<Database>, preset: { email?: string | undefined; password?: string | undefined }, now: Date): Promise<PeopleBootstrap> {
  const hash = preset.email && preset.password ? await hashPassword(preset.password) : undefined;
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${sql.lit(PEOPLE_LOCK)})`.execute(trx);
    if (preset.email && hash) {
      if (await findUserByEmail(trx, preset.email)) return { kind: 'existing' };
      await insertUser(trx, { keyId: null, requestId: 'bootstrap', who: null }, { email: preset.email, name: preset.email.split('@')[0]!, role: 'admin', passwordHash: hash }, now);
      return { kind: 'admin-created', email: preset.email.toLowerCase() };
    }
    if ((await countUsers(trx)) > 0) return { kind: 'existing' };
    await trx.deleteFrom('user_tokens').where('purpose', '=', 'setup').execute();
    const token = newSecret();
    await trx.insertInto('user_tokens').values({ token_hash: digest(token), purpose: 'setup', user_id: null, created_at: now, expires_at: new Date(now.getTime() + INVITE_TTL_MS) }).execute();
    return { kind: 'setup-link', token };
  });
}

/** The banner's lines about signing in to the dashboard at `url`. */
export function signInLines(people: PeopleBootstrap, url: string): string[] {
  switch (people.kind) {
    case 'admin-created':
      return [`  Sign in at ${url} as ${people.email} with ADMIN_PASSWORD (admin).`];
    case 'setup-link':
      return [
        '  No user yet. Create the first admin (this link works once, for 7 days; restarting prints a new one):',
        `    ${url}/setup#token=${people.token}`,
        '  Or set ADMIN_EMAIL and ADMIN_PASSWORD and restart.',
      ];
    case 'existing':
      return [`  Sign in at ${url} with your email and password.`];
  }
}
