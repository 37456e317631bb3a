// The assignment hot path (saltedBucket) computes MurmurHash3_x86_32 itself for ASCII input;
// murmurhash3js (through hash/bucket) is the reference it must match bit for bit.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucket, hash } from '../src/index.js';
import { saltedBucket } from '../src/hash.js';
import { referenceHash } from './murmur-reference.js';
import vectors from './vectors.json';

const ascii = fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)), maxLength: 70 });

describe('hash', () => {
  it('is murmurhash3js over UTF-8 bytes, equal to an independent implementation', () => {
    // 500 strings of up to 80 code points already mix 1- to 4-byte characters and every length mod 4
    // (the tail cases); 2,000 took over 5 s on a loaded machine.
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => hash(s) === referenceHash(s)), { numRuns: 500, seed: 5 });
  });

  it('hashes lone surrogates as U+FFFD, like TextEncoder', () => {
    expect(hash('a\uD800b')).toBe(hash('a\uFFFDb'));
  });
});

describe('saltedBucket (the assignment hot path)', () => {
  it('equals bucket(salt + separator + id) for ASCII parts of every length mod 4', () => {
    fc.assert(
      fc.property(ascii, fc.constantFrom('.', '__'), ascii, (salt, separator, id) =>
        saltedBucket(salt, separator, id) === bucket(salt + separator + id)),
      { numRuns: 5000, seed: 9 },
    );
  });

  it('falls back to murmurhash3js for non-ASCII salts or ids', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 40 }), (salt, id) =>
        saltedBucket(salt, '.', id) === bucket(`${salt}.${id}`)),
      { numRuns: 2000, seed: 10 },
    );
  });

  it('survives alternating salts and separators (one-entry cache)', () => {
    for (let i = 0; i < 500; i++) {
      const salt = i % 3 === 0 ? 'checkout' : i % 3 === 1 ? 'pricing-page' : 'café';
      const separator = i % 2 ? '.' : '__';
      expect(saltedBucket(salt, separator, `u-${i}`)).toBe(bucket(`${salt}${separator}u-${i}`));
    }
  });

  it('matches every bucket vector that splits as salt.id', () => {
    for (const { input, bucket: expected } of vectors.bucket) {
      const dot = input.indexOf('.');
      if (dot > 0) expect(saltedBucket(input.slice(0, dot), '.', input.slice(dot + 1))).toBe(expected);
    }
  });
});
