import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

/** The session cookie (design.md §9). */
export const SESSION_COOKIE = 'tp_session';

/**
 * Secure when COOKIE_SECURE=1 or the request came over https (directly, or as the nearest trusted
 * proxy says in X-Forwarded-Proto): a browser then never sends the cookie over plain http.
 */
export function isSecureRequest(c: Context, cookieSecure: boolean, trustedProxyHops: number): boolean {
  if (cookieSecure) return true;
  if (new URL(c.req.url).protocol === 'https:') return true;
  if (trustedProxyHops > 0) {
    const protos = (c.req.header('x-forwarded-proto') ?? '').split(',').map((p) => p.trim().toLowerCase()).filter(Boolean);
    return protos[protos.length - 1] === 'https';
  }
  return false;
}

/**
 * HttpOnly (no script reads it: an XSS cannot carry it away), SameSite=Lax (not sent with another
 * site's POSTs or subrequests), Path=/, lasting as long as the session may (its absolute expiry).
 */
export function setSessionCookie(c: Context, secret: string, expiresAt: Date, now: Date, secure: boolean): void {
  setCookie(c, SESSION_COOKIE, secret, {
    httpOnly: true,
    sameSite: 'Lax',
    path: '/',
    secure,
    maxAge: Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000)),
  });
}

export function clearSessionCookie(c: Context, secure: boolean): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'Lax', secure });
}

export function sessionCookie(c: Context): string | undefined {
  const value = getCookie(c, SESSION_COOKIE);
  // Our secrets are 43 base64url characters; anything else is not worth a database lookup.
  return value && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
}
