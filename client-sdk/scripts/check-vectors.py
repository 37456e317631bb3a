#!/usr/bin/env python3
"""Independent check of test/vectors.json: a hand-written MurmurHash3_x86_32 (smhasher reference)
over the UTF-8 bytes, and the design.md §4 assignment, with nothing shared with the TypeScript code.
Targeted vectors (attributes present) are skipped: targeting is checked by the TS suite.
Usage: python3 client-sdk/scripts/check-vectors.py"""
import json, os, sys

M = 0xFFFFFFFF

def rotl(x, r):
    return ((x << r) | (x >> (32 - r))) & M

def murmur3_32(data: bytes, seed: int = 0) -> int:
    c1, c2, h = 0xCC9E2D51, 0x1B873593, seed
    n = len(data) // 4
    for i in range(n):
        k = int.from_bytes(data[4 * i:4 * i + 4], 'little')
        k = rotl((k * c1) & M, 15) * c2 & M
        h = (rotl(h ^ k, 13) * 5 + 0xE6546B64) & M
    tail, k = data[4 * n:], 0
    for i, b in enumerate(tail):
        k |= b << (8 * i)
    if tail:
        h ^= rotl((k * c1) & M, 15) * c2 & M
    h ^= len(data)
    h ^= h >> 16; h = (h * 0x85EBCA6B) & M
    h ^= h >> 13; h = (h * 0xC2B2AE35) & M
    return h ^ (h >> 16)

def bucket(s: str) -> float:
    return murmur3_32(s.encode('utf-8')) / 2**32

def assign(exp, unit):
    if unit == '':
        return None
    ns = exp.get('namespace')
    if ns:
        u = bucket(ns['id'] + '__' + unit)
        if not (ns['range'][0] <= u < ns['range'][1]):
            return None
    u = bucket((exp.get('salt') or exp['key']) + '.' + unit)
    cov, cum = exp.get('coverage', 1), 0.0
    for i, v in enumerate(exp['variants']):
        if cum <= u < cum + cov * v['weight']:
            return {'variantIndex': i, 'variantKey': v['key']}
        cum += v['weight']
    return None

vectors = json.load(open(os.path.join(os.path.dirname(__file__), '..', 'test', 'vectors.json'), encoding='utf-8'))
bad = [v for v in vectors['hash'] if murmur3_32(v['input'].encode('utf-8')) != v['hash']]
bad += [v for v in vectors['bucket'] if bucket(v['input']) != v['bucket']]
checked = [v for v in vectors['assign'] if not v.get('attributes')]
bad += [v for v in checked if assign(v['experiment'], v['unitId']) != v['expected']]
for v in bad:
    print('MISMATCH', json.dumps(v)[:200])
print(f"{len(vectors['hash'])} hash, {len(vectors['bucket'])} bucket, {len(checked)} assign vectors checked; {len(bad)} mismatches")
sys.exit(1 if bad else 0)
