import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Passwords are stored with scrypt (Node's built-in, OpenSSL's implementation: memory-hard, nothing
 * hand-rolled). Parameters: N = 2^15, r = 8, p = 3 — 32 MiB and about a quarter of a second per
 * hash on a small server, one of OWASP's recommended equivalent scrypt settings, chosen over
 * N = 2^17 (128 MiB) so that four concurrent sign-ins (libuv's thread pool) stay within 128 MiB.
 * The stored form names its parameters (`scrypt$N$r$p$salt$hash`), so they can be raised later and
 * old hashes still verify.
 */
const DEFAULT = { N: 2 ** 15, r: 8, p: 3 };
const KEY_LENGTH = 32;
export const MIN_PASSWORD_LENGTH = 12;
/** scrypt hashes any length; the bound only keeps a request from making it hash megabytes. */
export const MAX_PASSWORD_LENGTH = 1024;

function derive(password: string, salt: Buffer, { N, r, p }: { N: number; r: number; p: number }, length = KEY_LENGTH): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, length, { N, r, p, maxmem: 256 * N * r * p + 1024 * 1024 }, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, DEFAULT);
  return ['scrypt', DEFAULT.N, DEFAULT.r, DEFAULT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/**
 * A stored hash nobody's password matches (a random key: no password derives it), verified when an
 * address is unknown so that the answer takes as long. Random bytes, not a hash computed on first use:
 * that first unknown address would otherwise cost two hashes.
 */
const DECOY = ['scrypt', DEFAULT.N, DEFAULT.r, DEFAULT.p, randomBytes(16).toString('base64url'), randomBytes(KEY_LENGTH).toString('base64url')].join('$');

/**
 * Does `password` match `stored`? The comparison is constant-time (timingSafeEqual), and a missing
 * or unreadable `stored` (no such user, SSO-only user) costs one full hash too, so the time taken
 * tells nothing about which accounts exist.
 */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parts = stored?.split('$');
  const usable = parts?.length === 6 && parts[0] === 'scrypt';
  const [, n, r, p, salt, key] = usable ? parts : DECOY.split('$');
  const expected = Buffer.from(key!, 'base64url');
  const actual = await derive(password, Buffer.from(salt!, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) }, expected.length);
  return timingSafeEqual(actual, expected) && usable;
}

/** Why a new password is refused, or null (design.md §9: at least 12 characters). */
export function passwordProblem(password: string): string | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  if (password.trim() === '') return 'must not be only spaces';
  return null;
}
