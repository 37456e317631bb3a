import { describe, expect, it } from 'vitest';
import { createKeyCache } from './cache.js';
import type { ApiKey } from './repository.js';

const key = (id: string, kind: 'admin' | 'sdk'): ApiKey => ({
  id, kind, name: id, prefix: 'tp_…', allowedOrigins: [], createdAt: '', lastUsedAt: null, revokedAt: null,
});

describe('SDK key cache', () => {
  it('keeps SDK keys until their time-to-live, never admin keys', () => {
    const cache = createKeyCache({ ttlMs: 1000 });
    cache.set('d-sdk', key('k1', 'sdk'), 0);
    cache.set('d-admin', key('k2', 'admin'), 0);
    expect(cache.get('d-sdk', 999)?.id).toBe('k1');
    expect(cache.get('d-admin', 1)).toBeUndefined();
    expect(cache.get('d-sdk', 1000)).toBeUndefined();
  });

  it('forgets a revoked key at once and stays bounded', () => {
    const cache = createKeyCache({ ttlMs: 1000, maxEntries: 2 });
    cache.set('a', key('ka', 'sdk'), 0);
    cache.set('b', key('kb', 'sdk'), 0);
    cache.forget('ka');
    expect(cache.get('a', 1)).toBeUndefined();
    cache.set('c', key('kc', 'sdk'), 0);
    cache.set('d', key('kd', 'sdk'), 0);
    expect([cache.get('b', 1), cache.get('c', 1), cache.get('d', 1)].filter(Boolean)).toHaveLength(2);
  });
});
