// The only importer of murmurhash3js (design.md §4). The hash is part of the contract between
// SDKs and the server: never change it in place; a new algorithm would need a new version field.
import murmur from 'murmurhash3js';

const TWO_POW_32 = 4294967296;
let encoder: TextEncoder | undefined;

/**
 * murmurhash3js reads `charCodeAt(i) & 0xff`, i.e. it hashes UTF-16 code units truncated to a
 * byte. To hash the UTF-8 bytes we hand it a "byte string" (one char per byte). Lone surrogates
 * become U+FFFD, as the WHATWG TextEncoder does. (ASCII ids on the assignment path never get
 * here: see saltedBucket.)
 */
function utf8ByteString(s: string): string {
  let out = '';
  for (const b of (encoder ??= new TextEncoder()).encode(s)) out += String.fromCharCode(b);
  return out;
}

/** MurmurHash3_x86_32 of the UTF-8 bytes of `s`, seed 0, as an unsigned 32-bit integer. */
export function hash(s: string): number {
  return murmur.x86.hash32(utf8ByteString(s));
}

/** `hash(s) / 2^32`, uniform in [0, 1). Example: `bucket("cta-color.user-1")` ≈ 0.813415. */
export function bucket(s: string): number {
  return hash(s) / TWO_POW_32;
}

// Assignment hashes `salt + separator + unitId` for every unit. murmurhash3js needs that
// concatenated string (a copy), and its 16-bit multiplications are slow, which capped assignment
// at about a third of the bare hash rate. For ASCII input this hot path computes the same
// MurmurHash3_x86_32 with Math.imul straight from the three parts, no string built. It is checked
// bit for bit against murmurhash3js by test/hash.test.ts (random strings of every length mod 4,
// every vector); a non-ASCII salt or id is hashed by murmurhash3js itself.
let h = 0;
let k = 0;
let n = 0;

/** k1 *= c1; k1 = rotl32(k1, 15); k1 *= c2 (smhasher MurmurHash3.cpp). */
function scramble(block: number): number {
  block = Math.imul(block, 0xcc9e2d51);
  return Math.imul((block << 15) | (block >>> 17), 0x1b873593);
}

function mixBlock(block: number) {
  h ^= scramble(block);
  h = (h << 13) | (h >>> 19);
  h = (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** Feeds the bytes of an ASCII string into (h, k, n); false at the first non-ASCII char. */
function absorb(s: string): boolean {
  for (let i = 0; ; ) {
    // Whole 4-byte blocks straight from the string whenever no partial block is pending.
    if (!n) {
      for (; i + 4 <= s.length; i += 4) {
        const c0 = s.charCodeAt(i);
        const c1 = s.charCodeAt(i + 1);
        const c2 = s.charCodeAt(i + 2);
        const c3 = s.charCodeAt(i + 3);
        if ((c0 | c1 | c2 | c3) > 0x7f) return false;
        mixBlock(c0 | (c1 << 8) | (c2 << 16) | (c3 << 24));
      }
    }
    if (i >= s.length) return true;
    const c = s.charCodeAt(i++);
    if (c > 0x7f) return false;
    k |= c << (n << 3);
    if (++n === 4) {
      mixBlock(k);
      k = n = 0;
    }
  }
}

// The state after the last salt + separator, so a loop over the units of one experiment hashes
// only the ids (a one-entry cache: nothing to bound; a miss costs one salt's worth of work).
let lastSalt = '';
let lastSeparator = '';
let savedH = 0;
let savedK = 0;
let savedN = 0;
let saltIsAscii = true;

/** `bucket(salt + separator + id)`, without building the string when all three are ASCII. */
export function saltedBucket(salt: string, separator: string, id: string): number {
  if (salt !== lastSalt || separator !== lastSeparator) {
    h = k = n = 0;
    saltIsAscii = absorb(salt) && absorb(separator);
    lastSalt = salt;
    lastSeparator = separator;
    savedH = h;
    savedK = k;
    savedN = n;
  }
  h = savedH;
  k = savedK;
  n = savedN;
  if (!(saltIsAscii && absorb(id))) return bucket(salt + separator + id);
  // Tail and finalisation, exactly as MurmurHash3_x86_32 ends.
  if (n) h ^= scramble(k);
  h ^= salt.length + separator.length + id.length;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / TWO_POW_32;
}
