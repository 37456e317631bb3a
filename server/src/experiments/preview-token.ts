/**
 * Preview links (design.md §10): `?tp_preview=<token>` shows one variant on the real site and logs
 * nothing. The token is `<payload>.<signature>`: payload = base64url JSON `{ e, v, x }` (experiment key,
 * variant key, expiry in unix seconds), signature = base64url HMAC-SHA256(secret, payload). Whoever
 * holds a link can see the variant until it expires — nothing more: the token names one variant of
 * one experiment, and a preview records no exposure and no event.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface PreviewClaims {
  experimentKey: string;
  variantKey: string;
  expiresAt: Date;
}

const sign = (secret: string, payload: string) => createHmac('sha256', secret).update(payload).digest('base64url');

export function signPreviewToken(secret: string, claims: PreviewClaims): string {
  const payload = Buffer.from(JSON.stringify({ e: claims.experimentKey, v: claims.variantKey, x: Math.floor(claims.expiresAt.getTime() / 1000) })).toString('base64url');
  return `${payload}.${sign(secret, payload)}`;
}

/** The claims of a genuine, unexpired token, or why it is refused. */
export function verifyPreviewToken(secret: string, token: string, now: Date): PreviewClaims | { problem: string } {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return { problem: 'is not a preview token' };
  const expected = Buffer.from(sign(secret, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { problem: 'has a signature this server did not make' };
  let claims: { e?: unknown; v?: unknown; x?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    return { problem: 'is not a preview token' };
  }
  if (typeof claims.e !== 'string' || typeof claims.v !== 'string' || typeof claims.x !== 'number') return { problem: 'is not a preview token' };
  const expiresAt = new Date(claims.x * 1000);
  if (expiresAt.getTime() <= now.getTime()) return { problem: `expired at ${expiresAt.toISOString()}; mint a new link in the dashboard` };
  return { experimentKey: claims.e, variantKey: claims.v, expiresAt };
}
