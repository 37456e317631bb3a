import { Hono } from 'hono';
import type { Context } from 'hono';
import { access } from '../access/declare.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { clientAddress } from '../http/client-address.js';
import { ProblemError, invalidField } from '../http/problem.js';
import { readJson } from '../http/validate.js';
import { actorOf } from '../http/versioning.js';
import { countUsers, consumeToken, findUser, findUserByEmail, insertUser, setPassword, toUser, type User } from '../users/repository.js';
import { clearSessionCookie, isSecureRequest, setSessionCookie } from './cookies.js';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import { createSession, revokeSession } from './sessions.js';
import { DEFAULT_ACCESS } from './settings.js';
import { acceptInviteSchema, changePasswordSchema, loginSchema, setupSchema } from './schemas.js';
import { csrfTokenOf } from './tokens.js';
import type { AuthFailureLimiter } from '../http/rate-limit.js';

/**
 * Signing in and out (design.md §9). `failures` counts failed sign-ins per client address (shared with
 * failed key checks) and per email; both answer 429 + Retry-After past their limit.
 */
export function authRoutes(deps: AppDeps, failures: { byAddress?: AuthFailureLimiter | undefined; byEmail?: AuthFailureLimiter | undefined }) {
  const settings = deps.access ?? DEFAULT_ACCESS;
  const hops = deps.rateLimits?.trustedProxyHops ?? 0;
  const secure = (c: Context) => isSecureRequest(c, settings.cookieSecure, hops);

  /** Opens a session, sets its cookie and answers what POST /api/auth/login answers. */
  async function signIn(c: Context<AppEnv>, user: User, status: 200 | 201 = 200) {
    const now = deps.now();
    const session = await createSession(deps.db, user.id, now, settings.sessions);
    setSessionCookie(c, session.secret, session.expiresAt, now, secure(c));
    c.header('Cache-Control', 'no-store');
    return c.json({ user: { ...user, lastSignInAt: now.toISOString() }, csrfToken: csrfTokenOf(session.secret) }, status);
  }

  const newPassword = (password: string, field: string) => {
    const problem = passwordProblem(password);
    if (problem) throw invalidField([field], problem);
  };

  return new Hono<AppEnv>()
    .get('/config', access('public'), async (c) => c.json({ sso: settings.oidc !== undefined, setupRequired: (await countUsers(deps.db)) === 0 }))
    .post('/login', access('public'), async (c) => {
      const { email, password } = await readJson(c, loginSchema);
      const nowMs = deps.now().getTime();
      const address = clientAddress(c, hops);
      failures.byAddress?.assertAllowed(address, nowMs);
      failures.byEmail?.assertAllowed(email, nowMs);
      const row = await findUserByEmail(deps.db, email);
      // Always one full hash, whether or not the address exists (auth/passwords.ts).
      const matches = await verifyPassword(password, row?.password_hash ?? null);
      if (!row || !matches || row.disabled_at) {
        await failures.byAddress?.recordFailure(address, nowMs);
        await failures.byEmail?.recordFailure(email, nowMs);
        throw new ProblemError('unauthorized', 'Wrong email or password (or the account is disabled).');
      }
      return signIn(c, toUser(row));
    })
    .post('/logout', access('viewer'), async (c) => {
      const session = c.get('principal').session;
      if (session) await revokeSession(deps.db, session.id, deps.now());
      clearSessionCookie(c, secure(c));
      return c.body(null, 204);
    })
    .get('/me', access('viewer'), async (c) => {
      const principal = c.get('principal');
      c.header('Cache-Control', 'no-store');
      if (principal.type === 'key') return c.json({ role: principal.role, key: { id: principal.id, name: principal.name } });
      const row = await findUser(deps.db, principal.id);
      if (!row) throw new ProblemError('unauthorized', 'Your account no longer exists.');
      return c.json({ role: principal.role, user: toUser(row), ...(principal.session && { csrfToken: principal.session.csrfToken }) });
    })
    .post('/accept-invite', access('public'), async (c) => {
      const { token, password } = await readJson(c, acceptInviteSchema);
      newPassword(password, 'password');
      const hash = await hashPassword(password);
      const now = deps.now();
      const user = await deps.db.transaction().execute(async (trx) => {
        const used = await consumeToken(trx, token, 'invite', now);
        const row = used?.userId ? await findUser(trx, used.userId) : undefined;
        if (!row || row.disabled_at) return undefined;
        return setPassword(trx, { keyId: null, requestId: c.get('requestId') ?? null, who: { type: 'user', id: row.id, name: row.name } }, row.id, hash, now);
      });
      if (!user) throw new ProblemError('invalid-link', 'This invitation link is unknown, already used or expired; ask an admin to invite you again.');
      return signIn(c, user);
    })
    .post('/setup', access('public'), async (c) => {
      const { token, email, name, password } = await readJson(c, setupSchema);
      newPassword(password, 'password');
      const hash = await hashPassword(password);
      const now = deps.now();
      const user = await deps.db.transaction().execute(async (trx) => {
        if (!(await consumeToken(trx, token, 'setup', now))) return undefined;
        // The link only ever makes the first user: once anyone exists, it is spent.
        if ((await countUsers(trx)) > 0) return undefined;
        return insertUser(trx, { keyId: null, requestId: c.get('requestId') ?? null, who: null }, { email, name, role: 'admin', passwordHash: hash }, now);
      });
      if (!user) throw new ProblemError('invalid-link', 'This setup link is unknown, already used or expired; restart the server to print a new one, or set ADMIN_EMAIL and ADMIN_PASSWORD.');
      return signIn(c, user, 201);
    })
    .post('/password', access('viewer'), async (c) => {
      const principal = c.get('principal');
      if (principal.type !== 'user') throw new ProblemError('forbidden', 'Keys have no password; sign in as a person.');
      const { currentPassword, newPassword: next } = await readJson(c, changePasswordSchema);
      const nowMs = deps.now().getTime();
      const address = clientAddress(c, hops);
      failures.byEmail?.assertAllowed(principal.email!, nowMs);
      const row = await findUser(deps.db, principal.id);
      // Someone who only signs in with SSO has no password here to check; not a failed attempt either.
      if (row && row.password_hash === null) throw new ProblemError('forbidden', 'You sign in with SSO and have no password here: your identity provider keeps it, change it there.');
      if (!row || !(await verifyPassword(currentPassword, row.password_hash))) {
        await failures.byAddress?.recordFailure(address, nowMs);
        await failures.byEmail?.recordFailure(principal.email!, nowMs);
        throw invalidField(['currentPassword'], 'is not your current password');
      }
      newPassword(next, 'newPassword');
      const hash = await hashPassword(next);
      // Every other session ends; this one stays signed in.
      await deps.db.transaction().execute((trx) => setPassword(trx, actorOf(c), principal.id, hash, deps.now(), principal.session?.id));
      return c.body(null, 204);
    });
}
