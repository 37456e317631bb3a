import type { Context, MiddlewareHandler, Next } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { AppDeps, AppEnv, Principal } from '../http/context.js';
import { ProblemError } from '../http/problem.js';
import { requestHeader } from '../http/request-header.js';
import { keyAuthenticator } from '../keys/auth.js';
import { sessionCookie } from '../auth/cookies.js';
import { findSession, touchSession } from '../auth/sessions.js';
import { DEFAULT_ACCESS } from '../auth/settings.js';
import { csrfTokenOf, sameToken } from '../auth/tokens.js';
import { declaredAccess } from './declare.js';
import { type Access, type Role, isSafeMethod, roleAllows, stricter } from './roles.js';

export const CSRF_HEADER = 'X-CSRF-Token';

/**
 * The access the routes matching this request declare; 'admin' when a route matched without one (fail
 * closed). One pass over the matched routes, nothing allocated: it runs on every request.
 */
export function requiredAccess(c: Context): Access | 'no-route' {
  let need: Access | undefined;
  let routeMatched = false;
  for (const route of matchedRoutes(c)) {
    const level = declaredAccess(route.handler);
    if (level !== undefined) need = stricter(need, level);
    if (route.method !== 'ALL') routeMatched = true;
  }
  return need ?? (routeMatched ? 'admin' : 'no-route');
}

/**
 * The one middleware that decides who may do what (design.md §9). Each route declares what it needs
 * (access/declare.ts); this reads the declaration of the route the request matched and:
 * - `public` and `sdk` routes pass (an `sdk` route checks its key itself);
 * - otherwise the request must come from someone: an admin key (`Authorization: Bearer`, checked and
 *   rate-limited as before) or a session cookie; neither: 401;
 * - their role must reach the route's: else 403, before the handler runs, so nothing is written;
 * - a cookie-authenticated write must carry the session's CSRF token in X-CSRF-Token: else 403.
 *   (A Bearer key needs none: no browser attaches it on its own.)
 */
export function authorize(deps: AppDeps): MiddlewareHandler<AppEnv> {
  const authenticateKey = keyAuthenticator(deps, ['admin']);
  const settings = deps.access ?? DEFAULT_ACCESS;
  // Not async: `public` and `sdk` routes (every /sdk request, issue 16's hot path) pass on at once,
  // without a promise of their own; only what needs a principal waits for one.
  return function authorizeMiddleware(c, next) {
    const need = requiredAccess(c);
    if (need === 'public' || need === 'sdk') return next();
    return decide(c, next, need);
  };

  async function decide(c: Context<AppEnv>, next: Next, need: Exclude<Access, 'public' | 'sdk'> | 'no-route'): Promise<void> {
    // No route: under /api only someone signed in learns that (401 first, as ever), elsewhere a 404.
    if (need === 'no-route') {
      if (c.req.path.startsWith('/api/')) await identify(c);
      return next();
    }
    const principal = await identify(c);
    if (!roleAllows(principal.role, need)) {
      throw new ProblemError('forbidden', `${describe(principal)} has the role ${principal.role}; ${c.req.method} ${c.req.path} needs ${need}${need === 'admin' ? '' : ' or above'}.`);
    }
    if (principal.session && !isSafeMethod(c.req.method)) {
      const given = requestHeader(c, CSRF_HEADER.toLowerCase());
      if (!given || !sameToken(given, principal.session.csrfToken)) {
        throw new ProblemError('forbidden', `A signed-in write needs the ${CSRF_HEADER} header with the csrfToken from POST /api/auth/login or GET /api/auth/me.`);
      }
    }
    c.set('principal', principal);
    await next();
  }

  async function identify(c: Context<AppEnv>): Promise<Principal> {
    if (requestHeader(c, 'authorization') !== undefined) {
      const key = await authenticateKey(c);
      return { type: 'key', id: key.id, name: key.name, role: (key.role ?? 'admin') as Role };
    }
    const secret = sessionCookie(c);
    const now = deps.now();
    const session = secret ? await findSession(deps.db, secret, now, settings.sessions) : null;
    if (!session || !secret) {
      throw new ProblemError('unauthorized', secret ? 'Your session has ended (signed out, expired or revoked); sign in again.' : 'Sign in (POST /api/auth/login), or send "Authorization: Bearer <admin key>".', {
        headers: { 'WWW-Authenticate': 'Bearer realm="touchpoint"' },
      });
    }
    // Awaited (it writes at most once a minute per session): left running, a request that follows at
    // once could read the old last_seen_at and end a session that was just used (seen on PostgreSQL).
    await touchSession(deps.db, session, now).catch((error: unknown) => deps.logger.warn('could not record session activity', { error: String(error) }));
    return {
      type: 'user',
      id: session.user.id,
      name: session.user.name,
      email: session.user.email,
      role: session.user.role,
      session: { id: session.sessionId, csrfToken: csrfTokenOf(secret), expiresAt: session.expiresAt },
    };
  }
}

function describe(principal: Principal): string {
  return principal.type === 'user' ? `${principal.name} (${principal.email})` : `The key "${principal.name}"`;
}
