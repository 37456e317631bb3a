// The only importer of murmurhash3js (design.md §4). The hash is part of the contract between
// SDKs and the server: never change it in place; a new algorithm would need a new version field.
import murmur from 'murmurhash3js';

const TWO_POW_32 = 4294967296;
let encoder: TextEncoder | undefined;

/**
 * murmurhash3js reads `charCodeAt(i) & 0xff`, i.e. it hashes UTF-16 code units truncated to a
 * byte. To hash the UTF-8 bytes we hand it a "byte string" (one char per byte). ASCII strings are
 * already their own UTF-8 byte string, so the common case costs one scan and no allocation.
 * Lone surrogates become U+FFFD, as the WHATWG TextEncoder does.
 */
function utf8ByteString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) {
      const bytes = (encoder ??= new TextEncoder()).encode(s);
      let out = '';
      for (let j = 0; j < bytes.length; j++) out += String.fromCharCode(bytes[j]!);
      return out;
    }
  }
  return s;
}

/** MurmurHash3_x86_32 of the UTF-8 bytes of `s`, seed 0, as an unsigned 32-bit integer. */
export function hash(s: string): number {
  return murmur.x86.hash32(utf8ByteString(s), 0);
}

/** `hash(s) / 2^32`, uniform in [0, 1). Example: `bucket("cta-color.user-1")` ≈ 0.813415. */
export function bucket(s: string): number {
  return hash(s) / TWO_POW_32;
}
