import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Secrets of team access: session cookies, invitation and setup links, SSO flows. Each is 256 random
 * bits, handed out once and stored only as its SHA-256 digest (like API keys: nothing to brute-force).
 */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function digest(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** A short public id (sessions, users): `<prefix>_` and 16 hex characters. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(8).toString('hex')}`;
}

/**
 * The CSRF token of a session: derived from the session's secret, so it needs no storage and any tab
 * can ask for it again (GET /api/auth/me). A page on another site can send the cookie along (it is
 * the browser's) but cannot read it, nor this token.
 */
export function csrfTokenOf(sessionSecret: string): string {
  return createHmac('sha256', sessionSecret).update('touchpoint csrf v1').digest('base64url');
}

/** Constant-time equality of two strings (tokens a client sends against the expected ones). */
export function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
