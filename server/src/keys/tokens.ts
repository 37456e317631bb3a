import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type KeyKind = 'admin' | 'sdk';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** 32 base62 characters ≈ 190 bits of entropy; rejection sampling keeps every character uniform. */
function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

/** A new secret, recognisable by its prefix in logs and secret scanners: `tp_admin_…` / `tp_sdk_…`. */
export function generateKey(kind: KeyKind): string {
  return `tp_${kind}_${randomBase62(32)}`;
}

export function generateKeyId(): string {
  return `key_${randomBase62(16)}`;
}

/**
 * Keys are stored as SHA-256 digests. A plain digest is enough (no slow hash): generated keys carry
 * ~190 bits of entropy and preset keys need at least 20 characters and an estimated 64 bits (config.ts), so there is nothing to brute-force.
 */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex digests. */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * What the API shows of a key after creation: enough to recognise it, useless to use it. Generated
 * keys show their public `tp_<kind>_` marker and 4 random characters; any other key (a preset
 * ADMIN_KEY, which may be as short as 20 characters) shows at most 4 characters and at most a
 * quarter of itself, so the listing never gives away half of a short secret.
 */
export function displayPrefix(key: string): string {
  const marker = /^tp_(?:admin|sdk)_/.exec(key)?.[0] ?? '';
  const shown = Math.min(4, Math.floor((key.length - marker.length) / 4));
  return `${key.slice(0, marker.length + shown)}…`;
}
