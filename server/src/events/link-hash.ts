/**
 * The fingerprint of a set of identity links (migration 0021): their count and the sum, mod 2^64, of a
 * 64-bit hash of each. Order-free and additive, so the catalog keeps it up to date link by link
 * (alias-repository.ts) and a copy computes its own with one aggregate (ClickHouse: count and sum of
 * the stored `h` over distinct rows, clickhouse/links.ts); equal fingerprints mean equal sets, but for
 * a 2^-64 chance. The hash covers everything a copy is read for: alias, account and received time
 * (the incremental refresh's rule c), each length-prefixed so no two links hash the same text.
 */
import { createHash } from 'node:crypto';

export interface StoredLink {
  aliasId: string;
  unitId: string;
  receivedMs: number;
}

export interface LinkFingerprint {
  links: number;
  /** Sum of the links' hashes mod 2^64, in decimal. */
  hashSum: string;
}

const MOD = 1n << 64n;

/** A link's 64-bit hash (unsigned, in decimal: ClickHouse's UInt64 takes it as is). */
export function linkHash(link: StoredLink): string {
  const text = `${link.aliasId.length}:${link.aliasId}${link.unitId.length}:${link.unitId}${link.receivedMs}`;
  return BigInt(`0x${createHash('md5').update(text, 'utf8').digest('hex').slice(0, 16)}`).toString();
}

/** `fingerprint` with `links` added (sign 1) or removed (sign -1). */
export function adjustFingerprint(fingerprint: LinkFingerprint, links: readonly StoredLink[], sign: 1 | -1): LinkFingerprint {
  let sum = BigInt(fingerprint.hashSum);
  for (const link of links) sum += BigInt(sign) * BigInt(linkHash(link));
  return { links: fingerprint.links + sign * links.length, hashSum: (((sum % MOD) + MOD) % MOD).toString() };
}

export const emptyFingerprint: LinkFingerprint = { links: 0, hashSum: '0' };

export const sameFingerprint = (a: LinkFingerprint, b: LinkFingerprint) => a.links === b.links && a.hashSum === b.hashSum;
