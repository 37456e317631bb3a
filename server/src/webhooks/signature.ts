import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * `Touchpoint-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * The timestamp is signed with the body, so a receiver can refuse replays of old deliveries.
 */
export function signatureHeader(secret: string, unixSeconds: number, rawBody: string): string {
  const digest = createHmac('sha256', secret).update(`${unixSeconds}.${rawBody}`, 'utf8').digest('hex');
  return `t=${unixSeconds},v1=${digest}`;
}

/** A receiver's check (used by the tests, shown in the README): the header matches the body and the secret. */
export function verifySignature(secret: string, header: string, rawBody: string): boolean {
  const parts = Object.fromEntries(header.split(',').map((part) => part.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1) return false;
  const expected = Buffer.from(signatureHeader(secret, t, rawBody).split('v1=')[1]!, 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
